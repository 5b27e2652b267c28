// OpenSSL for the reactor's TLS channels, through memory BIOs: the reactor
// reads and writes the socket itself, and hands the ciphertext in and out
// here. Swift never sees an OpenSSL type (many of its calls are macros).
#pragma once
#include <stddef.h>

typedef struct zt_ctx zt_ctx;
typedef struct zt_conn zt_conn;

// A context for servers (server != 0) or clients: our certificate chain and
// key (PEM files), the CA that peers' certificates must chain to (peers must
// present one: mutual authentication), TLS 1.2 and 1.3 only, renegotiation
// refused. NULL with the reason in err on failure.
zt_ctx *zt_ctx_new(int server, const char *cert, const char *key, const char *ca, char *err, size_t errlen);
void zt_ctx_free(zt_ctx *ctx);

zt_conn *zt_conn_new(zt_ctx *ctx);
void zt_conn_free(zt_conn *c);

// Ciphertext read from the socket, for OpenSSL to take. Returns 0, or -1.
int zt_feed(zt_conn *c, const void *buf, size_t len);
// Moves the handshake on: 1 done, 0 waiting for the peer, -1 failed.
int zt_handshake(zt_conn *c);
// Plaintext: >0 bytes, 0 none yet, -1 failed, -2 the peer closed the session.
int zt_read(zt_conn *c, void *buf, size_t len);
// Encrypts up to len bytes: the count taken, 0 not now, -1 failed.
int zt_write(zt_conn *c, const void *buf, size_t len);
// Ciphertext waiting to be sent, and taking it: bytes copied into buf.
size_t zt_pending(zt_conn *c);
size_t zt_take(zt_conn *c, void *buf, size_t len);
// Sends close_notify (its bytes come out of zt_take).
void zt_shutdown(zt_conn *c);
// The last failure, as text ("" if none): OpenSSL's error queue, and the
// certificate verification result when that is why.
const char *zt_error(zt_conn *c);
// After the handshake: protocol name ("TLSv1.3") and the peer certificate's subject.
const char *zt_version(zt_conn *c);
void zt_peer_subject(zt_conn *c, char *buf, size_t len);
// Renegotiations the peer asked for (all refused).
int zt_renegotiations(zt_conn *c);
// For tests: a client context that offers TLS 1.2 at most, and a client
// asking to renegotiate (its request goes out through zt_take).
void zt_ctx_max_tls12(zt_ctx *ctx);
int zt_renegotiate(zt_conn *c);
