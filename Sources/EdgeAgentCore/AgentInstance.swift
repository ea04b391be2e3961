import FairwayCore
import FairwayWire

/// One agent identity's protocol role as a pure value: join through an edge, heartbeat, fail
/// over to the next edge after repeated failures, and pace its inference workload. No clock:
/// `onTick` says when it next has work (`.wake(at:)`).
public struct AgentInstance: Sendable {
    public enum Directive: Sendable, Hashable {
        /// Send this payload to edge number `edge` and report with `onReply`.
        case send(edge: Int, Payload)
        /// Send this inference request to edge number `edge` and report with `onInferenceReply`.
        case infer(edge: Int, InferenceRequest)
        /// Release contribution number `sequence` (from 1) to edge number `edge` and report with
        /// `onContributionResult`.
        case contribute(edge: Int, sequence: UInt64)
        /// Call `onTick` again at (or soon after) this instant.
        case wake(at: Timestamp)
        case log(String)
    }

    /// What this identity's workload got, for operators and tests.
    public struct UsageStats: Sendable, Hashable, Codable {
        /// Requests admitted (the agent saw the reply).
        public var admitted: UInt64 = 0
        /// Tokens charged for them.
        public var servedTokens: UInt64 = 0
        /// Requests refused for lack of tokens.
        public var refused: UInt64 = 0
        /// Requests that got no reply (edge down); the edge may or may not have served them.
        public var unanswered: UInt64 = 0
        /// The last refusal's reason and retry-after.
        public var lastRefusal: String = ""
        public var lastRetryAfterMilliseconds: Int64 = 0
        /// Replies that carried a prediction of the edge's agent module, and how many were right.
        public var predictions: UInt64 = 0
        public var correct: UInt64 = 0
        /// Module version of the last prediction.
        public var moduleVersion: UInt64 = 0
        /// Admitted requests the cloud answered (the edge was saturated; Fair-Synergy offload).
        public var servedByCloud: UInt64 = 0
        /// Requests refused because the edge and its cloud share were both saturated.
        public var capacityRefused: UInt64 = 0
        /// correct / predictions (0 before any).
        public var observedAccuracy: Double { predictions == 0 ? 0 : Double(correct) / Double(predictions) }
        public init() {}
    }

    public let id: NodeID
    public let name: String
    public let publicKey: [UInt8]
    public let settings: Settings
    /// The edge servers' URLs, in failover order (for logs; directives name edges by index).
    public let edges: [String]
    public private(set) var edge: Int
    public private(set) var joined = false
    public private(set) var consecutiveFailures = 0
    /// Failovers since an edge last answered (a join accepted or a heartbeat acknowledged).
    /// Once the identity has tried every edge in turn without an answer, each further round
    /// waits longer before its join (`joinBackoffMilliseconds`): an overloaded cluster, whose
    /// timeouts look like dead edges, is not flooded with joins (they cost more than heartbeats).
    public private(set) var failoversWithoutAnswer = 0
    public private(set) var heartbeatIntervalMilliseconds: Int64
    private var inFlight = false
    private var exchangeDue: Timestamp = .zero
    public private(set) var usage = UsageStats()
    private var pacer: Double
    private var lastPace: Timestamp = .zero
    private var inferenceRetryAt: Timestamp = .zero
    /// When the next DP release goes out (Contributions/).
    public private(set) var contributions: ContributionSchedule

    /// - Parameter firstEdge: index of the edge to try first (spreads identities over edges).
    /// - Parameter acknowledgedReleases: releases already recorded (restored by the shell).
    public init(id: NodeID, name: String = "", publicKey: [UInt8] = [], settings: Settings, edges: [String], firstEdge: Int, acknowledgedReleases: Int = 0) {
        precondition(!edges.isEmpty, "an agent needs at least one edge")
        self.id = id
        self.name = name
        self.publicKey = publicKey
        self.settings = settings
        self.edges = edges
        self.edge = firstEdge % edges.count
        self.heartbeatIntervalMilliseconds = settings.heartbeatIntervalMilliseconds
        self.pacer = Double(settings.workload.burst)
        self.contributions = ContributionSchedule(settings: settings.contribute, acknowledged: acknowledgedReleases)
    }

    /// Outcome of a release (`.contribute`): its receipt, or why it failed.
    public mutating func onContributionResult(_ result: Result<ContributionReceipt, FairwayError>, now: Timestamp) -> [Directive] {
        if case .failure(let e) = result, e.code == .unknownSender {
            joined = false
            exchangeDue = .zero
        }
        return contributions.onResult(result, now: now).map { [.log("\(name): \($0)")] } ?? []
    }

    public var edgeCount: Int { edges.count }

    /// Inference requests due now, paced by the workload's rate and burst, while joined and not
    /// told to wait (retry-after).
    mutating func onWorkload(now: Timestamp) -> [Directive] {
        let w = settings.workload
        guard w.ratePerSecond > 0 else { return [] }
        if lastPace != .zero {
            pacer = min(Double(w.burst), pacer + w.ratePerSecond * Double(max(0, now.milliseconds(since: lastPace))) / 1000)
        }
        lastPace = now
        guard mayInfer(now: now), pacer >= 1 else { return [] }
        let n = Int(pacer)
        pacer -= Double(n)
        return Array(repeating: .infer(edge: edge, InferenceRequest(cost: w.cost)), count: n)
    }

    /// When the workload next has a request to send (nil: none).
    private func nextInference(now: Timestamp) -> Timestamp? {
        let w = settings.workload
        guard w.ratePerSecond > 0, joined, consecutiveFailures == 0 else { return nil }
        let refill = pacer >= 1 ? now : now.adding(milliseconds: Int64(((1 - pacer) * 1000 / w.ratePerSecond).rounded(.up)))
        return max(refill, inferenceRetryAt)
    }

    /// Whether an inference request may go out now: joined, the edge answering heartbeats, and
    /// no refusal's retry-after pending. The shell checks it before each request of a batch, so
    /// one silent reply stops the rest.
    public func mayInfer(now: Timestamp) -> Bool {
        joined && consecutiveFailures == 0 && now >= inferenceRetryAt
    }

    /// An inference request abandoned at shutdown: the edge may or may not have served it.
    public mutating func onInferenceAbandoned() { usage.unanswered += 1 }

    /// The edge's module predicted `label` for an input whose label is `expected`.
    public mutating func onPrediction(label: Int32, expected: Int, moduleVersion: UInt64) {
        usage.predictions += 1
        if Int(label) == expected { usage.correct += 1 }
        usage.moduleVersion = moduleVersion
    }

    /// Outcome of an inference request.
    public mutating func onInferenceReply(_ result: Result<Payload, FairwayError>, cost: UInt64, now: Timestamp) -> [Directive] {
        switch result {
        case .success(.inferenceReply(let reply)):
            usage.admitted += 1
            usage.servedTokens += reply.charged
            if reply.servedByCloud { usage.servedByCloud += 1 }
            return []
        case .failure(let e) where e.code == .insufficientTokens || e.code == .capacityExhausted:
            if e.code == .insufficientTokens { usage.refused += 1 } else { usage.capacityRefused += 1 }
            usage.lastRefusal = e.message
            usage.lastRetryAfterMilliseconds = e.retryAfterMilliseconds
            inferenceRetryAt = now.adding(milliseconds: max(Self.minimumRetryMilliseconds, e.retryAfterMilliseconds))
            return []
        case .failure(let e) where e.code == .unknownSender:
            joined = false
            exchangeDue = .zero
            return [.log("\(name) must re-join: \(e.message)")]
        case .failure(let e) where e.code == .noReply:
            usage.unanswered += 1
            // Let heartbeats decide about failover; do not pile requests on a silent edge.
            inferenceRetryAt = now.adding(milliseconds: heartbeatIntervalMilliseconds)
            return []
        case .failure(let e):
            inferenceRetryAt = now.adding(milliseconds: max(Self.retryAfterOtherRefusalMilliseconds, e.retryAfterMilliseconds))
            return [.log("\(name) inference refused: \(e)")]
        case .success(let other):
            return [.log("\(name) unexpected inference reply \(other.kind)")]
        }
    }

    /// Heartbeat or join when due, the workload's requests when due; ends with `.wake(at:)`.
    public mutating func onTick(now: Timestamp) -> [Directive] {
        var directives: [Directive] = []
        if !inFlight, now >= exchangeDue {
            inFlight = true
            exchangeDue = now.adding(milliseconds: heartbeatIntervalMilliseconds)
            if joined {
                directives.append(.send(edge: edge, .heartbeat(Heartbeat(nodeID: id))))
            } else {
                directives.append(.send(edge: edge, .join(JoinRequest(nodeID: id, role: .edgeAgent, address: "", version: FairwayVersion.current,
                                                                      bucketSize: settings.bucketSize, name: name, publicKey: publicKey))))
            }
        }
        directives += onWorkload(now: now)
        if consecutiveFailures == 0, let sequence = contributions.onTick(now: now, joined: joined) {
            directives.append(.contribute(edge: edge, sequence: sequence))
        }
        return directives + [.wake(at: nextWake(now: now))]
    }

    /// When this identity next has work: its next exchange (once the one in flight returns) or request.
    public func nextWake(now: Timestamp) -> Timestamp {
        let exchange = inFlight ? now.adding(milliseconds: heartbeatIntervalMilliseconds) : exchangeDue
        // Releases wait, like inference, while the edge is failing (`onTick` holds them back then).
        let release = consecutiveFailures == 0 ? contributions.nextWake(now: now, joined: joined) : nil
        let next = [exchange, nextInference(now: now), release].compactMap { $0 }.min() ?? exchange
        return max(now, next)
    }

    public mutating func onReply(_ result: Result<Payload, FairwayError>, now: Timestamp) -> [Directive] {
        inFlight = false
        switch result {
        case .success(.joinAccepted(let accepted)):
            joined = true
            consecutiveFailures = 0
            failoversWithoutAnswer = 0
            // The next heartbeat follows the join by the edge's interval, not ours.
            exchangeDue = exchangeDue.adding(milliseconds: accepted.heartbeatIntervalMilliseconds - heartbeatIntervalMilliseconds)
            heartbeatIntervalMilliseconds = accepted.heartbeatIntervalMilliseconds
            return [.log("\(name) (\(id)) joined via edge #\(edge) (\(edges[edge]))")]
        case .success(.heartbeatAck):
            consecutiveFailures = 0
            failoversWithoutAnswer = 0
            return []
        case .success(let other):
            return failed("unexpected reply \(other.kind)", weight: 1, now: now)
        case .failure(let e) where e.code == .unknownSender:
            // The edge lost track of us (it restarted, or the coordinator asked): re-join now.
            joined = false
            exchangeDue = .zero
            return [.log("\(id) must re-join: \(e.message)")]
        case .failure(let e) where e.isDraining:
            // The edge is draining (`fairwayctl drain`): it hands us over; go to the next edge
            // now. A refused join waits an interval first, so edges that all drain are not flooded.
            let wasJoined = joined
            let directives = moveToNextEdge(after: "\(e)")
            if !wasJoined { exchangeDue = now.adding(milliseconds: heartbeatIntervalMilliseconds) }
            return directives
        case .failure(let e) where e.code == .noReply:
            return failed("\(e)", weight: Self.silenceWeight, now: now)
        case .failure(let e):
            // The edge answered but refused (e.g. not yet registered): a weaker
            // reason to leave it than silence.
            return failed("\(e)", weight: 1, now: now)
        }
    }

    /// The shortest wait after a refusal before the next inference request, milliseconds
    /// (whatever retry-after the edge suggested).
    static let minimumRetryMilliseconds: Int64 = 10
    /// The wait after any other refusal, milliseconds.
    static let retryAfterOtherRefusalMilliseconds: Int64 = 50

    /// A silent edge counts this many times more than a refusing one towards failover.
    static let silenceWeight = 4

    private mutating func failed(_ why: String, weight: Int, now: Timestamp) -> [Directive] {
        consecutiveFailures += weight
        guard consecutiveFailures >= settings.failoverAfterFailures * Self.silenceWeight else { return [] }
        let directives = moveToNextEdge(after: why)
        failoversWithoutAnswer += 1
        let wait = joinBackoffMilliseconds
        if wait > 0 { exchangeDue = now.adding(milliseconds: wait) }
        return directives
    }

    /// The longest join backoff, in heartbeat intervals.
    static let maximumJoinBackoffIntervals: Int64 = 16

    /// How long to wait before joining the edge just failed over to, milliseconds: nothing
    /// during the first round over the edges (one dead edge is left at once); from the second
    /// round on, 1, 2, 4 … up to 16 heartbeat intervals, each cut to 50–100 % by a spread fixed
    /// by the identity and the attempt, so identities that failed together re-join apart.
    public var joinBackoffMilliseconds: Int64 {
        let rounds = failoversWithoutAnswer / edgeCount
        guard rounds > 0 else { return 0 }
        let span = heartbeatIntervalMilliseconds * min(Self.maximumJoinBackoffIntervals, Int64(1) << min(rounds - 1, 8))
        var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a of the id and the attempt
        for byte in id.rawValue.utf8 + Array(String(failoversWithoutAnswer).utf8) { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return span / 2 + Int64(h % UInt64(max(1, span / 2 + 1)))
    }

    /// Leaves the current edge for the next one in failover order and joins there at once.
    private mutating func moveToNextEdge(after why: String) -> [Directive] {
        let from = edge
        edge = (edge + 1) % edgeCount
        joined = false
        consecutiveFailures = 0
        exchangeDue = .zero
        return [.log("\(id) failing over from edge #\(from) to #\(edge) (\(edges[edge])) after: \(why)")]
    }
}
