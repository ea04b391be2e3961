/* The analytic Gaussian mechanism (port of FairwayCore/Privacy/GaussianMechanism.swift and
 * NormalDistribution.swift), clipping and CSPRNG normal samples. */
#include "fairway.h"

#include <math.h>
#include <stdint.h>

#include <sodium.h>

double fw_normal_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

double fw_gaussian_exact_delta(double sigma, double epsilon, double sensitivity) {
    double a = sensitivity / (2 * sigma), b = epsilon * sigma / sensitivity;
    return fw_normal_cdf(a - b) - exp(epsilon) * fw_normal_cdf(-a - b);
}

double fw_gaussian_classical_sigma(double epsilon, double delta, double sensitivity) {
    return sensitivity * sqrt(2 * log(1.25 / delta)) / epsilon;
}

static int ok(double s, double epsilon, double delta, double sensitivity) {
    return fw_gaussian_exact_delta(s, epsilon, sensitivity) <= delta;
}

double fw_gaussian_analytic_sigma(double epsilon, double delta, double sensitivity) {
    if (!isfinite(epsilon) || epsilon <= 0) return -1;
    if (!isfinite(delta) || delta <= 0 || delta >= 1) return -1;
    if (!isfinite(sensitivity) || sensitivity <= 0) return -1;
    /* Bracket: shrink lo until not private, grow hi until private. */
    double lo = sensitivity * 1e-3;
    double hi = fw_gaussian_classical_sigma(epsilon, delta, sensitivity);
    if (hi < sensitivity) hi = sensitivity;
    while (ok(lo, epsilon, delta, sensitivity) && lo > 1e-300) lo /= 2;
    while (!ok(hi, epsilon, delta, sensitivity)) hi *= 2;
    for (int i = 0; i < 200; i++) {
        double mid = (lo + hi) / 2;
        if (!(mid > lo && mid < hi)) break;
        if (ok(mid, epsilon, delta, sensitivity)) hi = mid;
        else lo = mid;
    }
    return hi;
}

/* Uniform in (0, 1) from 53 random bits, never 0. */
static double uniform_open(void) {
    uint64_t r;
    do {
        randombytes_buf(&r, sizeof r);
        r >>= 11;
    } while (r == 0);
    return (double)r / 9007199254740992.0; /* 2^53 */
}

double fw_random_normal(void) {
    double u1 = uniform_open(), u2 = uniform_open();
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double fw_clip_l2(double *v, size_t n, double bound) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += v[i] * v[i];
    double norm = sqrt(s);
    if (norm > bound && norm > 0) {
        double k = bound / norm;
        for (size_t i = 0; i < n; i++) v[i] *= k;
        /* keep the computed norm ≤ bound exactly (as L2Clipping does) */
        for (int guard = 0; guard < 8; guard++) {
            double t = 0;
            for (size_t i = 0; i < n; i++) t += v[i] * v[i];
            if (sqrt(t) <= bound) break;
            for (size_t i = 0; i < n; i++) v[i] = nextafter(v[i], 0.0);
        }
    }
    return norm;
}
