import FairwayCore

/// `fairwayctl contract show --json`: the current round, the menus, who took what, payments and
/// the integrated module.
public struct ContractDocument: Codable, Sendable, Equatable {
    public struct Edge: Codable, Sendable, Equatable {
        public var edge_id: String
        /// Item taken in period 1 / 2: an index, or null (none) / -2 (declined).
        public var period1_item: Int?
        public var period2_item: Int?
        public var accuracy1: Double
        public var accuracy2: Double
        public var integrated1: Bool
        public var integrated2: Bool
        public var paid1: Double
        public var paid2: Double
    }

    public var round: UInt64
    public var period: UInt32
    public var opens_epoch: UInt64
    public var deadline_epoch: UInt64
    public var scheme: String
    public var T1: [Int]
    public var R1: [Double]
    public var T2: [[Int]]
    public var R2: [[Double]]
    public var edges: [Edge]
    public var module_version: UInt64
    public var module_accuracy: Double
    public var total_paid: Double

    public init(_ s: ContractStatus) {
        func code(_ c: ContractChoice) -> Int? {
            switch c {
            case .none: nil
            case .declined: -2
            case .item(let i): i
            }
        }
        round = s.round
        period = s.period
        opens_epoch = s.opensEpoch
        deadline_epoch = s.deadlineEpoch
        scheme = s.scheme
        T1 = s.terms.T1
        R1 = s.terms.R1
        T2 = s.terms.T2
        R2 = s.terms.R2
        edges = s.edges.map {
            Edge(edge_id: $0.edgeID.rawValue, period1_item: code($0.period1), period2_item: code($0.period2), accuracy1: $0.accuracy1, accuracy2: $0.accuracy2,
                 integrated1: $0.integrated1, integrated2: $0.integrated2, paid1: $0.paid1, paid2: $0.paid2)
        }
        module_version = s.moduleVersion
        module_accuracy = s.moduleAccuracy
        total_paid = s.totalPaid
    }
}
