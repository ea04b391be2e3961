/* Internals shared by the library's files (not installed). */
#ifndef FAIRWAY_INTERNAL_H
#define FAIRWAY_INTERNAL_H

#include "fairway.h"
#include "fairway_noise.h"

#define FW_SESSION_PROLOGUE "fairway/2"
#define FW_SESSION_NOISE "Noise_XX_25519_ChaChaPoly_SHA256"
#define FW_SESSION_AD_TAG "fairway/2/session"
#define FW_BINDING_TAG "fairway-noise-static-key:"
#define FW_ENVELOPE_TAG "fairway/v1/envelope"
#define FW_REPLAY_WINDOW 2048
#define FW_MAX_HANDSHAKE_BYTES 1024

void fw_set_error(fw_error *e, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void fw_set_remote_error(fw_error *e, const Fairway__V1__ErrorReply *r);

/* RFC 6479 sliding window of 2048 counters (as ReplayWindow.swift). */
typedef struct {
    uint64_t top; /* highest marked + 1 */
    uint64_t bits[FW_REPLAY_WINDOW / 64];
} fw_replay_window;
/* 0 fresh, 1 seen, 2 too old */
int fw_replay_check(const fw_replay_window *w, uint64_t c);
int fw_replay_mark(fw_replay_window *w, uint64_t c);

typedef struct {
    int valid;
    uint64_t id;
    uint8_t send_key[32], recv_key[32];
    uint64_t next_counter;
    fw_replay_window window;
    uint8_t peer_key[32];
    char peer_id[FW_NODE_ID_LEN + 1];
    int64_t established_ms;
} fw_session;

/* "fairway/2/session" || id (BE) || counter (BE) */
void fw_session_ad(uint64_t id, uint64_t counter, uint8_t ad[17 + 16]);
/* Seals the next message: m->ciphertext is malloc'ed. */
int fw_session_seal(fw_session *s, const uint8_t *pt, size_t len, Fairway__V1__SessionMessage *m);
/* Opens a reply of this session (id, window, tag; window marked after the tag verified). */
int fw_session_open(fw_session *s, const Fairway__V1__SessionMessage *m, uint8_t **pt, size_t *len, fw_error *err);

/* IdentityBinding{identity_key, identity_sig over tag || static} */
int fw_binding_encode(const fw_identity *id, const uint8_t static_pub[32], uint8_t **out, size_t *len);
int fw_binding_verify(const uint8_t *payload, size_t len, const uint8_t remote_static[32], const char *field,
                      uint8_t key_out[32], fw_error *err);

/* Opens a session plaintext from `peer` as WireCodec.openFromSession does (client side):
 * SignedEnvelope; signature (if present) by the peer's key over the exact bytes; Envelope;
 * version 2; 16-byte message id; sender = peer; a payload. */
int fw_open_from_session(const uint8_t *pt, size_t len, const fw_session *s, Fairway__V1__Envelope **env,
                         fw_error *err);

/* Frame decode with SessionFrame.decode's bounds. */
Fairway__V1__Frame *fw_frame_decode(const uint8_t *bytes, size_t len, size_t max_bytes, fw_error *err);

#endif
