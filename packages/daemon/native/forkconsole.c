/* corral-forkconsole: a running container's console through liblxc, as LXD's forkconsole.
 *
 * Usage: corral-forkconsole LXCPATH NAME attach
 *        corral-forkconsole LXCPATH NAME log [clear]
 * attach relays the container's console (tty 0: what its /dev/console shows, the pty LXC made
 * at start) to this helper's stdin and stdout, with no escape key (the client detaches by
 * closing its websocket, and the daemon then ends this helper). It returns when the console
 * goes away (the container stops) or on SIGTERM/SIGHUP.
 * log writes the console ring buffer to stdout (read; with "clear", empties it instead).
 * Errors: exit 1 with a message on stderr; exit 2 when the ring buffer holds nothing (ENODATA). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lxc/lxccontainer.h>

static _Noreturn void fail(const char *what) {
  fprintf(stderr, "%s\n", what);
  exit(1);
}

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4) fail("usage: corral-forkconsole LXCPATH NAME attach | log [clear]");
  struct lxc_container *c = lxc_container_new(argv[2], argv[1]);
  if (!c || !c->is_running(c)) fail("Instance is not running");
  if (strcmp(argv[3], "attach") == 0 && argc == 4) {
    /* escape -1: no key ends the session here; ctrl-a q is the client's. */
    if (c->console(c, 0, STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, -1) < 0)
      fail("Failed to attach to the console");
    return 0;
  }
  if (strcmp(argv[3], "log") == 0 && (argc == 4 || (argc == 5 && strcmp(argv[4], "clear") == 0))) {
    int clear = argc == 5;
    uint64_t max = 0;
    struct lxc_console_log log = {.clear = clear, .read = !clear, .read_max = &max, .data = NULL};
    int ret = c->console_log(c, &log);
    if (ret == -ENODATA) return 2;
    if (ret < 0) fail("Failed to read the console ring buffer");
    if (!clear && max > 0 && log.data && write_all(STDOUT_FILENO, log.data, (size_t)max) < 0)
      fail("Failed to write the console log");
    return 0;
  }
  fail("usage: corral-forkconsole LXCPATH NAME attach | log [clear]");
}
