import FairwayCore

/// A request with every signature it carries checked, as role instances receive it: the
/// envelope's own (`WireCodec.open` verified it on receipt) and, for an agent join relayed by
/// an edge, the agent's signed proof. Instances never verify signatures themselves.
public struct VerifiedRequest: Sendable {
    public var envelope: Envelope
    /// For a relayed agent join: the agent's own signed envelope, opened and verified here
    /// (or why it did not verify). Nil for every other request.
    public var agentProof: Result<VerifiedEnvelope, FairwayError>?

    /// Verifies the relayed proof `envelope` carries, if any.
    public init(_ envelope: Envelope) {
        self.envelope = envelope
        if case .join(let join) = envelope.payload, join.role == .edgeAgent {
            do throws(WireCodec.DecodeFailure) {
                agentProof = .success(try WireCodec.open(join.agentProof))
            } catch {
                agentProof = .failure(error.error)
            }
        }
    }

    public var sender: NodeID { envelope.sender }
    public var payload: Payload { envelope.payload }
}
