import FairwayCore
import FairwayWire

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
