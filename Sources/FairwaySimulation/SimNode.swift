import EdgeServerCore
import FairwayCore
import FairwayWire

/// A simulated node: the coordinator, edge server `i` or agent identity `i`. Each crashes and
/// restarts on its own.
public enum SimNode: Hashable, Sendable, Comparable, CustomStringConvertible {
    case coordinator
    case edge(Int)
    case agent(Int)

    public var description: String {
        switch self {
        case .coordinator: "coordinator"
        case .edge(let i): "edge-\(i + 1)"
        case .agent(let i): "agent-\(i + 1)"
        }
    }
}

/// A request in flight: who sent it, to whom, and its envelope (its message id is the
/// idempotency key; a resend carries the same one).
struct SimRequest {
    /// The caller's call number (unique over the run) and the caller.
    var call: UInt64
    var from: SimNode
    var to: SimNode
    var envelope: Envelope
    /// The sender's signed envelope (joins and contributions: the edge relays it as proof).
    var sealed: [UInt8] = []
}

/// What travels on the simulated network.
enum SimMessage {
    case request(SimRequest)
    case reply(call: UInt64, to: SimNode, from: SimNode, Payload)
    case announcement(EpochAnnouncement, from: NodeID, to: SimNode)

    var endpoints: (from: SimNode, to: SimNode) {
        switch self {
        case .request(let r): (r.from, r.to)
        case .reply(_, let to, let from, _): (from, to)
        case .announcement(_, _, let to): (.coordinator, to)
        }
    }
}

/// A scheduled event of the simulation; each processed event is one step.
enum SimEvent {
    case deliver(SimMessage)
    /// Call the node's `onTick` (if its generation still matches).
    case wake(SimNode, generation: Int)
    /// Resend call `call` if it is still unanswered.
    case resend(call: UInt64)
    /// Fail call `call` with `no-reply` if it is still unanswered.
    case timeout(call: UInt64)
    case crash(SimNode)
    case restart(SimNode)
    /// Isolate these nodes from all others until `heal`.
    case partition([SimNode])
    case heal
    /// Draw the next random fault.
    case faultTick
    /// Edge `i`'s shell finished training (if its generation still matches).
    case trained(Int, generation: Int, ContractWork.TrainingOrder, good: Bool)
}

/// Events ordered by time, then by the order they were scheduled (so runs are deterministic).
struct EventQueue {
    private var items: [(time: Int64, seq: UInt64, event: SimEvent)] = []
    private var seq: UInt64 = 0

    var count: Int { items.count }

    mutating func push(_ event: SimEvent, at time: Int64) {
        seq += 1
        // Kept sorted descending, so the earliest is last.
        var lo = 0, hi = items.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let m = items[mid]
            if m.time > time || (m.time == time && m.seq > seq) { lo = mid + 1 } else { hi = mid }
        }
        items.insert((time, seq, event), at: lo)
    }

    mutating func pop() -> (time: Int64, event: SimEvent)? {
        guard let last = items.popLast() else { return nil }
        return (last.time, last.event)
    }
}
