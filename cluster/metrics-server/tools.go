//go:build tools

// Keeps metrics-server (the Metrics API behind `kubectl top`, cluster/lib/metrics-server.sh) in
// this module's dependency graph; it is built with `go build sigs.k8s.io/metrics-server/cmd/metrics-server`.
package tools

import (
	_ "sigs.k8s.io/metrics-server/cmd/metrics-server"
)
