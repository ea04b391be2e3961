/// The profit-maximising integer training rounds under the paper's closed-form rewards
/// (eqs. 19 and 24) — the `paper` scheme — on the grid of `contracts.json`
/// `meta.optimisation`: every T an integer in 0…maxRounds (200), T¹ nondecreasing in k and every
/// menu T²[k] nondecreasing in j (Theorems 1, 3); cross-menu monotonicity (Lemma 7) is not imposed.
///
/// Exact by separability: eq. 19/24 rewards are affine in T, so the eq.-12 profit is
/// const + Σ_v [W_v·α·Q(T_v) − G_v·T_v] over the K + K² round variables v, with W_v the
/// probability weight of v (N·p¹_k for T¹_k, β·N·p¹_k·p²_kj for T²_kj) and G_v the slope of the
/// expected payment, read off the literal reward code by unit perturbation. The monotonicity
/// constraints only link variables of one chain (period 1, or one menu), so each chain is
/// maximised on its own by `MonotoneChain` — exactly, by a dynamic programme or by enumerating
/// all its monotone tuples. With β = 0 the profit does not depend on T²; T² is then each menu's
/// myopic optimum (eq. 25 with eq. 19 rewards), as in the reference.
public enum PaperOptimiser {
    public enum Method: String, Sendable, CaseIterable {
        /// `MonotoneChain.maximise`, O((K + K²)·201).
        case dynamicProgramme
        /// `MonotoneChain.exhaustive`: every monotone tuple of every chain (the brute force).
        case exhaustive
    }

    /// profit(T) = constant + Σ_v [W_v·α·Q(T_v) − G_v·T_v]; v runs over T¹ (K values) then T²
    /// row by row (K² values).
    public struct Decomposition: Sendable, Equatable {
        public var W: [Double]
        public var G: [Double]
        public var constant: Double
    }

    /// The separable form of the eq.-12 profit under eq. 19/24 rewards.
    public static func decomposition(_ instance: ContractInstance) -> Decomposition {
        let K = instance.K, N = instance.N
        func payment(_ rounds: TrainingRounds) -> Double {
            let terms = PaperRewards.terms(instance, rounds)
            return CloudProfit.expectedPayment(instance, R1: terms.R1, R2: terms.R2)
        }
        let zero = TrainingRounds(T1: [Int](repeating: 0, count: K), T2: [[Int]](repeating: [Int](repeating: 0, count: K), count: K))
        let base = payment(zero)
        var W: [Double] = [], G: [Double] = []
        for k in 0..<K {
            var r = zero
            r.T1[k] = 1
            W.append(N * instance.p1[k])
            G.append(payment(r) - base)
        }
        for k in 0..<K {
            for j in 0..<K {
                var r = zero
                r.T2[k][j] = 1
                W.append(instance.beta * N * instance.p1[k] * instance.p2[k][j])
                G.append(payment(r) - base)
            }
        }
        return Decomposition(W: W, G: G, constant: -base - instance.integrationCost * (1 + instance.beta))
    }

    /// The per-chain objectives f[i][t] = W_i·α·Q(t) − G_i·t.
    static func chain(_ W: ArraySlice<Double>, _ G: ArraySlice<Double>, alpha: Double, quality: [Double]) -> [[Double]] {
        zip(W, G).map { w, g in quality.indices.map { t in w * alpha * quality[t] - g * Double(t) } }
    }

    /// Menu k's myopic objective (β = 0): maximise eq. 25 with eq. 19 rewards.
    static func myopicMenu(_ instance: ContractInstance, menu k: Int, quality: [Double]) -> [[Double]] {
        let K = instance.K, N = instance.N
        func payment(_ T: [Int]) -> Double {
            zip(instance.p2[k], PaperRewards.menu(instance, T)).reduce(0) { $0 + N * $1.0 * $1.1 }
        }
        let base = payment([Int](repeating: 0, count: K))
        var W: [Double] = [], G: [Double] = []
        for j in 0..<K {
            var T = [Int](repeating: 0, count: K)
            T[j] = 1
            W.append(N * instance.p2[k][j])
            G.append(payment(T) - base)
        }
        return chain(W[...], G[...], alpha: instance.alpha, quality: quality)
    }

    /// The profit-maximising rounds under eq. 19/24 rewards.
    public static func optimalRounds(_ instance: ContractInstance, maxRounds: Int = 200, method: Method = .dynamicProgramme) -> TrainingRounds {
        let K = instance.K
        let quality = AgentModuleQuality.table(maxRounds: maxRounds)
        let d = decomposition(instance)
        func solve(_ f: [[Double]]) -> [Int] {
            switch method {
            case .dynamicProgramme: MonotoneChain.maximise(f, maxT: maxRounds).tuple
            case .exhaustive: MonotoneChain.exhaustive(f, maxT: maxRounds).tuple
            }
        }
        let T1 = solve(chain(d.W[0..<K], d.G[0..<K], alpha: instance.alpha, quality: quality))
        var T2: [[Int]] = []
        for k in 0..<K {
            if instance.beta == 0 {
                T2.append(solve(myopicMenu(instance, menu: k, quality: quality)))
            } else {
                let lo = K + k * K
                T2.append(solve(chain(d.W[lo..<lo + K], d.G[lo..<lo + K], alpha: instance.alpha, quality: quality)))
            }
        }
        return TrainingRounds(T1: T1, T2: T2)
    }

    /// The `paper` contract: eq. 19/24 rewards at the profit-maximising rounds.
    public static func optimise(_ instance: ContractInstance, maxRounds: Int = 200, method: Method = .dynamicProgramme) -> ContractEvaluation {
        ContractEvaluation(instance, PaperRewards.terms(instance, optimalRounds(instance, maxRounds: maxRounds, method: method)))
    }

    /// Joint brute force WITHOUT the decomposition: every monotone (T¹, T²) on 0…maxRounds,
    /// literal rewards and literal eq.-12 profit ((C(maxRounds+K, K))^(K+1) contracts, so small
    /// grids only). Returns the best rounds and profit (first found among ties within 1e-12).
    public static func jointBruteForce(_ instance: ContractInstance, maxRounds: Int) -> (rounds: TrainingRounds, profit: Double, evaluated: Int) {
        let K = instance.K
        let tuples = MonotoneChain.allTuples(length: K, maxT: maxRounds)
        var best = -Double.infinity
        var bestRounds = TrainingRounds(T1: [], T2: [])
        var evaluated = 0
        var menus = [Int](repeating: 0, count: K)
        func visit(_ T1: [Int], _ k: Int) {
            if k == K {
                let rounds = TrainingRounds(T1: T1, T2: menus.map { tuples[$0] })
                let profit = CloudProfit(instance, PaperRewards.terms(instance, rounds)).total
                evaluated += 1
                if !best.isFinite || profit > best + MonotoneChain.tieTolerance * max(1, abs(best)) {
                    best = profit
                    bestRounds = rounds
                }
                return
            }
            for m in tuples.indices {
                menus[k] = m
                visit(T1, k + 1)
            }
        }
        for T1 in tuples { visit(T1, 0) }
        return (bestRounds, best, evaluated)
    }
}
