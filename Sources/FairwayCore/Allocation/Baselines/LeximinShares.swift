#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Leximin (paper §IV; the public code has none): raise the worst-off agent's utility first.
///
/// - One resource: the utility level u with x_i = max(0, u^{1/γ_i} − ρ⁰_i) and Σ x = P. Agents
///   already above u receive nothing, every other agent ends exactly at u — the leximin
///   allocation of Σ-constrained increasing utilities. Agents with γ_i = 0 cannot be raised
///   and receive nothing (if all have γ = 0, the budget is split equally).
/// - Two resources: each agent receives the same mix of the two budgets, s_i·(P, T) with
///   Σ s_i = 1, and the shares s_i level the true eq. 7 utilities the same way (agents above the
///   level get s_i = 0). This is leximin over bundles of the cloud's resource mix; it does not
///   search each agent's own mix, which would need a nested non-linear solve per agent.
public enum LeximinShares {
    public static func inference(_ p: InferenceAllocationProblem) -> (x: [Double], level: Double?) {
        let n = p.count
        guard n > 0, p.budget > 0 else { return ([Double](repeating: 0, count: n), nil) }
        let active = (0..<n).filter { p.gamma[$0] > 0 }
        guard !active.isEmpty else { return (UniformShares.shares(count: n, budget: p.budget), nil) }
        let level = ExponentialLevel(
            a: [Double](repeating: 0, count: active.count), k: active.map { 1 / p.gamma[$0] }, b: active.map { p.rho0[$0] })
        let (s, shares) = level.solve(budget: p.budget)
        var x = [Double](repeating: 0, count: n)
        for (j, i) in active.enumerated() { x[i] = shares[j] }
        return (x, exp(s))
    }

    public static func training(_ p: TrainingAllocationProblem) -> (rho: [Double], alpha: [Double]) {
        let n = p.count
        let P = p.computeBudget, T = p.labellingBudget
        guard n > 0, P > 0 || T > 0 else { return ([Double](repeating: 0, count: n), [Double](repeating: 0, count: n)) }
        // log U_i(s) = γρ log(ρ⁰ + sP) + γα log(α⁰ + sT): concave, nondecreasing in s.
        func logU(_ i: Int, _ s: Double) -> Double {
            var v = 0.0
            if p.gammaRho[i] > 0 { v += p.gammaRho[i] * log(p.rho0[i] + s * P) }
            if p.gammaAlpha[i] > 0 { v += p.gammaAlpha[i] * log(p.alpha0[i] + s * T) }
            return v
        }
        // Agents whose utility no share can raise (zero exponents, or a zero factor no budget lifts) sit out.
        let active = (0..<n).filter { logU($0, 1).isFinite && logU($0, 1) > logU($0, 0) }
        guard !active.isEmpty else {
            return (UniformShares.shares(count: n, budget: P), UniformShares.shares(count: n, budget: T))
        }
        // The share that brings agent i to level ℓ (0 if already there).
        func share(_ i: Int, _ level: Double) -> Double {
            if logU(i, 0) >= level { return 0 }
            var lo = 0.0, hi = 1.0
            while logU(i, hi) < level { lo = hi; hi *= 2; if hi > 1e300 { return hi } }
            for _ in 0..<200 {
                let mid = lo + (hi - lo) / 2
                if mid <= lo || mid >= hi { break }
                if logU(i, mid) < level { lo = mid } else { hi = mid }
            }
            return hi
        }
        let m = 1 / Double(active.count)
        var lo = active.map { logU($0, m) }.min()!, hi = active.map { logU($0, m) }.max()!
        var shares = [Double](repeating: 0, count: n)
        func fill(_ level: Double) -> Double {
            var sum = 0.0
            for i in active { shares[i] = share(i, level); sum += shares[i] }
            return sum
        }
        if lo < hi {
            for _ in 0..<200 {
                let mid = lo + (hi - lo) / 2
                if mid <= lo || mid >= hi { break }
                if fill(mid) < 1 { lo = mid } else { hi = mid }
            }
        }
        let total = fill(hi)
        let scale = total > 0 ? 1 / total : 0
        return (shares.map { $0 * scale * P }, shares.map { $0 * scale * T })
    }
}
