// CoreDNS with only the plugins the bundled cluster's Corefile uses (cluster/lib/coredns.sh).
// The stock build (github.com/coredns/coredns/core/plugin) links every plugin, cloud SDKs
// (route53, azure, clouddns) included; this one builds in a fraction of the time and size.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
	_ "github.com/coredns/coredns/plugin/template"
)

// The order in which the plugins handle a query: CoreDNS' plugin.cfg, cut to the ones above.
var directives = []string{"reload", "bind", "ready", "health", "errors", "log", "loadbalance", "cache", "template", "kubernetes"}

func init() { dnsserver.Directives = directives }

func main() { coremain.Run() }
