// Package ctrd is the small part of containerd's API the agent needs, spoken
// directly over gRPC (works against containerd 1.6 and later).
package ctrd

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"time"

	containers "github.com/containerd/containerd/api/services/containers/v1"
	snapshots "github.com/containerd/containerd/api/services/snapshots/v1"
	tasks "github.com/containerd/containerd/api/services/tasks/v1"
	tasktypes "github.com/containerd/containerd/api/types/task"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Client is a containerd connection bound to one namespace.
type Client struct {
	conn       *grpc.ClientConn
	Namespace  string
	containers containers.ContainersClient
	snapshots  snapshots.SnapshotsClient
	tasks      tasks.TasksClient
}

// Dial connects to containerd's socket.
func Dial(socket, namespace string) (*Client, error) {
	if namespace == "" {
		namespace = "k8s.io"
	}
	conn, err := grpc.NewClient("unix://"+socket,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		return nil, err
	}
	return &Client{
		conn: conn, Namespace: namespace,
		containers: containers.NewContainersClient(conn),
		snapshots:  snapshots.NewSnapshotsClient(conn),
		tasks:      tasks.NewTasksClient(conn),
	}, nil
}

func (c *Client) Close() error { return c.conn.Close() }

func (c *Client) ctx(ctx context.Context) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "containerd-namespace", c.Namespace)
}

// Container is what the agent needs to know about a container.
type Container struct {
	ID          string
	Image       string
	Snapshotter string
	SnapshotKey string
	Labels      map[string]string
	CreatedAt   time.Time
}

func fromPB(x *containers.Container) *Container {
	c := &Container{ID: x.ID, Image: x.Image, Snapshotter: x.Snapshotter, SnapshotKey: x.SnapshotKey, Labels: x.Labels}
	if x.CreatedAt != nil {
		c.CreatedAt = x.CreatedAt.AsTime()
	}
	return c
}

// Get returns one container by ID.
func (c *Client) Get(ctx context.Context, id string) (*Container, error) {
	r, err := c.containers.Get(c.ctx(ctx), &containers.GetContainerRequest{ID: id})
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", id, err)
	}
	return fromPB(r.Container), nil
}

// Kubernetes labels set by the CRI plugin.
const (
	LabelPodNamespace = "io.kubernetes.pod.namespace"
	LabelPodName      = "io.kubernetes.pod.name"
	LabelContainer    = "io.kubernetes.container.name"
)

// FindPodContainer returns the newest container of a pod with the given name.
func (c *Client) FindPodContainer(ctx context.Context, podNamespace, pod, container string) (*Container, error) {
	filter := fmt.Sprintf(`labels.%q==%q,labels.%q==%q,labels.%q==%q`,
		LabelPodNamespace, podNamespace, LabelPodName, pod, LabelContainer, container)
	r, err := c.containers.List(c.ctx(ctx), &containers.ListContainersRequest{Filters: []string{filter}})
	if err != nil {
		// a filter the daemon cannot parse: list everything, match below
		r, err = c.containers.List(c.ctx(ctx), &containers.ListContainersRequest{})
		if err != nil {
			return nil, err
		}
	}
	var best *Container
	for _, x := range r.Containers {
		ct := fromPB(x)
		// double-check: filters with odd characters are not trusted blindly
		if ct.Labels[LabelPodNamespace] != podNamespace || ct.Labels[LabelPodName] != pod || ct.Labels[LabelContainer] != container {
			continue
		}
		if best == nil || ct.CreatedAt.After(best.CreatedAt) {
			best = ct
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no container %q in pod %s/%s on this node", container, podNamespace, pod)
	}
	return best, nil
}

// UpperDir returns the overlayfs upper directory of the container's
// snapshot and the name of its parent snapshot (the image's chain ID).
func (c *Client) UpperDir(ctx context.Context, ct *Container) (upper, parent string, err error) {
	if ct.Snapshotter != "overlayfs" {
		return "", "", fmt.Errorf("container %s uses snapshotter %q; only overlayfs is supported", ct.ID, ct.Snapshotter)
	}
	r, err := c.snapshots.Mounts(c.ctx(ctx), &snapshots.MountsRequest{Snapshotter: ct.Snapshotter, Key: ct.SnapshotKey})
	if err != nil {
		return "", "", fmt.Errorf("snapshot mounts of %s: %w", ct.ID, err)
	}
	for _, m := range r.Mounts {
		for _, o := range m.Options {
			if strings.HasPrefix(o, "upperdir=") {
				upper = strings.TrimPrefix(o, "upperdir=")
			}
		}
	}
	if upper == "" {
		return "", "", fmt.Errorf("snapshot %s of %s has no upper dir (read-only mount?)", ct.SnapshotKey, ct.ID)
	}
	st, err := c.snapshots.Stat(c.ctx(ctx), &snapshots.StatSnapshotRequest{Snapshotter: ct.Snapshotter, Key: ct.SnapshotKey})
	if err != nil {
		return "", "", fmt.Errorf("snapshot stat of %s: %w", ct.ID, err)
	}
	return upper, st.Info.Parent, nil
}

// TaskState is the state of a container's task.
type TaskState string

const (
	TaskNone    TaskState = "none" // no task: created but never started, or deleted after exit
	TaskRunning TaskState = "running"
	TaskPaused  TaskState = "paused"
	TaskStopped TaskState = "stopped"
	TaskCreated TaskState = "created"
	TaskOther   TaskState = "other"
)

// Task returns the state of the container's task.
func (c *Client) Task(ctx context.Context, id string) (TaskState, error) {
	r, err := c.tasks.Get(c.ctx(ctx), &tasks.GetRequest{ContainerID: id})
	if err != nil {
		if status.Code(err) == codes.NotFound {
			return TaskNone, nil
		}
		return "", fmt.Errorf("task of %s: %w", id, err)
	}
	switch r.Process.Status {
	case tasktypes.Status_RUNNING:
		return TaskRunning, nil
	case tasktypes.Status_PAUSED, tasktypes.Status_PAUSING:
		return TaskPaused, nil
	case tasktypes.Status_STOPPED:
		return TaskStopped, nil
	case tasktypes.Status_CREATED:
		return TaskCreated, nil
	}
	return TaskOther, nil
}

// Pause freezes the task (cgroup freezer).
func (c *Client) Pause(ctx context.Context, id string) error {
	_, err := c.tasks.Pause(c.ctx(ctx), &tasks.PauseTaskRequest{ContainerID: id})
	return err
}

// Resume thaws the task.
func (c *Client) Resume(ctx context.Context, id string) error {
	_, err := c.tasks.Resume(c.ctx(ctx), &tasks.ResumeTaskRequest{ContainerID: id})
	return err
}

// KillAll sends sig to every process of the container's task (containerd's
// kill --all), not only to PID 1: a devbox's PID 1 often ignores SIGTERM,
// while its shells and editors must get the chance to save. A task that is
// already gone is not an error.
func (c *Client) KillAll(ctx context.Context, id string, sig syscall.Signal) error {
	_, err := c.tasks.Kill(c.ctx(ctx), &tasks.KillRequest{ContainerID: id, Signal: uint32(sig), All: true})
	if err != nil && status.Code(err) != codes.NotFound {
		return fmt.Errorf("signal %d to the processes of %s: %w", sig, id, err)
	}
	return nil
}

// WaitExit waits up to timeout for the container's task to exit. It reports
// whether the task has exited (or no longer exists) when it returns.
func (c *Client) WaitExit(ctx context.Context, id string, timeout time.Duration) (bool, error) {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := c.tasks.Wait(c.ctx(wctx), &tasks.WaitRequest{ContainerID: id})
	if err == nil || status.Code(err) == codes.NotFound {
		return true, nil
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	// timed out, or the shim went away: the task's state decides
	st, serr := c.Task(ctx, id)
	if serr != nil {
		return false, serr
	}
	if st == TaskStopped || st == TaskNone {
		return true, nil
	}
	if wctx.Err() != nil {
		return false, nil
	}
	return false, fmt.Errorf("waiting for %s to exit: %w", id, err)
}
