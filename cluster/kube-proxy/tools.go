//go:build tools

// Keeps kube-proxy (the Service proxy, cluster/lib/kube-proxy.sh) in this module's dependency
// graph. Its own module, like netpol/: kube-proxy needs modules (sigs.k8s.io/knftables,
// github.com/moby/ipvs) that ../go.mod does not list, and changing ../go.sum would change the
// recipe hash of every other binary and rebuild them all on every existing install.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-proxy"
)
