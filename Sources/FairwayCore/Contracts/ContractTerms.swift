/// A two-period contract menu: training rounds and rewards per type (paper 4, section IV).
///
/// `T1[k]`, `R1[k]`: the period-1 item for type k (rounds, reward in the cloud's currency).
/// `T2[k][j]`, `R2[k][j]`: item j of the period-2 menu offered to an ES that took period-1 item k
/// (T_j²(θ_k¹), R_j²(θ_k¹)). All indices 0-based.
public struct ContractTerms: Sendable, Hashable, Codable {
    public var T1: [Int]
    public var T2: [[Int]]
    public var R1: [Double]
    public var R2: [[Double]]

    public init(T1: [Int], T2: [[Int]], R1: [Double], R2: [[Double]]) {
        self.T1 = T1; self.T2 = T2; self.R1 = R1; self.R2 = R2
    }
}

/// The training rounds alone (the decision the optimisers search over).
public struct TrainingRounds: Sendable, Equatable, Hashable, Codable {
    public var T1: [Int]
    public var T2: [[Int]]

    public init(T1: [Int], T2: [[Int]]) {
        self.T1 = T1; self.T2 = T2
    }

    /// True when T¹ is nondecreasing in k and every menu T²[k] nondecreasing in j
    /// (Theorems 1 and 3; the optimisers' feasible set).
    public var isMonotone: Bool {
        func sorted(_ xs: [Int]) -> Bool { zip(xs, xs.dropFirst()).allSatisfy { $0 <= $1 } }
        return sorted(T1) && T2.allSatisfy(sorted)
    }
}

/// ES utilities (eqs. 6, 9, 13), in the reward currency.
public enum EdgeUtility {
    /// u¹: a period-1 type-k ES that takes item k′: θ¹_k·R¹_k′ − c·T¹_k′ − E.
    @inlinable
    public static func period1(_ instance: ContractInstance, _ terms: ContractTerms, type k: Int, takes item: Int) -> Double {
        instance.theta1[k] * terms.R1[item] - instance.c * Double(terms.T1[item]) - instance.E
    }

    /// u²: a period-2 type-j ES that takes item i of menu m: θ²_j·R²_m,i − c·T²_m,i − E.
    @inlinable
    public static func period2(_ instance: ContractInstance, _ terms: ContractTerms, type j: Int, takes item: Int, menu m: Int) -> Double {
        instance.theta2[j] * terms.R2[m][item] - instance.c * Double(terms.T2[m][item]) - instance.E
    }

    /// The intertemporal utility of a period-1 type-k ES that reports k′ and then tells the
    /// truth in menu k′: u¹(k, k′) + β·Σ_j p²_kj·u²(j, j, k′) (the two sides of eq. 21).
    public static func intertemporal(_ instance: ContractInstance, _ terms: ContractTerms, type k: Int, reports r: Int) -> Double {
        var future = 0.0
        for j in 0..<instance.K { future += instance.p2[k][j] * period2(instance, terms, type: j, takes: j, menu: r) }
        return period1(instance, terms, type: k, takes: r) + instance.beta * future
    }
}
