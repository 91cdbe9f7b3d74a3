/* Process file descriptors (pidfd_open, pidfd_send_signal, and a wait for the process's exit on
 * the event loop), which Node 20 has no API for. A pidfd names one process for as long as it is
 * open: a signal sent through it can never reach another process that reused the pid, and it
 * turns readable when that process exits, so a stop waits on an event rather than polling. */
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* Throws an Error whose code is the errno name (ESRCH, ...) as Node's own errors carry. */
static void throw_errno(napi_env env, int err, const char *what) {
  const char *code = err == ESRCH ? "ESRCH" : err == EINVAL ? "EINVAL" : err == ENOSYS ? "ENOSYS"
                     : err == EPERM ? "EPERM" : err == EMFILE ? "EMFILE" : err == EBADF ? "EBADF" : "EIO";
  char message[160];
  snprintf(message, sizeof(message), "%s: %s", what, strerror(err));
  napi_throw_error(env, code, message);
}

/* Reads `count` int32 arguments; false (with a TypeError thrown) when one is missing. */
static int int_args(napi_env env, napi_callback_info info, int32_t *out, size_t count, napi_value *rest) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < count) goto bad;
  for (size_t i = 0; i < count; i++)
    if (napi_get_value_int32(env, argv[i], &out[i]) != napi_ok) goto bad;
  if (rest) *rest = argc > count ? argv[count] : NULL;
  return 1;
bad:
  napi_throw_type_error(env, NULL, "expected integer arguments");
  return 0;
}

/* open(pid) -> fd (close-on-exec). Throws ESRCH when no such process exists. */
static napi_value pidfd_open_js(napi_env env, napi_callback_info info) {
  int32_t pid;
  if (!int_args(env, info, &pid, 1, NULL)) return NULL;
  if (pid <= 0) {
    throw_errno(env, EINVAL, "pidfd_open");
    return NULL;
  }
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) {
    throw_errno(env, errno, "pidfd_open");
    return NULL;
  }
  napi_value result;
  napi_create_int32(env, fd, &result);
  return result;
}

/* signal(fd, sig) -> true when sent, false when the process has already exited. */
static napi_value pidfd_signal_js(napi_env env, napi_callback_info info) {
  int32_t a[2];
  if (!int_args(env, info, a, 2, NULL)) return NULL;
  napi_value result;
  if (syscall(SYS_pidfd_send_signal, a[0], a[1], NULL, 0) == 0) {
    napi_get_boolean(env, 1, &result);
    return result;
  }
  if (errno == ESRCH) {
    napi_get_boolean(env, 0, &result);
    return result;
  }
  throw_errno(env, errno, "pidfd_send_signal");
  return NULL;
}

struct waiter {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
};

static void free_waiter(uv_handle_t *handle) { free(handle->data); }

/* The pidfd turned readable: the process has exited. Stops watching, then calls back once. */
static void on_exit_ready(uv_poll_t *poll, int status, int events) {
  (void)status;
  (void)events;
  struct waiter *w = poll->data;
  napi_env env = w->env;
  /* uv_close removes the fd from epoll now, so the caller may close the pidfd in its callback. */
  uv_close((uv_handle_t *)poll, free_waiter);
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value fn, recv, ignored;
  napi_get_reference_value(env, w->callback, &fn);
  napi_get_global(env, &recv);
  napi_make_callback(env, w->context, recv, fn, 0, NULL, &ignored);
  napi_delete_reference(env, w->callback);
  napi_async_destroy(env, w->context);
  napi_close_handle_scope(env, scope);
}

/* wait(fd, callback): calls callback() on the event loop once the process has exited. */
static napi_value pidfd_wait_js(napi_env env, napi_callback_info info) {
  int32_t fd;
  napi_value callback;
  if (!int_args(env, info, &fd, 1, &callback)) return NULL;
  napi_valuetype type = napi_undefined;
  if (callback) napi_typeof(env, callback, &type);
  if (type != napi_function) {
    napi_throw_type_error(env, NULL, "wait(fd, callback) needs a callback");
    return NULL;
  }
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, NULL, "no event loop");
    return NULL;
  }
  struct waiter *w = calloc(1, sizeof(*w));
  if (!w) {
    throw_errno(env, ENOMEM, "wait");
    return NULL;
  }
  int rc = uv_poll_init(loop, &w->poll, fd);
  if (rc == 0) {
    w->poll.data = w;
    w->env = env;
    napi_value name, resource;
    napi_create_string_utf8(env, "pidfd.wait", NAPI_AUTO_LENGTH, &name);
    napi_create_object(env, &resource);
    napi_async_init(env, resource, name, &w->context);
    napi_create_reference(env, callback, 1, &w->callback);
    rc = uv_poll_start(&w->poll, UV_READABLE, on_exit_ready);
    if (rc != 0) {
      napi_delete_reference(env, w->callback);
      napi_async_destroy(env, w->context);
      uv_close((uv_handle_t *)&w->poll, free_waiter);
    }
  } else {
    free(w);
  }
  if (rc != 0) throw_errno(env, -rc, "uv_poll");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, pidfd_open_js, NULL, NULL, NULL, napi_default, NULL},
      {"signal", NULL, pidfd_signal_js, NULL, NULL, NULL, napi_default, NULL},
      {"wait", NULL, pidfd_wait_js, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
