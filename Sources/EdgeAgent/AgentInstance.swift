import FairwayCore
import FairwayRuntime
import FairwayWire

/// One agent identity's protocol role as a pure value: join through an edge,
/// heartbeat, fail over to the next edge after repeated failures.
public struct AgentInstance: Sendable {
    public enum Directive: Sendable, Hashable {
        /// Send this payload to edge number `edge` and report with `onReply`.
        case send(edge: Int, Payload)
        case log(String)
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

    /// - Parameter firstEdge: index of the edge to try first (spreads identities over edges).
    public init(id: NodeID, name: String = "", publicKey: [UInt8] = [], settings: EdgeAgentSettings, firstEdge: Int) {
        self.id = id
        self.name = name
        self.publicKey = publicKey
        self.settings = settings
        self.edgeCount = settings.edges.count
        self.edge = firstEdge % settings.edges.count
        self.heartbeatIntervalMilliseconds = settings.heartbeatIntervalMilliseconds
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
