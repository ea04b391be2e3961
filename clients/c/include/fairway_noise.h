/*
 * The Noise Protocol Framework, revision 34 (https://noiseprotocol.org/noise.html), for the
 * suite 25519_ChaChaPoly_SHA256 only, over libsodium primitives:
 *   DH        X25519 (crypto_scalarmult_curve25519, DHLEN = 32)
 *   cipher    ChaCha20-Poly1305 IETF, nonce = 4 zero bytes || 64-bit little-endian n
 *   hash      SHA-256 (HASHLEN = 32), HMAC-SHA256 and the HKDF of section 4.3
 *
 * Patterns: the one-way (N, K, X) and interactive (NN ... IX) patterns of sections 7.4–7.5,
 * with pskN modifiers (section 9). Fairway uses Noise_XX_25519_ChaChaPoly_SHA256 with the
 * prologue "fairway/2"; the others exist so every published vector can be replayed.
 *
 * Invariant: a call that fails leaves the state unchanged.
 */
#ifndef FAIRWAY_NOISE_H
#define FAIRWAY_NOISE_H

#include <stddef.h>
#include <stdint.h>

#define FW_NOISE_DHLEN 32
#define FW_NOISE_HASHLEN 32
#define FW_NOISE_TAGLEN 16
#define FW_NOISE_MAX_MESSAGE 65535
#define FW_NOISE_MAX_MESSAGES 4
#define FW_NOISE_MAX_TOKENS 8
#define FW_NOISE_MAX_PSKS 4

/* Errors (negative return values). */
enum {
    FW_NOISE_OK = 0,
    FW_NOISE_ERR_UNSUPPORTED = -1,  /* protocol name not supported */
    FW_NOISE_ERR_STATE = -2,        /* call out of turn, handshake complete, missing key */
    FW_NOISE_ERR_DECRYPT = -3,      /* AEAD tag did not verify */
    FW_NOISE_ERR_SHORT = -4,        /* message shorter than its tokens need */
    FW_NOISE_ERR_TOO_LARGE = -5,    /* above 65535 bytes or the caller's buffer */
    FW_NOISE_ERR_DH = -6,           /* X25519 gave the all-zero output */
    FW_NOISE_ERR_NONCE = -7         /* nonce 2^64-1 is reserved */
};

typedef struct {
    uint8_t k[32];
    int has_key;
    uint64_t n;
} fw_cipher_state;

typedef struct {
    fw_cipher_state cs;
    uint8_t ck[FW_NOISE_HASHLEN];
    uint8_t h[FW_NOISE_HASHLEN];
} fw_symmetric_state;

typedef struct {
    fw_symmetric_state ss;
    int initiator;
    int one_way;
    int psk_mode;
    uint8_t s_priv[32], s_pub[32];
    int has_s;
    uint8_t e_priv[32], e_pub[32];
    int has_e;
    uint8_t fixed_e[32];
    int has_fixed_e;
    uint8_t rs[32];
    int has_rs;
    uint8_t re[32];
    int has_re;
    uint8_t psks[FW_NOISE_MAX_PSKS][32];
    int npsks, next_psk;
    int nmessages;
    int ntokens[FW_NOISE_MAX_MESSAGES];
    uint8_t tokens[FW_NOISE_MAX_MESSAGES][FW_NOISE_MAX_TOKENS];
    int message_index;
} fw_handshake;

/* Parameters of a handshake. Keys are raw 32-byte X25519 private scalars (clamped by the DH
 * function); `remote_static` is the peer's public key, only for patterns with a pre-message. */
typedef struct {
    const char *protocol_name;
    int initiator;
    const uint8_t *prologue;
    size_t prologue_len;
    const uint8_t *static_priv;    /* NULL if the pattern sends no s */
    const uint8_t *ephemeral_priv; /* NULL = fresh random (tests and vectors only) */
    const uint8_t *remote_static;  /* NULL unless a pre-message needs it */
    const uint8_t (*psks)[32];
    int npsks;
} fw_handshake_params;

const char *fw_noise_strerror(int err);

/* X25519 public key of a private scalar, and a fresh key pair (randombytes_buf). */
int fw_noise_public_key(uint8_t pub[32], const uint8_t priv[32]);
void fw_noise_generate_keypair(uint8_t priv[32], uint8_t pub[32]);

/* HKDF of section 4.3 (num_outputs 2 or 3; out3 may be NULL when 2). */
void fw_noise_hkdf(const uint8_t ck[32], const uint8_t *ikm, size_t ikm_len, uint8_t out1[32], uint8_t out2[32],
                   uint8_t *out3);

/* CipherState (section 5.1). EncryptWithAd/DecryptWithAd use and increment n; the _nonce
 * variants take an explicit counter and keep no state (Fairway's session messages). Output is
 * plaintext length + 16 bytes. */
int fw_cipher_encrypt(fw_cipher_state *cs, const uint8_t *ad, size_t ad_len, const uint8_t *pt, size_t pt_len,
                      uint8_t *out);
int fw_cipher_decrypt(fw_cipher_state *cs, const uint8_t *ad, size_t ad_len, const uint8_t *ct, size_t ct_len,
                      uint8_t *out);
int fw_aead_encrypt(const uint8_t key[32], uint64_t nonce, const uint8_t *ad, size_t ad_len, const uint8_t *pt,
                    size_t pt_len, uint8_t *out);
int fw_aead_decrypt(const uint8_t key[32], uint64_t nonce, const uint8_t *ad, size_t ad_len, const uint8_t *ct,
                    size_t ct_len, uint8_t *out);

/* HandshakeState (section 5.3). */
int fw_handshake_init(fw_handshake *hs, const fw_handshake_params *p);
/* Whether it is this side's turn to write. */
int fw_handshake_is_my_turn(const fw_handshake *hs);
int fw_handshake_is_complete(const fw_handshake *hs);
/* Writes the next message (payload encrypted once a key exists) into out (cap bytes). */
int fw_handshake_write(fw_handshake *hs, const uint8_t *payload, size_t payload_len, uint8_t *out, size_t cap,
                       size_t *out_len);
/* Reads the next message; the payload goes to out (cap bytes). */
int fw_handshake_read(fw_handshake *hs, const uint8_t *msg, size_t msg_len, uint8_t *out, size_t cap,
                      size_t *out_len);
/* Split(): c1 encrypts initiator -> responder, c2 responder -> initiator. */
int fw_handshake_split(const fw_handshake *hs, fw_cipher_state *c1, fw_cipher_state *c2);
/* h, and the peer's static public key once received (NULL if none). */
const uint8_t *fw_handshake_hash(const fw_handshake *hs);
const uint8_t *fw_handshake_remote_static(const fw_handshake *hs);
/* Wipes keys. */
void fw_handshake_clear(fw_handshake *hs);

#endif
