/* Noise revision 34, 25519_ChaChaPoly_SHA256, over libsodium. See fairway_noise.h. */
#include "fairway_noise.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

enum { T_E = 1, T_S, T_EE, T_ES, T_SE, T_SS, T_PSK };

const char *fw_noise_strerror(int err) {
    switch (err) {
    case FW_NOISE_OK: return "ok";
    case FW_NOISE_ERR_UNSUPPORTED: return "unsupported-protocol";
    case FW_NOISE_ERR_STATE: return "invalid-state";
    case FW_NOISE_ERR_DECRYPT: return "decryption-failed";
    case FW_NOISE_ERR_SHORT: return "message-too-short";
    case FW_NOISE_ERR_TOO_LARGE: return "message-too-large";
    case FW_NOISE_ERR_DH: return "dh-failed";
    case FW_NOISE_ERR_NONCE: return "nonce-exhausted";
    default: return "unknown";
    }
}

/* ---- 4.1 DH ---- */

int fw_noise_public_key(uint8_t pub[32], const uint8_t priv[32]) {
    return crypto_scalarmult_curve25519_base(pub, priv) == 0 ? FW_NOISE_OK : FW_NOISE_ERR_DH;
}

void fw_noise_generate_keypair(uint8_t priv[32], uint8_t pub[32]) {
    do { randombytes_buf(priv, 32); } while (crypto_scalarmult_curve25519_base(pub, priv) != 0);
}

static int dh(uint8_t out[32], const uint8_t priv[32], const uint8_t pub[32]) {
    return crypto_scalarmult_curve25519(out, priv, pub) == 0 ? FW_NOISE_OK : FW_NOISE_ERR_DH;
}

/* ---- 4.2 cipher ---- */

static void nonce_bytes(uint8_t nonce[12], uint64_t n) {
    memset(nonce, 0, 4);
    for (int i = 0; i < 8; i++) nonce[4 + i] = (uint8_t)(n >> (8 * i));
}

int fw_aead_encrypt(const uint8_t key[32], uint64_t n, const uint8_t *ad, size_t ad_len, const uint8_t *pt,
                    size_t pt_len, uint8_t *out) {
    uint8_t nonce[12];
    unsigned long long clen = 0;
    if (n == UINT64_MAX) return FW_NOISE_ERR_NONCE;
    nonce_bytes(nonce, n);
    crypto_aead_chacha20poly1305_ietf_encrypt(out, &clen, pt, pt_len, ad, ad_len, NULL, nonce, key);
    return FW_NOISE_OK;
}

int fw_aead_decrypt(const uint8_t key[32], uint64_t n, const uint8_t *ad, size_t ad_len, const uint8_t *ct,
                    size_t ct_len, uint8_t *out) {
    uint8_t nonce[12];
    unsigned long long plen = 0;
    if (n == UINT64_MAX) return FW_NOISE_ERR_NONCE;
    if (ct_len < FW_NOISE_TAGLEN) return FW_NOISE_ERR_SHORT;
    nonce_bytes(nonce, n);
    if (crypto_aead_chacha20poly1305_ietf_decrypt(out, &plen, NULL, ct, ct_len, ad, ad_len, nonce, key) != 0)
        return FW_NOISE_ERR_DECRYPT;
    return FW_NOISE_OK;
}

/* ---- 4.3 hash and HKDF ---- */

static void hmac(uint8_t out[32], const uint8_t key[32], const uint8_t *a, size_t alen, const uint8_t *b,
                 size_t blen) {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, 32);
    if (alen) crypto_auth_hmacsha256_update(&st, a, alen);
    if (blen) crypto_auth_hmacsha256_update(&st, b, blen);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

void fw_noise_hkdf(const uint8_t ck[32], const uint8_t *ikm, size_t ikm_len, uint8_t out1[32], uint8_t out2[32],
                   uint8_t *out3) {
    uint8_t temp[32], one = 1, two = 2, three = 3, o1[32], o2[32];
    hmac(temp, ck, ikm, ikm_len, NULL, 0);
    hmac(o1, temp, &one, 1, NULL, 0);
    hmac(o2, temp, o1, 32, &two, 1);
    if (out3) hmac(out3, temp, o2, 32, &three, 1);
    memcpy(out1, o1, 32);
    memcpy(out2, o2, 32);
    sodium_memzero(temp, 32);
    sodium_memzero(o1, 32);
    sodium_memzero(o2, 32);
}

/* ---- 5.1 CipherState ---- */

int fw_cipher_encrypt(fw_cipher_state *cs, const uint8_t *ad, size_t ad_len, const uint8_t *pt, size_t pt_len,
                      uint8_t *out) {
    if (!cs->has_key) {
        if (pt_len) memmove(out, pt, pt_len);
        return FW_NOISE_OK;
    }
    int r = fw_aead_encrypt(cs->k, cs->n, ad, ad_len, pt, pt_len, out);
    if (r == FW_NOISE_OK) cs->n++;
    return r;
}

int fw_cipher_decrypt(fw_cipher_state *cs, const uint8_t *ad, size_t ad_len, const uint8_t *ct, size_t ct_len,
                      uint8_t *out) {
    if (!cs->has_key) {
        if (ct_len) memmove(out, ct, ct_len);
        return FW_NOISE_OK;
    }
    int r = fw_aead_decrypt(cs->k, cs->n, ad, ad_len, ct, ct_len, out);
    if (r == FW_NOISE_OK) cs->n++;
    return r;
}

/* ---- 5.2 SymmetricState ---- */

static void mix_hash(fw_symmetric_state *ss, const uint8_t *data, size_t len) {
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, ss->h, 32);
    if (len) crypto_hash_sha256_update(&st, data, len);
    crypto_hash_sha256_final(&st, ss->h);
}

static void mix_key(fw_symmetric_state *ss, const uint8_t *ikm, size_t len) {
    uint8_t ck[32], k[32];
    fw_noise_hkdf(ss->ck, ikm, len, ck, k, NULL);
    memcpy(ss->ck, ck, 32);
    memcpy(ss->cs.k, k, 32); /* HASHLEN 32: no truncation */
    ss->cs.has_key = 1;
    ss->cs.n = 0;
    sodium_memzero(k, 32);
}

static void mix_key_and_hash(fw_symmetric_state *ss, const uint8_t *ikm, size_t len) {
    uint8_t ck[32], th[32], k[32];
    fw_noise_hkdf(ss->ck, ikm, len, ck, th, k);
    memcpy(ss->ck, ck, 32);
    mix_hash(ss, th, 32);
    memcpy(ss->cs.k, k, 32);
    ss->cs.has_key = 1;
    ss->cs.n = 0;
    sodium_memzero(k, 32);
}

/* out gets len (+16 with a key) bytes; pt and out may not overlap. */
static int encrypt_and_hash(fw_symmetric_state *ss, const uint8_t *pt, size_t len, uint8_t *out, size_t *out_len) {
    int r = fw_cipher_encrypt(&ss->cs, ss->h, 32, pt, len, out);
    if (r) return r;
    *out_len = len + (ss->cs.has_key ? FW_NOISE_TAGLEN : 0);
    mix_hash(ss, out, *out_len);
    return FW_NOISE_OK;
}

static int decrypt_and_hash(fw_symmetric_state *ss, const uint8_t *ct, size_t len, uint8_t *out, size_t *out_len) {
    int r = fw_cipher_decrypt(&ss->cs, ss->h, 32, ct, len, out);
    if (r) return r;
    *out_len = ss->cs.has_key ? len - FW_NOISE_TAGLEN : len;
    /* MixHash(ciphertext): ct is intact (out is a different buffer). */
    mix_hash(ss, ct, len);
    return FW_NOISE_OK;
}

/* ---- patterns (section 7) ---- */

typedef struct {
    const char *name;
    const char *pre_i; /* initiator's pre-message: "s" or "" */
    const char *pre_r;
    const char *msgs[3];
} pattern_def;

static const pattern_def patterns[] = {
    {"N", "", "s", {"e,es", NULL, NULL}},
    {"K", "s", "s", {"e,es,ss", NULL, NULL}},
    {"X", "", "s", {"e,es,s,ss", NULL, NULL}},
    {"NN", "", "", {"e", "e,ee", NULL}},
    {"NK", "", "s", {"e,es", "e,ee", NULL}},
    {"NX", "", "", {"e", "e,ee,s,es", NULL}},
    {"KN", "s", "", {"e", "e,ee,se", NULL}},
    {"KK", "s", "s", {"e,es,ss", "e,ee,se", NULL}},
    {"KX", "s", "", {"e", "e,ee,se,s,es", NULL}},
    {"XN", "", "", {"e", "e,ee", "s,se"}},
    {"XK", "", "s", {"e,es", "e,ee", "s,se"}},
    {"XX", "", "", {"e", "e,ee,s,es", "s,se"}},
    {"IN", "", "", {"e,s", "e,ee,se", NULL}},
    {"IK", "", "s", {"e,es,s,ss", "e,ee,se", NULL}},
    {"IX", "", "", {"e,s", "e,ee,se,s,es", NULL}},
};

static int parse_tokens(const char *spec, uint8_t *out, int *n) {
    *n = 0;
    const char *p = spec;
    while (*p) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        uint8_t t = 0;
        if (len == 1 && p[0] == 'e') t = T_E;
        else if (len == 1 && p[0] == 's') t = T_S;
        else if (len == 2 && !strncmp(p, "ee", 2)) t = T_EE;
        else if (len == 2 && !strncmp(p, "es", 2)) t = T_ES;
        else if (len == 2 && !strncmp(p, "se", 2)) t = T_SE;
        else if (len == 2 && !strncmp(p, "ss", 2)) t = T_SS;
        else return FW_NOISE_ERR_UNSUPPORTED;
        if (*n >= FW_NOISE_MAX_TOKENS - 1) return FW_NOISE_ERR_UNSUPPORTED;
        out[(*n)++] = t;
        p += len;
        if (*p == ',') p++;
    }
    return FW_NOISE_OK;
}

/* "Noise_<pattern><modifiers>_25519_ChaChaPoly_SHA256" → the handshake's tokens. */
static int load_pattern(fw_handshake *hs, const char *name, const char **pre_i, const char **pre_r) {
    static const char prefix[] = "Noise_", suffix[] = "_25519_ChaChaPoly_SHA256";
    size_t n = strlen(name), sl = strlen(suffix);
    if (n <= strlen(prefix) + sl || strncmp(name, prefix, strlen(prefix)) || strcmp(name + n - sl, suffix))
        return FW_NOISE_ERR_UNSUPPORTED;
    char pat[64];
    size_t plen = n - strlen(prefix) - sl;
    if (plen >= sizeof pat) return FW_NOISE_ERR_UNSUPPORTED;
    memcpy(pat, name + strlen(prefix), plen);
    pat[plen] = 0;
    /* base pattern: leading uppercase letters */
    size_t b = 0;
    while (pat[b] >= 'A' && pat[b] <= 'Z') b++;
    const pattern_def *def = NULL;
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
        if (strlen(patterns[i].name) == b && !strncmp(patterns[i].name, pat, b)) def = &patterns[i];
    if (!def) return FW_NOISE_ERR_UNSUPPORTED;
    hs->nmessages = 0;
    for (int m = 0; m < 3 && def->msgs[m]; m++) {
        if (parse_tokens(def->msgs[m], hs->tokens[m], &hs->ntokens[m])) return FW_NOISE_ERR_UNSUPPORTED;
        hs->nmessages++;
    }
    hs->one_way = def->msgs[1] == NULL;
    /* modifiers: psk0+psk2 ... */
    const char *m = pat + b;
    hs->psk_mode = 0;
    while (*m) {
        if (strncmp(m, "psk", 3)) return FW_NOISE_ERR_UNSUPPORTED;
        m += 3;
        if (*m < '0' || *m > '9') return FW_NOISE_ERR_UNSUPPORTED;
        int k = 0;
        while (*m >= '0' && *m <= '9') k = k * 10 + (*m++ - '0');
        if (k > hs->nmessages) return FW_NOISE_ERR_UNSUPPORTED;
        if (k == 0) {
            memmove(hs->tokens[0] + 1, hs->tokens[0], (size_t)hs->ntokens[0]);
            hs->tokens[0][0] = T_PSK;
            hs->ntokens[0]++;
        } else {
            hs->tokens[k - 1][hs->ntokens[k - 1]++] = T_PSK;
        }
        hs->psk_mode = 1;
        if (*m == '+') m++;
        else if (*m) return FW_NOISE_ERR_UNSUPPORTED;
    }
    *pre_i = def->pre_i;
    *pre_r = def->pre_r;
    return FW_NOISE_OK;
}

/* ---- 5.3 HandshakeState ---- */

int fw_handshake_init(fw_handshake *hs, const fw_handshake_params *p) {
    const char *pre_i, *pre_r;
    memset(hs, 0, sizeof *hs);
    if (!p->protocol_name) return FW_NOISE_ERR_UNSUPPORTED;
    int r = load_pattern(hs, p->protocol_name, &pre_i, &pre_r);
    if (r) return r;
    hs->initiator = p->initiator ? 1 : 0;
    if (p->static_priv) {
        memcpy(hs->s_priv, p->static_priv, 32);
        if ((r = fw_noise_public_key(hs->s_pub, hs->s_priv))) return r;
        hs->has_s = 1;
    }
    if (p->ephemeral_priv) {
        memcpy(hs->fixed_e, p->ephemeral_priv, 32);
        hs->has_fixed_e = 1;
    }
    if (p->remote_static) {
        memcpy(hs->rs, p->remote_static, 32);
        hs->has_rs = 1;
    }
    if (p->npsks < 0 || p->npsks > FW_NOISE_MAX_PSKS) return FW_NOISE_ERR_UNSUPPORTED;
    for (int i = 0; i < p->npsks; i++) memcpy(hs->psks[i], p->psks[i], 32);
    hs->npsks = p->npsks;

    /* InitializeSymmetric(protocol_name) */
    size_t nlen = strlen(p->protocol_name);
    if (nlen <= 32) {
        memset(hs->ss.h, 0, 32);
        memcpy(hs->ss.h, p->protocol_name, nlen);
    } else {
        crypto_hash_sha256(hs->ss.h, (const uint8_t *)p->protocol_name, nlen);
    }
    memcpy(hs->ss.ck, hs->ss.h, 32);
    hs->ss.cs.has_key = 0;
    hs->ss.cs.n = 0;
    mix_hash(&hs->ss, p->prologue, p->prologue_len);

    /* pre-messages: the initiator's first, then the responder's */
    if (pre_i[0]) {
        if (hs->initiator) {
            if (!hs->has_s) return FW_NOISE_ERR_STATE;
            mix_hash(&hs->ss, hs->s_pub, 32);
        } else {
            if (!hs->has_rs) return FW_NOISE_ERR_STATE;
            mix_hash(&hs->ss, hs->rs, 32);
        }
    }
    if (pre_r[0]) {
        if (hs->initiator) {
            if (!hs->has_rs) return FW_NOISE_ERR_STATE;
            mix_hash(&hs->ss, hs->rs, 32);
        } else {
            if (!hs->has_s) return FW_NOISE_ERR_STATE;
            mix_hash(&hs->ss, hs->s_pub, 32);
        }
    }
    hs->message_index = 0;
    return FW_NOISE_OK;
}

int fw_handshake_is_complete(const fw_handshake *hs) { return hs->message_index >= hs->nmessages; }

int fw_handshake_is_my_turn(const fw_handshake *hs) {
    if (fw_handshake_is_complete(hs)) return 0;
    int initiator_writes = hs->message_index % 2 == 0;
    return initiator_writes == hs->initiator;
}

static int dh_token(fw_handshake *hs, uint8_t t) {
    uint8_t out[32];
    const uint8_t *priv, *pub;
    int ok;
    switch (t) {
    case T_EE: ok = hs->has_e && hs->has_re; priv = hs->e_priv; pub = hs->re; break;
    case T_ES: /* initiator: DH(e, rs); responder: DH(s, re) */
        if (hs->initiator) { ok = hs->has_e && hs->has_rs; priv = hs->e_priv; pub = hs->rs; }
        else { ok = hs->has_s && hs->has_re; priv = hs->s_priv; pub = hs->re; }
        break;
    case T_SE: /* initiator: DH(s, re); responder: DH(e, rs) */
        if (hs->initiator) { ok = hs->has_s && hs->has_re; priv = hs->s_priv; pub = hs->re; }
        else { ok = hs->has_e && hs->has_rs; priv = hs->e_priv; pub = hs->rs; }
        break;
    case T_SS: ok = hs->has_s && hs->has_rs; priv = hs->s_priv; pub = hs->rs; break;
    default: return FW_NOISE_ERR_STATE;
    }
    if (!ok) return FW_NOISE_ERR_STATE;
    int r = dh(out, priv, pub);
    if (r) return r;
    mix_key(&hs->ss, out, 32);
    sodium_memzero(out, 32);
    return FW_NOISE_OK;
}

static int write_message(fw_handshake *hs, const uint8_t *payload, size_t payload_len, uint8_t *out, size_t cap,
                         size_t *out_len) {
    size_t off = 0, n;
    int r;
    if (!fw_handshake_is_my_turn(hs)) return FW_NOISE_ERR_STATE;
    int m = hs->message_index;
    for (int i = 0; i < hs->ntokens[m]; i++) {
        uint8_t t = hs->tokens[m][i];
        switch (t) {
        case T_E:
            if (hs->has_fixed_e) {
                memcpy(hs->e_priv, hs->fixed_e, 32);
                if ((r = fw_noise_public_key(hs->e_pub, hs->e_priv))) return r;
            } else {
                fw_noise_generate_keypair(hs->e_priv, hs->e_pub);
            }
            hs->has_e = 1;
            if (off + 32 > cap) return FW_NOISE_ERR_TOO_LARGE;
            memcpy(out + off, hs->e_pub, 32);
            off += 32;
            mix_hash(&hs->ss, hs->e_pub, 32);
            if (hs->psk_mode) mix_key(&hs->ss, hs->e_pub, 32);
            break;
        case T_S:
            if (!hs->has_s) return FW_NOISE_ERR_STATE;
            if (off + 32 + FW_NOISE_TAGLEN > cap) return FW_NOISE_ERR_TOO_LARGE;
            if ((r = encrypt_and_hash(&hs->ss, hs->s_pub, 32, out + off, &n))) return r;
            off += n;
            break;
        case T_PSK:
            if (hs->next_psk >= hs->npsks) return FW_NOISE_ERR_STATE;
            mix_key_and_hash(&hs->ss, hs->psks[hs->next_psk++], 32);
            break;
        default:
            if ((r = dh_token(hs, t))) return r;
        }
    }
    if (off + payload_len + (hs->ss.cs.has_key ? FW_NOISE_TAGLEN : 0) > cap) return FW_NOISE_ERR_TOO_LARGE;
    if (off + payload_len + FW_NOISE_TAGLEN > FW_NOISE_MAX_MESSAGE && hs->ss.cs.has_key) return FW_NOISE_ERR_TOO_LARGE;
    if ((r = encrypt_and_hash(&hs->ss, payload, payload_len, out + off, &n))) return r;
    off += n;
    if (off > FW_NOISE_MAX_MESSAGE) return FW_NOISE_ERR_TOO_LARGE;
    *out_len = off;
    hs->message_index++;
    return FW_NOISE_OK;
}

int fw_handshake_write(fw_handshake *hs, const uint8_t *payload, size_t payload_len, uint8_t *out, size_t cap,
                       size_t *out_len) {
    fw_handshake next = *hs;
    int r = write_message(&next, payload, payload_len, out, cap, out_len);
    if (r == FW_NOISE_OK) *hs = next;
    sodium_memzero(&next, sizeof next);
    return r;
}

static int read_message(fw_handshake *hs, const uint8_t *msg, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
    size_t off = 0, n;
    int r;
    if (len > FW_NOISE_MAX_MESSAGE) return FW_NOISE_ERR_TOO_LARGE;
    if (fw_handshake_is_complete(hs) || fw_handshake_is_my_turn(hs)) return FW_NOISE_ERR_STATE;
    int m = hs->message_index;
    for (int i = 0; i < hs->ntokens[m]; i++) {
        uint8_t t = hs->tokens[m][i];
        switch (t) {
        case T_E:
            if (off + 32 > len) return FW_NOISE_ERR_SHORT;
            memcpy(hs->re, msg + off, 32);
            hs->has_re = 1;
            off += 32;
            mix_hash(&hs->ss, hs->re, 32);
            if (hs->psk_mode) mix_key(&hs->ss, hs->re, 32);
            break;
        case T_S: {
            size_t need = 32 + (hs->ss.cs.has_key ? FW_NOISE_TAGLEN : 0);
            uint8_t tmp[32];
            if (off + need > len) return FW_NOISE_ERR_SHORT;
            if ((r = decrypt_and_hash(&hs->ss, msg + off, need, tmp, &n))) return r;
            memcpy(hs->rs, tmp, 32);
            hs->has_rs = 1;
            off += need;
            break;
        }
        case T_PSK:
            if (hs->next_psk >= hs->npsks) return FW_NOISE_ERR_STATE;
            mix_key_and_hash(&hs->ss, hs->psks[hs->next_psk++], 32);
            break;
        default:
            if ((r = dh_token(hs, t))) return r;
        }
    }
    size_t rest = len - off;
    if (hs->ss.cs.has_key && rest < FW_NOISE_TAGLEN) return FW_NOISE_ERR_SHORT;
    size_t plen = hs->ss.cs.has_key ? rest - FW_NOISE_TAGLEN : rest;
    if (plen > cap) return FW_NOISE_ERR_TOO_LARGE;
    uint8_t *buf = malloc(rest ? rest : 1);
    if (!buf) return FW_NOISE_ERR_TOO_LARGE;
    r = decrypt_and_hash(&hs->ss, msg + off, rest, buf, &n);
    if (r == FW_NOISE_OK) {
        if (n) memcpy(out, buf, n);
        *out_len = n;
        hs->message_index++;
    }
    free(buf);
    return r;
}

int fw_handshake_read(fw_handshake *hs, const uint8_t *msg, size_t msg_len, uint8_t *out, size_t cap,
                      size_t *out_len) {
    fw_handshake next = *hs;
    int r = read_message(&next, msg, msg_len, out, cap, out_len);
    if (r == FW_NOISE_OK) *hs = next;
    sodium_memzero(&next, sizeof next);
    return r;
}

int fw_handshake_split(const fw_handshake *hs, fw_cipher_state *c1, fw_cipher_state *c2) {
    if (!fw_handshake_is_complete(hs)) return FW_NOISE_ERR_STATE;
    uint8_t k1[32], k2[32];
    fw_noise_hkdf(hs->ss.ck, NULL, 0, k1, k2, NULL);
    memset(c1, 0, sizeof *c1);
    memset(c2, 0, sizeof *c2);
    memcpy(c1->k, k1, 32);
    c1->has_key = 1;
    memcpy(c2->k, k2, 32);
    c2->has_key = 1;
    sodium_memzero(k1, 32);
    sodium_memzero(k2, 32);
    return FW_NOISE_OK;
}

const uint8_t *fw_handshake_hash(const fw_handshake *hs) { return hs->ss.h; }

const uint8_t *fw_handshake_remote_static(const fw_handshake *hs) { return hs->has_rs ? hs->rs : NULL; }

void fw_handshake_clear(fw_handshake *hs) { sodium_memzero(hs, sizeof *hs); }
