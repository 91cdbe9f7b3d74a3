/* The native half of a warm `corral` process (bin/corral.cjs has the rest; the launcher's side
 * and the wire protocol are in launcher.c): the pool's lock (flock, which Node has no API for),
 * its listening socket, and the wait for a command. The wait blocks the JS thread on purpose: a
 * warm process has nothing else to do, and when a command arrives its terminal must be on fds
 * 0-2 before any JS touches process.stdin/stdout/stderr. A peer is served only when it is of our
 * uid and its key, computed here from /proc/PID as the launcher computes its own (key.h), is the
 * pool's: same credentials, capabilities, namespaces, root, cgroup, limits and start-up env; the
 * peer is held by a pidfd (SO_PEERPIDFD) that must still be alive after the /proc reads, so that
 * a peer that exited and whose pid was reused is not taken for the process that now has it. */
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "key.h"

/* How long one step of a hand-over may take before the peer is dropped (it is a local process
 * writing a few KiB; a stalled one must not hold the pool). */
#define STEP_TIMEOUT_MS 2000
/* The largest hand-over body accepted (argv and environment). */
#define MAX_BODY (16u << 20)
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* Linux 6.5 */
#endif

static void throw_errno(napi_env env, int err, const char *what) {
  char message[200];
  snprintf(message, sizeof(message), "%s: %s", what, strerror(err));
  napi_throw_error(env, NULL, message);
}

static int get_args(napi_env env, napi_callback_info info, napi_value *argv, size_t want) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "missing arguments");
    return 0;
  }
  return 1;
}

static int get_string(napi_env env, napi_value v, char *out, size_t size) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, out, size, &len) != napi_ok || len >= size - 1) {
    napi_throw_type_error(env, NULL, "expected a (short) string");
    return 0;
  }
  return 1;
}

/* lock(path) -> fd holding an exclusive flock on path, or -1 when another pool holds it. */
static napi_value lock_js(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  char path[4096];
  if (!get_args(env, info, argv, 1) || !get_string(env, argv[0], path, sizeof(path))) return NULL;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    throw_errno(env, errno, "open lock");
    return NULL;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    close(fd);
    if (err != EWOULDBLOCK) {
      throw_errno(env, err, "flock");
      return NULL;
    }
    fd = -1;
  }
  napi_create_int32(env, fd, &result);
  return result;
}

/* listen(path) -> [fd, inode]: a non-blocking listening unix socket at path (a stale one
 * removed: the caller holds the lock), mode 0600 from the start. */
static napi_value listen_js(napi_env env, napi_callback_info info) {
  napi_value argv[1], result, v;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (!get_args(env, info, argv, 1) || !get_string(env, argv[0], addr.sun_path, sizeof(addr.sun_path))) return NULL;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_errno(env, errno, "socket");
    return NULL;
  }
  unlink(addr.sun_path);
  /* bind gives the file the socket inode's mode less the umask: 0600 from the start, and
   * nothing changed by path afterwards (a path can be made to point elsewhere). */
  mode_t old = umask(077);
  int r = fchmod(fd, 0600) == 0 ? bind(fd, (struct sockaddr *)&addr, sizeof(addr)) : -1;
  int err = errno;
  umask(old);
  struct stat st;
  if (r != 0 || listen(fd, 64) != 0 || lstat(addr.sun_path, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_uid != getuid()) {
    if (r == 0) err = errno ? errno : EEXIST;
    close(fd);
    throw_errno(env, err, "listen");
    return NULL;
  }
  napi_create_array_with_length(env, 2, &result);
  napi_create_int32(env, fd, &v);
  napi_set_element(env, result, 0, v);
  napi_create_double(env, (double)st.st_ino, &v);
  napi_set_element(env, result, 1, v);
  return result;
}

/* codeKey(dist, bin, node) -> the hash of the code a pool runs (key.h), to notice a rebuild. */
static napi_value code_key_js(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  char dist[4096], bin[4096], node[4096], out[17];
  if (!get_args(env, info, argv, 3) || !get_string(env, argv[0], dist, sizeof(dist)) ||
      !get_string(env, argv[1], bin, sizeof(bin)) || !get_string(env, argv[2], node, sizeof(node)))
    return NULL;
  corral_code_key(dist, bin, node, out);
  napi_create_string_utf8(env, out, NAPI_AUTO_LENGTH, &result);
  return result;
}

/* keyOf(pid, dist, bin, node) -> the key of process pid (key.h), or null when unreadable. */
static napi_value key_of_js(napi_env env, napi_callback_info info) {
  napi_value argv[4], result;
  int32_t pid;
  char dist[4096], bin[4096], node[4096], proc[64], out[17];
  if (!get_args(env, info, argv, 4) || napi_get_value_int32(env, argv[0], &pid) != napi_ok ||
      !get_string(env, argv[1], dist, sizeof(dist)) || !get_string(env, argv[2], bin, sizeof(bin)) ||
      !get_string(env, argv[3], node, sizeof(node)))
    return NULL;
  snprintf(proc, sizeof(proc), "/proc/%d", pid);
  if (corral_key(proc, dist, bin, node, out) != 0) {
    napi_get_null(env, &result);
    return result;
  }
  napi_create_string_utf8(env, out, NAPI_AUTO_LENGTH, &result);
  return result;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads exactly n bytes from a blocking socket, each part within STEP_TIMEOUT_MS. */
static int read_step(int fd, void *data, size_t n) {
  char *p = data;
  while (n > 0) {
    struct pollfd pfd = {fd, POLLIN, 0};
    int r = poll(&pfd, 1, STEP_TIMEOUT_MS);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    ssize_t got = read(fd, p, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return -1;
    p += got;
    n -= (size_t)got;
  }
  return 0;
}

/* Whether the peer of conn is a process of our uid and our key, checked through a pidfd of it
 * (SO_PEERPIDFD): the key is read from /proc/PID, then the pidfd must still be alive, so the
 * /proc read was of the peer and not of a process that took its pid after it exited. No
 * SO_PEERPIDFD (a kernel before 6.5): refused. */
static int peer_ok(int conn, const char *key, const char *dist, const char *bin, const char *node) {
  struct ucred peer;
  socklen_t plen = sizeof(peer);
  if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &plen) != 0 || peer.uid != getuid() || peer.pid <= 0) return 0;
  int pidfd = -1;
  socklen_t flen = sizeof(pidfd);
  if (getsockopt(conn, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &flen) != 0 || pidfd < 0) return 0;
  char proc[64], peer_key[17];
  snprintf(proc, sizeof(proc), "/proc/%d", (int)peer.pid);
  int ok = corral_key(proc, dist, bin, node, peer_key) == 0 && strcmp(peer_key, key) == 0 &&
           syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
  close(pidfd);
  return ok;
}

/* One hand-over on an accepted connection: peer check, our hello (pid, SCM_CREDENTIALS), the
 * header with the three descriptors, body, 'r', the launcher's go. 0 with fds[] and *body set,
 * or -1 (everything closed but conn). */
static int take(int conn, const char *key, const char *dist, const char *bin, const char *node, int fds[3],
                char **body, uint32_t *body_len) {
  struct timeval step = {STEP_TIMEOUT_MS / 1000, (STEP_TIMEOUT_MS % 1000) * 1000};
  if (setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &step, sizeof(step)) != 0) return -1;
  if (!peer_ok(conn, key, dist, bin, node)) return -1;

  char hello[8] = {'C', 'R', 'P', '2'};
  uint32_t pid = (uint32_t)getpid();
  memcpy(hello + 4, &pid, 4);
  struct ucred me = {getpid(), getuid(), getgid()};
  union {
    char buf[CMSG_SPACE(sizeof(struct ucred))];
    struct cmsghdr align;
  } cred;
  memset(&cred, 0, sizeof(cred));
  struct iovec hiov = {hello, sizeof(hello)};
  struct msghdr hmsg = {.msg_iov = &hiov, .msg_iovlen = 1, .msg_control = cred.buf, .msg_controllen = sizeof(cred.buf)};
  struct cmsghdr *hc = CMSG_FIRSTHDR(&hmsg);
  hc->cmsg_level = SOL_SOCKET;
  hc->cmsg_type = SCM_CREDENTIALS;
  hc->cmsg_len = CMSG_LEN(sizeof(me));
  memcpy(CMSG_DATA(hc), &me, sizeof(me));
  if (sendmsg(conn, &hmsg, MSG_NOSIGNAL) != (ssize_t)sizeof(hello)) return -1;

  struct pollfd pfd = {conn, POLLIN, 0};
  if (poll(&pfd, 1, STEP_TIMEOUT_MS) <= 0) return -1;
  char header[8];
  union {
    char buf[CMSG_SPACE(3 * sizeof(int))];
    struct cmsghdr align;
  } control;
  memset(&control, 0, sizeof(control));
  struct iovec iov = {header, sizeof(header)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf)};
  ssize_t got;
  do got = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
  while (got < 0 && errno == EINTR);
  int nfds = 0;
  if (got < 0) return -1; /* nothing received: no descriptors to close, the buffer is not read */
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    int *in = (int *)CMSG_DATA(c);
    for (int i = 0; i < n; i++) {
      if (nfds < 3) fds[nfds++] = in[i];
      else close(in[i]);
    }
  }
  uint32_t len = 0;
  if (got == (ssize_t)sizeof(header)) memcpy(&len, header + 4, 4);
  if (got != (ssize_t)sizeof(header) || (msg.msg_flags & MSG_CTRUNC) || nfds != 3 || memcmp(header, "CRL2", 4) != 0 ||
      len > MAX_BODY)
    goto fail;
  *body = malloc(len ? len : 1);
  if (!*body || read_step(conn, *body, len) != 0) goto fail_body;
  *body_len = len;
  if (send(conn, "r", 1, MSG_NOSIGNAL) != 1) goto fail_body;
  char go = 0;
  if (read_step(conn, &go, 1) != 0 || go != 'g') goto fail_body;
  struct timeval none = {0, 0};
  setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
  return 0;
fail_body:
  free(*body);
  *body = NULL;
fail:
  for (int i = 0; i < nfds; i++) close(fds[i]);
  return -1;
}

/* wait(listenFd, socketPath, inode, idleMs, key, codeKey, dist, bin, node) -> {conn, body} once
 * a command has been handed over (its terminal now on fds 0-2), or null when the pool should
 * end: idle for idleMs, the socket path gone or replaced, or the code rebuilt. */
static napi_value wait_js(napi_env env, napi_callback_info info) {
  napi_value argv[9], result;
  int32_t lfd;
  double ino, idle;
  char path[4096], key[32], code[32], dist[4096], bin[4096], node[4096];
  if (!get_args(env, info, argv, 9) || napi_get_value_int32(env, argv[0], &lfd) != napi_ok ||
      !get_string(env, argv[1], path, sizeof(path)) || napi_get_value_double(env, argv[2], &ino) != napi_ok ||
      napi_get_value_double(env, argv[3], &idle) != napi_ok || !get_string(env, argv[4], key, sizeof(key)) ||
      !get_string(env, argv[5], code, sizeof(code)) || !get_string(env, argv[6], dist, sizeof(dist)) ||
      !get_string(env, argv[7], bin, sizeof(bin)) || !get_string(env, argv[8], node, sizeof(node)))
    return NULL;
  int64_t since = now_ms();
  for (;;) {
    struct pollfd pfd = {lfd, POLLIN, 0};
    int r = poll(&pfd, 1, 1000);
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) {
      /* Reap the pool processes we spawned that have served and exited (no libuv child exists
       * yet in a waiting process, so nothing else's status is taken). */
      while (waitpid(-1, NULL, WNOHANG) > 0) {
      }
      struct stat st;
      char now[17];
      if (stat(path, &st) != 0 || (double)st.st_ino != ino || now_ms() - since > (int64_t)idle) break;
      corral_code_key(dist, bin, node, now);
      if (strcmp(now, code) != 0) break;
      continue;
    }
    if (pfd.revents & (POLLERR | POLLNVAL)) break;
    int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0) {
      /* EAGAIN: the other warm process took it. Out of descriptors or memory: the connection
       * stays queued and poll says so again at once; back off instead of spinning. */
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) poll(NULL, 0, 100);
      continue;
    }
    int fds[3];
    char *body = NULL;
    uint32_t len = 0;
    if (take(conn, key, dist, bin, node, fds, &body, &len) != 0) {
      close(conn);
      continue;
    }
    for (int i = 0; i < 3; i++) {
      dup2(fds[i], i);
      if (fds[i] > 2) close(fds[i]);
    }
    napi_value v;
    void *data;
    napi_create_object(env, &result);
    napi_create_int32(env, conn, &v);
    napi_set_named_property(env, result, "conn", v);
    napi_create_buffer_copy(env, len, body, &data, &v);
    napi_set_named_property(env, result, "body", v);
    free(body);
    return result;
  }
  napi_get_null(env, &result);
  return result;
}

/* Reads a JS array of strings into a NULL-terminated vector (freed with free_vector). */
static char **string_vector(napi_env env, napi_value array) {
  uint32_t n;
  if (napi_get_array_length(env, array, &n) != napi_ok) return NULL;
  char **v = calloc(n + 1, sizeof(char *));
  for (uint32_t i = 0; v && i < n; i++) {
    napi_value e;
    size_t len;
    if (napi_get_element(env, array, i, &e) != napi_ok || napi_get_value_string_utf8(env, e, NULL, 0, &len) != napi_ok ||
        !(v[i] = malloc(len + 1)))
      return v; /* short vector: the caller's spawn fails cleanly on the missing strings */
    napi_get_value_string_utf8(env, e, v[i], len + 1, &len);
  }
  return v;
}

static void free_vector(char **v) {
  for (char **p = v; p && *p; p++) free(*p);
  free(v);
}

/* spawnWarm(node, argv, env, listenFd, lockFd) -> pid: a new pool process, detached (its own
 * session, cwd /, stdio on /dev/null, default signals), with the listening socket as fd 3 and the
 * lock as fd 4 and no other descriptor of ours. posix_spawn (glibc: vfork-like) costs a fraction
 * of a millisecond where forking a Node process costs several, on the path of the command that
 * made the replacement necessary. */
static napi_value spawn_warm_js(napi_env env, napi_callback_info info) {
  napi_value argv[5], result;
  char node[4096];
  int32_t lfd, kfd;
  if (!get_args(env, info, argv, 5) || !get_string(env, argv[0], node, sizeof(node)) ||
      napi_get_value_int32(env, argv[3], &lfd) != napi_ok || napi_get_value_int32(env, argv[4], &kfd) != napi_ok)
    return NULL;
  char **args = string_vector(env, argv[1]), **envp = string_vector(env, argv[2]);
  /* Out of the way of 3 and 4 first, so that neither dup2 below overwrites the other's source. */
  int hl = fcntl(lfd, F_DUPFD_CLOEXEC, 10), hk = fcntl(kfd, F_DUPFD_CLOEXEC, 10);
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0);
  posix_spawn_file_actions_adddup2(&fa, 0, 1);
  posix_spawn_file_actions_adddup2(&fa, 0, 2);
  posix_spawn_file_actions_adddup2(&fa, hl, 3);
  posix_spawn_file_actions_adddup2(&fa, hk, 4);
  posix_spawn_file_actions_addclosefrom_np(&fa, 5);
  posix_spawn_file_actions_addchdir_np(&fa, "/");
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int err = hl < 0 || hk < 0 || !args || !envp ? EBADF : posix_spawn(&pid, node, &fa, &attr, args, envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (hl >= 0) close(hl);
  if (hk >= 0) close(hk);
  free_vector(args);
  free_vector(envp);
  if (err != 0) {
    throw_errno(env, err, "posix_spawn");
    return NULL;
  }
  napi_create_int32(env, pid, &result);
  return result;
}

/* reap(pid) -> whether pid (a replacement this process spawned) has exited and been reaped: a
 * served command that runs long must not keep its replacement as a zombie once that one has
 * served and exited. waitpid on that pid only, so libuv's own children are left to libuv. */
static napi_value reap_js(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  int32_t pid;
  if (!get_args(env, info, argv, 1) || napi_get_value_int32(env, argv[0], &pid) != napi_ok) return NULL;
  pid_t r = pid > 0 ? waitpid(pid, NULL, WNOHANG) : -1;
  napi_get_boolean(env, r == pid || (r < 0 && errno == ECHILD), &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"lock", NULL, lock_js, NULL, NULL, NULL, napi_default, NULL},
      {"listen", NULL, listen_js, NULL, NULL, NULL, napi_default, NULL},
      {"codeKey", NULL, code_key_js, NULL, NULL, NULL, napi_default, NULL},
      {"keyOf", NULL, key_of_js, NULL, NULL, NULL, napi_default, NULL},
      {"wait", NULL, wait_js, NULL, NULL, NULL, napi_default, NULL},
      {"spawnWarm", NULL, spawn_warm_js, NULL, NULL, NULL, napi_default, NULL},
      {"reap", NULL, reap_js, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
