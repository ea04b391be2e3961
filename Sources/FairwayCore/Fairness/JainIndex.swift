extension Fairness {
    /// Eq. 6, Jain's index J = (Σ r)² / (N Σ r²), in [1/N, 1]; 1 iff all rates are equal.
    ///
    /// Rates must be non-negative. If r² overflows (huge rates from tiny values) it is
    /// recomputed on r / max r. Returns nil when undefined: no agents, all r = 0, or a rate
    /// that is infinite (u/v overflows for a subnormal v). O(N).
    public static func jain(_ rates: [Double]) -> Double? {
        guard !rates.isEmpty else { return nil }
        // One pass in the common case; rescale by the largest rate only if r² overflowed.
        var (sum, squares) = sums(rates, scale: 1)
        if !squares.isFinite {
            guard let top = rates.max(), top.isFinite else { return nil }
            (sum, squares) = sums(rates, scale: 1 / top)
        }
        guard squares > 0 else { return nil }
        return sum * sum / (Double(rates.count) * squares)
    }

    /// (Σ s·r, Σ (s·r)²), with two accumulators per sum to shorten the dependency chain.
    private static func sums(_ rates: [Double], scale: Double) -> (Double, Double) {
        rates.withUnsafeBufferPointer { r in
            var s0 = 0.0, s1 = 0.0, q0 = 0.0, q1 = 0.0
            var i = 0
            while i + 1 < r.count {
                let a = r[i] * scale, b = r[i + 1] * scale
                s0 += a
                s1 += b
                q0 += a * a
                q1 += b * b
                i += 2
            }
            if i < r.count {
                let a = r[i] * scale
                s0 += a
                q0 += a * a
            }
            return (s0 + s1, q0 + q1)
        }
    }
}
