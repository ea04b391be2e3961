/* fairway-session-check: session-layer checks of libfairway against a live node.
 *
 *   fairway-session-check URL
 *   fairway-session-check --restart-wait FILE URL
 *
 * 1. a ping handshakes and proves the node's identity;
 * 2. a client pinned to that id works; one pinned to another id is refused
 *    (unauthenticated at frame.handshake_response.binding) before sending anything;
 * 3. a session the server does not know (forged id) is answered unknown-session and the
 *    client handshakes again and resends transparently (the caller sees the pong);
 *    a client with rekey_after_s = 1 handshakes again once its session is older;
 * 4. the same sealed request resent (same message id, same bytes), in the same session and
 *    in a new one, gets the original reply (same reply message id);
 * 5. the same message id with different bytes is refused as replayed;
 * 6. a request dated 10 minutes ago is refused as stale;
 * 7. an unsigned join (a provenance kind) is refused as unauthenticated;
 * and after every refusal the session still serves a ping.
 * With --restart-wait FILE it instead pings, prints "READY", waits (up to 120 s) until FILE
 * exists — meanwhile the caller kills and restarts the node — and pings again with the same
 * client: the restarted node answers unknown-session and the client must handshake again and
 * resend transparently.
 * Exit 0 iff every check passed.
 */
#include "fairway.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void report(int ok, const char *what, const fw_error *e) {
    if (!ok) failures++;
    printf("%s %s", ok ? "ok  " : "FAIL", what);
    if (e && e->code) printf(": code=%d name=%s field=%s message=%s", e->code, e->name, e->field, e->message);
    printf("\n");
}

static void ping_env(Fairway__V1__Envelope *env, Fairway__V1__Ping *p) {
    fairway__v1__envelope__init(env);
    fairway__v1__ping__init(p);
    env->payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_PING;
    env->ping = p;
}

static int ping(fw_client *c, fw_error *e) {
    Fairway__V1__Envelope env, *rep;
    Fairway__V1__Ping p;
    ping_env(&env, &p);
    if (fw_call(c, &env, NULL, &rep, e)) return -1;
    int ok = rep->payload_case == FAIRWAY__V1__ENVELOPE__PAYLOAD_PONG;
    fairway__v1__envelope__free_unpacked(rep, NULL);
    return ok ? 0 : -1;
}

static int restart_check(const char *url, const char *flag) {
    fw_identity id;
    fw_identity_generate(&id);
    fw_error e;
    memset(&e, 0, sizeof e);
    /* A generous deadline: the client's dialer may be in reconnect backoff (at most 2 s) when
     * the restarted edge comes up; what is checked is the transparent re-handshake, not how soon. */
    fw_client_options o;
    fw_client_options_default(&o);
    o.send_timeout_ms = 10000;
    o.recv_timeout_ms = 10000;
    fw_client *c = fw_client_open(url, &id, &o, &e);
    if (!c) { report(0, "open", &e); return 1; }
    int r = ping(c, &e);
    char first[FW_NODE_ID_LEN + 1];
    snprintf(first, sizeof first, "%s", fw_client_peer(c));
    report(r == 0, "ping before the restart", r ? &e : NULL);
    printf("READY\n");
    fflush(stdout);
    for (int i = 0; i < 1200 && access(flag, F_OK) != 0; i++) {
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    unsigned before = fw_client_handshakes(c);
    r = ping(c, &e);
    char what[256];
    snprintf(what, sizeof what, "ping after the restart, same client: %s (handshakes %u -> %u, same node id: %s)",
             r == 0 ? "answered" : "failed", before, fw_client_handshakes(c), strcmp(first, fw_client_peer(c)) ? "no" : "yes");
    report(r == 0 && fw_client_handshakes(c) == before + 1 && !strcmp(first, fw_client_peer(c)), what, r ? &e : NULL);
    fw_client_close(c);
    return failures ? 1 : 0;
}

int main(int argc, char **argv) {
    if (fw_init()) return 2;
    if (argc == 4 && !strcmp(argv[1], "--restart-wait")) return restart_check(argv[3], argv[2]);
    if (argc != 2) { fprintf(stderr, "usage: %s [--restart-wait FILE] URL\n", argv[0]); return 2; }
    const char *url = argv[1];
    fw_identity id;
    fw_identity_generate(&id);
    fw_error e;
    memset(&e, 0, sizeof e);
    fw_client *c = fw_client_open(url, &id, NULL, &e);
    if (!c) { report(0, "open", &e); return 1; }

    /* 1 */
    int r = ping(c, &e);
    char peer[FW_NODE_ID_LEN + 1];
    snprintf(peer, sizeof peer, "%s", fw_client_peer(c));
    char what[256];
    snprintf(what, sizeof what, "ping %s: handshake proved %s", url, peer);
    report(r == 0 && strlen(peer) == FW_NODE_ID_LEN, what, r ? &e : NULL);

    /* 2 */
    fw_client_options o;
    fw_client_options_default(&o);
    o.pinned_node_id = peer;
    fw_client *pinned = fw_client_open(url, &id, &o, &e);
    r = ping(pinned, &e);
    report(r == 0, "client pinned to that id is served", r ? &e : NULL);
    fw_client_close(pinned);
    o.pinned_node_id = "fw0000000000000000000000000000000000000000";
    pinned = fw_client_open(url, &id, &o, &e);
    r = ping(pinned, &e);
    report(r != 0 && e.code == FW_ERR_UNAUTHENTICATED && !strcmp(e.field, "frame.handshake_response.binding"),
           "client pinned to another id refuses the handshake", &e);
    fw_client_close(pinned);

    /* 3 */
    unsigned before = fw_client_handshakes(c);
    fw_client_forge_session_id(c, 0x5eed5eed5eed5eedULL);
    r = ping(c, &e);
    snprintf(what, sizeof what, "unknown-session answered by a transparent re-handshake (handshakes %u -> %u)", before,
             fw_client_handshakes(c));
    report(r == 0 && fw_client_handshakes(c) == before + 1, what, r ? &e : NULL);

    /* 3b: rekeying: a session older than rekey_after_s is replaced by a new handshake */
    fw_client_options ro;
    fw_client_options_default(&ro);
    ro.rekey_after_s = 1;
    fw_client *rk = fw_client_open(url, &id, &ro, &e);
    int ra = ping(rk, &e), rb = ping(rk, &e);
    unsigned h1 = fw_client_handshakes(rk);
    struct timespec pause = {1, 100000000};
    nanosleep(&pause, NULL);
    int rc2 = ping(rk, &e);
    snprintf(what, sizeof what, "rekeying: two pings in one session, then a new handshake after rekey_after_s (handshakes %u -> %u)",
             h1, fw_client_handshakes(rk));
    report(ra == 0 && rb == 0 && rc2 == 0 && h1 == 1 && fw_client_handshakes(rk) == 2, what, (ra || rb || rc2) ? &e : NULL);
    fw_client_close(rk);

    /* 4 */
    Fairway__V1__Envelope env, *rep1 = NULL, *rep2 = NULL, *rep3 = NULL;
    Fairway__V1__Ping p;
    ping_env(&env, &p);
    uint8_t mid[16] = {0};
    fw_envelope_fill_header(&env, &id, mid);
    uint8_t *sealed;
    size_t sn;
    fw_seal(&env, NULL, &sealed, &sn);
    int r1 = fw_call_sealed(c, sealed, sn, mid, &rep1, &e);
    int r2 = fw_call_sealed(c, sealed, sn, mid, &rep2, &e);
    fw_client_reset_session(c);
    int r3 = fw_call_sealed(c, sealed, sn, mid, &rep3, &e);
    int same = !r1 && !r2 && !r3 && rep1->message_id.len == 16 && !memcmp(rep1->message_id.data, rep2->message_id.data, 16) &&
               !memcmp(rep1->message_id.data, rep3->message_id.data, 16);
    report(same, "a resend (same id, same bytes) gets the original reply, in this session and in a new one", same ? NULL : &e);
    if (rep1) fairway__v1__envelope__free_unpacked(rep1, NULL);
    if (rep2) fairway__v1__envelope__free_unpacked(rep2, NULL);
    if (rep3) fairway__v1__envelope__free_unpacked(rep3, NULL);
    free(sealed);

    /* 5: same id, other bytes (another timestamp) */
    env.sent_at_unix_ms += 1;
    fw_seal(&env, NULL, &sealed, &sn);
    Fairway__V1__Envelope *rep = NULL;
    r = fw_call_sealed(c, sealed, sn, mid, &rep, &e);
    report(r != 0 && e.code == FW_ERR_REPLAYED, "same message id with other bytes refused", &e);
    free(sealed);
    if (rep) fairway__v1__envelope__free_unpacked(rep, NULL);
    fw_error pe;
    report(ping(c, &pe) == 0, "  session still serves a ping", NULL);

    /* 6: stale */
    uint8_t mid2[16] = {0};
    ping_env(&env, &p);
    fw_envelope_fill_header(&env, &id, mid2);
    env.sent_at_unix_ms -= 10 * 60 * 1000;
    fw_seal(&env, NULL, &sealed, &sn);
    rep = NULL;
    r = fw_call_sealed(c, sealed, sn, mid2, &rep, &e);
    report(r != 0 && e.code == FW_ERR_STALE, "a request dated 10 minutes ago refused", &e);
    free(sealed);
    if (rep) fairway__v1__envelope__free_unpacked(rep, NULL);
    report(ping(c, &pe) == 0, "  session still serves a ping", NULL);

    /* 7: unsigned join */
    uint8_t mid3[16] = {0};
    Fairway__V1__JoinRequest j = FAIRWAY__V1__JOIN_REQUEST__INIT;
    j.node_id = id.node_id;
    j.role = FAIRWAY__V1__NODE_ROLE__NODE_ROLE_EDGE_AGENT;
    j.version = "0.1.0";
    j.bucket_size = 4;
    j.name = "unsigned";
    j.public_key.data = id.public_key;
    j.public_key.len = 32;
    fairway__v1__envelope__init(&env);
    env.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_JOIN;
    env.join = &j;
    fw_envelope_fill_header(&env, &id, mid3);
    fw_seal(&env, NULL, &sealed, &sn);
    rep = NULL;
    r = fw_call_sealed(c, sealed, sn, mid3, &rep, &e);
    report(r != 0 && e.code == FW_ERR_UNAUTHENTICATED && !strcmp(e.field, "signed_envelope.signature"),
           "an unsigned join (provenance kind) refused", &e);
    free(sealed);
    if (rep) fairway__v1__envelope__free_unpacked(rep, NULL);
    report(ping(c, &pe) == 0, "  session still serves a ping", NULL);

    fw_client_close(c);
    printf("session checks against %s: %d failed\n", url, failures);
    return failures ? 1 : 0;
}
