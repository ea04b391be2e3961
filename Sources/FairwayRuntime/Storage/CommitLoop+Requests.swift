import FairwayCore
import FairwayWire

extension CommitLoop {
    /// Applies a request in the next batch: `apply` changes the state and returns the reply, the
    /// writes that make the change durable and the effects to carry out after the commit. The
    /// reply is encoded with the batch and, for a durable kind, its journal entry commits in the
    /// same transaction. If the commit fails nothing of the request remains, and the client gets
    /// an `unavailable` refusal that is not remembered (its resend is handled afresh).
    public func handle<Effects: Sendable>(_ inbound: RequestServer.Inbound,
                                          _ apply: @escaping @Sendable (inout State) -> (reply: Payload, writes: [DatabaseWrite], effects: Effects))
        async -> (handled: RequestServer.Handled, effects: Effects?, failure: CommitFailure?) {
        do {
            let out = try await self.apply { (state: inout State) -> Step<HandledRequest<Effects>> in
                let (reply, writes, effects) = apply(&state)
                return Step(HandledRequest(reply: reply, effects: effects), writes: writes, finish: { out in
                    var o = out
                    let (bytes, journal) = inbound.reply(o.reply)
                    o.bytes = bytes
                    return (o, journal.map { [$0] } ?? [])
                })
            }
            return (.committed(out.bytes), out.effects, nil)
        } catch {
            let refusal = FairwayError(.unavailable, "could not make the request durable; retry", retryAfterMilliseconds: 500)
            return (.uncommitted(inbound.reply(.error(refusal)).bytes), nil, error as? CommitFailure)
        }
    }
}

/// A request's reply and effects as they travel through a batch.
struct HandledRequest<Effects: Sendable>: Sendable {
    var reply: Payload
    var effects: Effects
    var bytes: [UInt8] = []
}
