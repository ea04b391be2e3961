#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The root finder every exact allocator here shares: the level s at which
///
///     Σ_i max(0, exp(a_i + k_i·s) − b_i) = budget,   k_i > 0, b_i ≥ 0,
///
/// the form the KKT conditions of every water-filling take (Fair-Synergy's eq. 4 with
/// s = −ln λ, k_i = 1/(1 − γ_i); NUM's x_i = max(0, L − b_i) with s = ln L, k = 1; leximin's
/// x_i = max(0, u^{1/γ_i} − b_i) with s = ln u, k_i = 1/γ_i).
///
/// The demand D(s) is convex and nondecreasing in s (a sum of maxima of convex exponentials),
/// so a Newton step taken from the right of the root never overshoots it. The solver keeps a
/// bracket [lo, hi] with D(lo) ≤ budget ≤ D(hi), takes Newton steps from `hi`, and bisects
/// whenever a step fails to shrink the residual by at least a factor 4 (a steep exponential,
/// γ near 1, or an infinite demand) — so it converges in every case and quadratically near
/// the root. The returned allocation sums to `budget` exactly up to one rounding.
public struct ExponentialLevel: Sendable {
    public var a: [Double]
    public var k: [Double]
    public var b: [Double]

    public init(a: [Double], k: [Double], b: [Double]) {
        precondition(a.count == k.count && k.count == b.count)
        self.a = a
        self.k = k
        self.b = b
    }

    /// Demand at level s and its derivative (right derivative at kinks).
    @inline(__always)
    func demand(_ s: Double) -> (value: Double, slope: Double) {
        var d = 0.0, slope = 0.0
        for i in a.indices {
            let e = exp(a[i] + k[i] * s)
            if e > b[i] {
                d += e - b[i]
                slope += k[i] * e
            }
        }
        return (d, slope)
    }

    /// The level s and the allocation x_i = max(0, exp(a_i + k_i s) − b_i) with Σ x = budget.
    /// Precondition: at least one term, budget > 0 and finite.
    public func solve(budget: Double) -> (level: Double, x: [Double]) {
        let n = a.count
        precondition(n > 0 && budget > 0 && budget.isFinite)
        let share = budget / Double(n)
        var lo = Double.infinity, hi = -Double.infinity
        for i in 0..<n {
            let s = (log(b[i] + share) - a[i]) / k[i]
            lo = min(lo, s)
            hi = max(hi, s)
        }
        if lo == hi { return finish(level: hi, budget: budget) }
        var (dHi, slopeHi) = demand(hi)
        var newtonRejectedAt: Double? = nil
        for _ in 0..<400 {
            let residual = dHi - budget
            if residual <= 1e-15 * budget { break }
            if !(hi - lo > 2 * hi.ulp.magnitude + 1e-300) { break }
            var candidate = Double.nan
            if dHi.isFinite, slopeHi > 0, newtonRejectedAt != hi {
                candidate = hi - residual / slopeHi
            }
            if candidate.isFinite, candidate > lo, candidate < hi {
                let (d, slope) = demand(candidate)
                if d >= budget {
                    if d - budget > 0.25 * residual { newtonRejectedAt = candidate }
                    hi = candidate; dHi = d; slopeHi = slope
                    continue
                }
                lo = candidate
                newtonRejectedAt = hi
                continue
            }
            let mid = lo + (hi - lo) / 2
            let (d, slope) = demand(mid)
            if d >= budget {
                hi = mid; dHi = d; slopeHi = slope
            } else {
                lo = mid
            }
        }
        return finish(level: hi, budget: budget)
    }

    /// The allocation at `level`, corrected to sum to `budget`: the residual (tiny) is removed
    /// along the demand's gradient, then the last rounding goes to the largest share.
    private func finish(level: Double, budget: Double) -> (level: Double, x: [Double]) {
        var x = [Double](repeating: 0, count: a.count)
        var weights = x
        var sum = 0.0, weightSum = 0.0
        for i in a.indices {
            let e = exp(a[i] + k[i] * level)
            if e > b[i] {
                x[i] = e - b[i]
                weights[i] = k[i] * e
                sum += x[i]
                weightSum += weights[i]
            }
        }
        if !sum.isFinite || sum <= 0 || !weightSum.isFinite || weightSum <= 0 {
            // Only reachable when every term is infinitely steep: share equally among the
            // terms with the largest exponent at this level.
            let top = a.indices.map { a[$0] + k[$0] * level }
            let best = top.max() ?? 0
            let winners = a.indices.filter { top[$0] == best }
            x = [Double](repeating: 0, count: a.count)
            for i in winners { x[i] = budget / Double(winners.count) }
            return (level, x)
        }
        let residual = budget - sum
        if residual != 0 {
            for i in x.indices where weights[i] > 0 {
                x[i] = max(0, x[i] + residual * weights[i] / weightSum)
            }
        }
        let total = x.reduce(0, +)
        if let top = x.indices.max(by: { x[$0] < x[$1] }) { x[top] = max(0, x[top] + (budget - total)) }
        return (level, x)
    }
}
