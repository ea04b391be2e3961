/*
 * fairway-agent-example: an edge agent in C over libfairway.
 *
 * Joins through an edge server as an agent (a signed JoinRequest, as edge-agent sends it),
 * heartbeats, submits one DP contribution (K prototypes of dimension d, each record clipped to
 * the L2 bound C, sums and counts noised with one Gaussian of σ from the analytic Gaussian
 * mechanism at (ε, δ) and joint sensitivity √(2C² + 1), as FairwayCore's PrototypeRelease
 * calibrates it), prints the receipt, waits for tokens and requests an inference, printing
 * the answer. With --hostile it then sends refused contributions (wrong signature, bad fields)
 * and shows the session keeps working.
 *
 * The records are synthetic: this example has no encoder. Each prototype's records are noisy
 * copies of one random unit direction in the shared space (image and text alike).
 *
 * Exit status: 0 on success; 1 when the cluster refused or did not answer (message on
 * stderr); 2 on bad usage.
 */
#include "fairway.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

typedef struct {
    const char *edge, *key_file, *seed_hex, *pin, *name, *tls_ca, *tls_cert, *hostile_dump;
    unsigned bucket_size;
    double epsilon, delta, clip;
    int prototypes, records, dimension;
    int wait_s, timeout_ms;
    int hostile, hostile_only, want_label;
    uint64_t sequence;
} options;

static fw_client *client;
static fw_identity me;
static options opt;
static int64_t heartbeat_interval_ms = 1000, next_heartbeat_ms;

static int64_t now_ms(void) { return fw_now_ms(); }

static void sleep_ms(int64_t ms) {
    if (ms <= 0) return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void die(const char *what, const fw_error *e) {
    char buf[1024];
    fprintf(stderr, "fairway-agent-example: %s failed: %s\n", what, fw_error_format(e, buf, sizeof buf));
    fw_client_close(client);
    exit(1);
}

static void print_error(const char *what, const fw_error *e) {
    printf("%s: refused code=%d name=%s field=%s message=%s\n", what, e->code, e->name, e->field, e->message);
}

/* ---- join and heartbeats ---- */

static int join(fw_error *err) {
    Fairway__V1__Envelope req = FAIRWAY__V1__ENVELOPE__INIT;
    Fairway__V1__JoinRequest j = FAIRWAY__V1__JOIN_REQUEST__INIT;
    j.node_id = me.node_id;
    j.role = FAIRWAY__V1__NODE_ROLE__NODE_ROLE_EDGE_AGENT;
    j.address = "";
    j.version = "0.1.0";
    j.bucket_size = opt.bucket_size;
    j.name = (char *)opt.name;
    j.public_key.data = me.public_key;
    j.public_key.len = 32;
    req.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_JOIN;
    req.join = &j;
    Fairway__V1__Envelope *rep;
    if (fw_call(client, &req, NULL, &rep, err)) return -1;
    if (rep->payload_case != FAIRWAY__V1__ENVELOPE__PAYLOAD_JOIN_ACCEPTED) {
        fw_error e = {0};
        e.code = FW_ERR_MALFORMED;
        e.name = fw_error_name(e.code);
        snprintf(e.message, sizeof e.message, "expected join_accepted, got %s", fw_payload_name(rep->payload_case));
        *err = e;
        fairway__v1__envelope__free_unpacked(rep, NULL);
        return -1;
    }
    heartbeat_interval_ms = rep->join_accepted->heartbeat_interval_ms > 0 ? rep->join_accepted->heartbeat_interval_ms : 1000;
    next_heartbeat_ms = now_ms() + heartbeat_interval_ms;
    printf("joined %s as %s (%s) via edge %s: coordinator %s, epoch %llu, heartbeat every %lld ms\n", opt.edge, me.node_id,
           opt.name, fw_client_peer(client), rep->join_accepted->coordinator_id,
           (unsigned long long)rep->join_accepted->epoch, (long long)heartbeat_interval_ms);
    fairway__v1__envelope__free_unpacked(rep, NULL);
    return 0;
}

/* A heartbeat when one is due; re-joins when the edge forgot us. */
static int keep_alive(fw_error *err) {
    if (now_ms() < next_heartbeat_ms) return 0;
    Fairway__V1__Envelope req = FAIRWAY__V1__ENVELOPE__INIT;
    Fairway__V1__Heartbeat hb = FAIRWAY__V1__HEARTBEAT__INIT;
    hb.node_id = me.node_id;
    req.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_HEARTBEAT;
    req.heartbeat = &hb;
    Fairway__V1__Envelope *rep;
    next_heartbeat_ms = now_ms() + heartbeat_interval_ms;
    if (fw_call(client, &req, NULL, &rep, err)) {
        if (err->code == FW_ERR_UNKNOWN_SENDER) {
            printf("edge forgot us (%s): re-joining\n", err->message);
            return join(err);
        }
        if (err->code == FW_ERR_NO_REPLY || err->code == FW_ERR_UNAVAILABLE) {
            printf("heartbeat: %s (%s); trying again next interval\n", err->name, err->message);
            return 0; /* transient: the next exchange decides */
        }
        return -1;
    }
    fairway__v1__envelope__free_unpacked(rep, NULL);
    return 0;
}

/* ---- the DP release ---- */

typedef struct {
    Fairway__V1__Contribution c;
    Fairway__V1__Prototype *protos;
    Fairway__V1__Prototype **proto_ptrs;
    double *values;
    double sigma, sensitivity;
} release;

static void random_unit(double *v, int d) {
    double s = 0;
    for (int i = 0; i < d; i++) { v[i] = fw_random_normal(); s += v[i] * v[i]; }
    s = sqrt(s);
    for (int i = 0; i < d; i++) v[i] /= s;
}

/* K prototypes from `records` synthetic records each, privatised as PrototypeRelease does
 * (one Gaussian over image sums ‖ text sums ‖ counts, Δ = √(2C² + 1)). */
static int make_release(release *r, fw_error *err) {
    int d = opt.dimension, k = opt.prototypes;
    memset(r, 0, sizeof *r);
    r->sensitivity = sqrt(2 * opt.clip * opt.clip + 1);
    r->sigma = fw_gaussian_analytic_sigma(opt.epsilon, opt.delta, r->sensitivity);
    if (r->sigma <= 0) {
        fw_error e = {0};
        e.code = FW_ERR_INVALID_ARGUMENT;
        e.name = fw_error_name(e.code);
        snprintf(e.field, sizeof e.field, "privacy");
        snprintf(e.message, sizeof e.message, "cannot calibrate σ for ε=%g δ=%g", opt.epsilon, opt.delta);
        *err = e;
        return -1;
    }
    r->protos = calloc((size_t)k, sizeof *r->protos);
    r->proto_ptrs = calloc((size_t)k, sizeof *r->proto_ptrs);
    r->values = calloc((size_t)(2 * k * d), sizeof(double));
    double *rec = calloc((size_t)d, sizeof(double)), *centre = calloc((size_t)d, sizeof(double));
    for (int j = 0; j < k; j++) {
        double *img = r->values + (size_t)(2 * j) * d, *txt = img + d;
        random_unit(centre, d);
        for (int n = 0; n < opt.records; n++) {
            for (int m = 0; m < 2; m++) { /* image, then text: the centre plus a little spread */
                for (int i = 0; i < d; i++) rec[i] = centre[i] + 0.1 * fw_random_normal();
                fw_clip_l2(rec, (size_t)d, opt.clip);
                double *sum = m == 0 ? img : txt;
                for (int i = 0; i < d; i++) sum[i] += rec[i];
            }
        }
        double count = opt.records + r->sigma * fw_random_normal();
        double denom = count > 1 ? count : 1;
        for (int i = 0; i < d; i++) {
            img[i] = (img[i] + r->sigma * fw_random_normal()) / denom;
            txt[i] = (txt[i] + r->sigma * fw_random_normal()) / denom;
        }
        fairway__v1__prototype__init(&r->protos[j]);
        r->protos[j].n_image = (size_t)d;
        r->protos[j].image = img;
        r->protos[j].n_text = (size_t)d;
        r->protos[j].text = txt;
        r->protos[j].count = count;
        r->proto_ptrs[j] = &r->protos[j];
    }
    free(rec);
    free(centre);
    fairway__v1__contribution__init(&r->c);
    r->c.n_prototypes = (size_t)k;
    r->c.prototypes = r->proto_ptrs;
    r->c.mode = FAIRWAY__V1__PRIVACY_MODE__PRIVACY_MODE_MULTIMODAL;
    r->c.epsilon = opt.epsilon;
    r->c.delta = opt.delta;
    r->c.noise_multiplier = r->sigma / r->sensitivity;
    r->c.sequence = opt.sequence;
    r->c.records = (uint32_t)(opt.records * k);
    r->c.count_sigma = r->sigma;
    return 0;
}

static void free_release(release *r) {
    free(r->protos);
    free(r->proto_ptrs);
    free(r->values);
}

static void print_receipt(const Fairway__V1__ContributionReceipt *rc) {
    char cid[33] = "";
    if (rc->contribution_id.len == 16) fw_hex(rc->contribution_id.data, 16, cid);
    printf("receipt: agent=%s contribution=%s leaf_index=%llu tree_size=%llu credit=%g novel=%u normal=%u noise=%u "
           "agent_value=%g duplicate=%s\n",
           rc->agent_id, cid, (unsigned long long)rc->leaf_index, (unsigned long long)rc->tree_size, rc->credit,
           rc->novel_samples, rc->normal_samples, rc->noise_samples, rc->agent_value, rc->duplicate ? "true" : "false");
}

/* Sends sealed contribution bytes (resending the same bytes on no-reply / unavailable: same
 * message id, so it is never counted twice); prints the receipt and returns its leaf index. */
static int send_contribution(const uint8_t *sealed, size_t n, const uint8_t mid[16], uint64_t *leaf, int *duplicate,
                             fw_error *err) {
    Fairway__V1__Envelope *rep = NULL;
    int r = -1;
    for (int attempt = 0; attempt < 5; attempt++) {
        r = fw_call_sealed(client, sealed, n, mid, &rep, err);
        if (r == 0 || (err->code != FW_ERR_NO_REPLY && err->code != FW_ERR_UNAVAILABLE)) break;
        fprintf(stderr, "contribution: %s, resending the same bytes\n", err->name);
        sleep_ms(err->retry_after_ms > 0 ? err->retry_after_ms : 500);
    }
    if (r) return -1;
    if (rep->payload_case != FAIRWAY__V1__ENVELOPE__PAYLOAD_CONTRIBUTION_RECEIPT) {
        fw_error e = {0};
        e.code = FW_ERR_MALFORMED;
        e.name = fw_error_name(e.code);
        snprintf(e.message, sizeof e.message, "expected contribution_receipt, got %s", fw_payload_name(rep->payload_case));
        *err = e;
        fairway__v1__envelope__free_unpacked(rep, NULL);
        return -1;
    }
    print_receipt(rep->contribution_receipt);
    *leaf = rep->contribution_receipt->leaf_index;
    *duplicate = rep->contribution_receipt->duplicate;
    fairway__v1__envelope__free_unpacked(rep, NULL);
    return 0;
}

/* Seals the contribution (signed: provenance), sends it, then resends the very same bytes in
 * a fresh session: the receipt must name the same leaf (idempotency across sessions). */
static int contribute(Fairway__V1__Contribution *c, fw_error *err) {
    Fairway__V1__Envelope req = FAIRWAY__V1__ENVELOPE__INIT;
    req.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_CONTRIBUTION;
    req.contribution = c;
    uint8_t mid[16] = {0};
    fw_envelope_fill_header(&req, &me, mid);
    uint8_t *sealed;
    size_t n;
    if (fw_seal(&req, &me, &sealed, &n)) return -1;
    uint64_t leaf = 0, leaf2 = 0;
    int dup = 0, dup2 = 0, r = send_contribution(sealed, n, mid, &leaf, &dup, err);
    if (r == 0) {
        fw_client_reset_session(client);
        printf("resending the same signed contribution (same message id) in a new session:\n");
        r = send_contribution(sealed, n, mid, &leaf2, &dup2, err);
        if (r == 0 && leaf2 != leaf) {
            fw_error e = {0};
            e.code = FW_ERR_INTERNAL;
            e.name = fw_error_name(e.code);
            snprintf(e.message, sizeof e.message, "the resend was recorded as leaf %llu, the original as %llu",
                     (unsigned long long)leaf2, (unsigned long long)leaf);
            *err = e;
            r = -1;
        } else if (r == 0) {
            printf("resend: same leaf_index %llu: recorded once\n", (unsigned long long)leaf);
        }
    }
    free(sealed);
    return r;
}

/* ---- inference ---- */

/* An 8x8 "3" (row by row, 0-16; record 3 of data/uci-digits-8x8.csv): the agent module's input. */
static const double digit3[64] = {0, 0, 7, 15, 13, 1, 0, 0, 0, 8, 13, 6, 15, 4, 0, 0, 0, 2, 1, 13, 13, 0, 0, 0, 0, 0,
                                  2, 15, 11, 1, 0, 0, 0, 0, 0, 1, 12, 12, 1, 0, 0, 0, 0, 0, 1, 10, 8, 0, 0, 0, 8, 4,
                                  5, 14, 9, 0, 0, 0, 7, 13, 13, 9, 0, 0};

static int infer(fw_error *err) {
    int64_t give_up = now_ms() + (int64_t)opt.wait_s * 1000;
    for (;;) {
        if (keep_alive(err)) return -1;
        Fairway__V1__Envelope req = FAIRWAY__V1__ENVELOPE__INIT;
        Fairway__V1__InferenceRequest ir = FAIRWAY__V1__INFERENCE_REQUEST__INIT;
        ir.cost = 1;
        ir.n_features = 64;
        ir.features = (double *)digit3;
        req.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_INFERENCE_REQUEST;
        req.inference_request = &ir;
        Fairway__V1__Envelope *rep;
        if (fw_call(client, &req, NULL, &rep, err) == 0) {
            if (rep->payload_case != FAIRWAY__V1__ENVELOPE__PAYLOAD_INFERENCE_REPLY) {
                fw_error e = {0};
                e.code = FW_ERR_MALFORMED;
                e.name = fw_error_name(e.code);
                snprintf(e.message, sizeof e.message, "expected inference_reply, got %s", fw_payload_name(rep->payload_case));
                *err = e;
                fairway__v1__envelope__free_unpacked(rep, NULL);
                return -1;
            }
            Fairway__V1__InferenceReply *a = rep->inference_reply;
            if (a->label < 0 && opt.want_label && now_ms() < give_up) {
                printf("inference: charged=%llu remaining=%llu label=-1: the edge holds no agent module yet, asking again\n",
                       (unsigned long long)a->charged, (unsigned long long)a->remaining);
                fairway__v1__envelope__free_unpacked(rep, NULL);
                sleep_ms(heartbeat_interval_ms);
                continue;
            }
            if (a->label < 0 && opt.want_label) {
                fw_error e = {0};
                e.code = FW_ERR_UNAVAILABLE;
                e.name = fw_error_name(e.code);
                snprintf(e.field, sizeof e.field, "inference_reply.label");
                snprintf(e.message, sizeof e.message, "no agent module answered within %d s (--want-label)", opt.wait_s);
                *err = e;
                fairway__v1__envelope__free_unpacked(rep, NULL);
                return -1;
            }
            printf("inference: charged=%llu remaining=%llu label=%d confidence=%g module_version=%llu served_by_cloud=%s%s\n",
                   (unsigned long long)a->charged, (unsigned long long)a->remaining, a->label, a->confidence,
                   (unsigned long long)a->module_version, a->served_by_cloud ? "true" : "false",
                   a->label < 0 ? " (no agent module integrated yet: admission only)" : "");
            fairway__v1__envelope__free_unpacked(rep, NULL);
            return 0;
        }
        int retry = err->code == FW_ERR_INSUFFICIENT_TOKENS || err->code == FW_ERR_CAPACITY_EXHAUSTED ||
                    err->code == FW_ERR_UNAVAILABLE || err->code == FW_ERR_NO_REPLY;
        if (err->code == FW_ERR_UNKNOWN_SENDER) {
            if (join(err)) return -1;
            continue;
        }
        if (!retry || now_ms() >= give_up) return -1;
        int64_t wait = err->retry_after_ms > 0 ? err->retry_after_ms : 250;
        if (wait > heartbeat_interval_ms) wait = heartbeat_interval_ms;
        printf("waiting for tokens: %s (%s), retry in %lld ms\n", err->name, err->message, (long long)wait);
        sleep_ms(wait);
    }
}

/* ---- hostile cases ---- */

static int ping(fw_error *err) {
    Fairway__V1__Envelope req = FAIRWAY__V1__ENVELOPE__INIT;
    Fairway__V1__Ping p = FAIRWAY__V1__PING__INIT;
    req.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_PING;
    req.ping = &p;
    Fairway__V1__Envelope *rep;
    if (fw_call(client, &req, NULL, &rep, err)) return -1;
    fairway__v1__envelope__free_unpacked(rep, NULL);
    return 0;
}

/* Sends a contribution sealed by `seal_mode`: 0 signed correctly, 1 signature of other bytes,
 * 2 signed by another key, 3 unsigned. Expects a refusal with `want_code` at `want_field`. */
/* --hostile-dump DIR: the exact SignedEnvelope bytes of each hostile case, as sent, in DIR/<slug>.bin
 * (for the cross-implementation test, clients/cross). */
static void dump_sealed(const char *slug, const uint8_t *sealed, size_t n) {
    if (!opt.hostile_dump) return;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.bin", opt.hostile_dump, slug);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(sealed, 1, n, f) != n) fprintf(stderr, "fairway-agent-example: cannot write %s\n", path);
    if (f) fclose(f);
}

static int hostile_case(const char *slug, const char *label, Fairway__V1__Contribution *c, int seal_mode, int want_code,
                        const char *want_field) {
    Fairway__V1__Envelope req = FAIRWAY__V1__ENVELOPE__INIT;
    req.payload_case = FAIRWAY__V1__ENVELOPE__PAYLOAD_CONTRIBUTION;
    req.contribution = c;
    uint8_t mid[16] = {0};
    fw_envelope_fill_header(&req, &me, mid);
    uint8_t *sealed;
    size_t n;
    fw_identity other;
    fw_identity_generate(&other);
    fw_seal(&req, seal_mode == 0 || seal_mode == 1 ? &me : seal_mode == 2 ? &other : NULL, &sealed, &n);
    if (seal_mode == 1) {
        /* the signature is the last 64 bytes of the SignedEnvelope: flip one bit of it */
        sealed[n - 1] ^= 0x01;
    }
    dump_sealed(slug, sealed, n);
    Fairway__V1__Envelope *rep = NULL;
    fw_error e;
    unsigned before = fw_client_handshakes(client);
    int r = fw_call_sealed(client, sealed, n, mid, &rep, &e);
    free(sealed);
    if (r == 0) {
        printf("HOSTILE %s: ACCEPTED (expected a refusal)\n", label);
        fairway__v1__envelope__free_unpacked(rep, NULL);
        return -1;
    }
    print_error(label, &e);
    if (opt.hostile_dump) printf("hostile-case %s code=%d name=%s field=%s\n", slug, e.code, e.name, e.field);
    int ok = e.remote && e.code == want_code && !strcmp(e.field, want_field);
    fw_error pe;
    int alive = ping(&pe) == 0 && keep_alive(&pe) == 0;
    printf("  -> %s; session %s (handshakes %u -> %u)\n", ok ? "as expected" : "UNEXPECTED refusal",
           alive ? "still works" : "BROKEN", before, fw_client_handshakes(client));
    if (!alive) print_error("  ping after it", &pe);
    return ok && alive && fw_client_handshakes(client) == before ? 0 : -1;
}

static int hostile(void) {
    release good;
    fw_error err;
    int failures = 0;
    if (make_release(&good, &err)) die("release", &err);
    printf("hostile cases (each refused, nothing recorded; the same session keeps working):\n");
    failures += hostile_case("wrong-signature", "wrong signature", &good.c, 1, FW_ERR_UNAUTHENTICATED, "signed_envelope.signature") != 0;
    failures += hostile_case("foreign-key", "signed by another key", &good.c, 2, FW_ERR_UNAUTHENTICATED, "signed_envelope.public_key") != 0;
    failures += hostile_case("unsigned", "unsigned contribution", &good.c, 3, FW_ERR_UNAUTHENTICATED, "signed_envelope.signature") != 0;
    /* bad fields, correctly signed */
    double saved = good.protos[0].image[3];
    good.protos[0].image[3] = NAN;
    failures += hostile_case("nan", "NaN in a prototype", &good.c, 0, FW_ERR_INVALID_FIELD, "contribution.prototypes[0].image[3]") != 0;
    good.protos[0].image[3] = saved;
    /* one prototype of dimension d-1 (consistent, so the wire layer passes it; the edge's policy refuses it) */
    size_t np = good.c.n_prototypes;
    good.c.n_prototypes = 1;
    good.protos[0].n_image = good.protos[0].n_text = (size_t)opt.dimension - 1;
    failures += hostile_case("wrong-dimension", "wrong dimension", &good.c, 0, FW_ERR_INVALID_FIELD, "contribution.prototypes[0].image") != 0;
    good.protos[0].n_image = good.protos[0].n_text = (size_t)opt.dimension;
    good.c.n_prototypes = np;
    double eps = good.c.epsilon;
    good.c.epsilon = 1000;
    failures += hostile_case("epsilon", "epsilon above the edge's limit", &good.c, 0, FW_ERR_INVALID_FIELD, "contribution.epsilon") != 0;
    good.c.epsilon = eps;
    free_release(&good);
    printf("hostile cases: %d unexpected\n", failures);
    return failures;
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: fairway-agent-example --edge URL [options]\n"
            "  --edge URL            edge server to join through (e.g. tcp://127.0.0.1:7410)\n"
            "  --key-file F          Ed25519 key (64 hex digits, mode 0600; created if missing); default: a fresh key\n"
            "  --seed HEX            the key's 32-byte seed as 64 hex digits instead of a file\n"
            "  --pin ID              accept only this edge identity (fw…)\n"
            "  --name NAME           display name (default c-agent)\n"
            "  --tls-ca-file F --tls-cert-key-file F   for tls+tcp:// edges (mutual TLS, PEM)\n"
            "  --bucket-size B       token bucket size asked at join (default 4)\n"
            "  --prototypes K        prototypes in the contribution (default 3)\n"
            "  --records N           synthetic records per prototype (default 100)\n"
            "  --dimension D         embedding dimension (default 16: the edge's contributions.dimension)\n"
            "  --epsilon E --delta D (ε, δ) of the release (default 1, 1e-6)\n"
            "  --clip C              L2 clipping bound (default 1)\n"
            "  --sequence S          the release's sequence number (default 1)\n"
            "  --wait-s S            how long to wait for tokens (default 30)\n"
            "  --timeout-ms MS       deadline of one request (default 2000)\n"
            "  --want-label          ask again until an agent module answers (label >= 0; needs contracts on)\n"
            "  --hostile             after the run, send refused contributions and check the session survives\n"
            "  --hostile-only        join, then only the hostile cases\n"
            "  --hostile-dump DIR    also write each hostile case's SignedEnvelope bytes, as sent, to DIR/<case>.bin\n"
            "                        (wrong-signature, foreign-key, unsigned, nan, wrong-dimension, epsilon) and print\n"
            "                        'hostile-case <case> code=N name=NAME field=FIELD' for each refusal\n");
}

int main(int argc, char **argv) {
    opt = (options){.name = "c-agent", .bucket_size = 4, .epsilon = 1, .delta = 1e-6, .clip = 1, .prototypes = 3,
                    .records = 100, .dimension = 16, .wait_s = 30, .timeout_ms = 2000, .sequence = 1};
    static struct option longopts[] = {
        {"edge", required_argument, 0, 'e'}, {"key-file", required_argument, 0, 'k'}, {"seed", required_argument, 0, 's'},
        {"pin", required_argument, 0, 'p'}, {"name", required_argument, 0, 'n'}, {"bucket-size", required_argument, 0, 'b'},
        {"prototypes", required_argument, 0, 'K'}, {"records", required_argument, 0, 'N'},
        {"dimension", required_argument, 0, 'D'}, {"epsilon", required_argument, 0, 'E'},
        {"delta", required_argument, 0, 'd'}, {"clip", required_argument, 0, 'C'}, {"sequence", required_argument, 0, 'S'},
        {"wait-s", required_argument, 0, 'w'}, {"timeout-ms", required_argument, 0, 't'},
        {"tls-ca-file", required_argument, 0, 'A'}, {"tls-cert-key-file", required_argument, 0, 'T'},
        {"hostile", no_argument, 0, 'H'}, {"want-label", no_argument, 0, 'L'}, {"hostile-only", no_argument, 0, 'O'},
        {"hostile-dump", required_argument, 0, 'Y'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'e': opt.edge = optarg; break;
        case 'k': opt.key_file = optarg; break;
        case 's': opt.seed_hex = optarg; break;
        case 'p': opt.pin = optarg; break;
        case 'n': opt.name = optarg; break;
        case 'b': opt.bucket_size = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'K': opt.prototypes = atoi(optarg); break;
        case 'N': opt.records = atoi(optarg); break;
        case 'D': opt.dimension = atoi(optarg); break;
        case 'E': opt.epsilon = strtod(optarg, NULL); break;
        case 'd': opt.delta = strtod(optarg, NULL); break;
        case 'C': opt.clip = strtod(optarg, NULL); break;
        case 'S': opt.sequence = strtoull(optarg, NULL, 10); break;
        case 'w': opt.wait_s = atoi(optarg); break;
        case 't': opt.timeout_ms = atoi(optarg); break;
        case 'A': opt.tls_ca = optarg; break;
        case 'T': opt.tls_cert = optarg; break;
        case 'H': opt.hostile = 1; break;
        case 'L': opt.want_label = 1; break;
        case 'O': opt.hostile = opt.hostile_only = 1; break;
        case 'Y': opt.hostile_dump = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!opt.edge || optind != argc || opt.prototypes < 1 || opt.records < 1 || opt.dimension < 2 || opt.clip <= 0) {
        usage(stderr);
        return 2;
    }
    if (fw_init()) { fprintf(stderr, "fairway-agent-example: libsodium failed to initialise\n"); return 1; }
    fw_error err;
    if (opt.seed_hex) {
        uint8_t seed[32];
        size_t bin = 0;
        if (strlen(opt.seed_hex) != 64 || sodium_hex2bin(seed, 32, opt.seed_hex, 64, NULL, &bin, NULL) || bin != 32) {
            fprintf(stderr, "fairway-agent-example: --seed must be 64 hex digits\n");
            return 2;
        }
        fw_identity_from_seed(&me, seed);
    } else if (opt.key_file) {
        if (fw_identity_load_or_create(&me, opt.key_file, &err)) die("key file", &err);
    } else {
        fw_identity_generate(&me);
    }
    fw_client_options co;
    fw_client_options_default(&co);
    co.recv_timeout_ms = opt.timeout_ms;
    co.pinned_node_id = opt.pin;
    co.tls_ca_file = opt.tls_ca;
    co.tls_cert_key_file = opt.tls_cert;
    if (!(client = fw_client_open(opt.edge, &me, &co, &err))) die("open", &err);

    if (join(&err)) die("join", &err);
    int status = 0;
    if (!opt.hostile_only) {
        release rel;
        if (make_release(&rel, &err)) die("release", &err);
        printf("release: %d prototypes of dimension %d from %d records each, clip C=%g, (ε, δ)=(%g, %g), Δ=√(2C²+1)=%.6f, "
               "σ=%.9g (analytic), noise multiplier %.9g\n",
               opt.prototypes, opt.dimension, opt.records, opt.clip, opt.epsilon, opt.delta, rel.sensitivity, rel.sigma,
               rel.sigma / rel.sensitivity);
        if (keep_alive(&err)) die("heartbeat", &err);
        if (contribute(&rel.c, &err)) die("contribution", &err);
        free_release(&rel);
        if (infer(&err)) die("inference", &err);
    }
    if (opt.hostile && hostile()) status = 1;
    fw_client_close(client);
    fw_identity_clear(&me);
    if (status) fprintf(stderr, "fairway-agent-example: some hostile cases did not behave as expected\n");
    else printf("ok\n");
    return status;
}
