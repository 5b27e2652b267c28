#include "ctls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct zt_ctx {
  SSL_CTX *ssl;
  int server;
};

struct zt_conn {
  SSL *ssl;
  BIO *in;   // ciphertext from the peer (we write, OpenSSL reads)
  BIO *out;  // ciphertext to the peer (OpenSSL writes, we read)
  int renegotiations;
  char err[512];
};

static void queue_error(char *buf, size_t len, const char *what) {
  unsigned long e = ERR_get_error();
  if (e == 0) {
    snprintf(buf, len, "%s", what);
  } else {
    char s[256];
    ERR_error_string_n(e, s, sizeof s);
    snprintf(buf, len, "%s: %s", what, s);
  }
  ERR_clear_error();
}

static int info_index = -1;

// Counts ClientHellos after the first handshake: renegotiation attempts.
static void info_cb(const SSL *ssl, int where, int ret) {
  (void)ret;
  if ((where & SSL_CB_HANDSHAKE_START) && SSL_is_init_finished(ssl) && SSL_version(ssl) <= TLS1_2_VERSION) {
    zt_conn *c = SSL_get_ex_data(ssl, info_index);
    if (c) c->renegotiations++;
  }
}

zt_ctx *zt_ctx_new(int server, const char *cert, const char *key, const char *ca, char *err, size_t errlen) {
  if (info_index < 0) info_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
  SSL_CTX *s = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  if (!s) {
    queue_error(err, errlen, "SSL_CTX_new");
    return NULL;
  }
  SSL_CTX_set_min_proto_version(s, TLS1_2_VERSION);
  SSL_CTX_set_options(s, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(s, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_use_certificate_chain_file(s, cert) != 1) {
    queue_error(err, errlen, "certificate");
    goto fail;
  }
  if (SSL_CTX_use_PrivateKey_file(s, key, SSL_FILETYPE_PEM) != 1) {
    queue_error(err, errlen, "private key");
    goto fail;
  }
  if (SSL_CTX_check_private_key(s) != 1) {
    queue_error(err, errlen, "private key does not match the certificate");
    goto fail;
  }
  if (SSL_CTX_load_verify_locations(s, ca, NULL) != 1) {
    queue_error(err, errlen, "CA certificate");
    goto fail;
  }
  SSL_CTX_set_verify(s, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
  SSL_CTX_set_info_callback(s, info_cb);
  if (server) SSL_CTX_set_num_tickets(s, 0);  // no session resumption: nothing to send after the handshake
  zt_ctx *ctx = malloc(sizeof *ctx);
  if (!ctx) goto fail;
  ctx->ssl = s;
  ctx->server = server;
  return ctx;
fail:
  SSL_CTX_free(s);
  return NULL;
}

void zt_ctx_free(zt_ctx *ctx) {
  if (!ctx) return;
  SSL_CTX_free(ctx->ssl);
  free(ctx);
}

zt_conn *zt_conn_new(zt_ctx *ctx) {
  zt_conn *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->ssl = SSL_new(ctx->ssl);
  c->in = BIO_new(BIO_s_mem());
  c->out = BIO_new(BIO_s_mem());
  if (!c->ssl || !c->in || !c->out) {
    if (c->ssl) SSL_free(c->ssl);
    BIO_free(c->in);
    BIO_free(c->out);
    free(c);
    return NULL;
  }
  BIO_set_mem_eof_return(c->in, -1);  // an empty input BIO means "wait", not EOF
  SSL_set_bio(c->ssl, c->in, c->out);  // the SSL owns both from now on
  SSL_set_ex_data(c->ssl, info_index, c);
  if (ctx->server) SSL_set_accept_state(c->ssl); else SSL_set_connect_state(c->ssl);
  return c;
}

void zt_conn_free(zt_conn *c) {
  if (!c) return;
  SSL_free(c->ssl);
  free(c);
}

int zt_feed(zt_conn *c, const void *buf, size_t len) {
  return BIO_write(c->in, buf, (int)len) == (int)len ? 0 : -1;
}

// A failed call's result: 0 for "again later", else -1 with the reason kept.
static int outcome(zt_conn *c, int r, const char *what) {
  int e = SSL_get_error(c->ssl, r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
  if (e == SSL_ERROR_ZERO_RETURN) return -2;
  long v = SSL_get_verify_result(c->ssl);
  if (v != X509_V_OK) {
    snprintf(c->err, sizeof c->err, "%s: certificate verify failed: %s", what, X509_verify_cert_error_string(v));
    ERR_clear_error();
  } else {
    queue_error(c->err, sizeof c->err, what);
  }
  return -1;
}

int zt_handshake(zt_conn *c) {
  if (SSL_is_init_finished(c->ssl)) return 1;
  int r = SSL_do_handshake(c->ssl);
  if (r == 1) return 1;
  int o = outcome(c, r, "handshake");
  return o == -2 ? -1 : o;
}

int zt_read(zt_conn *c, void *buf, size_t len) {
  int r = SSL_read(c->ssl, buf, (int)len);
  if (r > 0) return r;
  return outcome(c, r, "read");
}

int zt_write(zt_conn *c, const void *buf, size_t len) {
  if (len == 0) return 0;
  int r = SSL_write(c->ssl, buf, (int)(len > 0x7fffffff ? 0x7fffffff : len));
  if (r > 0) return r;
  int o = outcome(c, r, "write");
  return o == -2 ? -1 : o;
}

size_t zt_pending(zt_conn *c) { return BIO_ctrl_pending(c->out); }

size_t zt_take(zt_conn *c, void *buf, size_t len) {
  int r = BIO_read(c->out, buf, (int)len);
  return r > 0 ? (size_t)r : 0;
}

void zt_shutdown(zt_conn *c) {
  if (SSL_is_init_finished(c->ssl)) SSL_shutdown(c->ssl);
  ERR_clear_error();
}

const char *zt_error(zt_conn *c) { return c->err; }

const char *zt_version(zt_conn *c) { return SSL_get_version(c->ssl); }

void zt_peer_subject(zt_conn *c, char *buf, size_t len) {
  buf[0] = 0;
  X509 *peer = SSL_get1_peer_certificate(c->ssl);
  if (!peer) return;
  X509_NAME_oneline(X509_get_subject_name(peer), buf, (int)len);
  X509_free(peer);
}

int zt_renegotiations(zt_conn *c) { return c->renegotiations; }

void zt_ctx_max_tls12(zt_ctx *ctx) {
  SSL_CTX_set_max_proto_version(ctx->ssl, TLS1_2_VERSION);
  SSL_CTX_clear_options(ctx->ssl, SSL_OP_NO_RENEGOTIATION);
}

int zt_renegotiate(zt_conn *c) {
  int r = SSL_renegotiate(c->ssl);
  if (r == 1) SSL_do_handshake(c->ssl);
  ERR_clear_error();
  return r;
}
