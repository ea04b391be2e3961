/* Wire protocol 2's session layer: frames, identity bindings, the session AEAD, the replay
 * window and the plaintext (SignedEnvelope) checks. Mirrors Sources/FairwayWire/Session/. */
#include "fairway_internal.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* ---- replay window (ReplayWindow.swift) ---- */

static int bit_get(const fw_replay_window *w, uint64_t c) {
    uint64_t i = c % FW_REPLAY_WINDOW;
    return (w->bits[i / 64] >> (i % 64)) & 1;
}
static void bit_set(fw_replay_window *w, uint64_t c, int v) {
    uint64_t i = c % FW_REPLAY_WINDOW;
    if (v) w->bits[i / 64] |= (uint64_t)1 << (i % 64);
    else w->bits[i / 64] &= ~((uint64_t)1 << (i % 64));
}

int fw_replay_check(const fw_replay_window *w, uint64_t c) {
    if (c >= w->top) return 0;
    if (w->top - c > FW_REPLAY_WINDOW) return 2;
    return bit_get(w, c) ? 1 : 0;
}

int fw_replay_mark(fw_replay_window *w, uint64_t c) {
    int v = fw_replay_check(w, c);
    if (v) return v;
    if (c >= w->top) {
        uint64_t advance = c - w->top + 1;
        if (advance >= FW_REPLAY_WINDOW) memset(w->bits, 0, sizeof w->bits);
        else for (uint64_t x = w->top; x <= c; x++) bit_set(w, x, 0);
        w->top = c + 1;
    }
    bit_set(w, c, 1);
    return 0;
}

/* ---- session AEAD (SessionCipher.swift) ---- */

void fw_session_ad(uint64_t id, uint64_t counter, uint8_t ad[17 + 16]) {
    memcpy(ad, FW_SESSION_AD_TAG, 17);
    for (int i = 0; i < 8; i++) ad[17 + i] = (uint8_t)(id >> (56 - 8 * i));
    for (int i = 0; i < 8; i++) ad[25 + i] = (uint8_t)(counter >> (56 - 8 * i));
}

int fw_session_seal(fw_session *s, const uint8_t *pt, size_t len, Fairway__V1__SessionMessage *m) {
    uint8_t ad[33];
    uint64_t counter = s->next_counter++;
    fw_session_ad(s->id, counter, ad);
    uint8_t *ct = malloc(len + 16);
    if (!ct) return -1;
    if (fw_aead_encrypt(s->send_key, counter, ad, sizeof ad, pt, len, ct)) { free(ct); return -1; }
    fairway__v1__session_message__init(m);
    m->session_id = s->id;
    m->counter = counter;
    m->ciphertext.data = ct;
    m->ciphertext.len = len + 16;
    return 0;
}

int fw_session_open(fw_session *s, const Fairway__V1__SessionMessage *m, uint8_t **pt, size_t *len, fw_error *err) {
    if (m->session_id != s->id) {
        fw_set_error(err, FW_ERR_UNAUTHENTICATED, "frame.session.session_id", "reply is for session %016llx, not %016llx",
                     (unsigned long long)m->session_id, (unsigned long long)s->id);
        return -1;
    }
    if (fw_replay_check(&s->window, m->counter) != 0) {
        fw_set_error(err, FW_ERR_REPLAYED, "frame.session.counter", "reply counter %llu of session %016llx already seen or too old",
                     (unsigned long long)m->counter, (unsigned long long)s->id);
        return -1;
    }
    uint8_t ad[33];
    fw_session_ad(s->id, m->counter, ad);
    uint8_t *out = malloc(m->ciphertext.len);
    if (!out || fw_aead_decrypt(s->recv_key, m->counter, ad, sizeof ad, m->ciphertext.data, m->ciphertext.len, out)) {
        free(out);
        fw_set_error(err, FW_ERR_UNAUTHENTICATED, "frame.session.ciphertext",
                     "AEAD tag of message %llu in session %016llx does not verify", (unsigned long long)m->counter,
                     (unsigned long long)s->id);
        return -1;
    }
    fw_replay_mark(&s->window, m->counter);
    *pt = out;
    *len = m->ciphertext.len - 16;
    return 0;
}

/* ---- identity binding (IdentityBinding.swift) ---- */

int fw_binding_encode(const fw_identity *id, const uint8_t static_pub[32], uint8_t **out, size_t *len) {
    size_t tl = strlen(FW_BINDING_TAG);
    uint8_t msg[64], sig[64];
    memcpy(msg, FW_BINDING_TAG, tl);
    memcpy(msg + tl, static_pub, 32);
    crypto_sign_detached(sig, NULL, msg, tl + 32, id->secret_key);
    Fairway__V1__IdentityBinding b = FAIRWAY__V1__IDENTITY_BINDING__INIT;
    b.identity_key.data = (uint8_t *)id->public_key;
    b.identity_key.len = 32;
    b.identity_sig.data = sig;
    b.identity_sig.len = 64;
    *len = fairway__v1__identity_binding__get_packed_size(&b);
    *out = malloc(*len);
    if (!*out) return -1;
    fairway__v1__identity_binding__pack(&b, *out);
    return 0;
}

int fw_binding_verify(const uint8_t *payload, size_t len, const uint8_t remote_static[32], const char *field,
                      uint8_t key_out[32], fw_error *err) {
    char f[200];
    Fairway__V1__IdentityBinding *b = fairway__v1__identity_binding__unpack(NULL, len, payload);
    if (!b) {
        fw_set_error(err, FW_ERR_UNAUTHENTICATED, field, "handshake payload is not an IdentityBinding");
        return -1;
    }
    if (b->identity_key.len != 32) {
        snprintf(f, sizeof f, "%s.identity_key", field);
        fw_set_error(err, FW_ERR_UNAUTHENTICATED, f, "identity key must be 32 bytes, got %zu", b->identity_key.len);
        fairway__v1__identity_binding__free_unpacked(b, NULL);
        return -1;
    }
    size_t tl = strlen(FW_BINDING_TAG);
    uint8_t msg[64];
    memcpy(msg, FW_BINDING_TAG, tl);
    memcpy(msg + tl, remote_static, 32);
    if (b->identity_sig.len != 64 ||
        crypto_sign_verify_detached(b->identity_sig.data, msg, tl + 32, b->identity_key.data) != 0) {
        char id[FW_NODE_ID_LEN + 1];
        fw_node_address(b->identity_key.data, id);
        snprintf(f, sizeof f, "%s.identity_sig", field);
        fw_set_error(err, FW_ERR_UNAUTHENTICATED, f,
                     "identity signature of %s does not bind the static key this handshake carried", id);
        fairway__v1__identity_binding__free_unpacked(b, NULL);
        return -1;
    }
    memcpy(key_out, b->identity_key.data, 32);
    fairway__v1__identity_binding__free_unpacked(b, NULL);
    return 0;
}

/* ---- frames (SessionFrame.swift) ---- */

static int check_session_message(const Fairway__V1__SessionMessage *m, const char *field, fw_error *err) {
    char f[128];
    if (m->counter == UINT64_MAX) {
        snprintf(f, sizeof f, "%s.counter", field);
        fw_set_error(err, FW_ERR_MALFORMED, f, "counter 2^64-1 is reserved");
        return -1;
    }
    if (m->ciphertext.len < 16) {
        snprintf(f, sizeof f, "%s.ciphertext", field);
        fw_set_error(err, FW_ERR_MALFORMED, f, "ciphertext of %zu bytes is shorter than its 16-byte tag", m->ciphertext.len);
        return -1;
    }
    return 0;
}

Fairway__V1__Frame *fw_frame_decode(const uint8_t *bytes, size_t len, size_t max_bytes, fw_error *err) {
    if (len > max_bytes) {
        fw_set_error(err, FW_ERR_MESSAGE_TOO_LARGE, "frame", "frame is %zu bytes, limit is %zu", len, max_bytes);
        return NULL;
    }
    Fairway__V1__Frame *f = fairway__v1__frame__unpack(NULL, len, bytes);
    if (!f) {
        fw_set_error(err, FW_ERR_MALFORMED, "frame", "not a valid fairway.v1.Frame protobuf (%zu bytes)", len);
        return NULL;
    }
    int bad = 0;
    switch (f->kind_case) {
    case FAIRWAY__V1__FRAME__KIND_HANDSHAKE_INIT:
        if (f->handshake_init->noise.len != 32) {
            fw_set_error(err, FW_ERR_MALFORMED, "frame.handshake_init.noise", "XX message 1 is a 32-byte ephemeral key, got %zu bytes",
                         f->handshake_init->noise.len);
            bad = 1;
        }
        break;
    case FAIRWAY__V1__FRAME__KIND_HANDSHAKE_RESPONSE: {
        size_t n = f->handshake_response->noise.len;
        if (n < 48 || n > FW_MAX_HANDSHAKE_BYTES) {
            fw_set_error(err, FW_ERR_MALFORMED, "frame.handshake_response.noise", "handshake message of %zu bytes; expected 48–%d", n,
                         FW_MAX_HANDSHAKE_BYTES);
            bad = 1;
        }
        break;
    }
    case FAIRWAY__V1__FRAME__KIND_HANDSHAKE_FINISH: {
        size_t n = f->handshake_finish->noise.len;
        if (n < 48 || n > FW_MAX_HANDSHAKE_BYTES) {
            fw_set_error(err, FW_ERR_MALFORMED, "frame.handshake_finish.noise", "handshake message of %zu bytes; expected 48–%d", n,
                         FW_MAX_HANDSHAKE_BYTES);
            bad = 1;
        } else if (!f->handshake_finish->first) {
            fw_set_error(err, FW_ERR_MALFORMED, "frame.handshake_finish.first", "message 3 carries no first request");
            bad = 1;
        } else if (check_session_message(f->handshake_finish->first, "frame.handshake_finish.first", err)) {
            bad = 1;
        }
        break;
    }
    case FAIRWAY__V1__FRAME__KIND_SESSION:
        bad = check_session_message(f->session, "frame.session", err) != 0;
        break;
    case FAIRWAY__V1__FRAME__KIND_ERROR:
        break;
    default: {
        /* a protocol-1 SignedEnvelope (fields 1-3)? */
        Fairway__V1__SignedEnvelope *old = fairway__v1__signed_envelope__unpack(NULL, len, bytes);
        if (old && old->envelope.len && old->public_key.len == 32 && old->signature.len == 64)
            fw_set_error(err, FW_ERR_UNSUPPORTED_VERSION, "frame",
                         "the peer answered in wire protocol 1 (a signed envelope); this client speaks 2: upgrade the server");
        else
            fw_set_error(err, FW_ERR_MALFORMED, "frame.kind", "frame carries no kind");
        if (old) fairway__v1__signed_envelope__free_unpacked(old, NULL);
        bad = 1;
    }
    }
    if (bad) {
        fairway__v1__frame__free_unpacked(f, NULL);
        return NULL;
    }
    return f;
}

/* ---- plaintext (SessionPlaintext.swift, client side) ---- */

int fw_open_from_session(const uint8_t *pt, size_t len, const fw_session *s, Fairway__V1__Envelope **out,
                         fw_error *err) {
    Fairway__V1__SignedEnvelope *outer = fairway__v1__signed_envelope__unpack(NULL, len, pt);
    if (!outer) {
        fw_set_error(err, FW_ERR_MALFORMED, "signed_envelope", "session plaintext is not a fairway.v1.SignedEnvelope (%zu bytes)", len);
        return -1;
    }
    int signed_ = outer->signature.len || outer->public_key.len;
    if (signed_) {
        if (outer->public_key.len != 32 || memcmp(outer->public_key.data, s->peer_key, 32)) {
            fw_set_error(err, FW_ERR_UNAUTHENTICATED, "signed_envelope.public_key", "signed by another key than the session peer %s's",
                         s->peer_id);
            goto fail;
        }
        size_t tl = strlen(FW_ENVELOPE_TAG) + 1;
        uint8_t *m = malloc(tl + outer->envelope.len);
        memcpy(m, FW_ENVELOPE_TAG, tl);
        memcpy(m + tl, outer->envelope.data, outer->envelope.len);
        int ok = outer->signature.len == 64 &&
                 crypto_sign_verify_detached(outer->signature.data, m, tl + outer->envelope.len, s->peer_key) == 0;
        free(m);
        if (!ok) {
            fw_set_error(err, FW_ERR_UNAUTHENTICATED, "signed_envelope.signature", "signature does not verify for %s", s->peer_id);
            goto fail;
        }
    }
    Fairway__V1__Envelope *env = fairway__v1__envelope__unpack(NULL, outer->envelope.len, outer->envelope.data);
    if (!env) {
        fw_set_error(err, FW_ERR_MALFORMED, "envelope", "not a valid fairway.v1.Envelope protobuf (%zu bytes)", outer->envelope.len);
        goto fail;
    }
    if (env->protocol_version != FW_PROTOCOL_VERSION) {
        fw_set_error(err, FW_ERR_UNSUPPORTED_VERSION, "envelope.protocol_version", "protocol version %u, this client speaks %d",
                     env->protocol_version, FW_PROTOCOL_VERSION);
    } else if (env->message_id.len != FW_MESSAGE_ID_LEN) {
        fw_set_error(err, FW_ERR_MALFORMED, "envelope.message_id", "message id must be 16 bytes, got %zu", env->message_id.len);
    } else if (!env->sender || strcmp(env->sender, s->peer_id)) {
        fw_set_error(err, FW_ERR_UNAUTHENTICATED, "envelope.sender", "sender %s is not the session peer %s",
                     env->sender ? env->sender : "", s->peer_id);
    } else if (env->payload_case == FAIRWAY__V1__ENVELOPE__PAYLOAD__NOT_SET) {
        fw_set_error(err, FW_ERR_MALFORMED, "envelope.payload", "envelope carries no payload");
    } else {
        fairway__v1__signed_envelope__free_unpacked(outer, NULL);
        *out = env;
        return 0;
    }
    fairway__v1__envelope__free_unpacked(env, NULL);
fail:
    fairway__v1__signed_envelope__free_unpacked(outer, NULL);
    return -1;
}
