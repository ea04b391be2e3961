import FairwayWire

/// One processed event, kept in a ring for the failure report (rendered only then).
struct TraceEntry {
    var step: Int
    var time: Int64
    var text: () -> String

    func render() -> String { "#\(step) t=\(time)ms \(text())" }
}

extension SimMessage {
    /// A short line: who to whom, which payload.
    var summary: String {
        switch self {
        case .request(let r): "\(r.from) → \(r.to) \(r.envelope.payload.kind) (call \(r.call))"
        case .reply(let call, let to, let from, let p):
            if case .error(let e) = p { "\(from) → \(to) error \(e.code) for call \(call): \(e.message.prefix(80))" } else { "\(from) → \(to) \(p.kind) for call \(call)" }
        case .announcement(let a, _, let to): "coordinator → \(to) epoch \(a.epoch) announcement"
        }
    }
}
