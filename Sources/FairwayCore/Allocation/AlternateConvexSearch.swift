/// Fair-Synergy for distributed learning (Problem 2, eq. 7) by alternate convex search (ACS):
/// fix α and solve the concave problem in ρ exactly (a weighted water-filling with weights
/// (α⁰ + α)^{γ^α}), then fix ρ and solve for α (weights (ρ⁰ + ρ)^{γ^ρ}); repeat. Each step
/// cannot lower Σ U, so the total utility converges.
///
/// - `onePass`: the single ρ-step-then-α-step that the paper's public code performs
///   (its `fairSynergy2D`), from α = 0.
/// - `converged`: the paper's method, the same two steps repeated until max_i |Δα_i| < 1e-14.
/// - `multiStart`: the problem is not jointly concave when γ^ρ_i + γ^α_i > 1, and ACS then
///   stops at a partial optimum that depends on its start. This runs converged ACS from
///   α = 0, from α uniform, from every vertex α = T·e_j (up to `vertexStarts` agents), and from
///   `randomStarts` seeded Dirichlet(1) shares of T, and keeps the best total utility.
public enum AlternateConvexSearch {
    public struct Result: Sendable, Equatable {
        public var rho: [Double]
        public var alpha: [Double]
        /// ρ-step + α-step pairs performed.
        public var iterations: Int
        /// False when `maxIterations` ran out before max |Δα| < tolerance.
        public var converged: Bool
        /// Total utility (uncapped) after each iteration.
        public var trace: [Double]
    }

    /// ACS from `startAlpha` (nil = α = 0, the public code's start).
    public static func run(
        _ p: TrainingAllocationProblem, startAlpha: [Double]? = nil, onePass: Bool = false,
        tolerance: Double = 1e-14, maxIterations: Int = 10_000
    ) -> Result {
        let n = p.count
        var alpha = startAlpha ?? [Double](repeating: 0, count: n)
        var rho = [Double](repeating: 0, count: n)
        var iterations = 0
        var converged = false
        var trace: [Double] = []
        var wRho = [Double](repeating: 0, count: n), wAlpha = wRho
        while iterations < maxIterations {
            for i in 0..<n { wRho[i] = CobbDouglasUtility.inference(rho0: p.alpha0[i], gamma: p.gammaAlpha[i], rho: alpha[i]) }
            rho = PowerWaterFilling.solve(weights: wRho, offsets: p.rho0, exponents: p.gammaRho, budget: p.computeBudget).x
            for i in 0..<n { wAlpha[i] = CobbDouglasUtility.inference(rho0: p.rho0[i], gamma: p.gammaRho[i], rho: rho[i]) }
            let next = PowerWaterFilling.solve(weights: wAlpha, offsets: p.alpha0, exponents: p.gammaAlpha, budget: p.labellingBudget).x
            var delta = 0.0
            for i in 0..<n { delta = max(delta, abs(next[i] - alpha[i])) }
            alpha = next
            iterations += 1
            trace.append(p.utilities(rho: rho, alpha: alpha).total)
            if delta < tolerance { converged = true; break }
            if onePass { break }
        }
        return Result(rho: rho, alpha: alpha, iterations: iterations, converged: converged, trace: trace)
    }

    /// Converged ACS from several starts; the best total utility wins (ties: the earliest start).
    public static func multiStart(
        _ p: TrainingAllocationProblem, vertexStarts: Int = 32, randomStarts: Int = 8, seed: UInt64 = 1
    ) -> Result {
        let n = p.count
        var starts: [[Double]] = [[Double](repeating: 0, count: n)]
        if n > 0 {
            starts.append([Double](repeating: p.labellingBudget / Double(n), count: n))
            for j in 0..<min(n, vertexStarts) {
                var s = [Double](repeating: 0, count: n)
                s[j] = p.labellingBudget
                starts.append(s)
            }
            var rng = SeededGenerator(seed: seed)
            for _ in 0..<randomStarts { starts.append(rng.nextDirichlet(alpha: 1, count: n).map { $0 * p.labellingBudget }) }
        }
        var best: Result? = nil
        var bestTotal = -Double.infinity
        for start in starts {
            let r = run(p, startAlpha: start)
            let total = p.utilities(rho: r.rho, alpha: r.alpha).total
            if total > bestTotal {
                best = r
                bestTotal = total
            }
        }
        return best!
    }
}
