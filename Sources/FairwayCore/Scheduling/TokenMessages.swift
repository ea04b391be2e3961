/// Domain forms of the token-scheduling messages of wire protocol v1
/// (`proto/fairway/v1/tokens.proto`). Values here are already validated. Amounts are whole tokens.

/// Edge → coordinator: lend me the available tokens of these agents (attached to me).
public struct GrantRequest: Sendable, Hashable {
    public var agentIDs: [NodeID]
    public init(agentIDs: [NodeID]) { self.agentIDs = agentIDs }
}

public struct GrantReply: Sendable, Hashable {
    public var epoch: UInt64
    /// The requesting edge's leases for the requested agents (new and still open).
    public var leases: [TokenLease]
    /// When the next epoch's grants land.
    public var nextEpochAt: Timestamp

    public init(epoch: UInt64, leases: [TokenLease], nextEpochAt: Timestamp) {
        self.epoch = epoch
        self.leases = leases
        self.nextEpochAt = nextEpochAt
    }
}

/// Cumulative usage of one lease; `final` settles it.
public struct LeaseUsage: Sendable, Hashable {
    public var leaseID: UInt64
    public var usedTotal: UInt64
    public var final: Bool

    public init(leaseID: UInt64, usedTotal: UInt64, final: Bool) {
        self.leaseID = leaseID
        self.usedTotal = usedTotal
        self.final = final
    }
}

public struct UsageReport: Sendable, Hashable {
    public var usages: [LeaseUsage]
    public init(usages: [LeaseUsage]) { self.usages = usages }
}

public struct UsageAck: Sendable, Hashable {
    public var leases: [TokenLease]
    public init(leases: [TokenLease]) { self.leases = leases }
}

/// Agent → edge: one inference costing `cost` tokens (≥ 1).
public struct InferenceRequest: Sendable, Hashable {
    public var cost: UInt64
    public var input: [UInt8]
    /// The agent module's input (the 64 pixels of an 8×8 digit, 0–16, row by row); empty = an
    /// admission-only request (charged, no prediction). Finite values only.
    public var features: [Double]

    /// Largest accepted input, bytes.
    public static let maxInputBytes = 64 * 1024
    /// Most features accepted in one request.
    public static let maxFeatures = 4096

    public init(cost: UInt64, input: [UInt8] = [], features: [Double] = []) {
        self.cost = cost
        self.input = input
        self.features = features
    }
}

public struct InferenceReply: Sendable, Hashable {
    public var charged: UInt64
    /// Tokens the agent still holds at this edge.
    public var remaining: UInt64
    public var output: [UInt8]
    /// The integrated agent module's prediction for the request's features: the label (−1 when
    /// no features were sent or the edge holds no module yet), its softmax probability, and the
    /// version of the module that answered (0 = none).
    public var label: Int32
    public var confidence: Double
    public var moduleVersion: UInt64
    /// True when the edge was saturated and the cloud answered from the edge's share.
    public var servedByCloud: Bool = false

    public init(charged: UInt64, remaining: UInt64, output: [UInt8] = [], label: Int32 = -1, confidence: Double = 0, moduleVersion: UInt64 = 0) {
        self.charged = charged
        self.remaining = remaining
        self.output = output
        self.label = label
        self.confidence = confidence
        self.moduleVersion = moduleVersion
    }
}

/// One epoch of the coordinator's durable history.
public struct EpochRecord: Sendable, Hashable, Codable {
    public var epoch: UInt64
    public var startedAt: Timestamp
    /// V.
    public var totalTokens: UInt64
    /// Σ grants; ≤ `totalTokens` (I1).
    public var granted: UInt64
    public var allocator: String
    public var agents: UInt32

    public init(epoch: UInt64, startedAt: Timestamp, totalTokens: UInt64, granted: UInt64, allocator: String, agents: UInt32) {
        self.epoch = epoch
        self.startedAt = startedAt
        self.totalTokens = totalTokens
        self.granted = granted
        self.allocator = allocator
        self.agents = agents
    }
}
