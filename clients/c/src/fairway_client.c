/* The client: an nng REQ socket, Noise XX handshakes as initiator, session messages, the
 * unknown-session re-handshake and in-progress resends. Mirrors RequestClient.swift and
 * ClientSessions.swift for one identity. */
#include "fairway_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>
#include <sodium.h>

struct fw_client {
    nng_socket sock;
    char url[512];
    const fw_identity *id;
    fw_client_options opt;
    char pinned[FW_NODE_ID_LEN + 1];
    uint8_t static_priv[32], static_pub[32]; /* per client, never stored */
    uint8_t *binding;
    size_t binding_len;
    fw_session s;
    unsigned handshakes;
    int forge;
    uint64_t forged_id;
};

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

void fw_client_options_default(fw_client_options *o) {
    memset(o, 0, sizeof *o);
    o->send_timeout_ms = 1000;
    o->recv_timeout_ms = 2000;
    o->resend_ms = 1000;
    o->max_message_bytes = 1048576;
    o->rekey_after_s = 120;
    o->pinned_node_id = NULL;
}

/* The host of scheme://host:port (IPv6 brackets removed). */
static void url_host(const char *url, char *out, size_t len) {
    const char *p = strstr(url, "://");
    out[0] = 0;
    if (!p) return;
    p += 3;
    const char *end = p + strcspn(p, "/");
    if (*p == '[') {
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (close) { snprintf(out, len, "%.*s", (int)(close - p - 1), p + 1); return; }
    }
    const char *colon = NULL;
    for (const char *q = p; q < end; q++) if (*q == ':') colon = q;
    if (colon) end = colon;
    snprintf(out, len, "%.*s", (int)(end - p), p);
}

/* Non-blocking dial; for tls+tcp:// with the options' CA, certificate and server name, as
 * Sources/NNG/TLSOptions.swift dials. */
static int dial(fw_client *c, const char *url, fw_error *err) {
    if (strncmp(url, "tls+", 4) != 0 || (!c->opt.tls_ca_file && !c->opt.tls_cert_key_file))
        return nng_dial(c->sock, url, NULL, NNG_FLAG_NONBLOCK);
    nng_dialer d;
    int rv;
    const char *what = "nng_dialer_create";
    char host[256];
    if ((rv = nng_dialer_create(&d, c->sock, url))) goto fail;
    what = "tls ca file";
    if (c->opt.tls_ca_file && (rv = nng_dialer_set_string(d, NNG_OPT_TLS_CA_FILE, c->opt.tls_ca_file))) goto fail_close;
    what = "tls cert/key file";
    if (c->opt.tls_cert_key_file && (rv = nng_dialer_set_string(d, NNG_OPT_TLS_CERT_KEY_FILE, c->opt.tls_cert_key_file)))
        goto fail_close;
    what = "tls auth mode";
    if ((rv = nng_dialer_set_int(d, NNG_OPT_TLS_AUTH_MODE, NNG_TLS_AUTH_MODE_REQUIRED))) goto fail_close;
    what = "tls server name";
    if (c->opt.tls_server_name) snprintf(host, sizeof host, "%s", c->opt.tls_server_name);
    else url_host(url, host, sizeof host);
    if (host[0] && (rv = nng_dialer_set_string(d, NNG_OPT_TLS_SERVER_NAME, host))) goto fail_close;
    what = "nng_dialer_start";
    if ((rv = nng_dialer_start(d, NNG_FLAG_NONBLOCK))) goto fail_close;
    return 0;
fail_close:
    nng_dialer_close(d);
fail:
    fw_set_error(err, FW_ERR_TRANSPORT, "url", "cannot dial %s: %s: %s", url, what, nng_strerror(rv));
    return rv;
}

fw_client *fw_client_open(const char *url, const fw_identity *id, const fw_client_options *opt, fw_error *err) {
    fw_client *c = calloc(1, sizeof *c);
    if (err) memset(err, 0, sizeof *err);
    if (!c) { fw_set_error(err, FW_ERR_INTERNAL, "", "out of memory"); return NULL; }
    if (opt) c->opt = *opt;
    else fw_client_options_default(&c->opt);
    fw_client_options d;
    fw_client_options_default(&d);
    if (c->opt.send_timeout_ms <= 0) c->opt.send_timeout_ms = d.send_timeout_ms;
    if (c->opt.recv_timeout_ms <= 0) c->opt.recv_timeout_ms = d.recv_timeout_ms;
    if (c->opt.resend_ms <= 0) c->opt.resend_ms = d.resend_ms;
    if (c->opt.max_message_bytes == 0) c->opt.max_message_bytes = d.max_message_bytes;
    if (c->opt.rekey_after_s <= 0) c->opt.rekey_after_s = d.rekey_after_s;
    snprintf(c->url, sizeof c->url, "%s", url);
    c->id = id;
    if (c->opt.pinned_node_id) fw_client_pin(c, c->opt.pinned_node_id);
    c->opt.pinned_node_id = NULL;
    fw_noise_generate_keypair(c->static_priv, c->static_pub);
    if (fw_binding_encode(id, c->static_pub, &c->binding, &c->binding_len)) {
        fw_set_error(err, FW_ERR_INTERNAL, "", "out of memory");
        free(c);
        return NULL;
    }
    int rv;
    if ((rv = nng_req0_open(&c->sock)) != 0) {
        fw_set_error(err, FW_ERR_TRANSPORT, "", "nng_req0_open: %s", nng_strerror(rv));
        free(c->binding);
        free(c);
        return NULL;
    }
    /* Frames carry at most max_message_bytes of envelope plus the frame and AEAD overhead. */
    if ((rv = nng_socket_set_ms(c->sock, NNG_OPT_SENDTIMEO, c->opt.send_timeout_ms)) ||
        (rv = nng_socket_set_ms(c->sock, NNG_OPT_RECVTIMEO, c->opt.recv_timeout_ms)) ||
        (rv = nng_socket_set_ms(c->sock, NNG_OPT_REQ_RESENDTIME, c->opt.resend_ms)) ||
        (rv = nng_socket_set_size(c->sock, NNG_OPT_RECVMAXSZ, c->opt.max_message_bytes + 1024)) ||
        (rv = nng_socket_set_ms(c->sock, NNG_OPT_RECONNMINT, 100)) ||
        (rv = nng_socket_set_ms(c->sock, NNG_OPT_RECONNMAXT, 2000)) ||
        (rv = dial(c, url, err))) {
        if (!err || !err->code) fw_set_error(err, FW_ERR_TRANSPORT, "url", "cannot dial %s: %s", url, nng_strerror(rv));
        nng_close(c->sock);
        free(c->binding);
        free(c);
        return NULL;
    }
    c->opt.tls_ca_file = c->opt.tls_cert_key_file = c->opt.tls_server_name = NULL; /* used by the dial only */
    return c;
}

void fw_client_close(fw_client *c) {
    if (!c) return;
    nng_close(c->sock);
    free(c->binding);
    sodium_memzero(c, sizeof *c);
    free(c);
}

void fw_client_pin(fw_client *c, const char *node_id) {
    if (node_id) snprintf(c->pinned, sizeof c->pinned, "%s", node_id);
    else c->pinned[0] = 0;
}

const char *fw_client_peer(const fw_client *c) { return c->s.peer_id; }
unsigned fw_client_handshakes(const fw_client *c) { return c->handshakes; }
void fw_client_reset_session(fw_client *c) { memset(&c->s, 0, sizeof c->s); }
void fw_client_forge_session_id(fw_client *c, uint64_t id) {
    c->forge = 1;
    c->forged_id = id;
}

/* One frame out, one frame back, before `deadline` (monotonic ms). */
static Fairway__V1__Frame *exchange_frame(fw_client *c, const Fairway__V1__Frame *f, int64_t deadline, fw_error *err) {
    int64_t remaining = deadline - mono_ms();
    if (remaining <= 0) {
        fw_set_error(err, FW_ERR_NO_REPLY, "", "no reply from %s before the deadline", c->url);
        return NULL;
    }
    size_t n = fairway__v1__frame__get_packed_size(f);
    uint8_t *buf = malloc(n ? n : 1);
    fairway__v1__frame__pack(f, buf);
    /* The send waits for a connected peer at most send_timeout_ms, and never past the call's deadline. */
    nng_socket_set_ms(c->sock, NNG_OPT_SENDTIMEO, (nng_duration)(remaining < c->opt.send_timeout_ms ? remaining : c->opt.send_timeout_ms));
    nng_socket_set_ms(c->sock, NNG_OPT_RECVTIMEO, (nng_duration)remaining);
    int rv = nng_send(c->sock, buf, n, 0);
    free(buf);
    if (rv) {
        fw_set_error(err, rv == NNG_ETIMEDOUT ? FW_ERR_NO_REPLY : FW_ERR_TRANSPORT, "", "cannot send to %s: %s", c->url,
                     nng_strerror(rv));
        return NULL;
    }
    uint8_t *reply = NULL;
    size_t rn = 0;
    rv = nng_recv(c->sock, &reply, &rn, NNG_FLAG_ALLOC);
    if (rv) {
        fw_set_error(err, FW_ERR_NO_REPLY, "", "no reply from %s within %lld ms (%s)", c->url, (long long)remaining,
                     nng_strerror(rv));
        err->retry_after_ms = 100;
        return NULL;
    }
    Fairway__V1__Frame *out = fw_frame_decode(reply, rn, c->opt.max_message_bytes + 1024, err);
    nng_free(reply, rn);
    return out;
}

/* The error a frame of the wrong kind stands for. */
static void refusal(fw_client *c, const Fairway__V1__Frame *f, const char *expecting, fw_error *err) {
    if (f->kind_case == FAIRWAY__V1__FRAME__KIND_ERROR) fw_set_remote_error(err, f->error);
    else fw_set_error(err, FW_ERR_MALFORMED, "frame.kind", "expected %s from %s", expecting, c->url);
}

static int opened(fw_client *c, const Fairway__V1__SessionMessage *m, Fairway__V1__Envelope **env, fw_error *err) {
    uint8_t *pt;
    size_t n;
    if (fw_session_open(&c->s, m, &pt, &n, err)) return -1;
    int r = fw_open_from_session(pt, n, &c->s, env, err);
    sodium_memzero(pt, n);
    free(pt);
    return r;
}

/* XX over REQ/REP: message 1 -> message 2 -> message 3 with the first request -> its reply. */
static int handshake(fw_client *c, const uint8_t *sealed, size_t sealed_len, int64_t deadline, Fairway__V1__Envelope **env,
                     fw_error *err) {
    fw_handshake hs;
    fw_handshake_params p = {FW_SESSION_NOISE, 1, (const uint8_t *)FW_SESSION_PROLOGUE, strlen(FW_SESSION_PROLOGUE),
                             c->static_priv, NULL, NULL, NULL, 0};
    uint8_t m1[64], m2p[FW_MAX_HANDSHAKE_BYTES], m3[FW_MAX_HANDSHAKE_BYTES];
    size_t m1n, m2pn, m3n;
    int result = -1;
    Fairway__V1__Frame *reply = NULL, *reply2 = NULL;
    memset(&c->s, 0, sizeof c->s);
    if (fw_handshake_init(&hs, &p) || fw_handshake_write(&hs, NULL, 0, m1, sizeof m1, &m1n)) {
        fw_set_error(err, FW_ERR_INTERNAL, "", "cannot start the handshake");
        return -1;
    }
    Fairway__V1__Frame f1 = FAIRWAY__V1__FRAME__INIT;
    Fairway__V1__HandshakeInit hi = FAIRWAY__V1__HANDSHAKE_INIT__INIT;
    hi.noise.data = m1;
    hi.noise.len = m1n;
    f1.kind_case = FAIRWAY__V1__FRAME__KIND_HANDSHAKE_INIT;
    f1.handshake_init = &hi;
    if (!(reply = exchange_frame(c, &f1, deadline, err))) goto out;
    if (reply->kind_case != FAIRWAY__V1__FRAME__KIND_HANDSHAKE_RESPONSE) {
        refusal(c, reply, "handshake message 2", err);
        goto out;
    }
    uint64_t hid = reply->handshake_response->handshake_id;
    int r = fw_handshake_read(&hs, reply->handshake_response->noise.data, reply->handshake_response->noise.len, m2p,
                              sizeof m2p, &m2pn);
    if (r) {
        fw_set_error(err, FW_ERR_UNAUTHENTICATED, "frame.handshake_response.noise", "handshake message 2 refused: %s",
                     fw_noise_strerror(r));
        goto out;
    }
    uint8_t peer_key[32];
    if (fw_binding_verify(m2p, m2pn, fw_handshake_remote_static(&hs), "frame.handshake_response.binding", peer_key, err))
        goto out;
    char peer_id[FW_NODE_ID_LEN + 1];
    fw_node_address(peer_key, peer_id);
    if (c->pinned[0] && strcmp(peer_id, c->pinned)) {
        fw_set_error(err, FW_ERR_UNAUTHENTICATED, "frame.handshake_response.binding", "%s proved identity %s, not the pinned %s",
                     c->url, peer_id, c->pinned);
        goto out;
    }
    if ((r = fw_handshake_write(&hs, c->binding, c->binding_len, m3, sizeof m3, &m3n))) {
        fw_set_error(err, FW_ERR_INTERNAL, "frame.handshake_finish.noise", "handshake message 3: %s", fw_noise_strerror(r));
        goto out;
    }
    fw_cipher_state c1, c2;
    fw_handshake_split(&hs, &c1, &c2);
    fw_session s;
    memset(&s, 0, sizeof s);
    s.id = hid;
    memcpy(s.send_key, c1.k, 32);
    memcpy(s.recv_key, c2.k, 32);
    memcpy(s.peer_key, peer_key, 32);
    memcpy(s.peer_id, peer_id, sizeof peer_id);
    s.established_ms = mono_ms();
    sodium_memzero(&c1, sizeof c1);
    sodium_memzero(&c2, sizeof c2);

    Fairway__V1__SessionMessage first;
    if (fw_session_seal(&s, sealed, sealed_len, &first)) {
        fw_set_error(err, FW_ERR_INTERNAL, "", "out of memory");
        goto out;
    }
    Fairway__V1__Frame f3 = FAIRWAY__V1__FRAME__INIT;
    Fairway__V1__HandshakeFinish hf = FAIRWAY__V1__HANDSHAKE_FINISH__INIT;
    hf.handshake_id = hid;
    hf.noise.data = m3;
    hf.noise.len = m3n;
    hf.first = &first;
    f3.kind_case = FAIRWAY__V1__FRAME__KIND_HANDSHAKE_FINISH;
    f3.handshake_finish = &hf;
    reply2 = exchange_frame(c, &f3, deadline, err);
    free(first.ciphertext.data);
    if (!reply2) goto out;
    if (reply2->kind_case != FAIRWAY__V1__FRAME__KIND_SESSION) {
        refusal(c, reply2, "the reply to the first request", err);
        goto out;
    }
    c->s = s;
    c->s.valid = 1;
    c->handshakes++;
    if (opened(c, reply2->session, env, err)) goto out; /* the session stands: the reply itself was bad */
    result = 0;
out:
    if (result && !c->s.valid) memset(&c->s, 0, sizeof c->s);
    if (reply) fairway__v1__frame__free_unpacked(reply, NULL);
    if (reply2) fairway__v1__frame__free_unpacked(reply2, NULL);
    fw_handshake_clear(&hs);
    sodium_memzero(&s, sizeof s);
    return result;
}

static int due_for_rekey(const fw_client *c) {
    return mono_ms() - c->s.established_ms >= (int64_t)c->opt.rekey_after_s * 1000 ||
           c->s.next_counter >= ((uint64_t)1 << 60);
}

/* One request in the session (handshaking first when needed) and its authenticated reply,
 * an error reply included. */
static int exchange_sealed(fw_client *c, const uint8_t *sealed, size_t len, int64_t deadline, Fairway__V1__Envelope **env,
                           fw_error *err) {
    int forgotten = 0;
    for (;;) {
        if (!c->s.valid || due_for_rekey(c)) return handshake(c, sealed, len, deadline, env, err);
        if (c->forge) { /* test hook: a session id the server does not know */
            c->s.id = c->forged_id;
            c->forge = 0;
        }
        Fairway__V1__SessionMessage m;
        if (fw_session_seal(&c->s, sealed, len, &m)) {
            fw_set_error(err, FW_ERR_INTERNAL, "", "out of memory");
            return -1;
        }
        Fairway__V1__Frame f = FAIRWAY__V1__FRAME__INIT;
        f.kind_case = FAIRWAY__V1__FRAME__KIND_SESSION;
        f.session = &m;
        Fairway__V1__Frame *reply = exchange_frame(c, &f, deadline, err);
        free(m.ciphertext.data);
        if (!reply) return -1;
        if (reply->kind_case == FAIRWAY__V1__FRAME__KIND_SESSION) {
            int r = opened(c, reply->session, env, err);
            fairway__v1__frame__free_unpacked(reply, NULL);
            return r;
        }
        if (reply->kind_case == FAIRWAY__V1__FRAME__KIND_ERROR &&
            reply->error->code == FAIRWAY__V1__ERROR_REPLY__CODE__UNKNOWN_SESSION && forgotten < 3) {
            /* the server restarted or expired the session: handshake again, resend */
            forgotten++;
            memset(&c->s, 0, sizeof c->s);
            fairway__v1__frame__free_unpacked(reply, NULL);
            continue;
        }
        refusal(c, reply, "a session message", err);
        fairway__v1__frame__free_unpacked(reply, NULL);
        return -1;
    }
}

int fw_call_sealed(fw_client *c, const uint8_t *sealed, size_t len, const uint8_t message_id[16], Fairway__V1__Envelope **reply,
                   fw_error *err) {
    *reply = NULL;
    int64_t deadline = mono_ms() + c->opt.recv_timeout_ms;
    for (;;) {
        Fairway__V1__Envelope *env = NULL;
        if (exchange_sealed(c, sealed, len, deadline, &env, err)) return -1;
        if (env->in_reply_to.len && (env->in_reply_to.len != 16 || memcmp(env->in_reply_to.data, message_id, 16))) {
            fw_set_error(err, FW_ERR_MALFORMED, "envelope.in_reply_to", "reply answers another message than this request");
            fairway__v1__envelope__free_unpacked(env, NULL);
            return -1;
        }
        if (env->payload_case == FAIRWAY__V1__ENVELOPE__PAYLOAD_ERROR) {
            fw_set_remote_error(err, env->error);
            fairway__v1__envelope__free_unpacked(env, NULL);
            if (err->code == FW_ERR_IN_PROGRESS) { /* an earlier copy is being handled: resend the same bytes */
                int64_t wait = err->retry_after_ms > 10 ? err->retry_after_ms : 10;
                if (mono_ms() + wait >= deadline) return -1;
                sleep_ms(wait);
                continue;
            }
            return -1;
        }
        *reply = env;
        return 0;
    }
}

int fw_call(fw_client *c, Fairway__V1__Envelope *request, uint8_t message_id[16], Fairway__V1__Envelope **reply, fw_error *err) {
    uint8_t local[16] = {0};
    uint8_t *mid = message_id ? message_id : local;
    *reply = NULL;
    if (request->payload_case == FAIRWAY__V1__ENVELOPE__PAYLOAD__NOT_SET) {
        fw_set_error(err, FW_ERR_INVALID_ARGUMENT, "envelope.payload", "the request has no payload");
        return -1;
    }
    fw_envelope_fill_header(request, c->id, mid);
    uint8_t *sealed;
    size_t n;
    if (fw_seal(request, fw_payload_carries_provenance(request->payload_case) ? c->id : NULL, &sealed, &n)) {
        fw_set_error(err, FW_ERR_INTERNAL, "", "out of memory");
        return -1;
    }
    int r = fw_call_sealed(c, sealed, n, mid, reply, err);
    free(sealed);
    return r;
}
