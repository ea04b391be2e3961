/// The cloud's profit (paper 4, eqs. 25, 26 and 12; `contracts.json` `meta.conventions.profit`):
///
/// - U¹ = Σ_k p¹_k·N·(α·Q(T¹_k) − R¹_k) − σ·E_C (eq. 26);
/// - U²(menu k) = Σ_j p²_kj·N·(α·Q(T²_kj) − R²_kj) − σ·E_C (eq. 25, one value per period-1 type);
/// - U² = Σ_k p¹_k·U²(menu k) (expectation over the period-1 type);
/// - total = U¹ + β·U² (eq. 12).
public struct CloudProfit: Sendable, Equatable, Codable {
    public var U1: Double
    public var U2PerMenu: [Double]
    public var U2: Double
    public var total: Double

    public init(_ instance: ContractInstance, _ terms: ContractTerms, aQ: Double = AgentModuleQuality.aQ) {
        let K = instance.K, N = instance.N, alpha = instance.alpha
        var u1 = 0.0
        for k in 0..<K {
            u1 += instance.p1[k] * N * (alpha * AgentModuleQuality.quality(Double(terms.T1[k]), aQ: aQ) - terms.R1[k])
        }
        u1 -= instance.integrationCost
        var perMenu: [Double] = []
        var u2 = 0.0
        for k in 0..<K {
            var menu = 0.0
            for j in 0..<K {
                menu += instance.p2[k][j] * N * (alpha * AgentModuleQuality.quality(Double(terms.T2[k][j]), aQ: aQ) - terms.R2[k][j])
            }
            menu -= instance.integrationCost
            perMenu.append(menu)
            u2 += instance.p1[k] * menu
        }
        U1 = u1
        U2PerMenu = perMenu
        U2 = u2
        total = u1 + instance.beta * u2
    }

    /// N·(Σ_k p¹_k·R¹_k + β·Σ_k Σ_j p¹_k·p²_kj·R²_kj): the expected discounted payment.
    public static func expectedPayment(_ instance: ContractInstance, R1: [Double], R2: [[Double]]) -> Double {
        var first = 0.0, second = 0.0
        for k in 0..<instance.K {
            first += instance.p1[k] * R1[k]
            for j in 0..<instance.K { second += instance.p1[k] * instance.p2[k][j] * R2[k][j] }
        }
        return instance.N * (first + instance.beta * second)
    }
}
