/// Domain forms of the contract messages of wire protocol v1 (`proto/fairway/v1/contracts.proto`).
/// Values here are already validated by the wire layer (finite numbers, list sizes, chunk bounds).

/// One item of a contract menu: train `rounds` rounds, be paid `reward` after integration.
public struct ContractItem: Sendable, Hashable, Codable {
    public var index: UInt32
    public var rounds: UInt32
    public var reward: Double
    public init(index: UInt32, rounds: UInt32, reward: Double) {
        self.index = index
        self.rounds = rounds
        self.reward = reward
    }
}

/// What an ES's selection in a period is.
public enum ContractChoice: Sendable, Hashable {
    case none
    case declined
    case item(Int)

    /// Wire form: -1 none, -2 declined, else the item index.
    public var code: Int32 {
        switch self {
        case .none: -1
        case .declined: -2
        case .item(let i): Int32(i)
        }
    }

    public init?(code: Int32) {
        switch code {
        case -1: self = .none
        case -2: self = .declined
        case 0...: self = .item(Int(code))
        default: return nil
        }
    }

    public var item: Int? { if case .item(let i) = self { i } else { nil } }
}

/// The current period's menu for one ES, and that ES's state in the round.
public struct ContractOffer: Sendable, Hashable {
    /// Contract round (from 1); 0 = contracts are not running.
    public var round: UInt64
    /// 1 or 2.
    public var period: UInt32
    public var opensEpoch: UInt64
    /// Uploads must be integrated before this epoch begins.
    public var deadlineEpoch: UInt64
    public var items: [ContractItem]
    /// The period's public type space θ_k.
    public var thetas: [Double]
    /// c: the ES's cost per training round; E: its fixed cost per item (reward currency).
    public var costPerRound: Double
    public var fixedCost: Double
    public var selected: ContractChoice
    /// Next upload chunk expected (resume point).
    public var nextChunk: UInt32
    public var integrated: Bool
    /// Held-out accuracy of its upload (0 before one was judged).
    public var accuracy: Double
    public var qualityBar: Double
    /// The item it took in period 1 of this round (nil: none).
    public var period1Item: Int?
    /// Period 1 only, for the intertemporal choice (eq. 21): the discount β, the period-2 menu
    /// that follows each period-1 item (`nextMenus[k']`), the period-2 type space θ²_j and the
    /// type transition p²(j | k) (`transition[k][j]`). Empty in period 2.
    public var beta: Double = 0
    public var nextMenus: [[ContractItem]] = []
    public var nextThetas: [Double] = []
    public var transition: [[Double]] = []
    /// The period-1 type distribution p¹ (with `transition`: what a drawn type is drawn from).
    public var typeProbabilities: [Double] = []

    public init(round: UInt64, period: UInt32, opensEpoch: UInt64, deadlineEpoch: UInt64, items: [ContractItem], thetas: [Double],
                costPerRound: Double, fixedCost: Double, selected: ContractChoice, nextChunk: UInt32, integrated: Bool, accuracy: Double,
                qualityBar: Double, period1Item: Int?) {
        self.round = round
        self.period = period
        self.opensEpoch = opensEpoch
        self.deadlineEpoch = deadlineEpoch
        self.items = items
        self.thetas = thetas
        self.costPerRound = costPerRound
        self.fixedCost = fixedCost
        self.selected = selected
        self.nextChunk = nextChunk
        self.integrated = integrated
        self.accuracy = accuracy
        self.qualityBar = qualityBar
        self.period1Item = period1Item
    }

    /// No contract running.
    public static let idle = ContractOffer(round: 0, period: 0, opensEpoch: 0, deadlineEpoch: 0, items: [], thetas: [], costPerRound: 0,
                                           fixedCost: 0, selected: .none, nextChunk: 0, integrated: false, accuracy: 0, qualityBar: 0,
                                           period1Item: nil)

    /// The choice of an ES of type `k` (0-based) in this offer's period.
    ///
    /// Period 2, or period 1 without the next menus: the item maximising θ_k·R − c·T − E (eqs. 6,
    /// 9). Period 1 with them: the item k' maximising the intertemporal utility of eq. 21,
    /// u¹(k, k') + β·Σ_j p²(j | k)·u²(j, j, k') — the period-2 item j of menu k' that type j is
    /// designed to take, as the paper's IIC constraint assumes. Ties (within 1e-9 relative) go to
    /// the item designed for the ES's own type (index k), then the lowest index; `.declined` when
    /// the best utility is negative (individual rationality).
    public func bestResponse(type k: Int) -> ContractChoice {
        guard k >= 0, k < thetas.count else { return .declined }
        let theta = thetas[k]
        func own(_ item: ContractItem, _ t: Double) -> Double { t * item.reward - costPerRound * Double(item.rounds) - fixedCost }
        var scored: [(utility: Double, index: Int)] = []
        for item in items {
            var u = own(item, theta)
            let kp = Int(item.index)
            if period == 1, kp < nextMenus.count, k < transition.count {
                for (j, p) in transition[k].enumerated() where j < nextThetas.count && j < nextMenus[kp].count {
                    u += beta * p * own(nextMenus[kp][j], nextThetas[j])
                }
            }
            scored.append((u, kp))
        }
        guard let best = scored.map(\.utility).max(), best >= -1e-9 * max(1, abs(best)) else { return .declined }
        let tied = scored.filter { $0.utility >= best - 1e-9 * max(1, abs(best)) }.map(\.index)
        return .item(tied.contains(k) ? k : tied.min()!)
    }

    /// The best item for willingness θ alone (this period's utility θR − cT − E), lowest index on
    /// ties; `.declined` when none gives utility ≥ 0.
    public func bestResponse(theta: Double) -> ContractChoice {
        var best: (utility: Double, index: Int)?
        for item in items {
            let u = theta * item.reward - costPerRound * Double(item.rounds) - fixedCost
            if best == nil || u > best!.utility { best = (u, Int(item.index)) }
        }
        guard let best, best.utility >= -1e-9 else { return .declined }
        return .item(best.index)
    }
}

/// The item an ES takes in the current period.
public struct ContractSelection: Sendable, Hashable {
    public var round: UInt64
    public var period: UInt32
    public var choice: ContractChoice
    public init(round: UInt64, period: UInt32, choice: ContractChoice) {
        self.round = round
        self.period = period
        self.choice = choice
    }
}

/// What the wire layer accepts in contract messages.
public enum ContractLimits {
    /// Most items in one menu, and most types (θ values) in one period.
    public static let maxTypes = 64
    /// Largest module chunk, bytes (256 KiB: well under the 1 MiB message limit).
    public static let maxChunkBytes = 256 * 1024
    /// Most chunks in one module.
    public static let maxChunks: UInt32 = 65_536
    /// Length of a module digest (SHA-256), bytes.
    public static let digestLength = 32
}

/// One chunk of a trained module (`AgentModule` bytes).
public struct ModuleUpload: Sendable, Hashable {
    public var round: UInt64
    public var period: UInt32
    public var chunkIndex: UInt32
    public var chunkCount: UInt32
    public var chunk: [UInt8]
    /// SHA-256 of the whole serialised module.
    public var moduleDigest: [UInt8]
    /// Training samples behind it (the FedAvg weight).
    public var samples: UInt64
    public init(round: UInt64, period: UInt32, chunkIndex: UInt32, chunkCount: UInt32, chunk: [UInt8], moduleDigest: [UInt8], samples: UInt64) {
        self.round = round
        self.period = period
        self.chunkIndex = chunkIndex
        self.chunkCount = chunkCount
        self.chunk = chunk
        self.moduleDigest = moduleDigest
        self.samples = samples
    }
}

public struct ModuleUploadAck: Sendable, Hashable {
    public var nextChunk: UInt32
    public var integrated: Bool
    public var accuracy: Double
    /// Why a complete upload was not integrated ("" otherwise).
    public var refused: String
    public init(nextChunk: UInt32, integrated: Bool, accuracy: Double, refused: String) {
        self.nextChunk = nextChunk
        self.integrated = integrated
        self.accuracy = accuracy
        self.refused = refused
    }
}

/// A chunk of the current integrated module.
public struct ModuleReply: Sendable, Hashable {
    /// 0 = no module yet (then chunk count 0, chunk and digest empty).
    public var version: UInt64
    public var chunkIndex: UInt32
    public var chunkCount: UInt32
    public var chunk: [UInt8]
    public var moduleDigest: [UInt8]
    public var accuracy: Double
    public init(version: UInt64, chunkIndex: UInt32, chunkCount: UInt32, chunk: [UInt8], moduleDigest: [UInt8], accuracy: Double) {
        self.version = version
        self.chunkIndex = chunkIndex
        self.chunkCount = chunkCount
        self.chunk = chunk
        self.moduleDigest = moduleDigest
        self.accuracy = accuracy
    }
}

/// One ES's record in the current round (`fairwayctl contract show`).
public struct ContractEdgeState: Sendable, Hashable {
    public var edgeID: NodeID
    public var period1: ContractChoice
    public var period2: ContractChoice
    public var accuracy1: Double
    public var accuracy2: Double
    public var integrated1: Bool
    public var integrated2: Bool
    public var paid1: Double
    public var paid2: Double
    public init(edgeID: NodeID, period1: ContractChoice = .none, period2: ContractChoice = .none, accuracy1: Double = 0, accuracy2: Double = 0,
                integrated1: Bool = false, integrated2: Bool = false, paid1: Double = 0, paid2: Double = 0) {
        self.edgeID = edgeID
        self.period1 = period1
        self.period2 = period2
        self.accuracy1 = accuracy1
        self.accuracy2 = accuracy2
        self.integrated1 = integrated1
        self.integrated2 = integrated2
        self.paid1 = paid1
        self.paid2 = paid2
    }
}

/// The coordinator's contract state.
public struct ContractStatus: Sendable, Hashable {
    public var round: UInt64
    public var period: UInt32
    public var opensEpoch: UInt64
    public var deadlineEpoch: UInt64
    public var terms: ContractTerms
    /// "exact" or "paper".
    public var scheme: String
    public var edges: [ContractEdgeState]
    public var moduleVersion: UInt64
    public var moduleAccuracy: Double
    public var totalPaid: Double
    public init(round: UInt64, period: UInt32, opensEpoch: UInt64, deadlineEpoch: UInt64, terms: ContractTerms, scheme: String,
                edges: [ContractEdgeState], moduleVersion: UInt64, moduleAccuracy: Double, totalPaid: Double) {
        self.round = round
        self.period = period
        self.opensEpoch = opensEpoch
        self.deadlineEpoch = deadlineEpoch
        self.terms = terms
        self.scheme = scheme
        self.edges = edges
        self.moduleVersion = moduleVersion
        self.moduleAccuracy = moduleAccuracy
        self.totalPaid = totalPaid
    }
}
