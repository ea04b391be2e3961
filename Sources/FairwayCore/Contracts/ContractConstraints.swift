/// Brute-force check of every constraint family of a two-period contract, with the names and
/// conventions of `contracts.json` `meta.conventions.constraint_families`. Slack ≥ 0 means
/// satisfied; a constraint is violated when its slack < −1e-9·max(1, |lhs|, |rhs|) (relative
/// tolerance, floor 1), lhs and rhs being the two quantities compared.
///
/// The paper's families (eqs. 13, 14, 20, 21): `IR1_eq20` u¹(k,k) ≥ 0; `IR2_eq13` u²(j,j,m) ≥ 0
/// in every menu m; `IC2_eq14` u²(j,j,m) ≥ u²(j,i,m); `IIC_eq21` for all ordered pairs k ≠ k′,
/// u¹(k,k) + β·Σ_j p²_kj·u²(j,j,k) ≥ u¹(k,k′) + β·Σ_j p²_kj·u²(j,j,k′).
///
/// Diagnostic families (not constraints of the paper's problem): `IIC_double_deviation_extra`
/// (after misreporting k′ the ES takes its best item of menu k′), `IR_intertemporal_extra`
/// (U_k ≥ 0), `R_nonneg_thm3` (R¹ ≥ 0), `R_nonneg_thm1` (R² ≥ 0), `R1_monotone_thm3`
/// (R¹_k+1 − R¹_k), `R2_monotone_thm1` (R²_m,j+1 − R²_m,j), `T2_cross_menu_lemma7`
/// (T²_k,j − T²_k−1,j; Lemma 7 claims it is positive).
public struct ContractConstraints: Sendable, Equatable {
    /// One family's result: the smallest slack (nil when the family is empty, e.g. K = 1), how
    /// many constraints it has and how many are violated.
    public struct Family: Sendable, Equatable {
        public var name: String
        public var minSlack: Double?
        public var count: Int
        public var violated: Int
    }

    /// The paper's families, in the reference's order.
    public static let paperFamilies = ["IR1_eq20", "IR2_eq13", "IC2_eq14", "IIC_eq21"]
    /// Every family, in the reference's order.
    public static let allFamilies = ["IR1_eq20", "IR2_eq13", "IC2_eq14", "IR_intertemporal_extra", "IIC_eq21",
                                     "IIC_double_deviation_extra", "R_nonneg_thm3", "R_nonneg_thm1",
                                     "R1_monotone_thm3", "R2_monotone_thm1", "T2_cross_menu_lemma7"]
    /// Relative violation tolerance (floor 1).
    public static let tolerance = 1e-9

    public var families: [Family]

    public subscript(_ name: String) -> Family? { families.first { $0.name == name } }

    /// True when every constraint of the paper's families (IR1, IR2, IC2, IIC) holds.
    public var paperFeasible: Bool {
        families.filter { Self.paperFamilies.contains($0.name) }.allSatisfy { $0.violated == 0 }
    }

    public init(_ instance: ContractInstance, _ terms: ContractTerms) {
        let K = instance.K, beta = instance.beta
        func u1(_ k: Int, _ item: Int) -> Double { EdgeUtility.period1(instance, terms, type: k, takes: item) }
        func u2(_ j: Int, _ item: Int, _ m: Int) -> Double { EdgeUtility.period2(instance, terms, type: j, takes: item, menu: m) }

        var families: [Family] = []
        var current = Family(name: "", minSlack: nil, count: 0, violated: 0)
        func start(_ name: String) { current = Family(name: name, minSlack: nil, count: 0, violated: 0) }
        func check(_ lhs: Double, _ rhs: Double) {
            let slack = lhs - rhs
            current.count += 1
            current.minSlack = min(current.minSlack ?? slack, slack)
            if slack < -Self.tolerance * max(1, abs(lhs), abs(rhs)) { current.violated += 1 }
        }
        func end() { families.append(current) }

        start("IR1_eq20")
        for k in 0..<K { check(u1(k, k), 0) }
        end()
        start("IR2_eq13")
        for m in 0..<K { for j in 0..<K { check(u2(j, j, m), 0) } }
        end()
        start("IC2_eq14")
        for m in 0..<K { for j in 0..<K { for i in 0..<K where i != j { check(u2(j, j, m), u2(j, i, m)) } } }
        end()
        let truthful = (0..<K).map { EdgeUtility.intertemporal(instance, terms, type: $0, reports: $0) }
        start("IR_intertemporal_extra")
        for k in 0..<K { check(truthful[k], 0) }
        end()
        start("IIC_eq21")
        for k in 0..<K { for r in 0..<K where r != k { check(truthful[k], EdgeUtility.intertemporal(instance, terms, type: k, reports: r)) } }
        end()
        start("IIC_double_deviation_extra")
        for k in 0..<K {
            for r in 0..<K where r != k {
                var future = 0.0
                for j in 0..<K { future += instance.p2[k][j] * (0..<K).map { u2(j, $0, r) }.max()! }
                check(truthful[k], u1(k, r) + beta * future)
            }
        }
        end()
        start("R_nonneg_thm3")
        for k in 0..<K { check(terms.R1[k], 0) }
        end()
        start("R_nonneg_thm1")
        for m in 0..<K { for j in 0..<K { check(terms.R2[m][j], 0) } }
        end()
        start("R1_monotone_thm3")
        for k in 1..<max(1, K) where k < K { check(terms.R1[k], terms.R1[k - 1]) }
        end()
        start("R2_monotone_thm1")
        for m in 0..<K { for j in 1..<max(1, K) where j < K { check(terms.R2[m][j], terms.R2[m][j - 1]) } }
        end()
        start("T2_cross_menu_lemma7")
        for k in 1..<max(1, K) where k < K { for j in 0..<K { check(Double(terms.T2[k][j]), Double(terms.T2[k - 1][j])) } }
        end()
        self.families = families
    }
}
