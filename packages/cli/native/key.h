/* The key of a warm `corral` pool (docs/performance.md, docs/security.md): a hash over everything
 * that a Node process fixes when it starts and that a command must not inherit from another
 * caller: the code (the bundle, its code cache and the bin files, by inode, size and mtime), the
 * node binary, the caller's credentials, capabilities, seccomp and no_new_privs, its namespaces,
 * root, cgroup, LSM label and resource limits, and the environment variables that Node, libuv,
 * OpenSSL, ICU and glibc's allocator read at start-up. The launcher computes it for itself (to name the socket) and
 * the pool for each peer (from /proc/PID): one header, so that both compute it the same way. */
#ifndef CORRAL_CLI_KEY_H
#define CORRAL_CLI_KEY_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* FNV-1a, 64 bits: not a defence against a chosen collision (the key names a socket in the
 * caller's own 0700 directory), a fingerprint that changes when any of its inputs does. */
struct corral_hash {
  uint64_t h;
};

static __attribute__((unused)) void corral_hash_init(struct corral_hash *k) { k->h = 0xcbf29ce484222325ULL; }

static __attribute__((unused)) void corral_hash_bytes(struct corral_hash *k, const void *data, size_t n) {
  const unsigned char *p = data;
  for (size_t i = 0; i < n; i++) {
    k->h ^= p[i];
    k->h *= 0x100000001b3ULL;
  }
}

/* A tagged field: tag, NUL, value, NUL, so that no two field sequences hash the same bytes. */
static __attribute__((unused)) void corral_hash_field(struct corral_hash *k, const char *tag, const void *data, size_t n) {
  corral_hash_bytes(k, tag, strlen(tag) + 1);
  corral_hash_bytes(k, data, n);
  corral_hash_bytes(k, "", 1);
}

/* A file's identity (device, inode, size, mtime), or a marker when it cannot be stat'ed. */
static __attribute__((unused)) void corral_hash_stat(struct corral_hash *k, const char *tag, const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    corral_hash_field(k, tag, "missing", 7);
    return;
  }
  uint64_t v[6] = {(uint64_t)st.st_dev, (uint64_t)st.st_ino, (uint64_t)st.st_size,
                   (uint64_t)st.st_mtim.tv_sec, (uint64_t)st.st_mtim.tv_nsec, (uint64_t)st.st_mode};
  corral_hash_field(k, tag, v, sizeof(v));
}

/* Reads a whole (small, /proc) file into buf; its length, or -1. */
static __attribute__((unused)) ssize_t corral_read_file(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t len = 0;
  while (len < size) {
    ssize_t n = read(fd, buf + len, size - len);
    if (n < 0) {
      close(fd);
      return -1;
    }
    if (n == 0) break;
    len += (size_t)n;
  }
  close(fd);
  return (ssize_t)len;
}

/* The lines of /proc/PID/status that describe who the process is and what it may do. */
static const char *const corral_status_fields[] = {"Uid:",    "Gid:",    "Groups:",     "CapInh:",
                                                   "CapPrm:", "CapEff:", "CapBnd:",     "CapAmb:",
                                                   "NoNewPrivs:", "Seccomp:", "Seccomp_filters:", NULL};

/* Environment variables that take effect when Node starts (flags, libuv's thread pool, OpenSSL's
 * configuration and certificates, ICU's default locale, the time zone, glibc's malloc): by
 * prefix, or exact when the entry has no trailing '_'. (LD_* and GLIBC_TUNABLES are not keyed:
 * the launcher runs cold when any is set, since they change the dynamic loader of the very
 * process, e.g. a preloaded torsocks, which a warm process cannot take on.) */
static const char *const corral_env_names[] = {"NODE_", "UV_", "OPENSSL_", "SSL_CERT_", "LC_", "LANG",
                                               "LANGUAGE", "TZ", "ICU_", "MALLOC_", NULL};

static __attribute__((unused)) int corral_env_matches(const char *entry, size_t len) {
  const char *eq = memchr(entry, '=', len);
  if (!eq) return 0;
  size_t name = (size_t)(eq - entry);
  for (const char *const *p = corral_env_names; *p; p++) {
    size_t n = strlen(*p);
    if ((*p)[n - 1] == '_' ? (name >= n && memcmp(entry, *p, n) == 0) : (name == n && memcmp(entry, *p, n) == 0))
      return 1;
  }
  return 0;
}

#define CORRAL_KEY_BUF (1 << 20)

/* A field into both keys of corral_key2. */
#define CORRAL_HASH2(tag, data, n)             \
  do {                                         \
    corral_hash_field(&k, (tag), (data), (n)); \
    corral_hash_field(&b, (tag), (data), (n)); \
  } while (0)

static __attribute__((unused)) int corral_strcmp(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Hashes the code a pool runs: the bundle and its cache in `dist`, the bin files in `bin`, the
 * node binary, the addon. A pool compares it over time to notice a rebuild. */
static __attribute__((unused)) void corral_hash_code(struct corral_hash *k, const char *dist, const char *bin, const char *node) {
  char path[8192];
  corral_hash_field(k, "version", "corral-cli-key-1", 16);
  const char *code[][2] = {{"bundle", "corral.cjs"}, {"cache", "corral.cache"}};
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof(path), "%s/%s", dist, code[i][1]);
    corral_hash_stat(k, code[i][0], path);
  }
  const char *bins[] = {"corral.cjs", "load.cjs", "pool.cjs", "../native/build/resident.node", NULL};
  for (int i = 0; bins[i]; i++) {
    snprintf(path, sizeof(path), "%s/%s", bin, bins[i]);
    corral_hash_stat(k, bins[i], path);
  }
  corral_hash_field(k, "node", node, strlen(node));
  corral_hash_stat(k, "node-file", node);
}

/* The code hash alone, as 16 hex digits. */
static __attribute__((unused)) void corral_code_key(const char *dist, const char *bin, const char *node, char out[17]) {
  struct corral_hash k;
  corral_hash_init(&k);
  corral_hash_code(&k, dist, bin, node);
  snprintf(out, 17, "%016llx", (unsigned long long)k.h);
}

/* Computes the key of the process whose /proc directory is `proc` ("/proc/self", "/proc/123"),
 * for the bundle in `dist` and the bin files in `bin`, run by `node`: 16 hex digits and a NUL
 * into out, and the same key without the resource limits into bare (when not NULL). Returns 0,
 * or -1 when part of it cannot be read (the caller then does not share). The full key only for
 * a process that has not changed its own limits: Node raises RLIMIT_NOFILE's soft limit when it
 * starts, so a pool computes it for its peers (launchers); a launcher checks a warm process
 * (launcher.c) by the bare key, its own against the warm one's. */
static __attribute__((unused)) int corral_key2(const char *proc, const char *dist, const char *bin, const char *node, char out[17],
                                              char bare[17]) {
  static char buf[CORRAL_KEY_BUF];
  char path[8192];
  struct corral_hash k, b;
  corral_hash_init(&k);
  corral_hash_code(&k, dist, bin, node);
  b = k;

  snprintf(path, sizeof(path), "%s/status", proc);
  ssize_t n = corral_read_file(path, buf, sizeof(buf) - 1);
  if (n <= 0) return -1;
  buf[n] = 0;
  for (const char *const *f = corral_status_fields; *f; f++) {
    size_t flen = strlen(*f);
    const char *line = buf;
    int found = 0;
    while (line && *line) {
      const char *end = strchr(line, '\n');
      size_t len = end ? (size_t)(end - line) : strlen(line);
      if (len >= flen && memcmp(line, *f, flen) == 0) {
        CORRAL_HASH2(*f, line, len);
        found = 1;
        break;
      }
      line = end ? end + 1 : NULL;
    }
    if (!found) CORRAL_HASH2(*f, "absent", 6);
  }

  const char *ns[] = {"mnt", "net", "user", "pid", "uts", "ipc", "cgroup", "time", NULL};
  for (int i = 0; ns[i]; i++) {
    snprintf(path, sizeof(path), "%s/ns/%s", proc, ns[i]);
    struct stat st;
    if (stat(path, &st) != 0) {
      if (i < 6) return -1; /* the six long-standing ones must be readable; cgroup and time may be absent */
      CORRAL_HASH2(ns[i], "absent", 6);
      continue;
    }
    uint64_t v[2] = {(uint64_t)st.st_dev, (uint64_t)st.st_ino};
    CORRAL_HASH2(ns[i], v, sizeof(v));
  }
  snprintf(path, sizeof(path), "%s/root/", proc);
  struct stat root;
  if (stat(path, &root) != 0) return -1;
  uint64_t rv[2] = {(uint64_t)root.st_dev, (uint64_t)root.st_ino};
  CORRAL_HASH2("root", rv, sizeof(rv));

  const char *files[] = {"cgroup", "limits", "attr/current", NULL};
  for (int i = 0; files[i]; i++) {
    snprintf(path, sizeof(path), "%s/%s", proc, files[i]);
    n = corral_read_file(path, buf, sizeof(buf));
    if (n < 0) {
      if (i < 2) return -1;
      CORRAL_HASH2(files[i], "absent", 6);
    } else {
      if (i == 1) corral_hash_field(&k, files[i], buf, (size_t)n); /* limits: the full key only */
      else CORRAL_HASH2(files[i], buf, (size_t)n);
    }
  }

  /* The environment the process started with (the launcher never changes its own, so
   * /proc/self/environ and the environ it sends agree), sorted: shells reorder it. */
  snprintf(path, sizeof(path), "%s/environ", proc);
  n = corral_read_file(path, buf, sizeof(buf) - 1);
  if (n < 0 || (size_t)n == sizeof(buf) - 1) return -1;
  buf[n] = 0;
  static const char *picked[4096];
  size_t count = 0;
  for (ssize_t i = 0; i < n;) {
    size_t len = strnlen(buf + i, (size_t)(n - i));
    if (corral_env_matches(buf + i, len)) {
      if (count == sizeof(picked) / sizeof(picked[0])) return -1;
      picked[count++] = buf + i;
    }
    i += (ssize_t)len + 1;
  }
  qsort(picked, count, sizeof(picked[0]), corral_strcmp);
  for (size_t i = 0; i < count; i++) CORRAL_HASH2("env", picked[i], strlen(picked[i]));

  snprintf(out, 17, "%016llx", (unsigned long long)k.h);
  if (bare) snprintf(bare, 17, "%016llx", (unsigned long long)b.h);
  return 0;
}

/* The full key alone (see corral_key2). */
static __attribute__((unused)) int corral_key(const char *proc, const char *dist, const char *bin, const char *node, char out[17]) {
  return corral_key2(proc, dist, bin, node, out, NULL);
}

#endif
