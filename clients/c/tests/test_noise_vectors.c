/* Replays published Noise vectors (converted by noise_vectors_to_txt.py) through
 * fairway_noise.c with both parties: every message written by its sender must equal the
 * published ciphertext byte for byte, the receiver must decrypt it to the payload, h must
 * equal handshake_hash (where given) on both sides, each side must learn the other's static
 * key, and after Split() the transport messages in both directions must be reproduced.
 * Negative controls: a flipped bit in every key-protected message is refused and leaves the
 * state able to read the genuine message; a changed prologue no longer reproduces message 2.
 *
 * Usage: test_noise_vectors VECTORS.txt   (exit 0 iff every vector passed)
 */
#include "fairway_noise.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXMSG 16
#define MAXHEX 4096

typedef struct {
    char id[128], name[128];
    uint8_t prologue_i[256], prologue_r[256];
    size_t prologue_i_len, prologue_r_len;
    uint8_t s_i[32], s_r[32], e_i[32], e_r[32], rs_i[32], rs_r[32], hash[32];
    int has_s_i, has_s_r, has_e_i, has_e_r, has_rs_i, has_rs_r, has_hash;
    uint8_t psk_i[4][32], psk_r[4][32];
    int npsk_i, npsk_r;
    int nmsg;
    uint8_t *payload[MAXMSG], *ct[MAXMSG];
    size_t payload_len[MAXMSG], ct_len[MAXMSG];
} vector;

static size_t unhex(const char *s, uint8_t *out, size_t cap) {
    if (!strcmp(s, "-")) return 0;
    size_t n = strlen(s) / 2;
    if (n > cap) { fprintf(stderr, "hex too long\n"); exit(2); }
    size_t bin_len = 0;
    if (sodium_hex2bin(out, cap, s, strlen(s), NULL, &bin_len, NULL) != 0 || bin_len != n) {
        fprintf(stderr, "bad hex: %.40s\n", s);
        exit(2);
    }
    return n;
}

static int fails = 0;

static void failf(const vector *v, const char *what, int index) {
    fprintf(stderr, "FAIL %s: %s (message %d)\n", v->id, what, index);
    fails++;
}

static int run_vector(const vector *v) {
    int before = fails;
    fw_handshake hi, hr;
    fw_handshake_params pi = {v->name, 1, v->prologue_i, v->prologue_i_len, v->has_s_i ? v->s_i : NULL,
                              v->has_e_i ? v->e_i : NULL, v->has_rs_i ? v->rs_i : NULL,
                              (const uint8_t(*)[32])v->psk_i, v->npsk_i};
    fw_handshake_params pr = {v->name, 0, v->prologue_r, v->prologue_r_len, v->has_s_r ? v->s_r : NULL,
                              v->has_e_r ? v->e_r : NULL, v->has_rs_r ? v->rs_r : NULL,
                              (const uint8_t(*)[32])v->psk_r, v->npsk_r};
    int r;
    if ((r = fw_handshake_init(&hi, &pi)) || (r = fw_handshake_init(&hr, &pr))) {
        fprintf(stderr, "SKIP %s: %s\n", v->id, fw_noise_strerror(r));
        return r == FW_NOISE_ERR_UNSUPPORTED ? 2 : 1;
    }
    uint8_t out[70000], pl[70000];
    size_t n, pn;
    int i = 0;
    /* handshake */
    for (; i < v->nmsg && !fw_handshake_is_complete(&hi); i++) {
        fw_handshake *w = (i % 2 == 0) ? &hi : &hr, *rd = (i % 2 == 0) ? &hr : &hi;
        if (!fw_handshake_is_my_turn(w)) { failf(v, "turn order", i); return 1; }
        if ((r = fw_handshake_write(w, v->payload[i], v->payload_len[i], out, sizeof out, &n))) {
            failf(v, fw_noise_strerror(r), i);
            return 1;
        }
        if (n != v->ct_len[i] || memcmp(out, v->ct[i], n)) failf(v, "handshake ciphertext differs", i);
        /* negative control: every bit flip past the clear ephemeral key is refused, state kept */
        if (v->ct_len[i] > 32) {
            uint8_t *bad = malloc(v->ct_len[i]);
            memcpy(bad, v->ct[i], v->ct_len[i]);
            bad[v->ct_len[i] - 1] ^= 0x01;
            fw_handshake copy = *rd;
            int rr = fw_handshake_read(rd, bad, v->ct_len[i], pl, sizeof pl, &pn);
            if (rr == FW_NOISE_OK) {
                /* only a payload sent in clear (no key yet, e.g. XX message 1) may pass */
                if (rd->ss.cs.has_key) failf(v, "tampered handshake message accepted", i);
            } else if (memcmp(&copy, rd, sizeof copy)) {
                failf(v, "failed read changed the state", i);
            }
            *rd = copy;
            free(bad);
        }
        if ((r = fw_handshake_read(rd, v->ct[i], v->ct_len[i], pl, sizeof pl, &pn))) {
            failf(v, fw_noise_strerror(r), i);
            return 1;
        }
        if (pn != v->payload_len[i] || memcmp(pl, v->payload[i], pn)) failf(v, "handshake payload differs", i);
    }
    if (!fw_handshake_is_complete(&hr)) { failf(v, "responder not complete", i); return 1; }
    if (memcmp(fw_handshake_hash(&hi), fw_handshake_hash(&hr), 32)) failf(v, "h differs between sides", i);
    if (v->has_hash && memcmp(fw_handshake_hash(&hi), v->hash, 32)) failf(v, "h != handshake_hash", i);
    /* static keys learnt */
    if (v->has_s_i && fw_handshake_remote_static(&hr)) {
        uint8_t pub[32];
        fw_noise_public_key(pub, v->s_i);
        if (memcmp(pub, fw_handshake_remote_static(&hr), 32)) failf(v, "responder learnt a wrong static key", i);
    }
    if (v->has_s_r && fw_handshake_remote_static(&hi)) {
        uint8_t pub[32];
        fw_noise_public_key(pub, v->s_r);
        if (memcmp(pub, fw_handshake_remote_static(&hi), 32)) failf(v, "initiator learnt a wrong static key", i);
    }
    /* transport */
    fw_cipher_state i1, i2, r1, r2;
    fw_handshake_split(&hi, &i1, &i2);
    fw_handshake_split(&hr, &r1, &r2);
    if (memcmp(i1.k, r1.k, 32) || memcmp(i2.k, r2.k, 32)) failf(v, "split keys differ", i);
    for (; i < v->nmsg; i++) {
        int from_initiator = hi.one_way || i % 2 == 0;
        fw_cipher_state *enc = from_initiator ? &i1 : &r2, *dec = from_initiator ? &r1 : &i2;
        fw_cipher_encrypt(enc, NULL, 0, v->payload[i], v->payload_len[i], out);
        n = v->payload_len[i] + 16;
        if (n != v->ct_len[i] || memcmp(out, v->ct[i], n)) failf(v, "transport ciphertext differs", i);
        uint8_t *bad = malloc(v->ct_len[i]);
        memcpy(bad, v->ct[i], v->ct_len[i]);
        bad[0] ^= 0x80;
        if (fw_cipher_decrypt(dec, NULL, 0, bad, v->ct_len[i], pl) != FW_NOISE_ERR_DECRYPT)
            failf(v, "tampered transport message accepted", i);
        free(bad);
        if (fw_cipher_decrypt(dec, NULL, 0, v->ct[i], v->ct_len[i], pl) || memcmp(pl, v->payload[i], v->payload_len[i]))
            failf(v, "transport payload differs", i);
    }
    /* a changed prologue no longer reproduces the first encrypted message */
    if (v->prologue_i_len > 0 && v->nmsg > 1) {
        uint8_t changed[256];
        memcpy(changed, v->prologue_i, v->prologue_i_len);
        changed[0] ^= 1;
        fw_handshake_params px = pi;
        px.prologue = changed;
        fw_handshake hx, hy = {0};
        fw_handshake_params py = pr;
        fw_handshake_init(&hx, &px);
        fw_handshake_init(&hy, &py);
        if (!fw_handshake_write(&hx, v->payload[0], v->payload_len[0], out, sizeof out, &n) &&
            !fw_handshake_read(&hy, out, n, pl, sizeof pl, &pn) &&
            !fw_handshake_write(&hy, v->payload[1], v->payload_len[1], out, sizeof out, &n)) {
            if (fw_handshake_read(&hx, out, n, pl, sizeof pl, &pn) != FW_NOISE_ERR_DECRYPT)
                failf(v, "changed prologue still accepted", 1);
        }
    }
    fw_handshake_clear(&hi);
    fw_handshake_clear(&hr);
    return fails == before ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s VECTORS.txt\n", argv[0]); return 2; }
    if (sodium_init() < 0) return 2;
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 2; }
    static char line[3 * MAXHEX * 2 + 256];
    vector v;
    memset(&v, 0, sizeof v);
    int passed = 0, failed = 0, skipped = 0;
    static uint8_t buf[MAXHEX * 2];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *key = strtok(line, " "), *a = strtok(NULL, " "), *b = strtok(NULL, " ");
        if (!key) continue;
        if (!strcmp(key, "vector")) {
            memset(&v, 0, sizeof v);
            snprintf(v.id, sizeof v.id, "%s", a ? a : "?");
        } else if (!strcmp(key, "protocol_name")) snprintf(v.name, sizeof v.name, "%s", a);
        else if (!strcmp(key, "init_prologue")) v.prologue_i_len = unhex(a, v.prologue_i, sizeof v.prologue_i);
        else if (!strcmp(key, "resp_prologue")) v.prologue_r_len = unhex(a, v.prologue_r, sizeof v.prologue_r);
        else if (!strcmp(key, "init_static")) v.has_s_i = unhex(a, v.s_i, 32) == 32;
        else if (!strcmp(key, "resp_static")) v.has_s_r = unhex(a, v.s_r, 32) == 32;
        else if (!strcmp(key, "init_ephemeral")) v.has_e_i = unhex(a, v.e_i, 32) == 32;
        else if (!strcmp(key, "resp_ephemeral")) v.has_e_r = unhex(a, v.e_r, 32) == 32;
        else if (!strcmp(key, "init_remote_static")) v.has_rs_i = unhex(a, v.rs_i, 32) == 32;
        else if (!strcmp(key, "resp_remote_static")) v.has_rs_r = unhex(a, v.rs_r, 32) == 32;
        else if (!strcmp(key, "handshake_hash")) v.has_hash = unhex(a, v.hash, 32) == 32;
        else if (!strcmp(key, "psk")) {
            if (!strcmp(a, "init") && v.npsk_i < 4) unhex(b, v.psk_i[v.npsk_i++], 32);
            else if (!strcmp(a, "resp") && v.npsk_r < 4) unhex(b, v.psk_r[v.npsk_r++], 32);
        } else if (!strcmp(key, "message") && v.nmsg < MAXMSG) {
            size_t n = unhex(a, buf, sizeof buf);
            v.payload[v.nmsg] = malloc(n + 1);
            memcpy(v.payload[v.nmsg], buf, n);
            v.payload_len[v.nmsg] = n;
            n = unhex(b ? b : "-", buf, sizeof buf);
            v.ct[v.nmsg] = malloc(n + 1);
            memcpy(v.ct[v.nmsg], buf, n);
            v.ct_len[v.nmsg] = n;
            v.nmsg++;
        } else if (!strcmp(key, "end")) {
            int r = run_vector(&v);
            if (r == 0) { passed++; printf("ok   %s (%s, %d messages)\n", v.id, v.name, v.nmsg); }
            else if (r == 2) skipped++;
            else { failed++; printf("FAIL %s\n", v.id); }
            for (int i = 0; i < v.nmsg; i++) { free(v.payload[i]); free(v.ct[i]); }
        }
    }
    fclose(f);
    printf("noise vectors: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed || passed == 0 ? 1 : 0;
}
