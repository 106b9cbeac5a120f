// devbox-cri is a tiny CRI client used by `devbox-cluster down`: stopping and
// removing pod sandboxes through containerd's CRI plugin makes containerd run
// the CNI DEL (veth, IP lease, iptables rules) and unmount the netns, which a
// plain kill of the processes would leave behind. (crictl would do the same but
// drags in newer grpc/otel versions than Kubernetes 1.34 pins.)
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func usage() {
	fmt.Fprintln(os.Stderr, "usage: devbox-cri <unix-socket> pods|remove-all-pods")
	os.Exit(2)
}

func main() {
	if len(os.Args) != 3 {
		usage()
	}
	conn, err := grpc.NewClient("unix://"+os.Args[1], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "devbox-cri:", err)
		os.Exit(1)
	}
	defer conn.Close()
	rt := runtimeapi.NewRuntimeServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	list, err := rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "devbox-cri: list pod sandboxes:", err)
		os.Exit(1)
	}
	switch os.Args[2] {
	case "pods":
		for _, p := range list.Items {
			fmt.Printf("%s\t%s/%s\t%s\n", p.Id[:13], p.Metadata.Namespace, p.Metadata.Name, p.State)
		}
	case "remove-all-pods":
		failed := 0
		for _, p := range list.Items {
			name := p.Metadata.Namespace + "/" + p.Metadata.Name
			if _, err := rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: p.Id}); err != nil {
				fmt.Fprintf(os.Stderr, "devbox-cri: stop %s: %v\n", name, err)
				failed++
				continue
			}
			if _, err := rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: p.Id}); err != nil {
				fmt.Fprintf(os.Stderr, "devbox-cri: remove %s: %v\n", name, err)
				failed++
				continue
			}
			fmt.Printf("removed pod sandbox %s\n", name)
		}
		if failed > 0 {
			os.Exit(1)
		}
	default:
		usage()
	}
}
