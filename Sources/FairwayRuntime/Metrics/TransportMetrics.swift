import FairwayCore
import FairwayWire
import Metrics
import Synchronization

/// The transport metrics of one REP socket (`RequestServer`): requests by kind and outcome,
/// their latency, refusals by code and handshakes, labelled with the daemon's role and name.
/// Handles are made once per label set and kept. Thread-safe.
public final class TransportMetrics: Sendable {
    /// How a decoded request was answered.
    public enum Outcome: String, Sendable {
        case served, refused, replayed
    }

    public let role: String
    public let node: String
    private let handshakesStarted: Counter
    private let handshakesCompleted: Counter
    private let byKind = Mutex<[Payload.Kind: KindHandles]>([:])
    private let byCode = Mutex<[FairwayError.Code: Counter]>([:])

    private struct KindHandles: Sendable {
        var served, refused, replayed: Counter
        var duration: Metrics.Timer
    }

    /// - Parameters:
    ///   - role: the daemon's role (`NodeRole` raw value, e.g. `cloud-coordinator`).
    ///   - node: its display name (`name`), which tells daemons of one process apart.
    public init(role: NodeRole, node: String) {
        self.role = role.rawValue
        self.node = node
        handshakesStarted = FairwayMetrics.counter(FairwayMetrics.handshakesStarted, role.rawValue, node)
        handshakesCompleted = FairwayMetrics.counter(FairwayMetrics.handshakesCompleted, role.rawValue, node)
    }

    private func handles(_ kind: Payload.Kind) -> KindHandles {
        byKind.withLock { map in
            if let h = map[kind] { return h }
            let d = FairwayMetrics.requests, k = kind.rawValue
            let h = KindHandles(served: FairwayMetrics.counter(d, role, node, k, Outcome.served.rawValue),
                                refused: FairwayMetrics.counter(d, role, node, k, Outcome.refused.rawValue),
                                replayed: FairwayMetrics.counter(d, role, node, k, Outcome.replayed.rawValue),
                                duration: FairwayMetrics.timer(FairwayMetrics.requestDuration, role, node, k))
            map[kind] = h
            return h
        }
    }

    /// A decoded request of `kind` was answered with `outcome`.
    public func answered(_ kind: Payload.Kind, _ outcome: Outcome) {
        let h = handles(kind)
        switch outcome {
        case .served: h.served.increment()
        case .refused: h.refused.increment()
        case .replayed: h.replayed.increment()
        }
    }

    /// A decoded request of `kind` had its reply ready `elapsed` after its frame arrived.
    public func latency(_ kind: Payload.Kind, _ elapsed: Duration) {
        let (seconds, attoseconds) = elapsed.components
        handles(kind).duration.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// An error reply with `code` was sent (for any reason, at any layer).
    public func refused(_ code: FairwayError.Code) {
        let counter = byCode.withLock { map in
            if let c = map[code] { return c }
            let c = FairwayMetrics.counter(FairwayMetrics.refusals, role, node, code.name)
            map[code] = c
            return c
        }
        counter.increment()
    }

    func handshakeStarted() { handshakesStarted.increment() }
    func handshakeCompleted() { handshakesCompleted.increment() }
}
