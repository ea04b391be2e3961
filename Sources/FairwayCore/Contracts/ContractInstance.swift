/// One two-period contract problem (paper 4, sections III–IV), in the conventions of
/// `contracts.json` `meta.conventions` (0-based indices; the paper's are 1-based).
///
/// - `K` types per period; period-1 type k has willingness θ¹_k = `theta1[k]` and probability
///   p¹_k = `p1[k]`; period-2 type j has θ²_j = `theta2[j]` (shared by every period-1 type, eq. 28),
///   and an ES of period-1 type k is type j in period 2 with probability p²_j(T¹_k) = `p2[k][j]`.
/// - `N` edge servers; `alpha` scales the cloud's benefit α·Q(T); `sigma` is the unit energy cost
///   σ and `E_C` the integration energy in joules, so the cloud pays σ·E_C per period (eqs. 25, 26).
/// - `c` (per training round) and `E` (fixed, per item) are the ES's σ-weighted energy costs of
///   `EdgeEnergy`; `beta` is the discount β of period 2 (eq. 12).
public struct ContractInstance: Sendable, Equatable, Codable {
    public var K: Int
    public var N: Double
    public var beta: Double
    public var alpha: Double
    public var sigma: Double
    public var E_C: Double
    public var c: Double
    public var E: Double
    public var theta1: [Double]
    public var theta2: [Double]
    public var p1: [Double]
    public var p2: [[Double]]

    public init(K: Int, N: Double, beta: Double, alpha: Double, sigma: Double, E_C: Double, c: Double, E: Double,
                theta1: [Double], theta2: [Double], p1: [Double], p2: [[Double]]) {
        self.K = K; self.N = N; self.beta = beta; self.alpha = alpha; self.sigma = sigma; self.E_C = E_C
        self.c = c; self.E = E; self.theta1 = theta1; self.theta2 = theta2; self.p1 = p1; self.p2 = p2
    }

    /// σ·E_C: the cloud's integration cost per period.
    public var integrationCost: Double { sigma * E_C }

    /// The same instance with another discount (β = 0 is the static, one-stage contract).
    public func with(beta: Double) -> ContractInstance {
        var copy = self
        copy.beta = beta
        return copy
    }

    /// Throws `FairwayError(.invalidField)` naming the first field that is not a valid instance:
    /// K ≥ 1; N > 0; β ≥ 0; α, σ, E_C, c, E ≥ 0 and finite; θ¹, θ² of length K, positive and
    /// strictly increasing (the paper's type order); p¹ and every row of p² of length K,
    /// non-negative and summing to 1 (within 1e-9).
    public func validate() throws {
        func bad(_ field: String, _ message: String) -> FairwayError { FairwayError(.invalidField, message, field: field) }
        guard K >= 1 else { throw bad("K", "must be at least 1 (got \(K))") }
        guard N.isFinite, N > 0 else { throw bad("N", "must be positive (got \(N))") }
        for (name, v) in [("beta", beta), ("alpha", alpha), ("sigma", sigma), ("E_C", E_C), ("c", c), ("E", E)] {
            guard v.isFinite, v >= 0 else { throw bad(name, "must be finite and non-negative (got \(v))") }
        }
        for (name, thetas) in [("theta1", theta1), ("theta2", theta2)] {
            guard thetas.count == K else { throw bad(name, "needs K = \(K) values (got \(thetas.count))") }
            for (i, t) in thetas.enumerated() {
                guard t.isFinite, t > 0 else { throw bad("\(name)[\(i)]", "must be positive (got \(t))") }
                if i > 0, !(t > thetas[i - 1]) { throw bad("\(name)[\(i)]", "types must be strictly increasing (\(thetas[i - 1]) then \(t))") }
            }
        }
        func distribution(_ name: String, _ p: [Double]) throws {
            guard p.count == K else { throw bad(name, "needs K = \(K) probabilities (got \(p.count))") }
            for (i, v) in p.enumerated() where !(v.isFinite && v >= 0) { throw bad("\(name)[\(i)]", "must be a probability (got \(v))") }
            let sum = p.reduce(0, +)
            guard abs(sum - 1) <= 1e-9 else { throw bad(name, "must sum to 1 (sums to \(sum))") }
        }
        try distribution("p1", p1)
        guard p2.count == K else { throw bad("p2", "needs K = \(K) rows (got \(p2.count))") }
        for (k, row) in p2.enumerated() { try distribution("p2[\(k)]", row) }
    }
}
