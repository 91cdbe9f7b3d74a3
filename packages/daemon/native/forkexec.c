/* corral-forkexec: runs one command in a running container through liblxc's attach (cwd, uid, gid,
 * clean environment, optional pty) and reports the command's host pid, which lxc-attach cannot do.
 *
 * Usage: corral-forkexec --lxcpath P --name N [--cwd D] [--uid U] [--gid G] [--env K=V]...
 *                        [--pty COLS ROWS] -- CMD [ARG]...
 * fd 3 (when open): one status line for the daemon, "pid N" once attached or "error MESSAGE".
 * fd 4 (with --pty): window sizes from the daemon, one "COLS ROWS" line each.
 * --go-fd N: the helper attaches at once, and the attached process waits for the byte 'g' on
 * fd N before it executes the command (the daemon starts the helper while the client's
 * websockets connect and says go once they are all there); end of file instead means the
 * command must not run: the attached process exits 255 without executing anything.
 * Without --pty the command gets this helper's stdin/stdout/stderr. With --pty the helper allocates
 * the pty itself (in the container's devpts when liblxc can give it, else on the host), makes it the
 * command's controlling terminal and relays it to its own stdin/stdout; doing it here rather than with
 * node-pty keeps the inner pid known (for signals) and the command, not this helper, behind the pty.
 * Exit status: the command's, 128+N when signal N killed it, 127 not found, 126 not executable,
 * 255 when the helper itself failed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <lxc/attach_options.h>
#include <lxc/lxccontainer.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

struct payload {
  char **argv;
  int pty;
  int go_fd;
};

/* Writes the status line to fd 3; false when fd 3 is not open. */
static int status_line(const char *fmt, long value, const char *text) {
  if (fcntl(3, F_GETFD) < 0) return 0;
  if (text) dprintf(3, fmt, text);
  else dprintf(3, fmt, value);
  return 1;
}

static _Noreturn void fail(const char *message) {
  if (!status_line("error %s\n", 0, message)) fprintf(stderr, "corral-forkexec: %s\n", message);
  exit(255);
}

/* Runs inside the container, already with the target ids; stdio is set up by liblxc. */
static int run_command(void *data) {
  struct payload *p = data;
  if (p->go_fd >= 0) {
    /* Attached already (namespaces, cgroup, ids): only the command itself waits for go. */
    char go = 0;
    ssize_t n;
    while ((n = read(p->go_fd, &go, 1)) < 0 && errno == EINTR) {}
    if (n != 1 || go != 'g') _exit(255);
    close(p->go_fd);
  }
  if (p->pty) {
    setsid();
    ioctl(0, TIOCSCTTY, 0);
  }
  execvp(p->argv[0], p->argv);
  _exit(errno == ENOENT || errno == ENOTDIR ? 127 : 126);
}

/* Maps a container id to the host id through /proc/PID/{uid,gid}_map; -1 when unmapped. */
static long host_id(pid_t init, const char *map, long id) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/%s", init, map);
  FILE *f = fopen(path, "re");
  long inside, outside, count, found = -1;
  while (f && fscanf(f, "%ld %ld %ld", &inside, &outside, &count) == 3)
    if (id >= inside && id < inside + count) found = outside + (id - inside);
  if (f) fclose(f);
  return found;
}

/* Opens a pty pair, preferring the container's own devpts; returns the master, sets *slave. */
static int open_pty(struct lxc_container *c, int *slave) {
  int master = -1, devpts = c->devpts_fd ? c->devpts_fd(c) : -1;
  if (devpts >= 0) {
    master = openat(devpts, "ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    close(devpts);
    if (master >= 0 && unlockpt(master) == 0) {
      *slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
      if (*slave >= 0) return master;
    }
    if (master >= 0) close(master);
  }
  master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) return -1;
  *slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  return *slave >= 0 ? master : -1;
}

static int write_all(int fd, const char *buf, ssize_t n) {
  while (n > 0) {
    ssize_t w = write(fd, buf, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    buf += w;
    n -= w;
  }
  return 0;
}

static int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

/* Relays stdin → master, master → stdout and fd 4 sizes → the pty until the command is gone. */
static int relay(int master, pid_t pid) {
  char buf[65536], line[64];
  size_t used = 0;
  int status = 0, exited = 0;
  struct pollfd fds[3] = {{0, POLLIN, 0}, {master, POLLIN, 0}, {4, POLLIN, 0}};
  for (;;) {
    if (!exited && waitpid(pid, &status, WNOHANG) == pid) exited = 1;
    int n = poll(fds, 3, exited ? 20 : 50);
    if (n < 0 && errno != EINTR) break;
    if (exited && n == 0) break;
    if (fds[1].revents) {
      ssize_t r = read(master, buf, sizeof(buf));
      if (r <= 0 && errno != EINTR && errno != EAGAIN) break; /* EIO: no slave left */
      if (r > 0 && write_all(1, buf, r) < 0) break;
    }
    if (fds[0].revents) {
      ssize_t r = read(0, buf, sizeof(buf));
      if (r <= 0) fds[0].fd = -1;
      else write_all(master, buf, r);
    }
    if (fds[2].revents) {
      ssize_t r = read(4, line + used, sizeof(line) - 1 - used);
      if (r <= 0) fds[2].fd = -1;
      else used += r;
      char *nl;
      while ((nl = memchr(line, '\n', used))) {
        struct winsize ws = {0};
        *nl = 0;
        if (sscanf(line, "%hu %hu", &ws.ws_col, &ws.ws_row) == 2) ioctl(master, TIOCSWINSZ, &ws);
        used -= (nl + 1 - line);
        memmove(line, nl + 1, used);
      }
      if (used == sizeof(line) - 1) used = 0;
    }
  }
  if (!exited) waitpid(pid, &status, 0);
  return exit_code(status);
}

int main(int argc, char **argv) {
  const char *lxcpath = NULL, *name = NULL, *cwd = "/";
  long uid = 0, gid = 0;
  int pty = 0, i, go_fd = -1;
  unsigned short cols = 80, rows = 24;
  char **env = calloc(argc + 1, sizeof(char *));
  size_t nenv = 0;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--") == 0) { i++; break; }
    if (!v) fail("Missing value after an option");
    if (strcmp(a, "--lxcpath") == 0) lxcpath = v;
    else if (strcmp(a, "--name") == 0) name = v;
    else if (strcmp(a, "--cwd") == 0) cwd = v;
    else if (strcmp(a, "--uid") == 0) uid = strtol(v, NULL, 10);
    else if (strcmp(a, "--gid") == 0) gid = strtol(v, NULL, 10);
    else if (strcmp(a, "--env") == 0) env[nenv++] = (char *)v;
    else if (strcmp(a, "--go-fd") == 0) go_fd = atoi(v);
    else if (strcmp(a, "--pty") == 0 && i + 2 < argc) {
      pty = 1;
      cols = (unsigned short)atoi(v);
      rows = (unsigned short)atoi(argv[++i + 1]);
    } else fail("Unknown option");
    i++;
  }
  if (!lxcpath || !name || i >= argc) fail("Usage: corral-forkexec --lxcpath P --name N [options] -- CMD...");
  fcntl(3, F_SETFD, FD_CLOEXEC);
  fcntl(4, F_SETFD, FD_CLOEXEC);
  if (go_fd >= 0 && fcntl(go_fd, F_GETFD) < 0) fail("The go fd is not open");

  struct lxc_container *c = lxc_container_new(name, lxcpath);
  if (!c || !c->is_running(c)) fail("Instance is not running");

  struct payload p = {&argv[i], pty, go_fd};
  lxc_attach_options_t opts = LXC_ATTACH_OPTIONS_DEFAULT;
  opts.initial_cwd = (char *)cwd;
  opts.uid = (uid_t)uid;
  opts.gid = (gid_t)gid;
  opts.env_policy = LXC_ATTACH_CLEAR_ENV;
  opts.extra_env_vars = env;
  int master = -1, slave = -1;
  if (pty) {
    master = open_pty(c, &slave);
    if (master < 0) fail("Failed to allocate a pty");
    struct winsize ws = {.ws_row = rows, .ws_col = cols};
    ioctl(master, TIOCSWINSZ, &ws);
    pid_t init = c->init_pid(c);
    long hu = host_id(init, "uid_map", uid), hg = host_id(init, "gid_map", gid);
    if (fchown(slave, hu < 0 ? (uid_t)-1 : (uid_t)hu, hg < 0 ? (gid_t)-1 : (gid_t)hg) < 0) { /* best effort */ }
    opts.stdin_fd = opts.stdout_fd = opts.stderr_fd = slave;
  }
  pid_t pid = -1;
  if (c->attach(c, run_command, &p, &opts, &pid) < 0 || pid <= 0) fail("Failed to attach to the instance");
  status_line("pid %ld\n", (long)pid, NULL);
  close(3);
  signal(SIGPIPE, SIG_IGN);
  if (pty) {
    close(slave);
    return relay(master, pid);
  }
  int devnull = open("/dev/null", O_RDWR);
  dup2(devnull, 0);
  dup2(devnull, 1);
  dup2(devnull, 2);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  return exit_code(status);
}
