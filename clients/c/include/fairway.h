/*
 * libfairway: a small C client of Fairway wire protocol 2 for constrained edge devices.
 *
 * One `fw_client` talks to one node URL over an nng REQ socket. Each request travels in a
 * Noise_XX_25519_ChaChaPoly_SHA256 session (prologue "fairway/2") that the client handshakes
 * as initiator on first use, again after `rekey_after_s`, and transparently when the server
 * answers `unknown-session` (the request is then resent with the same message id). The
 * responder's IdentityBinding is verified (its Ed25519 key signed "fairway-noise-static-key:"
 * || the X25519 static key the handshake delivered); the peer's node id can be pinned.
 *
 * Messages are the protobuf-c types generated from proto/fairway/v1 (gen/fairway/v1/). The
 * caller builds an Envelope with only its payload set; fw_call fills protocol_version (2),
 * message_id (16 fresh random bytes, the idempotency key), sender (this identity's node id)
 * and sent_at_unix_ms, signs provenance kinds with the identity's Ed25519 key exactly as the
 * Swift nodes do (SignedEnvelope over "fairway/v1/envelope" || 0x00 || envelope bytes), and
 * returns the authenticated reply envelope.
 *
 * Not thread-safe: use one fw_client per thread. Needs sodium_init() (fw_init does it).
 */
#ifndef FAIRWAY_H
#define FAIRWAY_H

#include <stddef.h>
#include <stdint.h>

#include "fairway/v1/envelope.pb-c.h"
#include "fairway/v1/session.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FW_PROTOCOL_VERSION 2
#define FW_NODE_ID_LEN 42      /* "fw" + 40 hex digits */
#define FW_MESSAGE_ID_LEN 16

/* ---- errors ---- */

/* Codes 0–16 are fairway.v1.ErrorReply.Code (a refusal by the peer); the rest are local. */
enum {
    FW_OK = 0,
    FW_ERR_MALFORMED = 1,
    FW_ERR_UNSUPPORTED_VERSION = 2,
    FW_ERR_MESSAGE_TOO_LARGE = 3,
    FW_ERR_UNKNOWN_SENDER = 4,
    FW_ERR_INVALID_FIELD = 5,
    FW_ERR_UNEXPECTED_PAYLOAD = 6,
    FW_ERR_UNAVAILABLE = 7,
    FW_ERR_INTERNAL = 8,
    FW_ERR_UNAUTHENTICATED = 9,
    FW_ERR_STALE = 10,
    FW_ERR_REPLAYED = 11,
    FW_ERR_NOT_ADMITTED = 12,
    FW_ERR_INSUFFICIENT_TOKENS = 13,
    FW_ERR_IN_PROGRESS = 14,
    FW_ERR_CAPACITY_EXHAUSTED = 15,
    FW_ERR_UNKNOWN_SESSION = 16,
    /* local */
    FW_ERR_NO_REPLY = 100,     /* no reply before the deadline (same number as Swift's .noReply) */
    FW_ERR_TRANSPORT = 101,    /* nng failed (dial, socket, options) */
    FW_ERR_INVALID_ARGUMENT = 102,
    FW_ERR_IO = 103            /* files */
};

typedef struct fw_error {
    int code;              /* see above */
    const char *name;      /* "invalid-field", "unauthenticated", "no-reply", ... (static) */
    char field[256];       /* where, e.g. "contribution.prototypes[0].image" ("" if none) */
    char message[512];     /* what was wrong */
    int64_t retry_after_ms;
    int remote;            /* 1: refused by the peer (an ErrorReply); 0: found locally */
} fw_error;

/* "invalid-field" for 5, ...; "unknown" for codes it does not know. */
const char *fw_error_name(int code);
/* Writes "<name> (<code>) at <field>: <message>" into buf. */
const char *fw_error_format(const fw_error *e, char *buf, size_t len);

/* sodium_init(); returns 0 or -1. */
int fw_init(void);

/* ---- identity ---- */

typedef struct fw_identity {
    uint8_t seed[32];        /* Ed25519 private key (RFC 8032 seed): what key files hold */
    uint8_t public_key[32];
    uint8_t secret_key[64];  /* libsodium's seed || public key */
    char node_id[FW_NODE_ID_LEN + 1];
} fw_identity;

void fw_identity_generate(fw_identity *id);
void fw_identity_from_seed(fw_identity *id, const uint8_t seed[32]);
/* Key files as the Swift nodes keep them: 64 hex digits of the seed (and a newline), mode
 * 0600. A file readable by group or others is refused, as Swift refuses it. */
int fw_identity_load(fw_identity *id, const char *path, fw_error *err);
int fw_identity_load_or_create(fw_identity *id, const char *path, fw_error *err);
/* "fw" + lowercase hex of the first 20 bytes of SHA-256(public key). */
void fw_node_address(const uint8_t public_key[32], char out[FW_NODE_ID_LEN + 1]);
void fw_identity_clear(fw_identity *id);

/* ---- envelopes (no I/O) ---- */

/* Whether a payload kind carries provenance (must be signed inside the session): join,
 * contribution, contribution_batch, usage_report, grant_request, contract_selection,
 * module_upload, cloud_inference_request. */
int fw_payload_carries_provenance(Fairway__V1__Envelope__PayloadCase kind);
/* The proto field name of a payload kind ("contribution", ...). */
const char *fw_payload_name(Fairway__V1__Envelope__PayloadCase kind);

/* Fills the header of `env` (protocol_version 2, message_id = `message_id` (16 bytes) or a
 * fresh random one written back into `message_id` when it is all zero, sender = id's node id,
 * sent_at = now). `env` keeps pointers into `message_id` and `id`. */
void fw_envelope_fill_header(Fairway__V1__Envelope *env, const fw_identity *id, uint8_t message_id[16]);
/* The SignedEnvelope bytes of `env`: signed by `signer` if non-NULL, else unsigned (empty
 * public_key and signature). *out is malloc'ed. */
int fw_seal(const Fairway__V1__Envelope *env, const fw_identity *signer, uint8_t **out, size_t *out_len);
/* Ed25519 signature of `envelope_bytes` with the tag "fairway/v1/envelope" || 0x00. */
void fw_sign_envelope_bytes(const fw_identity *id, const uint8_t *envelope_bytes, size_t len, uint8_t sig[64]);
/* Milliseconds since the Unix epoch. */
int64_t fw_now_ms(void);

/* ---- client ---- */

typedef struct fw_client_options {
    int send_timeout_ms;      /* longest a send waits for a connected peer, capped by the call's deadline; default 1000 */
    int recv_timeout_ms;      /* deadline of one call, handshake included; default 2000 */
    int resend_ms;            /* nng REQ resend interval; default 1000 */
    size_t max_message_bytes; /* largest reply accepted (frames above it are refused by nng); default 1 MiB */
    int rekey_after_s;        /* handshake again when the session is this old; default 120 */
    const char *pinned_node_id; /* accept only this peer ("fw…"); NULL = any */
    /* tls+tcp:// URLs (nng's mbedTLS transport, mutual TLS as the Swift nodes use it): the CA
     * the server's certificate must chain to, this client's certificate followed by its key
     * (PEM, scripts/gen-certs.sh makes both), and the name the server's certificate must carry
     * (NULL = the URL's host). Ignored for other URLs. */
    const char *tls_ca_file;
    const char *tls_cert_key_file;
    const char *tls_server_name;
} fw_client_options;

void fw_client_options_default(fw_client_options *o);

typedef struct fw_client fw_client;

/* Opens a REQ socket and dials `url` (non-blocking: the peer may start later). `id` must
 * outlive the client. No handshake yet: the first call makes one. */
fw_client *fw_client_open(const char *url, const fw_identity *id, const fw_client_options *opt, fw_error *err);
void fw_client_close(fw_client *c);
/* Pin the peer from now on (NULL: unpin). */
void fw_client_pin(fw_client *c, const char *node_id);
/* The node id the last handshake proved ("" before any). */
const char *fw_client_peer(const fw_client *c);
/* Handshakes completed so far (for tests: re-handshakes after unknown-session show here). */
unsigned fw_client_handshakes(const fw_client *c);
/* Forgets the current session on the client side (the next call handshakes again). */
void fw_client_reset_session(fw_client *c);
/* For tests: sends the next request in a session id the server does not know, so the
 * server answers unknown-session and the client must re-handshake and resend. */
void fw_client_forge_session_id(fw_client *c, uint64_t session_id);

/* Sends `request` (only its payload set) and returns the reply envelope in *reply (free with
 * fairway__v1__envelope__free_unpacked(*reply, NULL)). The header is filled here: protocol
 * version 2, sender, sent_at = now, and the message id: a fresh random one when `message_id`
 * is NULL or all zero (written back into it when non-NULL), else the given one. Kinds with
 * provenance are signed with the client's identity. Because sent_at is new on every call,
 * calling fw_call again with the same id is another message (refused as `replayed`): to
 * resend a request, seal it once (fw_envelope_fill_header + fw_seal) and send the same bytes
 * with fw_call_sealed. nng's own REQ resends (resend_ms) and the unknown-session re-handshake
 * resend the same bytes automatically.
 * A refusal (ErrorReply payload) is returned as -1 with *err filled (remote = 1) and *reply
 * NULL; `in-progress` is retried with the same bytes after its retry_after_ms, within the
 * deadline (recv_timeout_ms for the whole call, handshake included). Returns 0 or -1. */
int fw_call(fw_client *c, Fairway__V1__Envelope *request, uint8_t message_id[16], Fairway__V1__Envelope **reply,
            fw_error *err);

/* Sends a SignedEnvelope sealed by the caller (e.g. by fw_seal, or hand-made for tests)
 * whose envelope has message id `message_id`, and returns the reply as fw_call does. */
int fw_call_sealed(fw_client *c, const uint8_t *sealed, size_t sealed_len, const uint8_t message_id[16],
                   Fairway__V1__Envelope **reply, fw_error *err);

/* ---- differential privacy (port of FairwayCore/Privacy/GaussianMechanism.swift) ---- */

/* Φ(x) = erfc(−x/√2)/2 */
double fw_normal_cdf(double x);
/* δ(σ) = Φ(Δ/2σ − εσ/Δ) − e^ε Φ(−Δ/2σ − εσ/Δ) (Balle & Wang 2018, Thm 8) */
double fw_gaussian_exact_delta(double sigma, double epsilon, double sensitivity);
/* Δ √(2 ln(1.25/δ)) / ε (eq. 21) */
double fw_gaussian_classical_sigma(double epsilon, double delta, double sensitivity);
/* The smallest σ with δ(σ) ≤ δ, by bisection to a double's resolution, rounded up.
 * Returns a negative value for ε ≤ 0, δ ∉ (0, 1), Δ ≤ 0 or non-finite input. */
double fw_gaussian_analytic_sigma(double epsilon, double delta, double sensitivity);
/* A standard normal sample from libsodium's CSPRNG (randombytes_buf; Box–Muller). */
double fw_random_normal(void);
/* Scales v (n values) to L2 norm ≤ bound; returns the norm before. */
double fw_clip_l2(double *v, size_t n, double bound);

/* ---- helpers ---- */

/* Lowercase hex of bytes into out (2n+1). */
void fw_hex(const uint8_t *bytes, size_t n, char *out);

#ifdef __cplusplus
}
#endif

#endif
