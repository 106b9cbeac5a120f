//go:build tools

// Keeps versitygw (an S3-compatible object server, Apache-2.0) in this module's dependency graph;
// cluster/lib/s3-server.sh builds it with `go build github.com/versity/versitygw/cmd/versitygw`
// and runs it on loopback for the registry's S3 storage tests.
package tools

import (
	_ "github.com/versity/versitygw/cmd/versitygw"
)
