import FairwayCore

/// The `exact` optimum: the best contract that satisfies every constraint of the paper's problem
/// (eqs. 13, 14, 20, 21), over integer rounds on the grid of `contracts.json` `meta.optimisation`
/// (0…maxRounds, T¹ nondecreasing in k, every menu T²[k] nondecreasing in j) and free rewards —
/// the reference's `lp_joint_milp`.
///
/// One MILP, solved by GLPK's branch and bound (`glp_intopt`, presolver on, gap 0): integer
/// columns T¹_k, T²_kj; continuous R¹_k, R²_kj; and for every round variable v with a positive
/// weight W_v a column q_v ≤ Q(t) + (Q(t+1) − Q(t))·(T_v − t) for t = 0…maxRounds−1 — the chords
/// of the concave Q between consecutive integers, so q_v = Q(T_v) exactly at integer T_v (all at
/// once by default; `lazyChords` adds them lazily — exact too, faster at K = 2…5, but some later
/// passes are much harder for GLPK's branch and bound: K = 6 took > 100 s against 3 s). The
/// objective is eq. 12: Σ_v W_v·α·q_v − N·(Σ p¹R¹ + β·Σ p¹p²R²) − σ·E_C·(1 + β). The profit
/// reported is recomputed at the MILP's rounds with `MinimumCostRewards` (the authoritative
/// value; the MILP's own objective agrees to solver tolerance). With β = 0, T² does not enter
/// the profit and is reported as each menu's myopic optimum (as in the reference).
public enum ExactOptimiser {
    public struct Result: Sendable {
        public var status: GLPKProblem.Status
        /// The contract at the optimal rounds with minimum-cost rewards (nil if none was found).
        public var evaluation: ContractEvaluation?
        /// The MILP's own objective value.
        public var milpObjective: Double
        /// MILPs solved (chords are added between passes).
        public var passes: Int
    }

    /// Solves the MILP; `timeLimitMilliseconds` bounds GLPK's search (nil = none).
    /// `lazyChords`: start from every 10th chord and add the two around each solution's rounds
    /// until none is missing (exact: the last MILP's optimum is a true profit bounding all others);
    /// false (default): all chords in one MILP.
    public static func optimise(_ instance: ContractInstance, maxRounds: Int = 200, timeLimitMilliseconds: Int? = nil,
                                lazyChords: Bool = false) -> Result {
        let K = instance.K, n = K + K * K
        // Columns: rounds [0, n) (T¹ then T² row by row), rewards [n, 2n), quality [2n, …).
        let lp = GLPKProblem(columns: 2 * n, maximise: true)
        let chordStride = 10
        let t1Base = 0, t2Base = K, r1Base = n, r2Base = n + K
        for v in 0..<n { lp.setColumn(v, lower: 0, upper: Double(maxRounds), integer: true) }
        MinimumCostRewards.addConstraints(lp, instance, rounds: nil, r1Base: r1Base, r2Base: r2Base, t1Base: t1Base, t2Base: t2Base)
        for k in 1..<max(1, K) where k < K { lp.addRow([(t1Base + k, 1), (t1Base + k - 1, -1)], lower: 0, upper: nil) }
        for m in 0..<K {
            for j in 1..<max(1, K) where j < K { lp.addRow([(t2Base + m * K + j, 1), (t2Base + m * K + j - 1, -1)], lower: 0, upper: nil) }
        }
        let Q = AgentModuleQuality.table(maxRounds: maxRounds)
        let N = instance.N, beta = instance.beta
        var weights: [Double] = (0..<K).map { N * instance.p1[$0] }
        for k in 0..<K { for j in 0..<K { weights.append(beta * N * instance.p1[k] * instance.p2[k][j]) } }
        var objective: [Int: Double] = [:]
        var qColumn: [Int: Int] = [:]
        var chords: [Int: Set<Int>] = [:]
        func addChord(_ v: Int, _ t: Int) {
            guard t >= 0, t < maxRounds, chords[v, default: []].insert(t).inserted else { return }
            let slope = Q[t + 1] - Q[t]
            lp.addRow([(qColumn[v]!, 1), (v, -slope)], lower: nil, upper: Q[t] - slope * Double(t))
        }
        for v in 0..<n where weights[v] > 0 {
            let q = lp.addColumns(1)
            qColumn[v] = q
            lp.setColumn(q, lower: nil, upper: Q[maxRounds])
            objective[q] = weights[v] * instance.alpha
            for t in stride(from: 0, to: maxRounds, by: lazyChords ? chordStride : 1) { addChord(v, t) }
            addChord(v, maxRounds - 1)
        }
        let pay = MinimumCostRewards.paymentWeights(instance)
        for k in 0..<K {
            objective[r1Base + k] = -pay.r1[k]
            for j in 0..<K { objective[r2Base + k * K + j] = -pay.r2[k][j] }
        }
        lp.setObjective(objective, constant: -instance.integrationCost * (1 + beta))
        // Chords are added lazily: solve, then give every weighted round variable the two chords
        // around its integer value (so q = Q(T) there exactly) and solve again, until none is
        // missing. The last MILP's optimum is then a true profit that bounds every other
        // contract's from above: the exact optimum.
        var status = GLPKProblem.Status.failed
        var passes = 0
        while true {
            passes += 1
            status = lp.solveMILP(timeLimitMilliseconds: timeLimitMilliseconds)
            guard status == .optimal else { break }
            let before = lp.rowCount
            for v in qColumn.keys {
                let t = Int(lp.mipValue(v).rounded())
                addChord(v, t - 1)
                addChord(v, t)
            }
            if lp.rowCount == before { break }
        }
        guard status == .optimal || status == .timeLimit else { return Result(status: status, evaluation: nil, milpObjective: .nan, passes: passes) }
        func round(_ v: Int) -> Int { Int(lp.mipValue(v).rounded()) }
        var rounds = TrainingRounds(T1: (0..<K).map { round(t1Base + $0) },
                                    T2: (0..<K).map { m in (0..<K).map { round(t2Base + m * K + $0) } })
        if beta == 0 { rounds.T2 = PaperOptimiser.optimalRounds(instance, maxRounds: maxRounds).T2 }
        return Result(status: status, evaluation: MinimumCostRewards.evaluate(instance, rounds), milpObjective: lp.mipObjective, passes: passes)
    }

    /// Brute force for small grids: every monotone (T¹, T²) on 0…maxRounds, minimum-cost rewards
    /// by LP for each, the best eq.-12 profit (first found among ties within 1e-9 relative).
    /// (C(maxRounds+K, K))^(K+1) LPs.
    public static func bruteForce(_ instance: ContractInstance, maxRounds: Int) -> (evaluation: ContractEvaluation?, evaluated: Int) {
        let K = instance.K
        let tuples = MonotoneChain.allTuples(length: K, maxT: maxRounds)
        var best: ContractEvaluation?
        var evaluated = 0
        var menus = [Int](repeating: 0, count: K)
        func visit(_ T1: [Int], _ k: Int) {
            if k == K {
                evaluated += 1
                guard let e = MinimumCostRewards.evaluate(instance, TrainingRounds(T1: T1, T2: menus.map { tuples[$0] })) else { return }
                if best == nil || e.profit.total > best!.profit.total + 1e-9 * max(1, abs(best!.profit.total)) { best = e }
                return
            }
            for m in tuples.indices {
                menus[k] = m
                visit(T1, k + 1)
            }
        }
        for T1 in tuples { visit(T1, 0) }
        return (best, evaluated)
    }

    /// The random contract scheme (`RandomContract`) priced with minimum-cost rewards: mean over
    /// the draws whose LP is feasible.
    public static func random(_ instance: ContractInstance, draws: [TrainingRounds]) -> RandomContract.Summary {
        RandomContract.Summary(draws: draws.count, evaluations: draws.map { MinimumCostRewards.evaluate(instance, $0) })
    }
}
