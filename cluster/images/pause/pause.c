/* The pod sandbox ("pause") process: holds the pod's namespaces open, reaps
 * orphaned children (it is PID 1 when pods share a PID namespace) and exits
 * cleanly on SIGINT/SIGTERM. Built with gcc -static: the image has no libc. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_term(int sig) {
  (void)sig;
  _exit(0);
}

static void on_child(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "-v") == 0) {
    printf("devbox pause 3.10\n");
    return 0;
  }
  if (getpid() != 1)
    fprintf(stderr, "warning: pause should be the first process\n");

  struct sigaction term = {.sa_handler = on_term};
  struct sigaction child = {.sa_handler = on_child, .sa_flags = SA_NOCLDSTOP};
  if (sigaction(SIGINT, &term, NULL) < 0 || sigaction(SIGTERM, &term, NULL) < 0 ||
      sigaction(SIGCHLD, &child, NULL) < 0) {
    perror("sigaction");
    return 1;
  }
  for (;;)
    pause();
  fprintf(stderr, "error: infinite loop terminated\n");
  return 42;
}
