#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The exact solution of
///
///     max Σ_i w_i (b_i + x_i)^{g_i}   s.t.  Σ_i x_i ≤ budget,  x_i ≥ 0,
///
/// with w_i ≥ 0, b_i ≥ 0 and g_i ∈ [0, 1]: Fair-Synergy's Problem 1 (w = 1) and each block of
/// its Problem 2, from the KKT conditions (the paper's eq. 4): every agent that receives
/// compute has the same marginal utility λ, w_i g_i (b_i + x_i)^{g_i − 1} = λ, and an agent
/// whose marginal at x = 0 is below λ receives nothing. So x_i(λ) = max(0, (w_i g_i/λ)^{1/(1−g_i)} − b_i)
/// and λ is the root of Σ x_i(λ) = budget (`ExponentialLevel` with s = −ln λ).
///
/// Edge cases, all exact: budget = 0 gives 0; an agent with w_i g_i = 0 is indifferent and gets
/// nothing (if every agent is indifferent the budget is split equally, which changes no
/// utility and keeps Σ x = budget); b_i = 0 with g_i < 1 has an infinite marginal at 0 and
/// always receives a share; g_i = 1 (linear) agents have the constant marginal w_i: they take
/// whatever the concave agents leave at λ = max w_i, split equally among the largest w_i.
public enum PowerWaterFilling {
    public struct Solution: Sendable, Equatable {
        /// x_i, same units as the budget; Σ x = budget when budget > 0.
        public var x: [Double]
        /// λ, the common marginal utility of the agents that receive a share; nil when no
        /// agent values the resource (budget split equally) or the budget is 0.
        public var multiplier: Double?
    }

    public static func solve(weights w: [Double], offsets b: [Double], exponents g: [Double], budget: Double) -> Solution {
        let n = w.count
        precondition(b.count == n && g.count == n)
        var x = [Double](repeating: 0, count: n)
        guard n > 0, budget > 0 else { return Solution(x: x, multiplier: nil) }
        var concave: [Int] = [], linear: [Int] = []
        for i in 0..<n where w[i] > 0 && g[i] > 0 {
            if g[i] >= 1 { linear.append(i) } else { concave.append(i) }
        }
        if concave.isEmpty && linear.isEmpty {
            for i in 0..<n { x[i] = budget / Double(n) }
            return Solution(x: x, multiplier: nil)
        }
        let level = ExponentialLevel(
            a: concave.map { log(w[$0] * g[$0]) / (1 - g[$0]) },
            k: concave.map { 1 / (1 - g[$0]) },
            b: concave.map { b[$0] })
        if !linear.isEmpty {
            let top = linear.map { w[$0] }.max()!
            let s = -log(top)
            var concaveDemand = 0.0
            var concaveX = [Double](repeating: 0, count: concave.count)
            for (j, _) in concave.enumerated() {
                let e = exp(level.a[j] + level.k[j] * s)
                concaveX[j] = max(0, e - level.b[j])
                concaveDemand += concaveX[j]
            }
            if concaveDemand <= budget {
                for (j, i) in concave.enumerated() { x[i] = concaveX[j] }
                let winners = linear.filter { w[$0] == top }
                let rest = (budget - concaveDemand) / Double(winners.count)
                for i in winners { x[i] = rest }
                return Solution(x: x, multiplier: top)
            }
        }
        let (s, shares) = level.solve(budget: budget)
        for (j, i) in concave.enumerated() { x[i] = shares[j] }
        return Solution(x: x, multiplier: exp(-s))
    }
}
