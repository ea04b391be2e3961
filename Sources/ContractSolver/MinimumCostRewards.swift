import FairwayCore

/// The `exact` rewards for given training rounds (`contracts.json` `meta.reward_schemes.lp_joint`):
/// every R¹_k and R²_kj is an LP variable; minimise the expected discounted payment
/// N·(Σ_k p¹_k·R¹_k + β·Σ_k Σ_j p¹_k·p²_kj·R²_kj) subject to the paper's own constraints — IR of
/// eq. 20 (u¹(k,k) ≥ 0), IR of eq. 13 (u²(j,j,m) ≥ 0 in every menu), IC of eq. 14 (all pairs in
/// every menu) and IIC of eq. 21 (all ordered pairs k ≠ k′). Ties (e.g. every R² when β = 0) are
/// broken lexicographically: on the optimal face, minimise the plain sum of all rewards.
/// Solved by GLPK (`GLPKProblem`: simplex, then exact rational simplex, both phases).
public enum MinimumCostRewards {
    /// Column of R¹_k.
    static func r1(_ k: Int) -> Int { k }
    /// Column of R²_mj.
    static func r2(_ K: Int, _ m: Int, _ j: Int) -> Int { K + m * K + j }

    /// Adds the rows of eqs. 13, 14, 20, 21 over reward columns R¹ (`r1Base + k`) and R²
    /// (`r2Base + m·K + j`). Round columns (`t1Base + k`, `t2Base + m·K + j`) are used when
    /// given (the MILP); otherwise `rounds` enters as constants.
    static func addConstraints(_ lp: GLPKProblem, _ instance: ContractInstance, rounds: TrainingRounds?,
                               r1Base: Int, r2Base: Int, t1Base: Int? = nil, t2Base: Int? = nil) {
        let K = instance.K, c = instance.c, E = instance.E, beta = instance.beta
        let th1 = instance.theta1, th2 = instance.theta2
        // c·T terms: either a column (moved to the left-hand side) or a constant (right-hand side).
        func cost(_ coefficient: Double, t1 k: Int, into row: inout [(Int, Double)], constant: inout Double) {
            if let t1Base { row.append((t1Base + k, -coefficient * c)) } else { constant += coefficient * c * Double(rounds!.T1[k]) }
        }
        func cost(_ coefficient: Double, t2 m: Int, _ j: Int, into row: inout [(Int, Double)], constant: inout Double) {
            if let t2Base { row.append((t2Base + m * K + j, -coefficient * c)) } else { constant += coefficient * c * Double(rounds!.T2[m][j]) }
        }
        // IR, eq. 20: θ¹_k·R¹_k − c·T¹_k ≥ E.
        for k in 0..<K {
            var row = [(r1Base + k, th1[k])], rhs = E
            cost(1, t1: k, into: &row, constant: &rhs)
            lp.addRow(row, lower: rhs, upper: nil)
        }
        // IR, eq. 13: θ²_j·R²_mj − c·T²_mj ≥ E.
        for m in 0..<K {
            for j in 0..<K {
                var row = [(r2Base + m * K + j, th2[j])], rhs = E
                cost(1, t2: m, j, into: &row, constant: &rhs)
                lp.addRow(row, lower: rhs, upper: nil)
            }
        }
        // IC, eq. 14: θ²_j·(R²_mj − R²_mi) − c·(T²_mj − T²_mi) ≥ 0.
        for m in 0..<K {
            for j in 0..<K {
                for i in 0..<K where i != j {
                    var row = [(r2Base + m * K + j, th2[j]), (r2Base + m * K + i, -th2[j])], rhs = 0.0
                    cost(1, t2: m, j, into: &row, constant: &rhs)
                    cost(-1, t2: m, i, into: &row, constant: &rhs)
                    lp.addRow(row, lower: rhs, upper: nil)
                }
            }
        }
        // IIC, eq. 21: θ¹_k·(R¹_k − R¹_r) − c·(T¹_k − T¹_r)
        //   + β·Σ_j p²_kj·[θ²_j·(R²_kj − R²_rj) − c·(T²_kj − T²_rj)] ≥ 0 (the E terms cancel).
        for k in 0..<K {
            for r in 0..<K where r != k {
                var row = [(r1Base + k, th1[k]), (r1Base + r, -th1[k])], rhs = 0.0
                cost(1, t1: k, into: &row, constant: &rhs)
                cost(-1, t1: r, into: &row, constant: &rhs)
                if beta != 0 {
                    for j in 0..<K where instance.p2[k][j] != 0 {
                        let w = beta * instance.p2[k][j]
                        row.append((r2Base + k * K + j, w * th2[j]))
                        row.append((r2Base + r * K + j, -w * th2[j]))
                        cost(w, t2: k, j, into: &row, constant: &rhs)
                        cost(-w, t2: r, j, into: &row, constant: &rhs)
                    }
                }
                lp.addRow(row, lower: rhs, upper: nil)
            }
        }
    }

    /// Payment weights: N·p¹_k for R¹_k, N·β·p¹_k·p²_kj for R²_kj.
    static func paymentWeights(_ instance: ContractInstance) -> (r1: [Double], r2: [[Double]]) {
        let K = instance.K, N = instance.N
        return ((0..<K).map { N * instance.p1[$0] },
                (0..<K).map { k in (0..<K).map { j in N * instance.beta * instance.p1[k] * instance.p2[k][j] } })
    }

    /// The minimum-cost rewards at `rounds`, or nil when no rewards satisfy the constraints (e.g.
    /// rounds that are not monotone within a menu) or GLPK fails.
    public static func rewards(_ instance: ContractInstance, _ rounds: TrainingRounds) -> ContractTerms? {
        let K = instance.K
        let lp = GLPKProblem(columns: K + K * K)
        addConstraints(lp, instance, rounds: rounds, r1Base: 0, r2Base: K)
        let w = paymentWeights(instance)
        var objective: [Int: Double] = [:]
        for k in 0..<K {
            objective[r1(k)] = w.r1[k]
            for j in 0..<K { objective[r2(K, k, j)] = w.r2[k][j] }
        }
        lp.setObjective(objective)
        guard lp.solveLP() == .optimal else { return nil }
        // Tie-break on the optimal face: the plain sum of all rewards.
        lp.restrictToOptimalFace()
        lp.setObjective(Dictionary(uniqueKeysWithValues: (0..<(K + K * K)).map { ($0, 1.0) }))
        guard lp.solveLP() == .optimal else { return nil }
        return ContractTerms(T1: rounds.T1, T2: rounds.T2,
                             R1: (0..<K).map { lp.value(r1($0)) },
                             R2: (0..<K).map { m in (0..<K).map { lp.value(r2(K, m, $0)) } })
    }

    /// `rewards` evaluated (profit, payment, every constraint family), or nil.
    public static func evaluate(_ instance: ContractInstance, _ rounds: TrainingRounds) -> ContractEvaluation? {
        rewards(instance, rounds).map { ContractEvaluation(instance, $0) }
    }
}
