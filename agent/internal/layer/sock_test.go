package layer

import "net"

func net_listenUnix(p string) (net.Listener, error) { return net.Listen("unix", p) }
