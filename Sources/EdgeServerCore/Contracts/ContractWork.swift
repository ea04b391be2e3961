import FairwayCore
import FairwayWire

/// The edge server's side of the two-period dynamic contracts (paper 4): it learns the current
/// menu, picks the item that maximises θR − cT − E for its private type θ (or declines when
/// none is individually rational), has the shell train its agent module for T rounds, uploads it
/// in chunks (resuming where the coordinator says it stopped), and keeps the newest integrated
/// module for inference.
///
/// Private type: `type1`/`type2` fix the type index per period; −1 draws it each round from the
/// instance's distribution (p¹, then p²(·|k)) with a generator seeded by `seed` and the round.
/// Everything it knows is re-learnt from the coordinator's offer after a restart: its choice, the
/// resume chunk, whether it was integrated. Training is deterministic (seeded), so a restarted
/// edge re-trains the same module.
public struct ContractWork: Sendable {
    /// Contract participation (YAML `contract.*`).
    public struct Settings: Sendable, Hashable, SettingsSchema {
        /// CSV of digits this edge trains on (its shard of the training split). "" = this edge
        /// takes no contracts (the default).
        public var dataPath = ""
        /// This edge's shard (0-based) of `shards` disjoint shards of the training split.
        public var shard = 0
        public var shards = 1
        /// Type index in period 1 and period 2 (0-based; −1 = drawn from the instance's
        /// distribution with `seed`). Default −1.
        public var type1 = -1
        public var type2 = -1
        /// Seed of the type draws and of training. Default 0.
        public var seed: UInt64 = 0
        /// How often to ask for the offer and the module, milliseconds. Default 1000.
        public var pollMilliseconds: Int64 = 1000
        /// Bytes per upload chunk. Default 65536 (a module of the digits is about 5 KB).
        public var chunkBytes = 65_536
        /// Minibatch steps (of 32 samples) per contracted training round T. Default 5.
        public var stepsPerRound = 5
        /// Wait this long after training before the first upload chunk, milliseconds: a slow
        /// uplink, for chaos tests (an edge that misses its deadline is not paid). Default 0.
        public var uploadDelayMilliseconds: Int64 = 0

        public init() {}

        public var participates: Bool { !dataPath.isEmpty }

        public static let fields: [SettingField<Self>] = [
            .text("data_path", \.dataPath),
            .integer("shard", \.shard, in: 0...10_000),
            .integer("shards", \.shards, in: 1...10_000),
            .integer("type1", \.type1, in: -1...63),
            .integer("type2", \.type2, in: -1...63),
            .integer("seed", \.seed, in: 0...UInt64.max),
            .integer("poll_ms", \.pollMilliseconds, in: 10...600_000),
            .integer("chunk_bytes", \.chunkBytes, in: 256...ContractLimits.maxChunkBytes),
            .integer("steps_per_round", \.stepsPerRound, in: 1...10_000),
            .integer("upload_delay_ms", \.uploadDelayMilliseconds, in: 0...86_400_000),
        ]

        public func validateCombinations() throws {
            guard shard < shards else { throw ConfigError(field: "shard", message: "must be below shards (\(shards)), got \(shard)") }
        }
    }

    /// What the shell must train.
    public struct TrainingOrder: Sendable, Hashable {
        public var round: UInt64
        public var period: UInt32
        public var item: Int
        public var rounds: Int
        /// Seed of the training run (the edge's seed mixed with round and period).
        public var seed: UInt64
        /// Labelled samples of the shard to train on: the edge's own plus the cloud's labelling
        /// share (Fair-Synergy); 0 = the whole shard.
        public var labelledSamples: UInt64 = 0
        /// Minibatch steps per round: the edge's own plus the cloud's compute share.
        public var stepsPerRound: Int = 0
    }

    /// A trained module waiting to be delivered.
    public struct Trained: Sendable, Hashable {
        public var round: UInt64
        public var period: UInt32
        public var bytes: [UInt8]
        public var digest: [UInt8]
        public var samples: UInt64
        public var nextChunk: UInt32
        public var chunkCount: UInt32
        /// Not before this instant (the configured upload delay).
        public var uploadAt: Timestamp
    }

    public enum Request: Sendable, Hashable {
        case offer
        case select(ContractSelection)
        case upload(ModuleUpload)
        case module(chunkIndex: UInt32)
    }

    public enum Directive: Sendable, Hashable {
        case request(Request)
        case train(TrainingOrder)
        case log(String)
    }

    public let settings: Settings
    /// What the next training order uses (`onTrainingResources`): labelled samples (0 = the
    /// whole shard) and minibatch steps per round.
    public private(set) var trainingResources: (labels: UInt64, stepsPerRound: Int)
    public private(set) var offer: ContractOffer?
    public private(set) var training: TrainingOrder?
    public private(set) var trained: Trained?
    /// The newest integrated module, and the one being fetched.
    public private(set) var module: (version: UInt64, module: AgentModule, accuracy: Double)?
    private struct Fetch: Sendable {
        var version: UInt64
        var digest: [UInt8]
        var count: UInt32
        var chunks: [[UInt8]]
        var accuracy: Double
    }
    private var fetching: Fetch?
    public private(set) var inFlight = false
    private struct PeriodKey: Sendable, Hashable {
        var round: UInt64
        var period: UInt32
    }
    private var refused: PeriodKey?
    private var pollDue: Timestamp = .zero
    private var pollOfferNext = false

    public init(settings: Settings) {
        self.settings = settings
        trainingResources = (0, settings.stepsPerRound)
    }

    /// This edge's type index for `period` of `round`: configured, or drawn from the instance's
    /// distribution — p¹ in period 1, p²(· | its period-1 type) in period 2 — with a generator
    /// seeded by (`seed`, round, period), so a restarted edge draws the same types.
    public func type(round: UInt64, period: UInt32, offer: ContractOffer) -> Int {
        let k = offer.thetas.count
        func draw(_ p: [Double], period: UInt32) -> Int {
            guard !p.isEmpty else { return 0 }
            var g = SeededGenerator(seed: settings.seed &* 1_000_003 &+ round &* 31 &+ UInt64(period))
            let u = Double(g.next() >> 11) / Double(1 << 53)
            var cumulative = 0.0
            for (i, q) in p.enumerated() {
                cumulative += q
                if u < cumulative { return i }
            }
            return p.count - 1
        }
        let type1 = settings.type1 >= 0 ? settings.type1 : draw(offer.typeProbabilities, period: 1)
        guard period == 2 else { return min(type1, max(0, k - 1)) }
        if settings.type2 >= 0 { return min(settings.type2, max(0, k - 1)) }
        let row = type1 < offer.transition.count ? offer.transition[type1] : []
        return min(draw(row, period: 2), max(0, k - 1))
    }

    /// Periodic work: at most one request in flight; poll the offer and the module, upload.
    public mutating func onTick(now: Timestamp, registered: Bool) -> [Directive] {
        guard registered, !inFlight else { return [] }
        if let t = trained, t.nextChunk < t.chunkCount, now >= t.uploadAt {
            inFlight = true
            let size = settings.chunkBytes
            let i = Int(t.nextChunk)
            let chunk = Array(t.bytes[(i * size)..<min(t.bytes.count, (i + 1) * size)])
            return [.request(.upload(ModuleUpload(round: t.round, period: t.period, chunkIndex: t.nextChunk, chunkCount: t.chunkCount, chunk: chunk,
                                                  moduleDigest: t.digest, samples: t.samples)))]
        }
        if let f = fetching {
            inFlight = true
            return [.request(.module(chunkIndex: UInt32(f.chunks.count)))]
        }
        guard now >= pollDue else { return [] }
        pollDue = now.adding(milliseconds: settings.pollMilliseconds)
        inFlight = true
        // Alternate the offer (when taking contracts and not busy training) and the module.
        pollOfferNext.toggle()
        if settings.participates, pollOfferNext, trained == nil, training == nil {
            return [.request(.offer)]
        }
        return [.request(.module(chunkIndex: 0))]
    }

    /// When `onTick` next has a request to make; nil while one is out or while the edge is not
    /// registered (`onTick` makes none then, so waking for it would spin).
    public func nextWake(now: Timestamp, registered: Bool = true) -> Timestamp? {
        guard registered, !inFlight else { return nil }
        if let t = trained, t.nextChunk < t.chunkCount { return max(now, t.uploadAt) }
        if fetching != nil { return now }
        return pollDue
    }

    /// The result of a request `onTick` made.
    public mutating func onResult(_ result: Result<Payload, FairwayError>, now: Timestamp) -> [Directive] {
        inFlight = false
        switch result {
        case .success(.contractOffer(let o)):
            return onOffer(o)
        case .success(.moduleUploadAck(let ack)):
            guard var t = trained else { return [] }
            if ack.integrated {
                trained = nil
                pollDue = .zero
                return [.log("module for round \(t.round) period \(t.period) integrated (held-out accuracy \(ack.accuracy))")]
            }
            if !ack.refused.isEmpty {
                trained = nil
                refused = PeriodKey(round: t.round, period: t.period)  // training is deterministic: the same module would be refused again
                return [.log("module for round \(t.round) period \(t.period) refused: \(ack.refused)")]
            }
            t.nextChunk = max(t.nextChunk, ack.nextChunk)
            trained = t
            return []
        case .success(.moduleReply(let r)):
            return onModule(r)
        case .success(let other):
            return [.log("unexpected contract reply \(other.kind)")]
        case .failure(let e):
            if e.code == .invalidField { trained = nil; pollDue = .zero }  // e.g. the period moved on: learn the new offer
            return [.log("contract call failed: \(e)")]
        }
    }

    private mutating func onOffer(_ o: ContractOffer) -> [Directive] {
        let previous = offer
        offer = o
        guard o.round > 0, settings.participates else { return [] }
        var directives: [Directive] = []
        if previous?.round != o.round || previous?.period != o.period {
            directives.append(.log("contract round \(o.round) period \(o.period): menu \(o.items.map { "(T \($0.rounds), R \(($0.reward * 100).rounded() / 100))" }.joined(separator: " ")), deadline epoch \(o.deadlineEpoch)"))
        }
        switch o.selected {
        case .none:
            guard !o.items.isEmpty else { return directives }
            let k = type(round: o.round, period: o.period, offer: o)
            let theta = o.thetas[min(k, o.thetas.count - 1)]
            let choice = o.bestResponse(type: min(k, o.thetas.count - 1))
            inFlight = true
            return directives + [.log("type \(k) (θ = \(theta)): \(choice)"), .request(.select(ContractSelection(round: o.round, period: o.period, choice: choice)))]
        case .declined:
            return directives
        case .item(let i):
            guard !o.integrated, training == nil, trained == nil, refused != PeriodKey(round: o.round, period: o.period),
                  let item = o.items.first(where: { Int($0.index) == i }) else { return directives }
            let order = TrainingOrder(round: o.round, period: o.period, item: i, rounds: Int(item.rounds),
                                      seed: settings.seed &* 7919 &+ o.round &* 101 &+ UInt64(o.period),
                                      labelledSamples: trainingResources.labels, stepsPerRound: trainingResources.stepsPerRound)
            training = order
            return directives + [.train(order)]
        }
    }

    /// The labels and steps per round the next training order gets (from the edge's cloud share).
    public mutating func onTrainingResources(labels: UInt64, stepsPerRound: Int) {
        trainingResources = (labels, max(1, stepsPerRound))
    }

    /// The shell finished training `order`.
    public mutating func onTrained(_ order: TrainingOrder, bytes: [UInt8], samples: UInt64, now: Timestamp) -> [Directive] {
        guard training == order else { return [] }
        training = nil
        let size = settings.chunkBytes
        let count = UInt32(max(1, (bytes.count + size - 1) / size))
        trained = Trained(round: order.round, period: order.period, bytes: bytes, digest: DatRecord.integrityHash(of: bytes), samples: samples,
                          nextChunk: min(offer?.nextChunk ?? 0, count), chunkCount: count,
                          uploadAt: now.adding(milliseconds: settings.uploadDelayMilliseconds))
        return [.log("trained \(order.rounds) rounds of \(order.stepsPerRound) steps for round \(order.round) period \(order.period) item \(order.item) on \(samples) labelled samples")]
    }

    public mutating func onTrainingFailed(_ order: TrainingOrder, _ why: String) -> [Directive] {
        if training == order { training = nil }
        return [.log("training failed: \(why)")]
    }

    private mutating func onModule(_ r: ModuleReply) -> [Directive] {
        guard r.version > 0, r.chunkCount > 0 else { fetching = nil; return [] }
        if r.version <= (module?.version ?? 0) { fetching = nil; return [] }
        var f = fetching.flatMap { $0.version == r.version ? $0 : nil } ?? Fetch(version: r.version, digest: r.moduleDigest, count: r.chunkCount, chunks: [], accuracy: r.accuracy)
        guard r.chunkIndex == UInt32(f.chunks.count) else { fetching = f; return [] }
        f.chunks.append(r.chunk)
        guard f.chunks.count == Int(f.count) else { fetching = f; return [] }
        fetching = nil
        let bytes = f.chunks.flatMap { $0 }
        guard DatRecord.integrityHash(of: bytes) == f.digest, let m = try? AgentModule(bytes: bytes) else {
            return [.log("module version \(f.version) did not verify; fetching it again later")]
        }
        module = (f.version, m, f.accuracy)
        return [.log("agent module version \(f.version) installed (held-out accuracy \(f.accuracy))")]
    }

    /// The module's prediction for `features`, if a module is installed and the input fits.
    public func predict(_ features: [Double]) -> (label: Int32, confidence: Double, version: UInt64)? {
        guard let module, !features.isEmpty, let p = try? module.module.predict(features.map { $0 / DigitRecord.maximumPixel }) else { return nil }
        return (Int32(p.label), p.confidence, module.version)
    }
}
