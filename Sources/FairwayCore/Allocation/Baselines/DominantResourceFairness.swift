/// DRF, dominant resource fairness (Ghodsi et al., NSDI 2011; paper §IV), defined here for
/// Fair-Synergy's utilities (the public code has none):
///
/// - An agent's demand is what brings its accuracy to 1 without the other's help:
///   d^ρ_i = max(0, 1 − ρ⁰_i) of compute (and d^α_i = max(0, 1 − α⁰_i) of labelling); at
///   ρ⁰ + ρ = 1 and α⁰ + α = 1 eq. 3 and eq. 7 equal 1 for any exponents. An agent whose
///   exponent for a resource is 0 demands none of it.
/// - Progressive filling: each agent receives x_i·d_i with x_i ∈ [0, 1] (Leontief bundles),
///   the dominant shares x_i·max_r d_ir/B_r rise together; when a resource runs out, every agent
///   that needs it stops; when an agent's demand is met it stops.
/// - Work conservation: what the filling leaves (all demands met, or a resource no stopped
///   agent could use) is split equally among all agents, as Uniform would, so that every
///   allocator spends the whole budget.
///
/// With one resource this is max-min fairness with demands: equal shares, capped at each
/// agent's demand.
public enum DominantResourceFairness {
    /// `demands[i][r]` ≥ 0 and `budgets[r]` ≥ 0; returns the allocation `x[i][r]`.
    public static func allocate(demands: [[Double]], budgets: [Double]) -> [[Double]] {
        let n = demands.count, m = budgets.count
        var x = [[Double]](repeating: [Double](repeating: 0, count: m), count: n)
        guard n > 0 else { return x }
        // Per-agent dominant share of a full demand.
        var dominant = [Double](repeating: 0, count: n)
        for i in 0..<n {
            for r in 0..<m where demands[i][r] > 0 && budgets[r] > 0 {
                dominant[i] = max(dominant[i], demands[i][r] / budgets[r])
            }
        }
        var tasks = [Double](repeating: 0, count: n)
        var active = Set((0..<n).filter { i in
            dominant[i] > 0 && (0..<m).allSatisfy { r in demands[i][r] == 0 || budgets[r] > 0 }
        })
        var used = [Double](repeating: 0, count: m)
        func usage(_ sigma: Double) -> [Double] {
            var u = used
            for i in active {
                let t = min(1, sigma / dominant[i])
                for r in 0..<m { u[r] += t * demands[i][r] }
            }
            return u
        }
        func overflows(_ u: [Double]) -> Bool { (0..<m).contains { u[$0] > budgets[$0] * (1 + 1e-15) } }
        while !active.isEmpty {
            let sigmaMax = active.map { dominant[$0] }.max()!
            var sigma = sigmaMax
            if overflows(usage(sigmaMax)) {
                var lo = 0.0, hi = sigmaMax
                for _ in 0..<200 {
                    let mid = lo + (hi - lo) / 2
                    if mid <= lo || mid >= hi { break }
                    if overflows(usage(mid)) { hi = mid } else { lo = mid }
                }
                sigma = lo
            }
            let u = usage(sigma)
            let exhausted = (0..<m).filter { budgets[$0] > 0 && u[$0] >= budgets[$0] * (1 - 1e-12) }
            var stopped: [Int] = []
            for i in active {
                let t = min(1, sigma / dominant[i])
                if t >= 1 || exhausted.contains(where: { demands[i][$0] > 0 }) {
                    tasks[i] = t
                    stopped.append(i)
                }
            }
            if stopped.isEmpty {  // numerical stall: settle everyone at this level
                for i in active { tasks[i] = min(1, sigma / dominant[i]) }
                stopped = Array(active)
            }
            for i in stopped {
                active.remove(i)
                for r in 0..<m { used[r] += tasks[i] * demands[i][r] }
            }
        }
        for r in 0..<m {
            var total = 0.0
            for i in 0..<n {
                x[i][r] = min(tasks[i] * demands[i][r], budgets[r])
                total += x[i][r]
            }
            let rest = max(0, budgets[r] - total) / Double(n)
            for i in 0..<n { x[i][r] += rest }
        }
        return x
    }

    /// RTI: one resource, demand max(0, 1 − ρ⁰_i) (none when γ_i = 0).
    public static func inference(_ p: InferenceAllocationProblem) -> [Double] {
        let d = p.rho0.indices.map { [p.gamma[$0] > 0 ? max(0, 1 - p.rho0[$0]) : 0] }
        return allocate(demands: d, budgets: [p.budget]).map { $0[0] }
    }

    /// DL: two resources, demands (max(0, 1 − ρ⁰_i), max(0, 1 − α⁰_i)).
    public static func training(_ p: TrainingAllocationProblem) -> (rho: [Double], alpha: [Double]) {
        let d = p.rho0.indices.map {
            [p.gammaRho[$0] > 0 ? max(0, 1 - p.rho0[$0]) : 0, p.gammaAlpha[$0] > 0 ? max(0, 1 - p.alpha0[$0]) : 0]
        }
        let x = allocate(demands: d, budgets: [p.computeBudget, p.labellingBudget])
        return (x.map { $0[0] }, x.map { $0[1] })
    }
}
