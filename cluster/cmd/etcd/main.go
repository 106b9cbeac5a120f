// etcd built from go.etcd.io/etcd/server/v3 (Debian's etcd 3.4 is too old
// for Kubernetes 1.34). Same entry point as the upstream etcd binary.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
