// A UDP socket for the DNS server that reads and writes datagrams in batches: one recvmmsg and
// one sendmmsg per wakeup instead of one recvmsg and one sendmsg per query, which is most of the
// DNS process's CPU under load. It rides on the event loop through a uv_poll_t on its own
// non-blocking socket, so nothing blocks; JS answers a whole batch in one call.
//
// Memory shared with JS, per slot i of `batch`:
//   input  [i * IN_SLOT]   the datagram received
//   meta   [i * META]      int32 received length, int32 address length, sockaddr (28 bytes),
//                          int32 answer length (JS writes it; 0 = no answer)
//   output [i * OUT_SLOT]  the answer, sent back to the address of the same slot
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

// Larger than any UDP payload, so a datagram is never cut.
#define IN_SLOT 65536
// UDP answers are at most 1232 bytes (EDNS) here; room to spare.
#define OUT_SLOT 4096
#define META 40
#define META_NAME 8
#define META_OUT 36
// Wakeups that keep finding a full batch stop after this many rounds, so TCP, timers and the
// Redis sync still get their turn.
#define MAX_ROUNDS 8

typedef struct {
  napi_env env;
  uv_poll_t poll;
  int fd;
  int batch;
  int closing;
  char *in;
  char *meta;
  char *out;
  napi_ref keep; // the JS object holding the buffers and the callback
  napi_ref cb;
  napi_ref on_close; // called once the descriptor is closed, or NULL
  napi_async_context actx;
  struct mmsghdr *rmsgs;
  struct mmsghdr *smsgs;
  struct iovec *riov;
  struct iovec *siov;
  double received, sent, dropped;
} sock_t;

#define CHECK(call)                                                                                                    \
  do {                                                                                                                 \
    if ((call) != napi_ok) {                                                                                           \
      napi_throw_error(env, NULL, "dns_udp: " #call " failed");                                                       \
      return NULL;                                                                                                     \
    }                                                                                                                  \
  } while (0)

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s %s", syscall, strerror(err));
  napi_value m, e, code;
  const char *name = err == EADDRINUSE ? "EADDRINUSE" : err == EACCES ? "EACCES" : err == EADDRNOTAVAIL ? "EADDRNOTAVAIL" : "E";
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_error(env, NULL, m, &e);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_set_named_property(env, e, "code", code);
  napi_throw(env, e);
  return NULL;
}

static void send_answers(sock_t *s, int n) {
  int k = 0;
  for (int i = 0; i < n; i++) {
    char *m = s->meta + (size_t)i * META;
    int32_t len;
    memcpy(&len, m + META_OUT, 4);
    if (len <= 0 || len > OUT_SLOT) continue;
    int32_t namelen;
    memcpy(&namelen, m + 4, 4);
    s->siov[i].iov_len = (size_t)len;
    struct msghdr *h = &s->smsgs[k].msg_hdr;
    memset(h, 0, sizeof *h);
    h->msg_name = m + META_NAME;
    h->msg_namelen = (socklen_t)namelen;
    h->msg_iov = &s->siov[i];
    h->msg_iovlen = 1;
    k++;
  }
  int done = 0;
  while (done < k) {
    int r = sendmmsg(s->fd, s->smsgs + done, (unsigned)(k - done), MSG_DONTWAIT);
    if (r > 0) {
      done += r;
      s->sent += r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Send buffer full: UDP may be lost anyway, and waiting would stall every other client.
      s->dropped += k - done;
      return;
    } else {
      // This one destination failed (e.g. unreachable); the rest still get their answers.
      s->dropped++;
      done++;
    }
  }
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  sock_t *s = handle->data;
  if (status < 0 || s->closing) return;
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value self, cb;
  napi_get_reference_value(env, s->keep, &self);
  napi_get_reference_value(env, s->cb, &cb);
  for (int round = 0; round < MAX_ROUNDS && !s->closing; round++) {
    for (int i = 0; i < s->batch; i++) {
      s->rmsgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in6);
      s->rmsgs[i].msg_hdr.msg_flags = 0;
    }
    int n = recvmmsg(s->fd, s->rmsgs, (unsigned)s->batch, MSG_DONTWAIT, NULL);
    if (n <= 0) break; // EAGAIN: drained; other errors concern one datagram and are retried by the next wakeup
    s->received += n;
    for (int i = 0; i < n; i++) {
      char *m = s->meta + (size_t)i * META;
      int32_t len = (int32_t)s->rmsgs[i].msg_len;
      int32_t namelen = (int32_t)s->rmsgs[i].msg_hdr.msg_namelen;
      int32_t zero = 0;
      memcpy(m, &len, 4);
      memcpy(m + 4, &namelen, 4);
      memcpy(m + META_OUT, &zero, 4);
    }
    napi_value argv, result;
    napi_create_int32(env, n, &argv);
    napi_status st = napi_make_callback(env, s->actx, self, cb, 1, &argv, &result);
    if (st == napi_pending_exception) {
      // As an exception in a dgram 'message' listener: uncaught, for the process to decide.
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
      break;
    }
    if (s->closing) break;
    send_answers(s, n);
    if (n < s->batch) break;
  }
  napi_close_handle_scope(env, scope);
}

static void on_closed(uv_handle_t *handle) {
  sock_t *s = handle->data;
  close(s->fd);
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value self;
  void *ignored;
  // A later close() or name() finds no socket instead of freed memory.
  if (napi_get_reference_value(env, s->keep, &self) == napi_ok && self != NULL) {
    napi_remove_wrap(env, self, &ignored);
    napi_value done;
    if (s->on_close != NULL && napi_get_reference_value(env, s->on_close, &done) == napi_ok && done != NULL) {
      napi_value result;
      if (napi_make_callback(env, s->actx, self, done, 0, NULL, &result) == napi_pending_exception) {
        napi_value err;
        napi_get_and_clear_last_exception(env, &err);
        napi_fatal_exception(env, err);
      }
    }
  }
  if (s->on_close != NULL) napi_delete_reference(env, s->on_close);
  napi_close_handle_scope(env, scope);
  napi_async_destroy(env, s->actx);
  napi_delete_reference(env, s->cb);
  napi_delete_reference(env, s->keep);
  free(s->rmsgs);
  free(s->smsgs);
  free(s->riov);
  free(s->siov);
  free(s);
}

static void start_close(sock_t *s) {
  if (s->closing) return;
  s->closing = 1;
  uv_poll_stop(&s->poll);
  uv_close((uv_handle_t *)&s->poll, on_closed);
}

static sock_t *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data;
  if (napi_get_cb_info(env, info, argc, argv, &self, &data) != napi_ok) return NULL;
  sock_t *s = NULL;
  napi_unwrap(env, self, (void **)&s);
  return s;
}

/** close(done?): stops reading; `done` runs once the descriptor is closed (the port is free again). */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  sock_t *s = unwrap(env, info, &argc, argv);
  if (!s || s->closing) return NULL;
  napi_valuetype t = napi_undefined;
  if (argc >= 1) napi_typeof(env, argv[0], &t);
  if (t == napi_function) napi_create_reference(env, argv[0], 1, &s->on_close);
  start_close(s);
  return NULL;
}

/** The textual address of slot i (inet_ntop, as Node's rinfo.address). */
static napi_value js_name(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  sock_t *s = unwrap(env, info, &argc, argv);
  int32_t i = 0;
  if (!s || argc < 1 || napi_get_value_int32(env, argv[0], &i) != napi_ok || i < 0 || i >= s->batch) return NULL;
  struct sockaddr_storage *sa = (void *)(s->meta + (size_t)i * META + META_NAME);
  char text[INET6_ADDRSTRLEN] = "";
  if (sa->ss_family == AF_INET6)
    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, text, sizeof text);
  else
    inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, text, sizeof text);
  napi_value out;
  CHECK(napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  sock_t *s = unwrap(env, info, &argc, NULL);
  napi_value o, v;
  CHECK(napi_create_object(env, &o));
  if (!s) return o;
  napi_create_double(env, s->received, &v);
  napi_set_named_property(env, o, "received", v);
  napi_create_double(env, s->sent, &v);
  napi_set_named_property(env, o, "sent", v);
  napi_create_double(env, s->dropped, &v);
  napi_set_named_property(env, o, "dropped", v);
  return o;
}

static void finalize(napi_env env, void *data, void *hint) {
  // Reached only once closed: the poll handle holds a strong reference until then.
}

static napi_value make_buffer(napi_env env, size_t size, char **data) {
  napi_value b;
  if (napi_create_buffer(env, size, (void **)data, &b) != napi_ok) return NULL;
  memset(*data, 0, size);
  return b;
}

/**
 * open(host, port, ipv6, recvBufferSize, batch, onBatch, reusePort?) → { port, input, meta, output, close(), name(i), stats() }
 * reusePort: SO_REUSEPORT, so each of several DNS processes binds a socket of its own to the one
 * port and the kernel spreads the datagrams over them (by a hash of the sender's address and port).
 */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "open(host, port, ipv6, recvBufferSize, batch, onBatch)");
    return NULL;
  }
  char host[64];
  size_t hostlen;
  int32_t port, rcvbuf, batch;
  bool ipv6, reuse = false;
  CHECK(napi_get_value_string_utf8(env, argv[0], host, sizeof host, &hostlen));
  CHECK(napi_get_value_int32(env, argv[1], &port));
  CHECK(napi_get_value_bool(env, argv[2], &ipv6));
  CHECK(napi_get_value_int32(env, argv[3], &rcvbuf));
  CHECK(napi_get_value_int32(env, argv[4], &batch));
  napi_valuetype reuse_type = napi_undefined;
  if (argc >= 7) napi_typeof(env, argv[6], &reuse_type);
  if (reuse_type == napi_boolean) CHECK(napi_get_value_bool(env, argv[6], &reuse));
  if (batch < 1 || batch > 1024 || port < 0 || port > 65535) {
    napi_throw_range_error(env, NULL, "dns_udp: batch 1..1024, port 0..65535");
    return NULL;
  }

  struct sockaddr_storage addr;
  memset(&addr, 0, sizeof addr);
  socklen_t addrlen;
  if (ipv6) {
    struct sockaddr_in6 *a = (void *)&addr;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) return throw_errno(env, "inet_pton", EINVAL);
    addrlen = sizeof *a;
  } else {
    struct sockaddr_in *a = (void *)&addr;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1) return throw_errno(env, "inet_pton", EINVAL);
    addrlen = sizeof *a;
  }
  int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  int one = 1;
  if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "setsockopt(SO_REUSEPORT)", err);
  }
  if (bind(fd, (struct sockaddr *)&addr, addrlen) != 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "bind", err);
  }
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf); // capped by rmem_max; not fatal
  socklen_t got = sizeof addr;
  getsockname(fd, (struct sockaddr *)&addr, &got);
  int bound = ntohs(ipv6 ? ((struct sockaddr_in6 *)&addr)->sin6_port : ((struct sockaddr_in *)&addr)->sin_port);

  sock_t *s = calloc(1, sizeof *s);
  s->rmsgs = calloc((size_t)batch, sizeof *s->rmsgs);
  s->smsgs = calloc((size_t)batch, sizeof *s->smsgs);
  s->riov = calloc((size_t)batch, sizeof *s->riov);
  s->siov = calloc((size_t)batch, sizeof *s->siov);
  s->env = env;
  s->fd = fd;
  s->batch = batch;

  napi_value self, input, meta, output, fn, v;
  CHECK(napi_create_object(env, &self));
  if (!(input = make_buffer(env, (size_t)batch * IN_SLOT, &s->in)) || !(meta = make_buffer(env, (size_t)batch * META, &s->meta)) ||
      !(output = make_buffer(env, (size_t)batch * OUT_SLOT, &s->out))) {
    napi_throw_error(env, NULL, "dns_udp: out of memory");
    return NULL;
  }
  for (int i = 0; i < batch; i++) {
    s->riov[i].iov_base = s->in + (size_t)i * IN_SLOT;
    s->riov[i].iov_len = IN_SLOT;
    s->rmsgs[i].msg_hdr.msg_name = s->meta + (size_t)i * META + META_NAME;
    s->rmsgs[i].msg_hdr.msg_iov = &s->riov[i];
    s->rmsgs[i].msg_hdr.msg_iovlen = 1;
    s->siov[i].iov_base = s->out + (size_t)i * OUT_SLOT;
  }
  napi_set_named_property(env, self, "input", input);
  napi_set_named_property(env, self, "meta", meta);
  napi_set_named_property(env, self, "output", output);
  napi_set_named_property(env, self, "onBatch", argv[5]);
  napi_create_int32(env, bound, &v);
  napi_set_named_property(env, self, "port", v);
  napi_create_int32(env, IN_SLOT, &v);
  napi_set_named_property(env, self, "inSlot", v);
  napi_create_int32(env, OUT_SLOT, &v);
  napi_set_named_property(env, self, "outSlot", v);
  napi_create_int32(env, META, &v);
  napi_set_named_property(env, self, "metaSlot", v);
  CHECK(napi_create_function(env, "close", NAPI_AUTO_LENGTH, js_close, NULL, &fn));
  napi_set_named_property(env, self, "close", fn);
  CHECK(napi_create_function(env, "name", NAPI_AUTO_LENGTH, js_name, NULL, &fn));
  napi_set_named_property(env, self, "name", fn);
  CHECK(napi_create_function(env, "stats", NAPI_AUTO_LENGTH, js_stats, NULL, &fn));
  napi_set_named_property(env, self, "stats", fn);
  CHECK(napi_wrap(env, self, s, finalize, NULL, NULL));
  CHECK(napi_create_reference(env, self, 1, &s->keep));
  CHECK(napi_create_reference(env, argv[5], 1, &s->cb));
  napi_value resource_name;
  napi_create_string_utf8(env, "DNS_UDP_BATCH", NAPI_AUTO_LENGTH, &resource_name);
  CHECK(napi_async_init(env, self, resource_name, &s->actx));

  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  uv_poll_init(loop, &s->poll, fd);
  s->poll.data = s;
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  return self;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  CHECK(napi_create_function(env, "open", NAPI_AUTO_LENGTH, js_open, NULL, &fn));
  napi_set_named_property(env, exports, "open", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
