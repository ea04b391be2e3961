extension Fairness {
    /// Eq. 8, the Gini coefficient G = Σ_i Σ_j |r_i − r_j| / (2 N Σ r), in [0, 1 − 1/N];
    /// 0 iff all rates are equal.
    ///
    /// Computed in O(N log N) by the sorted form G = Σ_i (2i − N − 1) r_(i) / (N Σ r), with
    /// r_(1) ≤ … ≤ r_(N); rates must be non-negative. Returns nil when undefined: no agents,
    /// Σ r = 0, or a sum that is not finite (an infinite rate).
    public static func gini(_ rates: [Double]) -> Double? {
        let n = rates.count
        guard n > 0 else { return nil }
        // Σ r and Σ (2i − N − 1) r_(i), each with two accumulators to shorten the dependency chain.
        var total = 0.0, weighted = 0.0
        withSortedNonNegative(rates) { s in
            var t0 = 0.0, t1 = 0.0, w0 = 0.0, w1 = 0.0
            var weight = 1 - Double(n)  // 2i − N − 1 for i = 1
            var i = 0
            while i + 1 < n {
                t0 += s[i]
                t1 += s[i + 1]
                w0 += weight * s[i]
                w1 += (weight + 2) * s[i + 1]
                weight += 4
                i += 2
            }
            if i < n {
                t0 += s[i]
                w0 += weight * s[i]
            }
            total = t0 + t1
            weighted = w0 + w1
        }
        guard total > 0, total.isFinite, weighted.isFinite else { return nil }
        return weighted / (Double(n) * total)
    }

    /// The literal double sum of eq. 8, O(N²): only for cross-checking `gini`.
    public static func giniPairwise(_ rates: [Double]) -> Double? {
        let n = rates.count
        let total = rates.reduce(0, +)
        guard n > 0, total > 0 else { return nil }
        var s = 0.0
        for a in rates { for b in rates { s += abs(a - b) } }
        return s / (2 * Double(n) * total)
    }
}
