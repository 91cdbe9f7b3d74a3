/* corral-forkfile: reads, writes and deletes one path as seen from inside a container, so that
 * symlinks and ".." resolve within the container's root and can never reach a host file.
 *
 * Usage: corral-forkfile (--pid PID | --root DIR) pull PATH
 *        corral-forkfile (--pid PID | --root DIR) push PATH TYPE MODE UID GID WRITE   (data on stdin)
 *        corral-forkfile (--pid PID | --root DIR) delete PATH
 * --pid joins the user and mount namespaces of a running container's init and becomes its root
 * (ids are then the container's own); --root chroot()s into a stopped container's rootfs, whose
 * on-disk ids are the container's own (idmapped rootfs). Nothing from the container is executed.
 * pull writes "TYPE MODE UID GID\n" (TYPE file|directory|symlink, MODE octal) then the content:
 * the file's bytes, the directory's entry names each ended by NUL, or the symlink's target.
 * push: TYPE file|directory|symlink; MODE octal, UID, GID or -1 to keep (new: 0644/0755, 0, 0);
 * WRITE overwrite|append; stdin holds the file content or the symlink target.
 * Only regular files have content to pull or push: a FIFO, socket or device is refused (EINVAL),
 * and files are opened O_NONBLOCK and checked with fstat, so a FIFO swapped in cannot block us.
 * Errors: exit 1 with "ERRNO_NAME message" on stderr (ENOENT, EACCES, EISDIR, ...). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static _Noreturn void fail(int err, const char *what) {
  const char *name = err == ENOENT    ? "ENOENT"
                     : err == EACCES  ? "EACCES"
                     : err == EPERM   ? "EPERM"
                     : err == EISDIR  ? "EISDIR"
                     : err == ENOTDIR ? "ENOTDIR"
                     : err == EEXIST  ? "EEXIST"
                     : err == ENOTEMPTY ? "ENOTEMPTY"
                     : err == EINVAL  ? "EINVAL"
                                      : "EIO";
  fprintf(stderr, "%s %s: %s\n", name, what, strerror(err));
  exit(1);
}

/* The kind of a non-regular, non-directory, non-symlink file, for error messages. */
static const char *kind_of(mode_t mode) {
  return S_ISFIFO(mode) ? "fifo" : S_ISSOCK(mode) ? "socket" : S_ISCHR(mode) ? "character device"
         : S_ISBLK(mode) ? "block device" : "special file";
}

/* Refuses a path whose content cannot be read or written as a file's. */
static _Noreturn void refuse(mode_t mode) {
  fprintf(stderr, "EINVAL Path is a %s, not a regular file\n", kind_of(mode));
  exit(1);
}

/* Leaves non-blocking mode once fstat showed a regular file (reads and writes then behave as usual). */
static void set_blocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) fail(errno, "Failed to set the file flags");
}

/* Joins the user then mount namespace of pid, as the container's root. */
static void enter_pid(const char *pid) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%s/ns/user", pid);
  int user = open(path, O_RDONLY | O_CLOEXEC);
  snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
  int mnt = open(path, O_RDONLY | O_CLOEXEC);
  if (user < 0 || mnt < 0) fail(errno, "Failed to open the instance's namespaces");
  /* A privileged container shares our user namespace, and setns() into one's own fails. */
  struct stat theirs, ours;
  if (fstat(user, &theirs) < 0 || stat("/proc/self/ns/user", &ours) < 0)
    fail(errno, "Failed to inspect the user namespaces");
  if ((theirs.st_dev != ours.st_dev || theirs.st_ino != ours.st_ino) && setns(user, CLONE_NEWUSER) < 0)
    fail(errno, "Failed to join the user namespace");
  if (setns(mnt, CLONE_NEWNS) < 0) fail(errno, "Failed to join the mount namespace");
  if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
    fail(errno, "Failed to become the instance's root");
  if (chdir("/") < 0) fail(errno, "Failed to enter the instance's root");
}

static void copy(int from, int to) {
  char buf[65536];
  ssize_t n;
  while ((n = read(from, buf, sizeof(buf))) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(errno, "Failed to read");
    }
    for (char *p = buf; n > 0;) {
      ssize_t w = write(to, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) fail(errno, "Failed to write");
      p += w;
      n -= w;
    }
  }
}

static void pull(const char *path) {
  struct stat st;
  if (lstat(path, &st) < 0) fail(errno, "Failed to stat the path");
  const char *type = S_ISDIR(st.st_mode) ? "directory" : S_ISLNK(st.st_mode) ? "symlink" : "file";
  if (!S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode) && !S_ISREG(st.st_mode)) refuse(st.st_mode);
  int fd = -1;
  if (S_ISREG(st.st_mode)) {
    /* The path may have been swapped since lstat: never block in open, and check what was opened. */
    struct stat opened;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) fail(errno, "Failed to open the file");
    if (fstat(fd, &opened) < 0) fail(errno, "Failed to stat the file");
    if (!S_ISREG(opened.st_mode)) refuse(opened.st_mode);
    set_blocking(fd);
    st = opened;
  }
  printf("%s %o %u %u\n", type, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid);
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = readlink(path, target, sizeof(target));
    if (n < 0) fail(errno, "Failed to read the symlink");
    fwrite(target, 1, n, stdout);
  } else if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    struct dirent *e;
    if (!d) fail(errno, "Failed to open the directory");
    while ((e = readdir(d)))
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) fwrite(e->d_name, 1, strlen(e->d_name) + 1, stdout);
    closedir(d);
  } else {
    fflush(stdout);
    copy(fd, 1);
  }
  fflush(stdout);
}

static void push(const char *path, const char *type, long mode, long uid, long gid, int append) {
  uid_t u = uid < 0 ? (uid_t)-1 : (uid_t)uid;
  gid_t g = gid < 0 ? (gid_t)-1 : (gid_t)gid;
  if (strcmp(type, "directory") == 0) {
    struct stat st;
    if (mkdir(path, mode < 0 ? 0755 : (mode_t)mode) < 0) {
      int err = errno;
      if (err != EEXIST || stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) fail(err, "Failed to create the directory");
      if (mode >= 0 && chmod(path, (mode_t)mode) < 0) fail(errno, "Failed to set the mode");
    }
    if ((u != (uid_t)-1 || g != (gid_t)-1) && chown(path, u, g) < 0) fail(errno, "Failed to set the owner");
  } else if (strcmp(type, "symlink") == 0) {
    char target[4096];
    size_t n = fread(target, 1, sizeof(target) - 1, stdin);
    target[n] = 0;
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) unlink(path);
    if (symlink(target, path) < 0) fail(errno, "Failed to create the symlink");
    if ((u != (uid_t)-1 || g != (gid_t)-1) && lchown(path, u, g) < 0) fail(errno, "Failed to set the owner");
  } else if (strcmp(type, "file") == 0) {
    /* Symlinks are followed (inside the container's root); O_NONBLOCK keeps a FIFO from blocking the
     * open (no reader: ENXIO), and truncation waits until fstat showed a regular file. */
    struct stat st;
    int flags = O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (append ? O_APPEND : 0);
    int fd = open(path, flags, mode < 0 ? 0644 : (mode_t)mode);
    if (fd < 0) {
      int err = errno;
      if (err == ENXIO && stat(path, &st) == 0 && !S_ISREG(st.st_mode)) refuse(st.st_mode);
      fail(err, "Failed to open the file");
    }
    if (fstat(fd, &st) < 0) fail(errno, "Failed to stat the file");
    if (!S_ISREG(st.st_mode)) refuse(st.st_mode);
    set_blocking(fd);
    if (!append && ftruncate(fd, 0) < 0) fail(errno, "Failed to truncate the file");
    if (mode >= 0 && fchmod(fd, (mode_t)mode) < 0) fail(errno, "Failed to set the mode");
    if ((u != (uid_t)-1 || g != (gid_t)-1) && fchown(fd, u, g) < 0) fail(errno, "Failed to set the owner");
    copy(0, fd);
    if (close(fd) < 0) fail(errno, "Failed to write the file");
  } else {
    fail(EINVAL, "Unknown file type");
  }
}

int main(int argc, char **argv) {
  if (argc < 5) fail(EINVAL, "Usage: corral-forkfile (--pid PID | --root DIR) pull|push|delete PATH ...");
  if (strcmp(argv[1], "--pid") == 0) enter_pid(argv[2]);
  else if (strcmp(argv[1], "--root") == 0) {
    if (chroot(argv[2]) < 0 || chdir("/") < 0) fail(errno, "Failed to enter the instance's root");
  } else fail(EINVAL, "Expected --pid or --root");
  umask(0);
  const char *op = argv[3], *path = argv[4];
  if (path[0] != '/') fail(EINVAL, "Path must be absolute");
  if (strcmp(op, "pull") == 0) pull(path);
  else if (strcmp(op, "delete") == 0) {
    struct stat st;
    if (lstat(path, &st) < 0) fail(errno, "Failed to stat the path");
    if ((S_ISDIR(st.st_mode) ? rmdir(path) : unlink(path)) < 0) fail(errno, "Failed to delete the path");
  } else if (strcmp(op, "push") == 0 && argc == 10)
    push(path, argv[5], strtol(argv[6], NULL, 8), atol(argv[7]), atol(argv[8]), strcmp(argv[9], "append") == 0);
  else fail(EINVAL, "Unknown operation");
  return 0;
}
