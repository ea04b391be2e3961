import FairwayCore

/// A request with every signature it carries checked, as role instances receive it: the
/// envelope's own (`WireCodec.open` verified it on receipt) and, for an agent join relayed by
/// an edge, the agent's signed proof. Instances never verify signatures themselves.
public struct VerifiedRequest: Sendable {
    public var envelope: Envelope
    /// For a relayed agent join: the agent's own signed envelope, opened and verified here
    /// (or why it did not verify). Nil for every other request.
    public var agentProof: Result<VerifiedEnvelope, FairwayError>?
    /// For a contribution batch an edge forwards: each entry, the agent's signed envelope,
    /// opened and verified here (or why it did not verify), in order. Empty otherwise.
    public var contributions: [Result<VerifiedEnvelope, FairwayError>] = []

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
        if case .contributionBatch(let batch) = envelope.payload {
            contributions = batch.contributions.enumerated().map { i, bytes in
                do throws(WireCodec.DecodeFailure) {
                    return .success(try WireCodec.open(bytes))
                } catch {
                    var e = error.error
                    e.field = "contribution_batch.contributions[\(i)]" + (e.field.isEmpty ? "" : "." + e.field)
                    return .failure(e)
                }
            }
        }
    }

    public var sender: NodeID { envelope.sender }
    public var payload: Payload { envelope.payload }
}
