import Synchronization
import FairwayCore
import FairwayWire

/// Counters of one socket: what was served, refused and dropped. Thread-safe. With
/// `TransportMetrics`, each count is also exported (`fairway_requests_total`, …).
public final class TransportCounters: Sendable {
    public struct Snapshot: Sendable, Hashable {
        /// Requests answered with a normal reply.
        public var served = 0
        /// Requests answered from the idempotency cache (resends, replays).
        public var replayed = 0
        /// Requests answered with an error reply, by error code name.
        public var refused: [String: Int] = [:]
        /// Messages dropped without reply (patterns with no reply, e.g. SUB).
        public var dropped = 0
        /// Messages accepted on patterns without reply (e.g. SUB).
        public var received = 0
        /// Session handshakes answered (message 2 sent) and completed (message 3 accepted).
        public var handshakesStarted = 0
        public var handshakesCompleted = 0

        public var refusedTotal: Int { refused.values.reduce(0, +) }

        public init() {}
    }

    private let state = Mutex(Snapshot())
    /// Where the counts are exported too (nil: in memory only).
    public let metrics: TransportMetrics?

    public init(metrics: TransportMetrics? = nil) { self.metrics = metrics }

    public var snapshot: Snapshot { state.withLock { $0 } }

    func served(_ kind: Payload.Kind) {
        state.withLock { $0.served += 1 }
        metrics?.answered(kind, .served)
    }
    /// Answered from the cache or journal; `kind` nil: counted here but exported otherwise.
    func replayed(_ kind: Payload.Kind?) {
        state.withLock { $0.replayed += 1 }
        if let kind { metrics?.answered(kind, .replayed) }
    }
    /// An error reply; `kind` is the refused request's, when it was decoded that far.
    func refused(_ code: FairwayError.Code, kind: Payload.Kind? = nil) {
        state.withLock { $0.refused[code.name, default: 0] += 1 }
        metrics?.refused(code)
        if let kind { metrics?.answered(kind, .refused) }
    }
    func dropped() { state.withLock { $0.dropped += 1 } }
    func received() { state.withLock { $0.received += 1 } }
    func handshakeStarted() {
        state.withLock { $0.handshakesStarted += 1 }
        metrics?.handshakeStarted()
    }
    func handshakeCompleted() {
        state.withLock { $0.handshakesCompleted += 1 }
        metrics?.handshakeCompleted()
    }
}
