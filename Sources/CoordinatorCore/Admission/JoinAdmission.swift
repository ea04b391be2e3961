import FairwayCore
import FairwayWire

/// Admission of joins: which roles may join how, whose keys, with what bucket, and whether a
/// relayed agent join carries the agent's own recent signature. Pure checks, no state: it is
/// given the member table and the verified proof, and throws the refusal.
public struct JoinAdmission: Sendable {
    public let settings: AdmissionSettings
    /// Window within which a relayed agent proof must have been signed.
    public let replay: ReplayPolicy
    /// The coordinator's own id (nobody may join under it).
    public let coordinatorID: NodeID

    public init(settings: AdmissionSettings, replay: ReplayPolicy, coordinatorID: NodeID) {
        self.settings = settings
        self.replay = replay
        self.coordinatorID = coordinatorID
    }

    /// Throws the refusal of `join` sent by `sender`, or returns if it may join.
    /// - Parameter proof: for agent joins, the agent's signed envelope as the wire layer opened it.
    public func check(_ join: JoinRequest, sender: NodeID, proof: Result<VerifiedEnvelope, FairwayError>?,
                      members: [NodeID: Member], now: Timestamp) throws {
        let peer = sender.rawValue
        guard !join.version.isEmpty, join.version.count <= 64 else {
            throw FairwayError(.invalidField, "version must be 1–64 characters, got \"\(join.version)\"", field: "join.version", peer: peer)
        }
        switch join.role {
        case .cloudCoordinator:
            throw FairwayError(.invalidField, "a coordinator cannot join another coordinator", field: "join.role", peer: peer)
        case .edgeServer:
            guard join.nodeID == sender else {
                throw FairwayError(.invalidField, "edge server \(join.nodeID) must join for itself, not through \(sender)", field: "join.node_id", peer: peer)
            }
            guard join.nodeID != coordinatorID else {
                throw FairwayError(.invalidField, "node id \(join.nodeID) is the coordinator's", field: "join.node_id", peer: peer)
            }
        case .edgeAgent:
            guard let edge = members[sender], edge.role == .edgeServer, edge.state != .dead else {
                throw FairwayError(.unknownSender, "agents join through a live, joined edge server; \(sender) is not one", field: "envelope.sender", peer: peer)
            }
            guard join.via == sender else {
                throw FairwayError(.invalidField, "via must name the relaying edge server \(sender), got \(join.via?.rawValue ?? "none")", field: "join.via", peer: peer)
            }
            if let existing = members[join.nodeID], existing.role != .edgeAgent {
                throw FairwayError(.invalidField, "node id \(join.nodeID) belongs to a \(existing.role.rawValue)", field: "join.node_id", peer: peer)
            }
            guard join.address.isEmpty else {
                throw FairwayError(.invalidField, "agents serve no socket; address must be empty, got \"\(join.address)\"", field: "join.address", peer: peer)
            }
            if let why = settings.refusal(bucketSize: join.bucketSize) {
                throw FairwayError(.invalidField, why, field: "join.bucket_size", peer: peer)
            }
            try checkAgentProof(join, proof: proof, relayedBy: sender, now: now)
        }
        guard settings.policy.admits(publicKey: join.publicKey) else {
            throw FairwayError(.notAdmitted, "public key \(hex(join.publicKey)) of \(join.role.rawValue) \(join.nodeID) is not on the coordinator's allow-list",
                               field: "join.public_key", peer: peer)
        }
        if let existing = members[join.nodeID], existing.role != join.role {
            throw FairwayError(.invalidField, "node id \(join.nodeID) is already a \(existing.role.rawValue)", field: "join.node_id", peer: peer)
        }
    }

    /// An edge relays an agent's join with the agent's own signed envelope: the agent must have
    /// signed exactly this join, recently, so an edge cannot invent agents or replay an old
    /// proof beyond the replay window.
    private func checkAgentProof(_ join: JoinRequest, proof: Result<VerifiedEnvelope, FairwayError>?, relayedBy edge: NodeID, now: Timestamp) throws {
        let verified: VerifiedEnvelope
        switch proof {
        case .success(let v): verified = v
        case .failure(var e):
            e.message = "agent proof: " + e.message
            e.field = "join.agent_proof"
            e.peer = edge.rawValue
            throw e
        case nil:
            throw FairwayError(.unauthenticated, "agent proof missing", field: "join.agent_proof", peer: edge.rawValue)
        }
        guard case .join(var signed) = verified.envelope.payload, verified.envelope.sender == join.nodeID else {
            throw FairwayError(.unauthenticated, "agent proof is not a join signed by \(join.nodeID)", field: "join.agent_proof", peer: edge.rawValue)
        }
        signed.via = join.via
        signed.agentProof = join.agentProof
        guard signed == join else {
            throw FairwayError(.unauthenticated, "relayed join differs from the one \(join.nodeID) signed", field: "join.agent_proof", peer: edge.rawValue)
        }
        if let stale = replay.staleness(sentAt: verified.envelope.sentAt, now: now, what: "agent proof", field: "join.agent_proof", peer: edge.rawValue) {
            throw stale
        }
    }
}
