/*
 * fairway-wire-dump: decodes fairway.v1 messages with protobuf-c and prints their fields one
 * per line as `path=value`; encodes a fixed set of example messages for cross-implementation
 * tests. The exact CLI and output format are specified in clients/c/README.md
 * ("fairway-wire-dump"); in short:
 *
 *   fairway-wire-dump decode TYPE FILE      (TYPE: envelope, signed-envelope, frame, or any
 *                                            message name: Contribution, fairway.v1.Contribution)
 *   fairway-wire-dump verify FILE           (a SignedEnvelope: signature and sender)
 *   fairway-wire-dump encode-examples DIR
 *   fairway-wire-dump list-types
 */
#include "fairway.h"
#include "fairway_descriptors.h"
#include "fairway_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

/* ---- reading ---- */

static uint8_t *read_all(const char *path, size_t *len) {
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "fairway-wire-dump: cannot read %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (n == cap) buf = realloc(buf, cap *= 2);
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0) break;
        n += r;
    }
    if (f != stdin) fclose(f);
    *len = n;
    return buf;
}

static const ProtobufCMessageDescriptor *find_type(const char *name) {
    if (!strcmp(name, "envelope")) return &fairway__v1__envelope__descriptor;
    if (!strcmp(name, "signed-envelope")) return &fairway__v1__signed_envelope__descriptor;
    if (!strcmp(name, "frame")) return &fairway__v1__frame__descriptor;
    for (int i = 0; fw_all_message_descriptors[i]; i++) {
        const ProtobufCMessageDescriptor *d = fw_all_message_descriptors[i];
        if (!strcmp(name, d->name) || !strcmp(name, d->short_name)) return d;
    }
    return NULL;
}

/* ---- printing ---- */

/* Shortest "%.{p}g" (p = 1..17) that reads back as the same double. */
static void format_double(double v, char *out, size_t len) {
    if (isnan(v)) { snprintf(out, len, "nan"); return; }
    if (isinf(v)) { snprintf(out, len, v > 0 ? "inf" : "-inf"); return; }
    for (int p = 1; p <= 17; p++) {
        snprintf(out, len, "%.*g", p, v);
        if (strtod(out, NULL) == v) return;
    }
}

static void print_string(FILE *o, const char *s) {
    fputc('"', o);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(o, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f) fprintf(o, "\\x%02x", *p);
        else fputc(*p, o);
    }
    fputc('"', o);
}

static void print_hex(FILE *o, const ProtobufCBinaryData *b) {
    for (size_t i = 0; i < b->len; i++) fprintf(o, "%02x", b->data[i]);
}

static int dump_message(FILE *o, const ProtobufCMessage *m, const char *prefix);

/* One value of field f at member (a pointer to the value); returns lines printed. */
static int dump_value(FILE *o, const ProtobufCFieldDescriptor *f, const void *member, const char *path) {
    char num[64];
    switch (f->type) {
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(ProtobufCMessage *const *)member;
        if (!sub) return 0;
        int n = dump_message(o, sub, path);
        if (n == 0) { fprintf(o, "%s={}\n", path); n = 1; }
        return n;
    }
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32: fprintf(o, "%s=%d\n", path, *(const int32_t *)member); return 1;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: fprintf(o, "%s=%u\n", path, *(const uint32_t *)member); return 1;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: fprintf(o, "%s=%lld\n", path, (long long)*(const int64_t *)member); return 1;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: fprintf(o, "%s=%llu\n", path, (unsigned long long)*(const uint64_t *)member); return 1;
    case PROTOBUF_C_TYPE_BOOL: fprintf(o, "%s=%s\n", path, *(const protobuf_c_boolean *)member ? "true" : "false"); return 1;
    case PROTOBUF_C_TYPE_DOUBLE: format_double(*(const double *)member, num, sizeof num); fprintf(o, "%s=%s\n", path, num); return 1;
    case PROTOBUF_C_TYPE_FLOAT: format_double(*(const float *)member, num, sizeof num); fprintf(o, "%s=%s\n", path, num); return 1;
    case PROTOBUF_C_TYPE_ENUM: {
        int v = *(const int *)member;
        const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor, v);
        if (ev) fprintf(o, "%s=%s\n", path, ev->name);
        else fprintf(o, "%s=%d\n", path, v);
        return 1;
    }
    case PROTOBUF_C_TYPE_STRING:
        fprintf(o, "%s=", path);
        print_string(o, *(char *const *)member ? *(char *const *)member : "");
        fputc('\n', o);
        return 1;
    case PROTOBUF_C_TYPE_BYTES:
        fprintf(o, "%s=", path);
        print_hex(o, (const ProtobufCBinaryData *)member);
        fputc('\n', o);
        return 1;
    }
    return 0;
}

static size_t type_size(const ProtobufCFieldDescriptor *f) {
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_ENUM: return 4;
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE: return 8;
    case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
    }
    return 0;
}

/* Whether a singular proto3 scalar holds its default (then it is not on the wire). */
static int is_default(const ProtobufCFieldDescriptor *f, const void *member) {
    switch (f->type) {
    /* -0.0 is not the default: its bits are not zero, so protobuf runtimes that check bits (Python,
     * C++, Swift) put it on the wire and every decoder reads it (found by clients/cross). */
    case PROTOBUF_C_TYPE_DOUBLE: { double v = *(const double *)member; return v == 0 && !signbit(v); }
    case PROTOBUF_C_TYPE_FLOAT: { float v = *(const float *)member; return v == 0 && !signbit(v); }
    case PROTOBUF_C_TYPE_STRING: { const char *s = *(char *const *)member; return !s || !*s; }
    case PROTOBUF_C_TYPE_BYTES: return ((const ProtobufCBinaryData *)member)->len == 0;
    case PROTOBUF_C_TYPE_MESSAGE: return *(ProtobufCMessage *const *)member == NULL;
    default: {
        static const uint8_t zero[8];
        return !memcmp(member, zero, type_size(f));
    }
    }
}

static int dump_message(FILE *o, const ProtobufCMessage *m, const char *prefix) {
    const ProtobufCMessageDescriptor *d = m->descriptor;
    int lines = 0;
    char path[1024];
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *base = (const char *)m;
        const void *member = base + f->offset;
        if (prefix[0]) snprintf(path, sizeof path, "%s.%s", prefix, f->name);
        else snprintf(path, sizeof path, "%s", f->name);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            const char *arr = *(const char *const *)member;
            for (size_t k = 0; k < n; k++) {
                char ep[1100];
                snprintf(ep, sizeof ep, "%s[%zu]", path, k);
                int c = dump_value(o, f, arr + k * type_size(f), ep);
                if (c == 0 && f->type == PROTOBUF_C_TYPE_MESSAGE) { fprintf(o, "%s={}\n", ep); c = 1; }
                lines += c;
            }
            continue;
        }
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t which = *(const uint32_t *)(base + f->quantifier_offset);
            if (which != f->id) continue;
            int c = dump_value(o, f, member, path);
            if (c == 0) { fprintf(o, "%s={}\n", path); c = 1; }
            lines += c;
            continue;
        }
        if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_MESSAGE &&
            f->type != PROTOBUF_C_TYPE_STRING && f->quantifier_offset) {
            if (!*(const protobuf_c_boolean *)(base + f->quantifier_offset)) continue;
            lines += dump_value(o, f, member, path);
            continue;
        }
        if (f->type != PROTOBUF_C_TYPE_MESSAGE && is_default(f, member)) continue;
        lines += dump_value(o, f, member, path);
    }
    for (unsigned i = 0; i < m->n_unknown_fields; i++) {
        const ProtobufCMessageUnknownField *u = &m->unknown_fields[i];
        ProtobufCBinaryData b = {u->len, u->data};
        fprintf(o, "%s%s#%u=", prefix, prefix[0] ? "." : "", u->tag);
        print_hex(o, &b);
        fputc('\n', o);
        lines++;
    }
    return lines;
}

static int decode(const char *type, const char *file) {
    const ProtobufCMessageDescriptor *d = find_type(type);
    if (!d) {
        fprintf(stderr, "fairway-wire-dump: unknown type %s (see list-types)\n", type);
        return 2;
    }
    size_t n;
    uint8_t *bytes = read_all(file, &n);
    if (!bytes) return 1;
    ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, n, bytes);
    free(bytes);
    if (!m) {
        fprintf(stderr, "fairway-wire-dump: malformed: %s is not a valid %s (%zu bytes)\n", file, d->name, n);
        return 1;
    }
    dump_message(stdout, m, "");
    protobuf_c_message_free_unpacked(m, NULL);
    return 0;
}

static int verify(const char *file) {
    size_t n;
    uint8_t *bytes = read_all(file, &n);
    if (!bytes) return 1;
    Fairway__V1__SignedEnvelope *se = fairway__v1__signed_envelope__unpack(NULL, n, bytes);
    free(bytes);
    if (!se) { fprintf(stderr, "fairway-wire-dump: malformed: not a fairway.v1.SignedEnvelope\n"); return 1; }
    int rc = 1;
    Fairway__V1__Envelope *env = fairway__v1__envelope__unpack(NULL, se->envelope.len, se->envelope.data);
    if (!env) { printf("envelope=malformed\n"); goto out; }
    if (se->public_key.len == 0 && se->signature.len == 0) {
        printf("signature=absent\nsender=%s\n", env->sender);
        rc = fw_payload_carries_provenance(env->payload_case) ? 1 : 0;
        if (rc) printf("provenance=missing (%s must be signed)\n", fw_payload_name(env->payload_case));
        goto out;
    }
    size_t tl = strlen(FW_ENVELOPE_TAG) + 1;
    uint8_t *msg = malloc(tl + se->envelope.len);
    memcpy(msg, FW_ENVELOPE_TAG, tl);
    memcpy(msg + tl, se->envelope.data, se->envelope.len);
    int sig_ok = se->public_key.len == 32 && se->signature.len == 64 &&
                 crypto_sign_verify_detached(se->signature.data, msg, tl + se->envelope.len, se->public_key.data) == 0;
    free(msg);
    char addr[FW_NODE_ID_LEN + 1] = "";
    if (se->public_key.len == 32) fw_node_address(se->public_key.data, addr);
    int sender_ok = addr[0] && env->sender && !strcmp(addr, env->sender);
    printf("signature=%s\nsigner=%s\nsender=%s\nsender_is_signer=%s\n", sig_ok ? "ok" : "invalid", addr, env->sender,
           sender_ok ? "true" : "false");
    rc = sig_ok && sender_ok ? 0 : 1;
out:
    if (env) fairway__v1__envelope__free_unpacked(env, NULL);
    fairway__v1__signed_envelope__free_unpacked(se, NULL);
    return rc;
}

/* ---- the fixed examples ---- */

#define EX_SENT_AT 1767225600000LL /* 2026-01-01T00:00:00Z */

static fw_identity ex_id;
static uint8_t ex_mid[16], ex_reply_to[16];
static char ex_dir[2048];
static FILE *ex_index;
static int ex_failed;

static void header(Fairway__V1__Envelope *e) {
    e->protocol_version = 2;
    e->message_id.data = ex_mid;
    e->message_id.len = 16;
    e->sender = ex_id.node_id;
    e->sent_at_unix_ms = EX_SENT_AT;
}

static void write_example(const char *name, const ProtobufCMessage *m, const char *note) {
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(n ? n : 1);
    protobuf_c_message_pack(m, buf);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.bin", ex_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, n, f) != n) { fprintf(stderr, "fairway-wire-dump: cannot write %s\n", path); ex_failed = 1; }
    if (f) fclose(f);
    snprintf(path, sizeof path, "%s/%s.txt", ex_dir, name);
    f = fopen(path, "w");
    if (f) {
        /* the dump of what was decoded back from the bytes, so the .txt is what any decoder must print */
        ProtobufCMessage *back = protobuf_c_message_unpack(m->descriptor, NULL, n, buf);
        if (!back) { fprintf(stderr, "fairway-wire-dump: %s does not decode back\n", name); ex_failed = 1; }
        else { dump_message(f, back, ""); protobuf_c_message_free_unpacked(back, NULL); }
        fclose(f);
    }
    fprintf(ex_index, "%s\t%s\t%s.bin\t%zu\t%s\n", name, m->descriptor->name, name, n, note);
    free(buf);
}

static int encode_examples(const char *dir) {
    snprintf(ex_dir, sizeof ex_dir, "%s", dir);
    mkdir(dir, 0755);
    char path[4096];
    snprintf(path, sizeof path, "%s/index.tsv", dir);
    if (!(ex_index = fopen(path, "w"))) { fprintf(stderr, "fairway-wire-dump: cannot write %s\n", path); return 1; }
    fprintf(ex_index, "# name\tmessage type\tfile\tbytes\tnote\n");
    uint8_t seed[32];
    for (int i = 0; i < 32; i++) seed[i] = (uint8_t)(i + 1);
    fw_identity_from_seed(&ex_id, seed);
    for (int i = 0; i < 16; i++) { ex_mid[i] = (uint8_t)i; ex_reply_to[i] = (uint8_t)(0xf0 + i); }

    /* ping */
    Fairway__V1__Envelope e = FAIRWAY__V1__ENVELOPE__INIT;
    Fairway__V1__Ping ping = FAIRWAY__V1__PING__INIT;
    header(&e);
    e.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_PING;
    e.ping = &ping;
    write_example("envelope-ping", &e.base, "empty payload message: ping={}");

    /* join */
    Fairway__V1__Envelope ej = FAIRWAY__V1__ENVELOPE__INIT;
    Fairway__V1__JoinRequest j = FAIRWAY__V1__JOIN_REQUEST__INIT;
    header(&ej);
    j.node_id = ex_id.node_id;
    j.role = FAIRWAY__V1__NODE_ROLE__NODE_ROLE_EDGE_AGENT;
    j.address = "";
    j.version = "0.1.0";
    j.via = "fw0000000000000000000000000000000000000001";
    j.bucket_size = 40;
    j.name = "agent-\xc3\xa9\"q\"\\\n";
    j.public_key.data = ex_id.public_key;
    j.public_key.len = 32;
    ej.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_JOIN;
    ej.join = &j;
    write_example("envelope-join", &ej.base, "enum, UTF-8 and escaped string, bytes; empty address not printed");

    /* contribution */
    static double img0[4] = {0.1, -1e-300, 1e16, 3}, txt0[4] = {-0.5, 1.0 / 3.0, 123456.789, 2.5e-7};
    static double img1[4] = {0, 0, 0, 1}, txt1[4] = {1, 0, 0, 0};
    Fairway__V1__Prototype p0 = FAIRWAY__V1__PROTOTYPE__INIT, p1 = FAIRWAY__V1__PROTOTYPE__INIT;
    p0.n_image = 4; p0.image = img0; p0.n_text = 4; p0.text = txt0; p0.count = 99.5;
    p1.n_image = 4; p1.image = img1; p1.n_text = 4; p1.text = txt1; p1.count = -2.25;
    Fairway__V1__Prototype *ps[2] = {&p0, &p1};
    Fairway__V1__Contribution c = FAIRWAY__V1__CONTRIBUTION__INIT;
    c.n_prototypes = 2;
    c.prototypes = ps;
    c.mode = FAIRWAY__V1__PRIVACY_MODE__PRIVACY_MODE_MULTIMODAL;
    c.epsilon = 1;
    c.delta = 1e-6;
    c.noise_multiplier = 4.224678890;
    c.sequence = 7;
    c.records = 200;
    c.count_sigma = 7.31735848;
    Fairway__V1__Envelope ec = FAIRWAY__V1__ENVELOPE__INIT;
    header(&ec);
    ec.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_CONTRIBUTION;
    ec.contribution = &c;
    write_example("envelope-contribution", &ec.base, "repeated messages, packed doubles (zeros kept in repeated fields)");

    /* signed contribution: what goes on the wire for a provenance kind */
    uint8_t *sealed;
    size_t sn;
    fw_seal(&ec, &ex_id, &sealed, &sn);
    Fairway__V1__SignedEnvelope *se = fairway__v1__signed_envelope__unpack(NULL, sn, sealed);
    write_example("signed-envelope-contribution", &se->base,
                  "Ed25519 over \"fairway/v1/envelope\"||0x00||envelope by the seed 0102..20 key; check with verify");
    fairway__v1__signed_envelope__free_unpacked(se, NULL);

    /* error reply */
    Fairway__V1__ErrorReply er = FAIRWAY__V1__ERROR_REPLY__INIT;
    er.code = FAIRWAY__V1__ERROR_REPLY__CODE__INVALID_FIELD;
    er.message = "value 3 is not finite (nan)";
    er.field = "contribution.prototypes[0].image[3]";
    er.retry_after_ms = 1500;
    Fairway__V1__Envelope ee = FAIRWAY__V1__ENVELOPE__INIT;
    header(&ee);
    ee.in_reply_to.data = ex_reply_to;
    ee.in_reply_to.len = 16;
    ee.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_ERROR;
    ee.error = &er;
    write_example("envelope-error", &ee.base, "nested enum ErrorReply.Code, in_reply_to");

    /* an all-default payload in the oneof */
    Fairway__V1__ErrorReply er0 = FAIRWAY__V1__ERROR_REPLY__INIT;
    Fairway__V1__Envelope e0 = FAIRWAY__V1__ENVELOPE__INIT;
    e0.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_ERROR;
    e0.error = &er0;
    write_example("envelope-defaults", &e0.base, "every header field default: only error={}");

    /* inference request and reply */
    static double pixels[64];
    for (int i = 0; i < 64; i++) pixels[i] = (double)((i * 7) % 17);
    static uint8_t input[5] = {0, 1, 2, 0xfe, 0xff};
    Fairway__V1__InferenceRequest ir = FAIRWAY__V1__INFERENCE_REQUEST__INIT;
    ir.cost = 2;
    ir.input.data = input;
    ir.input.len = 5;
    ir.n_features = 64;
    ir.features = pixels;
    Fairway__V1__Envelope ei = FAIRWAY__V1__ENVELOPE__INIT;
    header(&ei);
    ei.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_INFERENCE_REQUEST;
    ei.inference_request = &ir;
    write_example("envelope-inference-request", &ei.base, "64 packed doubles, bytes");

    Fairway__V1__InferenceReply ia = FAIRWAY__V1__INFERENCE_REPLY__INIT;
    ia.charged = 2;
    ia.remaining = 18446744073709551615ULL;
    ia.label = -1;
    ia.confidence = 0.25;
    ia.module_version = 3;
    ia.served_by_cloud = 1;
    Fairway__V1__Envelope ea = FAIRWAY__V1__ENVELOPE__INIT;
    header(&ea);
    ea.in_reply_to.data = ex_reply_to;
    ea.in_reply_to.len = 16;
    ea.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_INFERENCE_REPLY;
    ea.inference_reply = &ia;
    write_example("envelope-inference-reply", &ea.base, "negative int32, uint64 max, bool");

    /* status reply: repeated nested messages with enums */
    Fairway__V1__NodeStatus n1 = FAIRWAY__V1__NODE_STATUS__INIT, n2 = FAIRWAY__V1__NODE_STATUS__INIT;
    n1.node_id = ex_id.node_id;
    n1.role = FAIRWAY__V1__NODE_ROLE__NODE_ROLE_EDGE_AGENT;
    n1.state = FAIRWAY__V1__MEMBER_STATE__MEMBER_STATE_SUSPECT;
    n1.last_heartbeat_unix_ms = EX_SENT_AT - 1;
    n1.tokens_granted = 10;
    n1.tokens_used = 4;
    n1.tokens_remaining = 6;
    n2.name = "edge-1";
    Fairway__V1__NodeStatus *ns[2] = {&n1, &n2};
    Fairway__V1__StatusReply sr = FAIRWAY__V1__STATUS_REPLY__INIT;
    sr.reporter_id = ex_id.node_id;
    sr.reporter_role = FAIRWAY__V1__NODE_ROLE__NODE_ROLE_CLOUD_COORDINATOR;
    sr.n_nodes = 2;
    sr.nodes = ns;
    sr.epoch = 12;
    sr.reporter_name = "coordinator";
    Fairway__V1__Envelope es = FAIRWAY__V1__ENVELOPE__INIT;
    header(&es);
    es.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY;
    es.status_reply = &sr;
    write_example("envelope-status-reply", &es.base, "repeated messages with enums; field number order 1,2,3,4,5");

    /* heartbeat with repeated strings */
    char *ids[3] = {"fwaaaa", "", "fw\xe2\x82\xac"};
    Fairway__V1__Heartbeat hb = FAIRWAY__V1__HEARTBEAT__INIT;
    hb.node_id = ex_id.node_id;
    hb.n_agent_ids = 3;
    hb.agent_ids = ids;
    Fairway__V1__Envelope eh = FAIRWAY__V1__ENVELOPE__INIT;
    header(&eh);
    eh.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_HEARTBEAT;
    eh.heartbeat = &hb;
    write_example("envelope-heartbeat", &eh.base, "repeated strings (an empty element is printed: \"\")");

    /* receipt */
    Fairway__V1__ContributionReceipt rc = FAIRWAY__V1__CONTRIBUTION_RECEIPT__INIT;
    rc.agent_id = ex_id.node_id;
    rc.contribution_id.data = ex_reply_to;
    rc.contribution_id.len = 16;
    rc.leaf_index = 0;
    rc.credit = 228.5;
    rc.novel_samples = 150;
    rc.normal_samples = 157;
    rc.agent_value = 5.264911401985218;
    rc.tree_size = 1;
    rc.duplicate = 1;
    Fairway__V1__Envelope er2 = FAIRWAY__V1__ENVELOPE__INIT;
    header(&er2);
    er2.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_CONTRIBUTION_RECEIPT;
    er2.contribution_receipt = &rc;
    write_example("envelope-contribution-receipt", &er2.base, "leaf_index 0 and noise 0 are defaults: not printed");

    /* frames */
    static uint8_t noise1[32], noise2[96], noise3[64];
    for (int i = 0; i < 32; i++) noise1[i] = (uint8_t)(0xa0 + i % 16);
    for (int i = 0; i < 96; i++) noise2[i] = (uint8_t)i;
    for (int i = 0; i < 64; i++) noise3[i] = (uint8_t)(255 - i);
    Fairway__V1__Frame f1 = FAIRWAY__V1__FRAME__INIT;
    Fairway__V1__HandshakeInit hi = FAIRWAY__V1__HANDSHAKE_INIT__INIT;
    hi.noise.data = noise1;
    hi.noise.len = 32;
    f1.kind_case = FAIRWAY__V1__FRAME__KIND_HANDSHAKE_INIT;
    f1.handshake_init = &hi;
    write_example("frame-handshake-init", &f1.base, "XX message 1");

    Fairway__V1__Frame f2 = FAIRWAY__V1__FRAME__INIT;
    Fairway__V1__HandshakeResponse hr = FAIRWAY__V1__HANDSHAKE_RESPONSE__INIT;
    hr.handshake_id = 0x0123456789abcdefULL;
    hr.noise.data = noise2;
    hr.noise.len = 96;
    f2.kind_case = FAIRWAY__V1__FRAME__KIND_HANDSHAKE_RESPONSE;
    f2.handshake_response = &hr;
    write_example("frame-handshake-response", &f2.base, "fixed64 handshake id");

    /* a real session message: the unsigned envelope-ping SignedEnvelope sealed under key 42..42 */
    uint8_t *ping_sealed;
    size_t ping_n;
    fw_seal(&e, NULL, &ping_sealed, &ping_n);
    fw_session s;
    memset(&s, 0, sizeof s);
    s.id = 0xfffffffffffffffeULL;
    memset(s.send_key, 0x42, 32);
    s.next_counter = 5;
    Fairway__V1__SessionMessage sm;
    fw_session_seal(&s, ping_sealed, ping_n, &sm);
    Fairway__V1__Frame f3 = FAIRWAY__V1__FRAME__INIT;
    Fairway__V1__HandshakeFinish hf = FAIRWAY__V1__HANDSHAKE_FINISH__INIT;
    hf.handshake_id = s.id;
    hf.noise.data = noise3;
    hf.noise.len = 64;
    hf.first = &sm;
    f3.kind_case = FAIRWAY__V1__FRAME__KIND_HANDSHAKE_FINISH;
    f3.handshake_finish = &hf;
    write_example("frame-handshake-finish", &f3.base, "nested SessionMessage (same as frame-session)");
    Fairway__V1__Frame f4 = FAIRWAY__V1__FRAME__INIT;
    f4.kind_case = FAIRWAY__V1__FRAME__KIND_SESSION;
    f4.session = &sm;
    write_example("frame-session", &f4.base,
                  "ChaCha20-Poly1305, key 32x 0x42, counter 5, session ffff...fe, AD \"fairway/2/session\"||id BE||counter BE; "
                  "plaintext = unsigned SignedEnvelope of envelope-ping");
    free(sm.ciphertext.data);
    free(ping_sealed);

    Fairway__V1__Frame f5 = FAIRWAY__V1__FRAME__INIT;
    Fairway__V1__ErrorReply us = FAIRWAY__V1__ERROR_REPLY__INIT;
    us.code = FAIRWAY__V1__ERROR_REPLY__CODE__UNKNOWN_SESSION;
    us.message = "no session fffffffffffffffe";
    us.field = "frame.session.session_id";
    f5.kind_case = FAIRWAY__V1__FRAME__KIND_ERROR;
    f5.error = &us;
    write_example("frame-error", &f5.base, "plaintext refusal outside a session");

    free(sealed);
    fclose(ex_index);
    printf("wrote examples to %s (index.tsv lists them)\n", dir);
    return ex_failed;
}

static void usage(FILE *o) {
    fprintf(o,
            "usage: fairway-wire-dump decode TYPE FILE      print every field of FILE ('-' = stdin) as path=value\n"
            "       fairway-wire-dump verify FILE           check a SignedEnvelope's signature and sender\n"
            "       fairway-wire-dump encode-examples DIR   write the fixed example messages (DIR/index.tsv)\n"
            "       fairway-wire-dump list-types            every TYPE name\n"
            "TYPE: envelope | signed-envelope | frame | a fairway.v1 message name (Contribution or fairway.v1.Contribution)\n");
}

int main(int argc, char **argv) {
    if (fw_init()) return 1;
    if (argc == 4 && !strcmp(argv[1], "decode")) return decode(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "verify")) return verify(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "encode-examples")) return encode_examples(argv[2]);
    if (argc == 2 && !strcmp(argv[1], "list-types")) {
        printf("envelope\nsigned-envelope\nframe\n");
        for (int i = 0; fw_all_message_descriptors[i]; i++) printf("%s\n", fw_all_message_descriptors[i]->name);
        return 0;
    }
    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) { usage(stdout); return 0; }
    usage(stderr);
    return 2;
}
