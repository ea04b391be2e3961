/// Seeded instances like paper 4's simulations (section VI-A, Table II), for any K:
/// period-t type k's θ is uniform in [15 + 10k/K, 15 + 10(k+1)/K) (for K = 2: [15, 20) and
/// [20, 25), as in the paper), p¹ and every row of p² are Dirichlet(1, …, 1); σ uniform in
/// [0.5, 1], transmit power uniform in [20, 33] dBm, link rate uniform in [1, 3] Mbps,
/// E_C uniform in [20, 25] J; c and E from `EdgeEnergy`. N, α and β are given (Table II:
/// N ∈ {3, 6, 12, 18}, α ∈ {200, 250}, β ∈ {0, 0.5, 1}).
public enum ContractInstanceGenerator {
    public static func instance(K: Int, N: Double = 6, alpha: Double = 200, beta: Double = 0.5, seed: UInt64) -> ContractInstance {
        var rng = SeededGenerator(seed: seed)
        func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * rng.nextUnit() }
        func thetas() -> [Double] {
            (0..<K).map { k in uniform(15 + 10 * Double(k) / Double(K), 15 + 10 * Double(k + 1) / Double(K)) }
        }
        let theta1 = thetas(), theta2 = thetas()
        let p1 = rng.nextDirichlet(alpha: 1, count: K)
        let p2 = (0..<K).map { _ in rng.nextDirichlet(alpha: 1, count: K) }
        let sigma = uniform(0.5, 1), dBm = uniform(20, 33), mbps = uniform(1, 3), ec = uniform(20, 25)
        return ContractInstance(K: K, N: N, beta: beta, alpha: alpha, sigma: sigma, E_C: ec,
                                c: EdgeEnergy.costPerRound(sigma: sigma),
                                E: EdgeEnergy.fixedCost(sigma: sigma, dBm: dBm, mbps: mbps),
                                theta1: theta1, theta2: theta2, p1: p1, p2: p2)
    }
}
