//go:build tools

// Keeps kube-router (the NetworkPolicy enforcer, cluster/lib/netpol.sh) in this module's
// dependency graph; binaries.sh runs `go build github.com/cloudnativelabs/kube-router/v2/cmd/kube-router`.
package tools

import (
	_ "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"
)
