import FairwayCore
import FairwayRuntime
import FairwayWire

/// One agent identity's protocol role as a pure value: join through an edge,
/// heartbeat, fail over to the next edge after repeated failures.
public struct AgentInstance: Sendable {
    public enum Directive: Sendable, Hashable {
        /// Send this payload to edge number `edge` and report with `onReply`.
        case send(edge: Int, Payload)
        /// Send this inference request to edge number `edge` and report with `onInferenceReply`.
        case infer(edge: Int, InferenceRequest)
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
        public init() {}
    }

    public let id: NodeID
    public let name: String
    public let publicKey: [UInt8]
    public let edgeCount: Int
    public let settings: EdgeAgentSettings
    public private(set) var edge: Int
    public private(set) var joined = false
    public private(set) var consecutiveFailures = 0
    public private(set) var heartbeatIntervalMilliseconds: Int64
    private var inFlight = false
    private var lastAttempt: Timestamp = .zero
    public private(set) var usage = UsageStats()
    private var pacer: Double
    private var lastPace: Timestamp = .zero
    private var inferenceRetryAt: Timestamp = .zero

    /// - Parameter firstEdge: index of the edge to try first (spreads identities over edges).
    public init(id: NodeID, name: String = "", publicKey: [UInt8] = [], settings: EdgeAgentSettings, firstEdge: Int) {
        self.id = id
        self.name = name
        self.publicKey = publicKey
        self.settings = settings
        self.edgeCount = settings.edges.count
        self.edge = firstEdge % settings.edges.count
        self.heartbeatIntervalMilliseconds = settings.heartbeatIntervalMilliseconds
        self.pacer = Double(settings.workload.burst)
    }

    /// Inference requests due now, paced by the workload's rate and burst, while joined and not
    /// told to wait (retry-after).
    public mutating func onWorkloadTick(now: Timestamp) -> [Directive] {
        let w = settings.workload
        guard w.ratePerSecond > 0 else { return [] }
        // The shell ticks every tick_ms: allow one tick's worth of requests on top of the burst.
        let cap = Double(w.burst) + w.ratePerSecond * Double(settings.tickMilliseconds) / 1000
        if lastPace != .zero {
            pacer = min(cap, pacer + w.ratePerSecond * Double(max(0, now.milliseconds(since: lastPace))) / 1000)
        }
        lastPace = now
        guard mayInfer(now: now), pacer >= 1 else { return [] }
        let n = Int(pacer)
        pacer -= Double(n)
        return Array(repeating: .infer(edge: edge, InferenceRequest(cost: w.cost)), count: n)
    }

    /// Whether an inference request may go out now: joined, the edge answering heartbeats, and
    /// no refusal's retry-after pending. The shell checks it before each request of a batch, so
    /// one silent reply stops the rest.
    public func mayInfer(now: Timestamp) -> Bool {
        joined && consecutiveFailures == 0 && now >= inferenceRetryAt
    }

    /// An inference request abandoned at shutdown: the edge may or may not have served it.
    public mutating func onInferenceAbandoned() { usage.unanswered += 1 }

    /// Outcome of an inference request.
    public mutating func onInferenceReply(_ result: Result<Payload, FairwayError>, cost: UInt64, now: Timestamp) -> [Directive] {
        switch result {
        case .success(.inferenceReply(let reply)):
            usage.admitted += 1
            usage.servedTokens += reply.charged
            return []
        case .failure(let e) where e.code == .insufficientTokens:
            usage.refused += 1
            usage.lastRefusal = e.message
            usage.lastRetryAfterMilliseconds = e.retryAfterMilliseconds
            inferenceRetryAt = now.adding(milliseconds: max(10, e.retryAfterMilliseconds))
            return []
        case .failure(let e) where e.code == .unknownSender:
            joined = false
            lastAttempt = .zero
            return [.log("\(name) must re-join: \(e.message)")]
        case .failure(let e) where e.code == .noReply:
            usage.unanswered += 1
            // Let heartbeats decide about failover; do not pile requests on a silent edge.
            inferenceRetryAt = now.adding(milliseconds: heartbeatIntervalMilliseconds)
            return []
        case .failure(let e):
            inferenceRetryAt = now.adding(milliseconds: max(50, e.retryAfterMilliseconds))
            return [.log("\(name) inference refused: \(e)")]
        case .success(let other):
            return [.log("\(name) unexpected inference reply \(other.kind)")]
        }
    }

    public mutating func onTick(now: Timestamp) -> [Directive] {
        guard !inFlight, now.milliseconds(since: lastAttempt) >= heartbeatIntervalMilliseconds else { return [] }
        inFlight = true
        lastAttempt = now
        if joined {
            return [.send(edge: edge, .heartbeat(Heartbeat(nodeID: id)))]
        }
        return [.send(edge: edge, .join(JoinRequest(nodeID: id, role: .edgeAgent, address: "", version: FairwayVersion.current,
                                                    bucketSize: settings.bucketSize, name: name, publicKey: publicKey)))]
    }

    public mutating func onReply(_ result: Result<Payload, FairwayError>, now: Timestamp) -> [Directive] {
        inFlight = false
        switch result {
        case .success(.joinAccepted(let accepted)):
            joined = true
            consecutiveFailures = 0
            heartbeatIntervalMilliseconds = accepted.heartbeatIntervalMilliseconds
            return [.log("\(name) (\(id)) joined via edge #\(edge) (\(settings.edges[edge]))")]
        case .success(.heartbeatAck):
            consecutiveFailures = 0
            return []
        case .success(let other):
            return failed("unexpected reply \(other.kind)", weight: 1, now: now)
        case .failure(let e) where e.code == .unknownSender:
            // The edge lost track of us (it restarted, or the coordinator asked): re-join now.
            joined = false
            lastAttempt = .zero
            return [.log("\(id) must re-join: \(e.message)")]
        case .failure(let e) where e.code == .noReply:
            return failed("\(e)", weight: Self.silenceWeight, now: now)
        case .failure(let e):
            // The edge answered but refused (e.g. not yet registered): a weaker
            // reason to leave it than silence.
            return failed("\(e)", weight: 1, now: now)
        }
    }

    /// A silent edge counts this many times more than a refusing one towards failover.
    static let silenceWeight = 4

    private mutating func failed(_ why: String, weight: Int, now: Timestamp) -> [Directive] {
        consecutiveFailures += weight
        guard consecutiveFailures >= settings.failoverAfterFailures * Self.silenceWeight else { return [] }
        let from = edge
        edge = (edge + 1) % edgeCount
        joined = false
        consecutiveFailures = 0
        lastAttempt = .zero
        return [.log("\(id) failing over from edge #\(from) to #\(edge) (\(settings.edges[edge])) after: \(why)")]
    }
}
