/* corral-forkmount: puts a host mount into a running container's mount namespace, or takes it
 * out again, without a restart (LXD's disk hot-plug).
 *
 * Usage: corral-forkmount PID mount SOURCE TARGET file|dir ro|rw idmap|plain
 *        corral-forkmount PID umount TARGET
 * mount clones the mount at SOURCE (a host path, the device's staging mount) with open_tree(),
 * makes the clone read-only when asked and idmapped to the container's user namespace when asked
 * (as LXC mounts an `idmap=container` entry at start), creates TARGET inside the container as the container's
 * own root (a child that joins its user and mount namespaces, so ids map and symlinks resolve
 * within the container's root), then joins only the mount namespace (keeping host root's rights
 * over it) and attaches the clone at TARGET with move_mount(). TARGET is resolved with the
 * container's root as "/": no path it holds can reach a host directory, and a symlink as the
 * last component is not followed. umount detaches TARGET inside the container (not following a
 * symlink). Errors: exit 1 with "ERRNO_NAME message" on stderr. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static _Noreturn void fail(int err, const char *what) {
  const char *name = err == ENOENT    ? "ENOENT"
                     : err == EACCES  ? "EACCES"
                     : err == EPERM   ? "EPERM"
                     : err == EEXIST  ? "EEXIST"
                     : err == ENOTDIR ? "ENOTDIR"
                     : err == EINVAL  ? "EINVAL"
                     : err == ELOOP   ? "ELOOP"
                                      : "EIO";
  fprintf(stderr, "%s %s: %s\n", name, what, strerror(err));
  exit(1);
}

static int ns_fd(const char *pid, const char *ns) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%s/ns/%s", pid, ns);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(errno, "Failed to open the container's namespace");
  return fd;
}

/* Joins the container's user namespace unless it is ours (a privileged container). */
static void join_user(int user) {
  struct stat theirs, ours;
  if (fstat(user, &theirs) < 0 || stat("/proc/self/ns/user", &ours) < 0)
    fail(errno, "Failed to inspect the user namespace");
  if ((theirs.st_dev != ours.st_dev || theirs.st_ino != ours.st_ino) && setns(user, CLONE_NEWUSER) < 0)
    fail(errno, "Failed to join the user namespace");
}

/* Creates TARGET's missing parents (0755) and TARGET itself (a directory, or an empty file). */
static void make_target(char *target, int file) {
  for (char *p = target + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(target, 0755) < 0 && errno != EEXIST) fail(errno, "Failed to create the mount point's parent");
    *p = '/';
  }
  if (file) {
    int fd = open(target, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) fail(errno, "Failed to create the mount point");
    if (fd >= 0) close(fd);
  } else if (mkdir(target, 0755) < 0 && errno != EEXIST) {
    fail(errno, "Failed to create the mount point");
  }
}

static int do_mount(const char *pid, const char *source, char *target, int file, int ro, int idmap) {
  int tree = open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0) fail(errno, "Failed to clone the source mount");
  int user = ns_fd(pid, "user"), mnt = ns_fd(pid, "mnt");
  if (ro || idmap) {
    struct mount_attr attr = {.attr_set = (ro ? MOUNT_ATTR_RDONLY : 0) | (idmap ? MOUNT_ATTR_IDMAP : 0)};
    if (idmap) attr.userns_fd = (unsigned)user;
    if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
      fail(errno, idmap ? "Failed to idmap the mount" : "Failed to make the mount read-only");
  }
  pid_t child = fork();
  if (child < 0) fail(errno, "Failed to fork");
  if (child == 0) {
    join_user(user);
    if (setns(mnt, CLONE_NEWNS) < 0) fail(errno, "Failed to join the mount namespace");
    if (setgid(0) < 0 || setuid(0) < 0) fail(errno, "Failed to become the container's root");
    if (chdir("/") < 0) fail(errno, "Failed to enter the container's root");
    make_target(target, file);
    exit(0);
  }
  int status;
  if (waitpid(child, &status, 0) < 0) fail(errno, "Failed to wait for the child");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) exit(1);
  if (setns(mnt, CLONE_NEWNS) < 0) fail(errno, "Failed to join the mount namespace");
  if (chdir("/") < 0) fail(errno, "Failed to enter the container's root");
  if (move_mount(tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    fail(errno, "Failed to attach the mount in the container");
  return 0;
}

static int do_umount(const char *pid, const char *target) {
  int mnt = ns_fd(pid, "mnt");
  if (setns(mnt, CLONE_NEWNS) < 0) fail(errno, "Failed to join the mount namespace");
  if (chdir("/") < 0) fail(errno, "Failed to enter the container's root");
  if (umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) fail(errno, "Failed to detach the mount");
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strspn(argv[1], "0123456789") == strlen(argv[1]) && argv[1][0] != '\0') {
    if (strcmp(argv[2], "mount") == 0 && argc == 8 && argv[4][0] == '/')
      return do_mount(argv[1], argv[3], argv[4], strcmp(argv[5], "file") == 0, strcmp(argv[6], "ro") == 0,
                      strcmp(argv[7], "idmap") == 0);
    if (strcmp(argv[2], "umount") == 0 && argc == 4 && argv[3][0] == '/') return do_umount(argv[1], argv[3]);
  }
  fprintf(stderr, "EINVAL usage: corral-forkmount PID mount SOURCE /TARGET file|dir ro|rw idmap|plain | PID umount /TARGET\n");
  return 1;
}
