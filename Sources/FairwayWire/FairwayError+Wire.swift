import FairwayCore

extension FairwayError {
    init(wire: Fairway_V1_ErrorReply) throws {
        guard let code = Code(rawValue: wire.code.rawValue), code != .noReply else {
            throw FairwayError(.invalidField, "unknown error code \(wire.code.rawValue)", field: "error.code")
        }
        guard wire.retryAfterMs >= 0 else {
            throw FairwayError(.invalidField, "retry-after must be ≥ 0 ms, got \(wire.retryAfterMs)", field: "error.retry_after_ms")
        }
        self.init(code, wire.message, field: wire.field, retryAfterMilliseconds: wire.retryAfterMs)
    }

    var wire: Fairway_V1_ErrorReply {
        var w = Fairway_V1_ErrorReply()
        w.code = code == .noReply ? .unavailable : (Fairway_V1_ErrorReply.Code(rawValue: code.rawValue) ?? .unspecified)
        w.message = message
        w.field = field
        w.retryAfterMs = retryAfterMilliseconds
        return w
    }
}
