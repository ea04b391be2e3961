extension ContractInstance {
    /// The instance the coordinator uses without `contracts.instance_file`: paper 4's parameter
    /// set A (Table II, K = 2, positive correlation) with N = 3 ESs and β = 0.5; c and E from
    /// 23 dBm, 2 Mbps and the constants of `docs/contracts.md`.
    public static let builtIn = ContractInstance(
        K: 2, N: 3, beta: 0.5, alpha: 200, sigma: 1, E_C: 22, c: EdgeEnergy.costPerRound(sigma: 1), E: EdgeEnergy.fixedCost(sigma: 1, dBm: 23, mbps: 2),
        theta1: [16, 22], theta2: [17, 23], p1: [0.45, 0.55], p2: [[0.7, 0.3], [0.25, 0.75]])
}
