import FairwayCore
import FairwayWire

/// The room of the two-period dynamic contracts (paper 4, §III–IV): the menus the cloud offers
/// edge servers (ESs), their selections, their module uploads, integration against the quality
/// bar, payment at each period's deadline and the integrated (FedAvg) module.
///
/// A round has two periods of `periodEpochs` epochs. Period 1 offers every ES the items
/// (T¹_k, R¹_k); period 2 offers an ES that took item k the menu (T²_j(k), R²_j(k)). An ES picks
/// once per period, trains, uploads its module in chunks (each chunk durable; resumable), and
/// the module is judged on the held-out split when its last chunk arrives: at or above the
/// quality bar it is **integrated**. At the deadline boundary every integrated ES of the period
/// is paid once — a `pay` directive the router turns into a DAT-ledger record in the same
/// transaction as the period's advance, so a crash can neither lose nor repeat it (I4) — and
/// the integrated modules are averaged (FedAvg, weighted by samples) into the next module
/// version. An ES that has not delivered by the deadline is not paid.
///
/// Pure: the shell computes the `Plan` (menus by an LP/MILP solver, held-out data) and passes
/// it in; storage restores the state through `init(settings:plan:restored:)`.
public struct Contracts: Sendable {
    public struct RoundState: Sendable, Hashable {
        public var round: UInt64
        public var period: UInt32
        public var opensEpoch: UInt64
        public var deadlineEpoch: UInt64
        public init(round: UInt64 = 0, period: UInt32 = 0, opensEpoch: UInt64 = 0, deadlineEpoch: UInt64 = 0) {
            self.round = round
            self.period = period
            self.opensEpoch = opensEpoch
            self.deadlineEpoch = deadlineEpoch
        }
    }

    /// One ES's delivery in one period.
    public struct Delivery: Sendable, Hashable {
        public var choice: ContractChoice = .none
        public var integrated = false
        public var accuracy = 0.0
        public var samples: UInt64 = 0
        public var moduleDigest: [UInt8] = []
        /// The integrated module's bytes, kept until the period is settled.
        public var module: [UInt8] = []
        /// What was paid (0 before settlement or when not integrated).
        public var paid = 0.0
        public init() {}
    }

    /// One ES in the current round.
    public struct EdgeRecord: Sendable, Hashable {
        public var edge: NodeID
        public var round: UInt64
        public var periods: [Delivery] = [Delivery(), Delivery()]
        public init(edge: NodeID, round: UInt64) {
            self.edge = edge
            self.round = round
        }
        public subscript(period: UInt32) -> Delivery {
            get { periods[Int(period) - 1] }
            set { periods[Int(period) - 1] = newValue }
        }
    }

    /// The current integrated module.
    public struct GlobalModule: Sendable, Hashable {
        public var version: UInt64
        public var bytes: [UInt8]
        public var digest: [UInt8]
        public var accuracy: Double
        public init(version: UInt64, bytes: [UInt8], digest: [UInt8], accuracy: Double) {
            self.version = version
            self.bytes = bytes
            self.digest = digest
            self.accuracy = accuracy
        }
    }

    /// A payment due at settlement.
    public struct Payment: Sendable, Hashable {
        public var edge: NodeID
        public var round: UInt64
        public var period: UInt32
        public var item: Int
        public var reward: Double
        public var accuracy: Double
        public var moduleDigest: [UInt8]
    }

    /// A partial upload (chunks so far), durable chunk by chunk.
    public struct PartialUpload: Sendable, Hashable {
        public var round: UInt64
        public var period: UInt32
        public var chunkCount: UInt32
        public var moduleDigest: [UInt8]
        public var samples: UInt64
        public var chunks: [[UInt8]]
        public init(round: UInt64, period: UInt32, chunkCount: UInt32, moduleDigest: [UInt8], samples: UInt64, chunks: [[UInt8]] = []) {
            self.round = round
            self.period = period
            self.chunkCount = chunkCount
            self.moduleDigest = moduleDigest
            self.samples = samples
            self.chunks = chunks
        }
    }

    public enum Directive: Sendable, Hashable {
        case persistRound(RoundState)
        case persistEdge(EdgeRecord)
        /// Chunk `upload.chunks.count - 1` of `edge`'s upload (the others are stored already).
        case persistChunk(edge: NodeID, PartialUpload)
        /// The upload of `edge` is complete or refused: its chunks are no longer needed.
        case clearChunks(edge: NodeID)
        case persistModule(GlobalModule)
        case pay(Payment)
    }

    /// State restored from storage.
    public struct Restored: Sendable {
        public var round = RoundState()
        public var edges: [EdgeRecord] = []
        public var uploads: [NodeID: PartialUpload] = [:]
        public var module: GlobalModule?
        public var totalPaid = 0.0
        public init(round: RoundState = RoundState(), edges: [EdgeRecord] = [], uploads: [NodeID: PartialUpload] = [:], module: GlobalModule? = nil, totalPaid: Double = 0) {
            self.round = round
            self.edges = edges
            self.uploads = uploads
            self.module = module
            self.totalPaid = totalPaid
        }
    }

    /// Most chunks one upload may have.
    public static let maxChunks: UInt32 = 65_536

    public let settings: Settings
    public let plan: Plan?
    public private(set) var state: RoundState
    public private(set) var edges: [NodeID: EdgeRecord]
    public private(set) var uploads: [NodeID: PartialUpload]
    public private(set) var module: GlobalModule? {
        didSet { decoded = module.flatMap { try? AgentModule(bytes: $0.bytes) } }
    }
    /// `module`, decoded once per version, for the cloud's inference (offloads).
    private var decoded: AgentModule?
    public private(set) var totalPaid: Double

    public init(settings: Settings, plan: Plan?, restored: Restored = Restored()) {
        self.settings = settings
        self.plan = settings.enabled ? plan : nil
        self.state = restored.round
        self.edges = Dictionary(restored.edges.filter { $0.round == restored.round.round }.map { ($0.edge, $0) }, uniquingKeysWith: { a, _ in a })
        self.uploads = restored.uploads
        self.module = restored.module
        self.decoded = restored.module.flatMap { try? AgentModule(bytes: $0.bytes) }
        self.totalPaid = restored.totalPaid
    }

    public var running: Bool { plan != nil && state.round > 0 }

    // MARK: the boundary

    /// At an epoch boundary: opens the first round at `startEpoch`; at a period's deadline pays
    /// every integrated ES of the period, integrates their modules and opens the next period.
    public mutating func onEpochBoundary(epoch: UInt64) -> [Directive] {
        guard let plan else { return [] }
        if state.round == 0 {
            guard epoch >= settings.startEpoch else { return [] }
            return open(round: 1, period: 1, epoch: epoch)
        }
        guard epoch >= state.deadlineEpoch else { return [] }
        var directives = settle(plan: plan, epoch: epoch)
        if state.period == 1 {
            directives += open(round: state.round, period: 2, epoch: epoch)
        } else {
            directives += open(round: state.round + 1, period: 1, epoch: epoch)
        }
        return directives
    }

    private mutating func open(round: UInt64, period: UInt32, epoch: UInt64) -> [Directive] {
        if round != state.round { edges = [:] }
        state = RoundState(round: round, period: period, opensEpoch: epoch, deadlineEpoch: epoch + settings.periodEpochs)
        var directives: [Directive] = [.persistRound(state)]
        for (edge, upload) in uploads where upload.round != round || upload.period != period {
            uploads[edge] = nil
            directives.append(.clearChunks(edge: edge))
        }
        return directives
    }

    /// Pays each integrated, unpaid delivery of the current period and integrates the modules.
    private mutating func settle(plan: Plan, epoch: UInt64) -> [Directive] {
        var directives: [Directive] = []
        var integrated: [ModuleIntegration.Upload] = []
        for edge in edges.keys.sorted() {
            guard var record = edges[edge] else { continue }
            var d = record[state.period]
            // `TestBreak.payBeforeIntegration` pays a selection whose module was never integrated (breaks I4).
            guard d.integrated || settings.breaks.contains(.payBeforeIntegration), d.paid == 0, let item = d.choice.item,
                  let reward = reward(plan: plan, record: record, item: item) else { continue }
            d.paid = reward
            let payment = Payment(edge: edge, round: state.round, period: state.period, item: item, reward: reward, accuracy: d.accuracy, moduleDigest: d.moduleDigest)
            if let m = try? AgentModule(bytes: d.module) { integrated.append(.init(name: edge.rawValue, module: m, sampleCount: Int(clamping: d.samples))) }
            d.module = []
            record[state.period] = d
            edges[edge] = record
            totalPaid += reward
            directives += [.pay(payment), .persistEdge(record)]
        }
        if !integrated.isEmpty, let average = try? ModuleIntegration.federatedAverage(integrated),
           let accuracy = try? ModuleIntegration.accuracy(average, on: plan.heldOut) {
            let bytes = average.serialised()
            let next = GlobalModule(version: (module?.version ?? 0) + 1, bytes: bytes, digest: DatRecord.integrityHash(of: bytes), accuracy: accuracy)
            module = next
            directives.append(.persistModule(next))
        }
        return directives
    }

    private func reward(plan: Plan, record: EdgeRecord, item: Int) -> Double? {
        menu(plan: plan, period: state.period, period1Item: record[1].choice.item).first { Int($0.index) == item }?.reward
    }

    /// The menu of `period`: period 1 the items (T¹_k, R¹_k); period 2 the menu of period-1 item k.
    public func menu(plan: Plan, period: UInt32, period1Item: Int?) -> [ContractItem] {
        let t = plan.terms
        switch period {
        case 1:
            return t.T1.indices.map { ContractItem(index: UInt32($0), rounds: UInt32(clamping: t.T1[$0]), reward: t.R1[$0]) }
        case 2:
            guard let k = period1Item, k < t.T2.count else { return [] }
            return t.T2[k].indices.map { ContractItem(index: UInt32($0), rounds: UInt32(clamping: t.T2[k][$0]), reward: t.R2[k][$0]) }
        default:
            return []
        }
    }

    // MARK: requests

    /// The current period's offer to `edge` and its state.
    public func offer(for edge: NodeID) -> ContractOffer {
        guard let plan, state.round > 0 else { return .idle }
        let record = edges[edge] ?? EdgeRecord(edge: edge, round: state.round)
        let d = record[state.period]
        let upload = uploads[edge].flatMap { $0.round == state.round && $0.period == state.period ? $0 : nil }
        let thetas = state.period == 1 ? plan.instance.theta1 : plan.instance.theta2
        var offer = ContractOffer(round: state.round, period: state.period, opensEpoch: state.opensEpoch, deadlineEpoch: state.deadlineEpoch,
                             items: menu(plan: plan, period: state.period, period1Item: record[1].choice.item), thetas: thetas,
                             costPerRound: plan.instance.c, fixedCost: plan.instance.E, selected: d.choice,
                             nextChunk: UInt32(upload?.chunks.count ?? 0), integrated: d.integrated, accuracy: d.accuracy,
                             qualityBar: settings.qualityBar, period1Item: record[1].choice.item)
        offer.beta = plan.instance.beta
        offer.nextMenus = plan.terms.T2.indices.map { menu(plan: plan, period: 2, period1Item: $0) }
        offer.nextThetas = plan.instance.theta2
        offer.transition = plan.instance.p2
        offer.typeProbabilities = plan.instance.p1
        return offer
    }

    /// Records `edge`'s choice for the current period. Choosing again the same is idempotent;
    /// changing a choice is refused.
    public mutating func onSelection(_ s: ContractSelection, from edge: NodeID) throws -> (ContractOffer, [Directive]) {
        guard let plan, state.round > 0 else {
            throw FairwayError(.invalidField, "no contract is running", field: "contract_selection.round", peer: edge.rawValue)
        }
        try current(round: s.round, period: s.period, field: "contract_selection", edge: edge)
        var record = edges[edge] ?? EdgeRecord(edge: edge, round: state.round)
        let existing = record[state.period].choice
        if existing == s.choice { return (offer(for: edge), []) }
        guard existing == .none else {
            throw FairwayError(.invalidField, "already chose \(existing) in round \(state.round) period \(state.period)", field: "contract_selection.item", peer: edge.rawValue)
        }
        switch s.choice {
        case .none:
            throw FairwayError(.invalidField, "choose an item or decline (-2)", field: "contract_selection.item", peer: edge.rawValue)
        case .declined:
            break
        case .item(let i):
            let items = menu(plan: plan, period: state.period, period1Item: record[1].choice.item)
            guard items.contains(where: { Int($0.index) == i }) else {
                let why = state.period == 2 && record[1].choice.item == nil ? "no period-2 menu: this edge took no item in period 1" : "the menu has items 0–\(items.count - 1)"
                throw FairwayError(.invalidField, "item \(i) is not on offer (\(why))", field: "contract_selection.item", peer: edge.rawValue)
            }
        }
        record[state.period].choice = s.choice
        edges[edge] = record
        return (offer(for: edge), [.persistEdge(record)])
    }

    /// One chunk of `edge`'s module for the current period. A chunk it sent before is acknowledged
    /// again; one beyond the next expected is refused. The last chunk completes the upload: its
    /// digest must match; the module is judged on the held-out data and integrated at or above the
    /// quality bar. A refused upload can be sent again.
    public mutating func onUpload(_ u: ModuleUpload, from edge: NodeID) throws -> (ModuleUploadAck, [Directive]) {
        guard let plan, state.round > 0 else {
            throw FairwayError(.invalidField, "no contract is running", field: "module_upload.round", peer: edge.rawValue)
        }
        try current(round: u.round, period: u.period, field: "module_upload", edge: edge)
        guard var record = edges[edge], record[state.period].choice.item != nil else {
            throw FairwayError(.invalidField, "take an item of this period's menu before uploading", field: "module_upload", peer: edge.rawValue)
        }
        if record[state.period].integrated {
            return (ModuleUploadAck(nextChunk: u.chunkCount, integrated: true, accuracy: record[state.period].accuracy, refused: ""), [])
        }
        guard u.chunkCount >= 1, u.chunkCount <= Self.maxChunks, u.chunkIndex < u.chunkCount else {
            throw FairwayError(.invalidField, "chunk \(u.chunkIndex) of \(u.chunkCount) (1 to \(Self.maxChunks) chunks)", field: "module_upload.chunk_index", peer: edge.rawValue)
        }
        var upload = uploads[edge] ?? PartialUpload(round: state.round, period: state.period, chunkCount: u.chunkCount, moduleDigest: u.moduleDigest, samples: u.samples)
        if upload.chunks.isEmpty {
            upload = PartialUpload(round: state.round, period: state.period, chunkCount: u.chunkCount, moduleDigest: u.moduleDigest, samples: u.samples)
        }
        guard upload.chunkCount == u.chunkCount, upload.moduleDigest == u.moduleDigest, upload.samples == u.samples else {
            throw FairwayError(.invalidField, "chunk_count, module_digest and samples must stay those of chunk 0 of this upload", field: "module_upload", peer: edge.rawValue)
        }
        let next = UInt32(upload.chunks.count)
        if u.chunkIndex < next {
            return (ModuleUploadAck(nextChunk: next, integrated: false, accuracy: 0, refused: ""), [])
        }
        guard u.chunkIndex == next else {
            throw FairwayError(.invalidField, "expected chunk \(next), got \(u.chunkIndex)", field: "module_upload.chunk_index", peer: edge.rawValue)
        }
        upload.chunks.append(u.chunk)
        guard upload.chunks.count == Int(upload.chunkCount) else {
            uploads[edge] = upload
            return (ModuleUploadAck(nextChunk: next + 1, integrated: false, accuracy: 0, refused: ""), [.persistChunk(edge: edge, upload)])
        }
        // Complete: judge it.
        uploads[edge] = nil
        let bytes = upload.chunks.flatMap { $0 }
        var d = record[state.period]
        let refusal: String
        if DatRecord.integrityHash(of: bytes) != upload.moduleDigest {
            refusal = "the module's bytes do not match its digest"
        } else {
            do {
                let m = try AgentModule(bytes: bytes)
                let accuracy = try ModuleIntegration.accuracy(m, on: plan.heldOut)
                d.accuracy = accuracy
                if accuracy >= settings.qualityBar {
                    d.integrated = true
                    d.samples = upload.samples
                    d.moduleDigest = upload.moduleDigest
                    d.module = bytes
                    refusal = ""
                } else {
                    refusal = "held-out accuracy \(accuracy) is below the quality bar \(settings.qualityBar)"
                }
            } catch {
                refusal = "not a module: \(error)"
            }
        }
        record[state.period] = d
        edges[edge] = record
        return (ModuleUploadAck(nextChunk: refusal.isEmpty ? upload.chunkCount : 0, integrated: d.integrated, accuracy: d.accuracy, refused: refusal),
                [.clearChunks(edge: edge), .persistEdge(record)])
    }

    private func current(round: UInt64, period: UInt32, field: String, edge: NodeID) throws {
        guard round == state.round, period == state.period else {
            throw FairwayError(.invalidField, "round \(round) period \(period) is not the current one (round \(state.round) period \(state.period))",
                               field: "\(field).round", peer: edge.rawValue)
        }
    }

    /// Chunk `index` of the current module (`chunkBytes` each).
    public func moduleChunk(_ index: UInt32) -> ModuleReply {
        guard let module, !module.bytes.isEmpty else {
            return ModuleReply(version: 0, chunkIndex: 0, chunkCount: 0, chunk: [], moduleDigest: [], accuracy: 0)
        }
        let size = settings.chunkBytes
        let count = (module.bytes.count + size - 1) / size
        let i = min(Int(index), count - 1)
        let chunk = Array(module.bytes[(i * size)..<min(module.bytes.count, (i + 1) * size)])
        return ModuleReply(version: module.version, chunkIndex: UInt32(i), chunkCount: UInt32(count), chunk: chunk, moduleDigest: module.digest, accuracy: module.accuracy)
    }

    /// The menus, who picked what, and payments (`fairwayctl contract show`).
    public func status() -> ContractStatus {
        let terms = plan?.terms ?? ContractTerms(T1: [], T2: [], R1: [], R2: [])
        let rows = edges.values.sorted { $0.edge < $1.edge }.map { r in
            ContractEdgeState(edgeID: r.edge, period1: r[1].choice, period2: r[2].choice, accuracy1: r[1].accuracy, accuracy2: r[2].accuracy,
                              integrated1: r[1].integrated, integrated2: r[2].integrated, paid1: r[1].paid, paid2: r[2].paid)
        }
        return ContractStatus(round: state.round, period: state.period, opensEpoch: state.opensEpoch, deadlineEpoch: state.deadlineEpoch, terms: terms,
                              scheme: plan?.scheme.rawValue ?? "", edges: rows, moduleVersion: module?.version ?? 0,
                              moduleAccuracy: module?.accuracy ?? 0, totalPaid: totalPaid)
    }

    /// The integrated module's prediction for `features` (64 pixels, 0–16), if there is one.
    public func predict(_ features: [Double]) -> (label: Int32, confidence: Double, version: UInt64)? {
        guard let module, let decoded, !features.isEmpty, let p = try? decoded.predict(features.map { $0 / DigitRecord.maximumPixel }) else { return nil }
        return (Int32(p.label), p.confidence, module.version)
    }
}
