/* `corral`: hands the command to a warm Node process of the caller's own pool when one is
 * listening, so that Node's start-up (several times the Go client's whole run) is paid ahead of
 * time; otherwise runs it cold, `node bin/corral.cjs ARGS...`, and starts a pool for the next
 * command. The warm process gets this process's terminal (fds 0, 1, 2 by SCM_RIGHTS), argv,
 * environment, working directory and umask, and reports its exit status, which becomes ours;
 * signals sent to us are forwarded to it. Design, figures and the security argument:
 * docs/performance.md ("The `corral` CLI start-up") and docs/security.md.
 *
 * Wire protocol on <runtime dir>/<key>.sock (the pool's side is native/resident.c):
 *   pool -> launcher  "CRP2", u32 pid of the process that will run the command, with
 *                     SCM_CREDENTIALS (the kernel checks them): sent once the pool has checked
 *                     the launcher, and before the launcher sends anything; the launcher checks
 *                     that process (its key, from /proc, must be its own: check_worker)
 *   launcher -> pool  "CRL2", u32 body length, with SCM_RIGHTS [0, 1, 2]; then the body:
 *                     u32 argc, argc NUL-terminated args, u32 envc, envc "NAME=value" strings,
 *                     the cwd (NUL-terminated), u32 umask
 *   pool -> launcher  'r': the body is in
 *   launcher -> pool  'g' (go): only now is the command ours to run; until then either side may
 *                     give up and the launcher runs the command cold, so it never runs twice
 *   pool -> launcher  u32 exit status, when the command exits; EOF without it: killed */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "key.h"

extern char **environ;

/* How long a pool has to answer before the command runs cold instead (a pool whose warm
 * processes are all busy answers once a replacement has warmed up, ~0.2 s). */
#define ANSWER_TIMEOUT_MS 3000

static int pidfd_open_(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
static int pidfd_signal(int pidfd, int sig) { return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0); }

static int trace;
static char bin_dir[PATH_MAX], dist_dir[PATH_MAX], node_path[PATH_MAX], entry[PATH_MAX + 16];

static void say(const char *fmt, const char *arg) {
  if (!trace) return;
  fprintf(stderr, "corral: ");
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
}

/* Runs the command on the cold path: node bin/corral.cjs ARGS... (what bin/corral was). */
static void cold(int argc, char **argv, const char *why) {
  say("cold (%s)", why);
  char **args = calloc((size_t)argc + 2, sizeof(char *));
  if (!args) _exit(1);
  args[0] = node_path;
  args[1] = entry;
  for (int i = 1; i < argc; i++) args[i + 1] = argv[i];
  execv(node_path, args);
  fprintf(stderr, "corral: cannot run %s: %s\n", node_path, strerror(errno));
  _exit(127);
}

/* node as `/usr/bin/env node` finds it: the first executable regular file on PATH, resolved. */
static int find_node(void) {
  const char *path = getenv("PATH");
  if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
  for (const char *p = path;;) {
    const char *end = strchrnul(p, ':');
    char cand[PATH_MAX];
    int n = end == p ? snprintf(cand, sizeof(cand), "./node") : snprintf(cand, sizeof(cand), "%.*s/node", (int)(end - p), p);
    struct stat st;
    if (n > 0 && (size_t)n < sizeof(cand) && stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0 &&
        realpath(cand, node_path))
      return 0;
    if (!*end) return -1;
    p = end + 1;
  }
}

/* Whether no other uid can rename, remove or replace what is in directory `path`: it and every
 * directory above it (symlinks resolved) are root's or ours, and not writable by group or others
 * unless sticky (/tmp). Otherwise another uid could move the runtime directory away and put a
 * symlink in its place, and a pool that works by path would write where that points. */
static int safe_parent(const char *path, uid_t uid) {
  char real[PATH_MAX];
  if (!realpath(path, real)) return -1;
  for (;;) {
    struct stat st;
    if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode) || (st.st_uid != 0 && st.st_uid != uid) ||
        ((st.st_mode & 022) && !(st.st_mode & S_ISVTX)))
      return -1;
    char *slash = strrchr(real, '/');
    if (!slash || slash == real) {
      if (slash && real[1]) {
        real[1] = 0; /* then "/" itself */
        continue;
      }
      return 0;
    }
    *slash = 0;
  }
}

/* The runtime directory, made if missing: ours (uid), a real directory, no access for others,
 * in a directory that no other uid can change (safe_parent). Anything else means cold: we never
 * chmod or chown what we did not make. */
static int runtime_dir(char *out, size_t size) {
  const char *set = getenv("CORRAL_CLI_RUNTIME_DIR");
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  uid_t uid = getuid();
  int n;
  if (set && *set) n = snprintf(out, size, "%s", set);
  else if (xdg && *xdg) n = snprintf(out, size, "%s/corral-cli", xdg);
  else if (uid == 0) n = snprintf(out, size, "/run/corral-cli");
  else n = snprintf(out, size, "/tmp/corral-cli-%u", (unsigned)uid);
  if (n <= 0 || (size_t)n >= size - 64) return -1;
  char parent[PATH_MAX];
  snprintf(parent, sizeof(parent), "%s", out);
  char *slash = strrchr(parent, '/');
  if (!slash) snprintf(parent, sizeof(parent), ".");
  else if (slash == parent) parent[1] = 0;
  else *slash = 0;
  if (safe_parent(parent, uid) != 0) return -1;
  if (mkdir(out, 0700) != 0 && errno != EEXIST) return -1;
  struct stat st;
  if (lstat(out, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 077) != 0) return -1;
  return 0;
}

/* Starts a pool in the background, detached from us (its own session, stdio on /dev/null, no
 * other descriptor of ours): node bin/corral.cjs with CORRAL_CLI_POOL=<socket path>, in an
 * environment of the keyed variables, PATH and CORRAL_CLI_IDLE only: a command gets its caller's
 * environment anyway, and the starter's secrets are not left in the pool's /proc/PID/environ. */
static void start_pool(const char *sock) {
  pid_t child = fork();
  if (child < 0) return;
  if (child == 0) {
    if (setsid() < 0 || fork() != 0) _exit(0);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0) _exit(0);
    for (int fd = 0; fd < 3; fd++) dup2(null, fd);
    syscall(SYS_close_range, 3, ~0U, 0);
    if (chdir("/") != 0) _exit(0);
    size_t count = 0;
    for (char **e = environ; *e; e++) count++;
    char **env = calloc(count + 2, sizeof(char *)), **to = env;
    char *pool = malloc(strlen(sock) + 32);
    if (!env || !pool) _exit(0);
    for (char **e = environ; *e; e++)
      if (corral_env_matches(*e, strlen(*e)) || strncmp(*e, "PATH=", 5) == 0 || strncmp(*e, "CORRAL_CLI_IDLE=", 16) == 0)
        *to++ = *e;
    sprintf(pool, "CORRAL_CLI_POOL=%s", sock);
    *to++ = pool;
    *to = NULL;
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    char *args[] = {node_path, entry, NULL};
    execve(node_path, args, env);
    _exit(0);
  }
  while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
  }
}

/* A growable buffer for the hand-over body. */
struct buf {
  char *data;
  size_t len, cap;
};

static int put(struct buf *b, const void *data, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    char *next = realloc(b->data, cap);
    if (!next) return -1;
    b->data = next;
    b->cap = cap;
  }
  memcpy(b->data + b->len, data, n);
  b->len += n;
  return 0;
}

static int put_u32(struct buf *b, uint32_t v) { return put(b, &v, sizeof(v)); }
static int put_str(struct buf *b, const char *s) { return put(b, s, strlen(s) + 1); }

static int write_all(int fd, const void *data, size_t n) {
  const char *p = data;
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static void follow_stop(pid_t pid);
static volatile sig_atomic_t worker_pidfd = -1, fatal_signal, stop_requested;
static pid_t worker_pid;

/* Reads exactly n bytes, waiting at most timeout_ms for each part (-1: forever, following a
 * forwarded SIGTSTP while it waits). 0, or -1 on EOF, error or timeout. */
static int read_exact(int fd, void *data, size_t n, int timeout_ms) {
  char *p = data;
  while (n > 0) {
    if (timeout_ms >= 0) {
      struct pollfd pfd = {fd, POLLIN, 0};
      int r = poll(&pfd, 1, timeout_ms);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return -1;
    }
    if (timeout_ms < 0 && stop_requested) {
      stop_requested = 0;
      follow_stop(worker_pid);
    }
    ssize_t got = read(fd, p, n);
    if (got < 0 && errno == EINTR) {
      if (stop_requested) {
        stop_requested = 0;
        follow_stop(worker_pid);
      }
      continue;
    }
    if (got <= 0) return -1;
    p += got;
    n -= (size_t)got;
  }
  return 0;
}

/* Signals we pass on to the warm process: what a terminal or a supervisor sends to the job. */
static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGUSR1, SIGUSR2, SIGCONT, SIGTSTP};

static void forward(int sig) {
  int saved = errno;
  if (sig == SIGTSTP) {
    stop_requested = 1; /* acted on by the reading loop: follow_stop */
    errno = saved;
    return;
  }
  if (worker_pidfd >= 0) pidfd_signal((int)worker_pidfd, sig);
  if (sig != SIGWINCH && sig != SIGCONT && sig != SIGTSTP) fatal_signal = sig;
  errno = saved;
}

/* After a SIGTSTP (the terminal's ^Z, or kill -TSTP): what a cold run would do. A command that
 * handles SIGTSTP (exec forwards it into the container) gets it and keeps running, and so do
 * we. One that does not would stop (Node's default), but the warm process is in an orphaned
 * process group of its own session, where the kernel discards SIGTSTP: so it gets SIGSTOP, and
 * we stop too, so that the shell sees the job stop; `fg`'s SIGCONT reaches us and is forwarded. */
static void follow_stop(pid_t pid) {
  char path[64], status[4096];
  snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
  ssize_t n = corral_read_file(path, status, sizeof(status) - 1);
  if (n <= 0) return;
  status[n] = 0;
  const char *caught = strstr(status, "\nSigCgt:");
  unsigned long long mask = caught ? strtoull(caught + 8, NULL, 16) : 0;
  if (mask & (1ULL << (SIGTSTP - 1))) {
    pidfd_signal((int)worker_pidfd, SIGTSTP);
    return;
  }
  if (pidfd_signal((int)worker_pidfd, SIGSTOP) != 0) return;
  raise(SIGSTOP);
}

/* Node resets its stdio's file status flags and terminal modes at exit (ResetStdio): a warm
 * process cannot (its fds 0-2 were others when it started), so we save them before and restore
 * them after, and the terminal is left as a cold run leaves it. */
struct saved_stdio {
  int flags[3];
  int tty[3];
  struct termios termios[3];
};

static void save_stdio(struct saved_stdio *s) {
  for (int fd = 0; fd < 3; fd++) {
    s->flags[fd] = fcntl(fd, F_GETFL);
    s->tty[fd] = isatty(fd) && tcgetattr(fd, &s->termios[fd]) == 0;
  }
}

static void restore_stdio(const struct saved_stdio *s) {
  sigset_t ttou, old;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  sigprocmask(SIG_BLOCK, &ttou, &old);
  for (int fd = 0; fd < 3; fd++) {
    if (s->flags[fd] >= 0) {
      int now = fcntl(fd, F_GETFL);
      if (now >= 0 && now != s->flags[fd]) fcntl(fd, F_SETFL, s->flags[fd]);
    }
    if (s->tty[fd])
      while (tcsetattr(fd, TCSANOW, &s->termios[fd]) != 0 && errno == EINTR) {
      }
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
}

static pid_t peer_pid;

/* Reads the warm process's hello ("CRP2", its pid, SCM_CREDENTIALS) and checks the process it
 * names before anything of ours is sent: the kernel vouches for the credentials (a sender
 * without CAP_SYS_ADMIN cannot name another pid or uid); that process's key, from /proc as we
 * compute our own (key.h, without the limits Node changes), must be ours, so that a same-uid
 * process with fewer privileges that bound a socket of its own in the pool's place gets
 * nothing; and a pidfd taken before the key and still alive after it means the /proc read was
 * of that very process (no pid reuse). Signals then go by that pidfd. Returns the pidfd; -1
 * when no valid hello came, -2 when it names a process that is not of our own context. */
static int check_worker(int sock, const char *bare) {
  struct pollfd pfd = {sock, POLLIN, 0};
  int r;
  do r = poll(&pfd, 1, ANSWER_TIMEOUT_MS);
  while (r < 0 && errno == EINTR);
  if (r <= 0) return -1;
  char hello[8];
  union {
    char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(3 * sizeof(int))];
    struct cmsghdr align;
  } control;
  memset(&control, 0, sizeof(control));
  struct iovec iov = {hello, sizeof(hello)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf)};
  ssize_t got;
  do got = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
  while (got < 0 && errno == EINTR);
  if (got < 0) return -1;
  struct ucred cred = {0, 0, 0};
  int have = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(cred))) {
      memcpy(&cred, CMSG_DATA(c), sizeof(cred));
      have = 1;
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      for (int i = 0; i < n; i++) close(((int *)CMSG_DATA(c))[i]);
    }
  }
  uint32_t said;
  if (got != (ssize_t)sizeof(hello) || memcmp(hello, "CRP2", 4) != 0 || !have) return -1;
  memcpy(&said, hello + 4, 4);
  if ((msg.msg_flags & MSG_CTRUNC) || cred.pid <= 0 || (uint32_t)cred.pid != said || cred.uid != getuid()) return -2;
  int pidfd = pidfd_open_(cred.pid);
  if (pidfd < 0) return -2;
  char proc[64], theirs[17], full[17];
  snprintf(proc, sizeof(proc), "/proc/%d", (int)cred.pid);
  if (corral_key2(proc, dist_dir, bin_dir, node_path, full, theirs) != 0 || strcmp(theirs, bare) != 0 ||
      pidfd_signal(pidfd, 0) != 0) {
    close(pidfd);
    return -2;
  }
  peer_pid = cred.pid;
  return pidfd;
}

int main(int argc, char **argv) {
  const char *t = getenv("CORRAL_CLI_TRACE");
  trace = t && strcmp(t, "1") == 0;
  char self[PATH_MAX];
  if (!realpath("/proc/self/exe", self)) {
    perror("corral: /proc/self/exe");
    return 1;
  }
  char *slash = strrchr(self, '/');
  *slash = 0;
  snprintf(bin_dir, sizeof(bin_dir), "%s", self);
  snprintf(entry, sizeof(entry), "%s/corral.cjs", bin_dir);
  char dist[PATH_MAX + 16];
  snprintf(dist, sizeof(dist), "%s/../dist", bin_dir);
  if (find_node() != 0) {
    fprintf(stderr, "corral: node not found on PATH\n");
    return 127;
  }
  const char *resident = getenv("CORRAL_CLI_RESIDENT");
  if (resident && strcmp(resident, "0") == 0) cold(argc, argv, "CORRAL_CLI_RESIDENT=0");
  if (getuid() != geteuid() || getgid() != getegid()) cold(argc, argv, "set-id");
  /* The dynamic loader's variables change this very process (a preloaded torsocks or
   * proxychains, another libc tuning): a warm process started without them cannot take them on. */
  for (char **e = environ; *e; e++)
    if (strncmp(*e, "LD_", 3) == 0 || strncmp(*e, "GLIBC_TUNABLES=", 15) == 0) cold(argc, argv, "LD_* or GLIBC_TUNABLES set");
  /* no_new_privs is what an unprivileged Landlock domain requires, and Landlock is not visible in
   * /proc (so not in the key): a caller that may be sandboxed that way is never served warm. */
  if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0) cold(argc, argv, "no_new_privs");
  if (!realpath(dist, dist_dir)) cold(argc, argv, "no bundle");
  char bundle[PATH_MAX + 16];
  snprintf(bundle, sizeof(bundle), "%s/corral.cjs", dist_dir);
  struct stat bst;
  if (stat(bundle, &bst) != 0 || access(bundle, R_OK) != 0) cold(argc, argv, "no bundle");
  /* As bin/load.cjs: a package's build info newer than the bundle means a tsc -b since the last
   * bundle, and the cold path runs the compiled modules; no pool for a stale bundle. */
  const char *packages[] = {"cli", "client", "api", NULL};
  for (int i = 0; packages[i]; i++) {
    char info[PATH_MAX + 64];
    struct stat ist;
    snprintf(info, sizeof(info), "%s/../../%s/dist/tsconfig.tsbuildinfo", dist_dir, packages[i]);
    if (stat(info, &ist) == 0 && (ist.st_mtim.tv_sec > bst.st_mtim.tv_sec ||
                                  (ist.st_mtim.tv_sec == bst.st_mtim.tv_sec && ist.st_mtim.tv_nsec > bst.st_mtim.tv_nsec)))
      cold(argc, argv, "stale bundle");
  }
  char dir[PATH_MAX];
  if (runtime_dir(dir, sizeof(dir)) != 0) cold(argc, argv, "runtime directory refused");
  char key[17], bare[17];
  if (corral_key2("/proc/self", dist_dir, bin_dir, node_path, key, bare) != 0) cold(argc, argv, "no key");
  /* CORRAL_CLI_SOCKET names another pool's socket (tests: a pool must refuse a peer whose key
   * is not its own); the same owner checks apply, and no pool is started for it. */
  const char *forced = getenv("CORRAL_CLI_SOCKET");
  int may_start = !(forced && *forced);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if ((size_t)(may_start ? snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s.sock", dir, key)
                         : snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", forced)) >= sizeof(addr.sun_path))
    cold(argc, argv, "socket path too long");

  struct stat st;
  if (lstat(addr.sun_path, &st) != 0) {
    if (may_start) start_pool(addr.sun_path);
    cold(argc, argv, "no pool: starting one");
  }
  if (!S_ISSOCK(st.st_mode) || st.st_uid != getuid()) cold(argc, argv, "socket refused");
  /* Non-blocking: a pool whose backlog is full (or a listener that never accepts) fails the
   * connect at once (EAGAIN) instead of holding the command. */
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (sock < 0) cold(argc, argv, "socket");
  int one = 1;
  if (setsockopt(sock, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) != 0) cold(argc, argv, "socket");
  if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
    int err = errno;
    close(sock);
    if (err == EAGAIN) cold(argc, argv, "pool busy");
    if (may_start && (err == ECONNREFUSED || err == ENOENT)) start_pool(addr.sun_path);
    cold(argc, argv, "no pool: starting one");
  }
  int flags = fcntl(sock, F_GETFL);
  if (flags < 0 || fcntl(sock, F_SETFL, flags & ~O_NONBLOCK) != 0) cold(argc, argv, "socket");
  struct ucred peer;
  socklen_t plen = sizeof(peer);
  if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &peer, &plen) != 0 || peer.uid != getuid()) {
    close(sock);
    cold(argc, argv, "pool refused");
  }
  /* The warm process identifies itself before we send anything (check_worker). Until it has
   * taken the body, no read may block for longer than a step: a stalled peer means cold. */
  struct timeval step = {ANSWER_TIMEOUT_MS / 1000, 0};
  if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &step, sizeof(step)) != 0) cold(argc, argv, "socket");
  int pidfd = check_worker(sock, bare);
  if (pidfd < 0) {
    close(sock);
    cold(argc, argv, pidfd == -2 ? "pool refused: not our own" : "pool did not take the command");
  }

  struct buf body = {0};
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof(cwd))) cold(argc, argv, "no cwd");
  mode_t mask = umask(0);
  umask(mask);
  int ok = put_u32(&body, (uint32_t)(argc - 1)) == 0;
  for (int i = 1; ok && i < argc; i++) ok = put_str(&body, argv[i]) == 0;
  uint32_t envc = 0;
  for (char **e = environ; *e; e++) envc++;
  ok = ok && put_u32(&body, envc) == 0;
  for (char **e = environ; ok && *e; e++) ok = put_str(&body, *e) == 0;
  ok = ok && put_str(&body, cwd) == 0 && put_u32(&body, (uint32_t)mask) == 0;
  if (!ok) cold(argc, argv, "out of memory");

  char header[8] = {'C', 'R', 'L', '2'};
  uint32_t len = (uint32_t)body.len;
  memcpy(header + 4, &len, 4);
  int fds[3] = {0, 1, 2};
  union {
    char buf[CMSG_SPACE(sizeof(fds))];
    struct cmsghdr align;
  } control;
  memset(&control, 0, sizeof(control));
  struct iovec iov = {header, sizeof(header)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf)};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(fds));
  memcpy(CMSG_DATA(c), fds, sizeof(fds));
  ssize_t sent;
  do sent = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);
  if (sent != (ssize_t)sizeof(header) || write_all(sock, body.data, body.len) != 0) {
    close(sock);
    cold(argc, argv, "hand-over failed");
  }
  free(body.data);
  char ready;
  struct timeval none = {0, 0};
  if (read_exact(sock, &ready, 1, ANSWER_TIMEOUT_MS) != 0 || ready != 'r' ||
      setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none)) != 0) {
    close(sock);
    cold(argc, argv, "pool did not take the command");
  }

  struct saved_stdio saved;
  save_stdio(&saved);
  worker_pid = peer_pid;
  worker_pidfd = pidfd;
  struct sigaction sa = {.sa_handler = forward};
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) sigaction(forwarded[i], &sa, NULL);
  if (write_all(sock, "g", 1) != 0) {
    /* Not ours any more or never was: the pool gave up after its pid; nothing ran. */
    close(sock);
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) signal(forwarded[i], SIG_DFL);
    cold(argc, argv, "pool gave up");
  }
  if (trace) fprintf(stderr, "corral: served by warm pid %u\n", (unsigned)peer_pid);

  uint32_t status;
  int r = read_exact(sock, &status, sizeof(status), -1);
  /* Then the end of the connection: the warm process has exited (Node prints an uncaught
   * exception's trace after its exit event), so its output is all out before we return. */
  if (r == 0) {
    char rest;
    while (read_exact(sock, &rest, 1, 2000) == 0) {
    }
  }
  restore_stdio(&saved);
  if (r == 0) return (int)(status & 0xff);
  /* The warm process died without reporting: by a signal we forwarded, most likely; die by
   * it too, as a cold run would have. */
  if (fatal_signal) {
    int sig = fatal_signal;
    signal(sig, SIG_DFL);
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, sig);
    sigprocmask(SIG_UNBLOCK, &unblock, NULL);
    raise(sig);
  }
  return 1;
}
