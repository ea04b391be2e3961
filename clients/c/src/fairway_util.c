/* Errors, identities, key files and envelope sealing. */
#include "fairway_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <sodium.h>

int fw_init(void) { return sodium_init() < 0 ? -1 : 0; }

static const char *const code_names[] = {
    "unspecified", "malformed", "unsupported-version", "message-too-large", "unknown-sender", "invalid-field",
    "unexpected-payload", "unavailable", "internal", "unauthenticated", "stale", "replayed", "not-admitted",
    "insufficient-tokens", "in-progress", "capacity-exhausted", "unknown-session"};

const char *fw_error_name(int code) {
    if (code >= 0 && code <= 16) return code_names[code];
    switch (code) {
    case FW_ERR_NO_REPLY: return "no-reply";
    case FW_ERR_TRANSPORT: return "transport";
    case FW_ERR_INVALID_ARGUMENT: return "invalid-argument";
    case FW_ERR_IO: return "io";
    default: return "unknown";
    }
}

const char *fw_error_format(const fw_error *e, char *buf, size_t len) {
    snprintf(buf, len, "%s (%d)%s%s: %s%s", e->name ? e->name : fw_error_name(e->code), e->code,
             e->field[0] ? " at " : "", e->field, e->message, e->remote ? " [refused by the peer]" : "");
    return buf;
}

void fw_set_error(fw_error *e, int code, const char *field, const char *fmt, ...) {
    if (!e) return;
    memset(e, 0, sizeof *e);
    e->code = code;
    e->name = fw_error_name(code);
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

void fw_set_remote_error(fw_error *e, const Fairway__V1__ErrorReply *r) {
    if (!e) return;
    fw_set_error(e, (int)r->code, r->field, "%s", r->message ? r->message : "");
    e->retry_after_ms = r->retry_after_ms;
    e->remote = 1;
}

void fw_hex(const uint8_t *bytes, size_t n, char *out) {
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[bytes[i] >> 4];
        out[2 * i + 1] = d[bytes[i] & 15];
    }
    out[2 * n] = 0;
}

int64_t fw_now_ms(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* ---- identity ---- */

void fw_node_address(const uint8_t pk[32], char out[FW_NODE_ID_LEN + 1]) {
    uint8_t digest[32];
    crypto_hash_sha256(digest, pk, 32);
    out[0] = 'f';
    out[1] = 'w';
    fw_hex(digest, 20, out + 2);
}

void fw_identity_from_seed(fw_identity *id, const uint8_t seed[32]) {
    memcpy(id->seed, seed, 32);
    crypto_sign_seed_keypair(id->public_key, id->secret_key, seed);
    fw_node_address(id->public_key, id->node_id);
}

void fw_identity_generate(fw_identity *id) {
    uint8_t seed[32];
    randombytes_buf(seed, 32);
    fw_identity_from_seed(id, seed);
    sodium_memzero(seed, 32);
}

void fw_identity_clear(fw_identity *id) { sodium_memzero(id, sizeof *id); }

int fw_identity_load(fw_identity *id, const char *path, fw_error *err) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fw_set_error(err, FW_ERR_IO, "key_file", "cannot stat %s: %s", path, strerror(errno));
        return -1;
    }
    if (st.st_mode & 077) {
        fw_set_error(err, FW_ERR_IO, "key_file",
                     "%s has mode %o; a node key must not be readable by group or others (chmod 600 %s)", path,
                     (unsigned)(st.st_mode & 0777), path);
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        fw_set_error(err, FW_ERR_IO, "key_file", "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char text[256];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' ' || text[n - 1] == '\t')) text[--n] = 0;
    char *start = text;
    while (*start == ' ' || *start == '\t' || *start == '\n') start++;
    uint8_t seed[32];
    size_t bin = 0;
    if (strlen(start) != 64 || sodium_hex2bin(seed, 32, start, 64, NULL, &bin, NULL) != 0 || bin != 32) {
        fw_set_error(err, FW_ERR_IO, "key_file", "%s does not hold a 64-hex-digit Ed25519 private key", path);
        return -1;
    }
    fw_identity_from_seed(id, seed);
    sodium_memzero(seed, 32);
    sodium_memzero(text, sizeof text);
    return 0;
}

int fw_identity_load_or_create(fw_identity *id, const char *path, fw_error *err) {
    if (access(path, F_OK) == 0) return fw_identity_load(id, path, err);
    fw_identity_generate(id);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp-%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        fw_set_error(err, FW_ERR_IO, "key_file", "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    char hex[65];
    fw_hex(id->seed, 32, hex);
    hex[64] = '\n';
    int ok = write(fd, hex, 65) == 65 && fsync(fd) == 0;
    close(fd);
    sodium_memzero(hex, sizeof hex);
    if (!ok || link(tmp, path) != 0) { /* link: never overwrite an existing key */
        int exists = errno == EEXIST;
        unlink(tmp);
        if (exists) return fw_identity_load(id, path, err);
        fw_set_error(err, FW_ERR_IO, "key_file", "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    unlink(tmp);
    return 0;
}

/* ---- envelopes ---- */

int fw_payload_carries_provenance(Fairway__V1__Envelope__PayloadCase k) {
    switch (k) {
    case FAIRWAY__V1__ENVELOPE__PAYLOAD_JOIN:
    case FAIRWAY__V1__ENVELOPE__PAYLOAD_CONTRIBUTION:
    case FAIRWAY__V1__ENVELOPE__PAYLOAD_CONTRIBUTION_BATCH:
    case FAIRWAY__V1__ENVELOPE__PAYLOAD_USAGE_REPORT:
    case FAIRWAY__V1__ENVELOPE__PAYLOAD_GRANT_REQUEST:
    case FAIRWAY__V1__ENVELOPE__PAYLOAD_CONTRACT_SELECTION:
    case FAIRWAY__V1__ENVELOPE__PAYLOAD_MODULE_UPLOAD:
    case FAIRWAY__V1__ENVELOPE__PAYLOAD_CLOUD_INFERENCE_REQUEST: return 1;
    default: return 0;
    }
}

const char *fw_payload_name(Fairway__V1__Envelope__PayloadCase k) {
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field(&fairway__v1__envelope__descriptor, (unsigned)k);
    return f ? f->name : "none";
}

void fw_envelope_fill_header(Fairway__V1__Envelope *env, const fw_identity *id, uint8_t message_id[16]) {
    static const uint8_t zero[16];
    if (!memcmp(message_id, zero, 16)) randombytes_buf(message_id, 16);
    env->protocol_version = FW_PROTOCOL_VERSION;
    env->message_id.data = message_id;
    env->message_id.len = 16;
    env->sender = (char *)id->node_id;
    env->sent_at_unix_ms = fw_now_ms();
}

void fw_sign_envelope_bytes(const fw_identity *id, const uint8_t *bytes, size_t len, uint8_t sig[64]) {
    size_t tl = strlen(FW_ENVELOPE_TAG) + 1;
    uint8_t *m = malloc(tl + len);
    memcpy(m, FW_ENVELOPE_TAG, tl); /* includes the terminating zero byte: the 0x00 separator */
    memcpy(m + tl, bytes, len);
    crypto_sign_detached(sig, NULL, m, tl + len, id->secret_key);
    free(m);
}

int fw_seal(const Fairway__V1__Envelope *env, const fw_identity *signer, uint8_t **out, size_t *out_len) {
    size_t n = fairway__v1__envelope__get_packed_size(env);
    uint8_t *inner = malloc(n ? n : 1);
    if (!inner) return -1;
    fairway__v1__envelope__pack(env, inner);
    Fairway__V1__SignedEnvelope se = FAIRWAY__V1__SIGNED_ENVELOPE__INIT;
    uint8_t sig[64];
    se.envelope.data = inner;
    se.envelope.len = n;
    if (signer) {
        fw_sign_envelope_bytes(signer, inner, n, sig);
        se.public_key.data = (uint8_t *)signer->public_key;
        se.public_key.len = 32;
        se.signature.data = sig;
        se.signature.len = 64;
    }
    *out_len = fairway__v1__signed_envelope__get_packed_size(&se);
    *out = malloc(*out_len);
    if (!*out) { free(inner); return -1; }
    fairway__v1__signed_envelope__pack(&se, *out);
    free(inner);
    return 0;
}
