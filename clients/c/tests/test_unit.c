/* Offline unit tests of libfairway: the analytic Gaussian mechanism against
 * Tests/Reference/gaussian-mechanism.json, identities (address and key files as Swift keeps
 * them), the replay window, the session AEAD and its associated data, identity bindings, a
 * full in-memory XX handshake with bindings, frame bounds and envelope sealing.
 *
 * Usage: test_unit PATH/TO/gaussian-mechanism.json
 */
#include "fairway_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

static int failures, checks;

#define CHECK(cond, ...)                                                                                          \
    do {                                                                                                          \
        checks++;                                                                                                 \
        if (!(cond)) {                                                                                            \
            failures++;                                                                                           \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                                           \
            printf(__VA_ARGS__);                                                                                  \
            printf("\n");                                                                                         \
        }                                                                                                         \
    } while (0)

static int rel_close(double a, double b, double tol) { return fabs(a - b) <= tol * fabs(b); }

/* A number after "key": inside [from, to). */
static int json_number(const char *from, const char *to, const char *key, double *out) {
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(from, pat);
    if (!p || p >= to) return 0;
    *out = strtod(p + strlen(pat), NULL);
    return 1;
}

static void test_gaussian(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { CHECK(0, "cannot read %s", path); return; }
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    const char *p = strstr(text, "\"vectors\"");
    int count = 0;
    CHECK(p != NULL, "no vectors in %s", path);
    while (p && (p = strchr(p, '{')) != NULL) {
        const char *end = strchr(p, '}');
        if (!end) break;
        double e, d, s, sc, sa, xd;
        if (json_number(p, end, "epsilon", &e) && json_number(p, end, "delta", &d) &&
            json_number(p, end, "l2_sensitivity", &s) && json_number(p, end, "sigma_classical", &sc) &&
            json_number(p, end, "sigma_analytic", &sa) && json_number(p, end, "exact_delta_at_sigma_classical", &xd)) {
            double a = fw_gaussian_analytic_sigma(e, d, s);
            CHECK(rel_close(a, sa, 1e-9), "analytic σ(ε=%g, δ=%g, Δ=%g) = %.17g, reference %.17g", e, d, s, a, sa);
            CHECK(a >= sa * (1 - 1e-12), "analytic σ below the exact minimum at ε=%g", e);
            CHECK(fw_gaussian_exact_delta(a, e, s) <= d, "δ(σ) > δ at ε=%g", e);
            CHECK(rel_close(fw_gaussian_classical_sigma(e, d, s), sc, 1e-9), "classical σ at ε=%g", e);
            CHECK(rel_close(fw_gaussian_exact_delta(sc, e, s), xd, 1e-9), "exact δ at the classical σ, ε=%g: %.17g vs %.17g", e,
                  fw_gaussian_exact_delta(sc, e, s), xd);
            count++;
        }
        p = end + 1;
    }
    CHECK(count == 6, "read %d gaussian vectors, expected 6", count);
    /* the classical thresholds: exact δ of eq. 21 crosses δ there */
    const char *t = strstr(text, "classical_formula_failure_threshold");
    const char *keys[] = {"delta=1e-3", "delta=1e-5", "delta=1e-6", "delta=1e-8"};
    double deltas[] = {1e-3, 1e-5, 1e-6, 1e-8};
    for (int i = 0; t && i < 4; i++) {
        double th;
        if (!json_number(t, t + 1000, keys[i], &th)) { CHECK(0, "no threshold %s", keys[i]); continue; }
        double below = th * 0.999, above = th * 1.001;
        CHECK(fw_gaussian_exact_delta(fw_gaussian_classical_sigma(below, deltas[i], 1), below, 1) <= deltas[i],
              "classical σ private just below %s", keys[i]);
        CHECK(fw_gaussian_exact_delta(fw_gaussian_classical_sigma(above, deltas[i], 1), above, 1) > deltas[i],
              "classical σ not private just above %s", keys[i]);
    }
    CHECK(fw_gaussian_analytic_sigma(0, 1e-5, 1) < 0 && fw_gaussian_analytic_sigma(1, 0, 1) < 0 &&
              fw_gaussian_analytic_sigma(1, 1, 1) < 0 && fw_gaussian_analytic_sigma(1, 1e-5, -1) < 0 &&
              fw_gaussian_analytic_sigma(NAN, 1e-5, 1) < 0,
          "out-of-range parameters refused");
    printf("gaussian mechanism: %d reference vectors checked\n", count);
}

static void test_dp_helpers(void) {
    double v[16];
    for (int i = 0; i < 16; i++) v[i] = (i + 1) * 0.37;
    fw_clip_l2(v, 16, 1.0);
    double s = 0;
    for (int i = 0; i < 16; i++) s += v[i] * v[i];
    CHECK(sqrt(s) <= 1.0, "clipped norm %.17g > 1", sqrt(s));
    double sum = 0, sq = 0;
    int n = 200000;
    for (int i = 0; i < n; i++) {
        double x = fw_random_normal();
        sum += x;
        sq += x * x;
    }
    double mean = sum / n, var = sq / n - mean * mean;
    CHECK(fabs(mean) < 0.02 && fabs(var - 1) < 0.02, "normal samples: mean %g variance %g", mean, var);
}

static void test_identity(void) {
    uint8_t seed[32];
    for (int i = 0; i < 32; i++) seed[i] = (uint8_t)(i + 1);
    fw_identity id;
    fw_identity_from_seed(&id, seed);
    char pk[65];
    fw_hex(id.public_key, 32, pk);
    /* `fairwayctl identity --key-file` on a file holding 0102…20 prints these */
    CHECK(!strcmp(id.node_id, "fw65b60673d6ed884bf01c2c222d82ada0740f29ac"), "node id %s", id.node_id);
    CHECK(!strcmp(pk, "79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664"), "public key %s", pk);

    char dir[] = "/tmp/fw-c-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char path[256];
    snprintf(path, sizeof path, "%s/a.key", dir);
    fw_identity a, b;
    fw_error e;
    CHECK(fw_identity_load_or_create(&a, path, &e) == 0, "create key file");
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "key file mode %o", (unsigned)(st.st_mode & 0777));
    CHECK(fw_identity_load_or_create(&b, path, &e) == 0 && !memcmp(a.seed, b.seed, 32), "key file reloads the same key");
    chmod(path, 0644);
    CHECK(fw_identity_load(&b, path, &e) != 0 && strstr(e.message, "chmod 600"), "0644 key file refused: %s", e.message);
    unlink(path);
    rmdir(dir);
}

static void test_replay_window(void) {
    fw_replay_window w;
    memset(&w, 0, sizeof w);
    CHECK(fw_replay_mark(&w, 0) == 0 && fw_replay_mark(&w, 0) == 1, "0 fresh then seen");
    CHECK(fw_replay_mark(&w, 5) == 0 && fw_replay_check(&w, 3) == 0 && fw_replay_mark(&w, 3) == 0, "out of order");
    CHECK(fw_replay_mark(&w, 5000) == 0, "jump");
    CHECK(fw_replay_check(&w, 5000 - 2047) == 0, "edge of the window fresh");
    CHECK(fw_replay_check(&w, 5000 - 2048) == 2, "below the window: too old");
    CHECK(fw_replay_check(&w, 5) == 2, "old counter too old");
}

static void test_session_cipher(void) {
    uint8_t ad[33];
    fw_session_ad(0x0102030405060708ULL, 9, ad);
    static const uint8_t want[33] = {'f', 'a', 'i', 'r', 'w', 'a', 'y', '/', '2', '/', 's', 'e', 's', 's', 'i', 'o', 'n',
                                     1,   2,   3,   4,   5,   6,   7,   8,   0,   0,   0,   0,   0,   0,   0,   9};
    CHECK(!memcmp(ad, want, 33), "associated data layout");

    fw_session tx, rx;
    memset(&tx, 0, sizeof tx);
    tx.id = 77;
    randombytes_buf(tx.send_key, 32);
    rx = tx;
    memcpy(rx.recv_key, tx.send_key, 32);
    Fairway__V1__SessionMessage m;
    const char *msg = "hello";
    CHECK(fw_session_seal(&tx, (const uint8_t *)msg, 5, &m) == 0 && m.counter == 0 && m.ciphertext.len == 21, "seal");
    /* the ciphertext is Noise's: nonce 4 zero bytes || counter LE */
    uint8_t direct[21];
    fw_aead_encrypt(tx.send_key, 0, ad, 0, (const uint8_t *)msg, 5, direct); /* wrong AD on purpose */
    CHECK(memcmp(direct, m.ciphertext.data, 21) != 0, "associated data is bound");
    uint8_t *pt;
    size_t n;
    fw_error e;
    CHECK(fw_session_open(&rx, &m, &pt, &n, &e) == 0 && n == 5 && !memcmp(pt, msg, 5), "open");
    free(pt);
    CHECK(fw_session_open(&rx, &m, &pt, &n, &e) != 0 && e.code == FW_ERR_REPLAYED, "reused counter refused: %s", e.name);
    Fairway__V1__SessionMessage m2;
    fw_session_seal(&tx, (const uint8_t *)msg, 5, &m2);
    m2.ciphertext.data[3] ^= 1;
    CHECK(fw_session_open(&rx, &m2, &pt, &n, &e) != 0 && e.code == FW_ERR_UNAUTHENTICATED &&
              !strcmp(e.field, "frame.session.ciphertext"),
          "tampered ciphertext refused");
    m2.ciphertext.data[3] ^= 1;
    CHECK(fw_session_open(&rx, &m2, &pt, &n, &e) == 0, "the genuine message still opens after a forgery (window untouched)");
    free(pt);
    m2.session_id = 78;
    CHECK(fw_session_open(&rx, &m2, &pt, &n, &e) != 0 && !strcmp(e.field, "frame.session.session_id"), "other session refused");
    free(m.ciphertext.data);
    free(m2.ciphertext.data);
}

/* A whole handshake in memory: C initiator and C responder, bindings both ways. */
static void test_handshake_with_bindings(void) {
    fw_identity ia, ib;
    fw_identity_generate(&ia);
    fw_identity_generate(&ib);
    uint8_t sa[32], pa[32], sb[32], pb[32];
    fw_noise_generate_keypair(sa, pa);
    fw_noise_generate_keypair(sb, pb);
    fw_handshake hi, hr;
    fw_handshake_params pi = {FW_SESSION_NOISE, 1, (const uint8_t *)"fairway/2", 9, sa, NULL, NULL, NULL, 0};
    fw_handshake_params pr = {FW_SESSION_NOISE, 0, (const uint8_t *)"fairway/2", 9, sb, NULL, NULL, NULL, 0};
    CHECK(fw_handshake_init(&hi, &pi) == 0 && fw_handshake_init(&hr, &pr) == 0, "init");
    uint8_t m[1024], pl[1024];
    size_t n, pn;
    uint8_t *bind_b, *bind_a;
    size_t bb, ba;
    fw_binding_encode(&ib, pb, &bind_b, &bb);
    fw_binding_encode(&ia, pa, &bind_a, &ba);
    CHECK(fw_handshake_write(&hi, NULL, 0, m, sizeof m, &n) == 0 && n == 32, "message 1 is 32 bytes");
    CHECK(fw_handshake_read(&hr, m, n, pl, sizeof pl, &pn) == 0 && pn == 0, "read 1");
    CHECK(fw_handshake_write(&hr, bind_b, bb, m, sizeof m, &n) == 0 && n == 32 + 48 + bb + 16, "message 2 size");
    CHECK(fw_handshake_read(&hi, m, n, pl, sizeof pl, &pn) == 0, "read 2");
    uint8_t key[32];
    fw_error e;
    CHECK(fw_binding_verify(pl, pn, fw_handshake_remote_static(&hi), "frame.handshake_response.binding", key, &e) == 0 &&
              !memcmp(key, ib.public_key, 32),
          "responder binding verifies");
    /* the same binding over another static key is refused, naming the field */
    CHECK(fw_binding_verify(pl, pn, pa, "frame.handshake_response.binding", key, &e) != 0 && e.code == FW_ERR_UNAUTHENTICATED &&
              !strcmp(e.field, "frame.handshake_response.binding.identity_sig"),
          "binding over another static key refused: %s", e.field);
    CHECK(fw_handshake_write(&hi, bind_a, ba, m, sizeof m, &n) == 0, "message 3");
    CHECK(fw_handshake_read(&hr, m, n, pl, sizeof pl, &pn) == 0 &&
              fw_binding_verify(pl, pn, fw_handshake_remote_static(&hr), "x", key, &e) == 0 && !memcmp(key, ia.public_key, 32),
          "initiator binding verifies");
    fw_cipher_state i1, i2, r1, r2;
    fw_handshake_split(&hi, &i1, &i2);
    fw_handshake_split(&hr, &r1, &r2);
    CHECK(!memcmp(i1.k, r1.k, 32) && !memcmp(i2.k, r2.k, 32) && memcmp(i1.k, i2.k, 32), "split keys agree per direction");
    free(bind_a);
    free(bind_b);
}

static void test_frames_and_sealing(void) {
    fw_error e;
    /* message 1 of 31 bytes */
    uint8_t noise[31] = {0};
    Fairway__V1__Frame f = FAIRWAY__V1__FRAME__INIT;
    Fairway__V1__HandshakeInit hi = FAIRWAY__V1__HANDSHAKE_INIT__INIT;
    hi.noise.data = noise;
    hi.noise.len = 31;
    f.kind_case = FAIRWAY__V1__FRAME__KIND_HANDSHAKE_INIT;
    f.handshake_init = &hi;
    uint8_t buf[256];
    size_t n = fairway__v1__frame__pack(&f, buf);
    CHECK(fw_frame_decode(buf, n, 1 << 20, &e) == NULL && e.code == FW_ERR_MALFORMED && !strcmp(e.field, "frame.handshake_init.noise"),
          "short message 1 refused: %s", e.field);
    CHECK(fw_frame_decode(buf, n, 3, &e) == NULL && e.code == FW_ERR_MESSAGE_TOO_LARGE, "oversize frame refused");
    /* a protocol-1 SignedEnvelope is recognised */
    fw_identity id;
    fw_identity_generate(&id);
    Fairway__V1__Envelope env = FAIRWAY__V1__ENVELOPE__INIT;
    Fairway__V1__Ping ping = FAIRWAY__V1__PING__INIT;
    env.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_PING;
    env.ping = &ping;
    uint8_t mid[16] = {0};
    fw_envelope_fill_header(&env, &id, mid);
    uint8_t *sealed;
    size_t sn;
    fw_seal(&env, &id, &sealed, &sn);
    CHECK(fw_frame_decode(sealed, sn, 1 << 20, &e) == NULL && e.code == FW_ERR_UNSUPPORTED_VERSION, "version-1 peer recognised");
    free(sealed);
    /* unsigned: SignedEnvelope{envelope} = 0x0a varint(len) bytes, as sealForSession writes it */
    fw_seal(&env, NULL, &sealed, &sn);
    size_t en = fairway__v1__envelope__get_packed_size(&env);
    CHECK(sealed[0] == 0x0a && sealed[1] == en && sn == en + 2, "unsigned seal layout");
    free(sealed);
    CHECK(fw_payload_carries_provenance(FAIRWAY__V1__ENVELOPE__PAYLOAD_CONTRIBUTION) &&
              fw_payload_carries_provenance(FAIRWAY__V1__ENVELOPE__PAYLOAD_JOIN) &&
              !fw_payload_carries_provenance(FAIRWAY__V1__ENVELOPE__PAYLOAD_HEARTBEAT) &&
              !fw_payload_carries_provenance(FAIRWAY__V1__ENVELOPE__PAYLOAD_INFERENCE_REQUEST),
          "provenance kinds");
    CHECK(!strcmp(fw_payload_name(FAIRWAY__V1__ENVELOPE__PAYLOAD_CONTRIBUTION_RECEIPT), "contribution_receipt"), "payload name");
    CHECK(!strcmp(fw_error_name(16), "unknown-session") && !strcmp(fw_error_name(100), "no-reply"), "error names");
}

/* Replies as a (possibly malicious) server could send them: sender, signature, version. */
static void test_open_from_session(void) {
    fw_identity server, other;
    fw_identity_generate(&server);
    fw_identity_generate(&other);
    fw_session s;
    memset(&s, 0, sizeof s);
    memcpy(s.peer_key, server.public_key, 32);
    memcpy(s.peer_id, server.node_id, sizeof s.peer_id);
    Fairway__V1__Envelope env = FAIRWAY__V1__ENVELOPE__INIT, *out = NULL;
    Fairway__V1__Pong pong = FAIRWAY__V1__PONG__INIT;
    env.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_PONG;
    env.pong = &pong;
    uint8_t mid[16] = {0};
    fw_envelope_fill_header(&env, &server, mid);
    uint8_t *b;
    size_t n;
    fw_error e;
    fw_seal(&env, NULL, &b, &n);
    CHECK(fw_open_from_session(b, n, &s, &out, &e) == 0, "unsigned reply from the peer opens");
    if (out) fairway__v1__envelope__free_unpacked(out, NULL);
    free(b);
    fw_seal(&env, &server, &b, &n);
    out = NULL;
    CHECK(fw_open_from_session(b, n, &s, &out, &e) == 0, "signed reply from the peer opens");
    if (out) fairway__v1__envelope__free_unpacked(out, NULL);
    b[n - 1] ^= 1;
    CHECK(fw_open_from_session(b, n, &s, &out, &e) != 0 && !strcmp(e.field, "signed_envelope.signature"), "bad signature refused");
    free(b);
    env.sender = other.node_id;
    fw_seal(&env, &other, &b, &n);
    CHECK(fw_open_from_session(b, n, &s, &out, &e) != 0 && !strcmp(e.field, "signed_envelope.public_key"), "other signer refused");
    free(b);
    fw_seal(&env, NULL, &b, &n);
    CHECK(fw_open_from_session(b, n, &s, &out, &e) != 0 && e.code == FW_ERR_UNAUTHENTICATED && !strcmp(e.field, "envelope.sender"),
          "sender other than the session peer refused");
    free(b);
    env.sender = server.node_id;
    env.protocol_version = 1;
    fw_seal(&env, NULL, &b, &n);
    CHECK(fw_open_from_session(b, n, &s, &out, &e) != 0 && e.code == FW_ERR_UNSUPPORTED_VERSION, "version 1 refused");
    free(b);
    static const uint8_t garbage[] = {0x0a, 0x05, 0xff, 0xff};
    CHECK(fw_open_from_session(garbage, sizeof garbage, &s, &out, &e) != 0 && e.code == FW_ERR_MALFORMED, "garbage refused");
}

/* Random bytes and mutations of valid frames through every decoder: no crash (run under
 * ASan/UBSan to make this meaningful), and nothing but errors for garbage. */
static void test_mutations(void) {
    fw_identity id;
    fw_identity_generate(&id);
    uint8_t sp[32], pp[32];
    fw_noise_generate_keypair(sp, pp);
    uint8_t *bind;
    size_t bn;
    fw_binding_encode(&id, pp, &bind, &bn);
    /* a valid message 2 from a real responder, to mutate */
    fw_handshake hi, hr;
    fw_handshake_params pi = {FW_SESSION_NOISE, 1, (const uint8_t *)"fairway/2", 9, sp, NULL, NULL, NULL, 0};
    fw_handshake_params pr = {FW_SESSION_NOISE, 0, (const uint8_t *)"fairway/2", 9, sp, NULL, NULL, NULL, 0};
    fw_handshake_init(&hi, &pi);
    fw_handshake_init(&hr, &pr);
    uint8_t m1[64], m2[1024], pl[1024];
    size_t n1, n2, pn;
    fw_handshake_write(&hi, NULL, 0, m1, sizeof m1, &n1);
    fw_handshake_read(&hr, m1, n1, pl, sizeof pl, &pn);
    fw_handshake_write(&hr, bind, bn, m2, sizeof m2, &n2);
    int accepted = 0;
    for (int i = 0; i < 20000; i++) {
        uint8_t buf[1024];
        size_t len = n2;
        memcpy(buf, m2, n2);
        int flips = 1 + (int)randombytes_uniform(4);
        for (int k = 0; k < flips; k++) buf[randombytes_uniform((uint32_t)len)] ^= (uint8_t)(1 + randombytes_uniform(255));
        if (randombytes_uniform(4) == 0) len = randombytes_uniform((uint32_t)len + 1);
        if (len == n2 && !memcmp(buf, m2, n2)) continue; /* the flips cancelled out: not a mutation */
        fw_handshake t = hi;
        if (fw_handshake_read(&t, buf, len, pl, sizeof pl, &pn) == 0) accepted++;
        fw_error e;
        Fairway__V1__Frame *f = fw_frame_decode(buf, len, 1 << 20, &e);
        if (f) fairway__v1__frame__free_unpacked(f, NULL);
        uint8_t key[32];
        fw_binding_verify(buf, len, pp, "x", key, &e);
        fw_session s;
        memset(&s, 0, sizeof s);
        Fairway__V1__Envelope *env = NULL;
        if (fw_open_from_session(buf, len, &s, &env, &e) == 0) fairway__v1__envelope__free_unpacked(env, NULL);
    }
    CHECK(accepted == 0, "%d mutated handshake messages were accepted", accepted);
    fw_handshake t = hi;
    CHECK(fw_handshake_read(&t, m2, n2, pl, sizeof pl, &pn) == 0, "the genuine message 2 is still accepted");
    free(bind);
}

int main(int argc, char **argv) {
    if (fw_init()) return 2;
    if (argc != 2) { fprintf(stderr, "usage: %s gaussian-mechanism.json\n", argv[0]); return 2; }
    test_gaussian(argv[1]);
    test_dp_helpers();
    test_identity();
    test_replay_window();
    test_session_cipher();
    test_handshake_with_bindings();
    test_frames_and_sealing();
    test_open_from_session();
    test_mutations();
    printf("unit tests: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
