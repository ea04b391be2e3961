import FairwayCore
import FairwayRuntime
import FairwayWire

/// The coordinator's protocol role as a pure value: membership, epochs, request
/// handling. No I/O, no clock; the shell (`CoordinatorNode`) carries out directives.
public struct CoordinatorInstance: Sendable {
    public enum Directive: Sendable, Hashable {
        case persistMember(Member)
        case persistEpoch(epoch: UInt64, startedAt: Timestamp)
        case publish(EpochAnnouncement)
        case log(String)
    }

    public let settings: CoordinatorSettings
    /// This coordinator's id: the address of its key.
    public let id: NodeID
    public private(set) var membership: Membership
    public private(set) var epoch: UInt64
    public private(set) var epochStartedAt: Timestamp
    private var lastAnnouncement: Timestamp = .zero

    /// - Parameters:
    ///   - restoredMembers / restoredEpoch: state loaded from storage after a restart.
    ///   - id / publicKey: the coordinator's identity (`NodeKey`).
    public init(settings: CoordinatorSettings, id: NodeID, publicKey: [UInt8] = [], restoredMembers: [Member] = [],
                restoredEpoch: (UInt64, Timestamp)? = nil, now: Timestamp) {
        self.settings = settings
        self.id = id
        let me = Member(id: id, role: .cloudCoordinator, address: settings.advertiseURL ?? settings.controlURL,
                        version: FairwayVersion.current, lastHeartbeat: now, joinedAt: now, name: settings.name, publicKey: publicKey)
        self.membership = Membership(settings: settings.membership, coordinator: me, restored: restoredMembers, now: now)
        self.epoch = restoredEpoch?.0 ?? 0
        self.epochStartedAt = restoredEpoch?.1 ?? now
    }

    /// Handles one validated request; returns the reply payload and directives.
    public mutating func onRequest(_ request: Envelope, now: Timestamp) -> (reply: Payload, directives: [Directive]) {
        do {
            switch request.payload {
            case .join(let join):
                return try onJoin(join, sender: request.sender, now: now)
            case .heartbeat(let hb):
                guard hb.nodeID == request.sender else {
                    throw FairwayError(.invalidField, "heartbeat for \(hb.nodeID) sent by \(request.sender)", field: "heartbeat.node_id", peer: request.sender.rawValue)
                }
                let (unknown, directives) = try membership.onHeartbeat(hb, now: now)
                return (.heartbeatAck(HeartbeatAck(epoch: epoch, unknownAgentIDs: unknown)), directives.map(Self.map))
            case .statusRequest:
                // Status is read-only and open to operators who are not members (fairwayctl).
                return (.statusReply(StatusReply(reporterID: id, reporterName: settings.name, reporterRole: .cloudCoordinator,
                                                 nodes: membership.status(), epoch: epoch)), [])
            case .ping:
                return (.pong(Pong(nodeID: id, role: .cloudCoordinator, version: FairwayVersion.current, name: settings.name)), [])
            default:
                throw FairwayError(.unexpectedPayload, "the coordinator's control socket does not serve \(request.payload.kind)", field: "envelope.payload", peer: request.sender.rawValue)
            }
        } catch let e as FairwayError {
            return (.error(e), [])
        } catch {
            return (.error(FairwayError(.internal, "\(error)")), [])
        }
    }

    private mutating func onJoin(_ join: JoinRequest, sender: NodeID, now: Timestamp) throws -> (reply: Payload, directives: [Directive]) {
        switch join.role {
        case .cloudCoordinator:
            throw FairwayError(.invalidField, "a coordinator cannot join another coordinator", field: "join.role", peer: sender.rawValue)
        case .edgeServer:
            guard join.nodeID == sender else {
                throw FairwayError(.invalidField, "edge server \(join.nodeID) must join for itself, not through \(sender)", field: "join.node_id", peer: sender.rawValue)
            }
            guard join.nodeID != id else {
                throw FairwayError(.invalidField, "node id \(join.nodeID) is the coordinator's", field: "join.node_id", peer: sender.rawValue)
            }
        case .edgeAgent:
            guard let edge = membership.members[sender], edge.role == .edgeServer, edge.state != .dead else {
                throw FairwayError(.unknownSender, "agents join through a live, joined edge server; \(sender) is not one", field: "envelope.sender", peer: sender.rawValue)
            }
            guard join.via == sender else {
                throw FairwayError(.invalidField, "via must name the relaying edge server \(sender), got \(join.via?.rawValue ?? "none")", field: "join.via", peer: sender.rawValue)
            }
            if let existing = membership.members[join.nodeID], existing.role != .edgeAgent {
                throw FairwayError(.invalidField, "node id \(join.nodeID) belongs to a \(existing.role.rawValue)", field: "join.node_id", peer: sender.rawValue)
            }
            try checkAgentProof(join, relayedBy: sender, now: now)
        }
        guard settings.admission.admits(publicKey: join.publicKey) else {
            throw FairwayError(.notAdmitted, "public key \(hex(join.publicKey)) of \(join.role.rawValue) \(join.nodeID) is not on the coordinator's allow-list",
                               field: "join.public_key", peer: sender.rawValue)
        }
        if let existing = membership.members[join.nodeID], existing.role != join.role {
            throw FairwayError(.invalidField, "node id \(join.nodeID) is already a \(existing.role.rawValue)", field: "join.node_id", peer: sender.rawValue)
        }
        let directives = membership.onJoin(join, now: now).map(Self.map)
        let accepted = JoinAccepted(coordinatorID: id,
                                    heartbeatIntervalMilliseconds: settings.membership.heartbeatIntervalMilliseconds, epoch: epoch)
        return (.joinAccepted(accepted), directives + [.log("\(join.role.rawValue) \(join.nodeID) joined\(join.via.map { " via \($0)" } ?? "")")])
    }

    /// An edge relays an agent's join with the agent's own signed envelope: check that the
    /// agent signed exactly this join, recently, so an edge cannot invent agents or replay
    /// an old proof beyond the replay window.
    private func checkAgentProof(_ join: JoinRequest, relayedBy edge: NodeID, now: Timestamp) throws {
        let proof: VerifiedEnvelope
        do throws(WireCodec.DecodeFailure) {
            proof = try WireCodec.open(join.agentProof)
        } catch {
            var e = error.error
            e.message = "agent proof: " + e.message
            e.field = "join.agent_proof"
            e.peer = edge.rawValue
            throw e
        }
        guard case .join(var signed) = proof.envelope.payload, proof.envelope.sender == join.nodeID else {
            throw FairwayError(.unauthenticated, "agent proof is not a join signed by \(join.nodeID)", field: "join.agent_proof", peer: edge.rawValue)
        }
        signed.via = join.via
        signed.agentProof = join.agentProof
        guard signed == join else {
            throw FairwayError(.unauthenticated, "relayed join differs from the one \(join.nodeID) signed", field: "join.agent_proof", peer: edge.rawValue)
        }
        let age = now.milliseconds(since: proof.envelope.sentAt)
        guard age <= settings.transport.replayWindowMilliseconds, -age <= settings.transport.maxClockSkewMilliseconds else {
            throw FairwayError(.stale, "agent proof was signed \(age) ms ago, outside the replay window", field: "join.agent_proof", peer: edge.rawValue)
        }
    }

    /// Advances failure detection, epochs and announcements to `now`.
    public mutating func onTick(now: Timestamp) -> [Directive] {
        var directives = membership.onTick(now: now).map(Self.map)
        if now.milliseconds(since: epochStartedAt) >= settings.epochMilliseconds {
            epoch += 1
            epochStartedAt = now
            directives.append(.persistEpoch(epoch: epoch, startedAt: now))
        }
        if now.milliseconds(since: lastAnnouncement) >= settings.membership.heartbeatIntervalMilliseconds {
            lastAnnouncement = now
            directives.append(.publish(EpochAnnouncement(epoch: epoch, startedAt: epochStartedAt, aliveMembers: UInt32(membership.aliveCount))))
        }
        return directives
    }

    private static func map(_ d: Membership.Directive) -> Directive {
        switch d {
        case .persist(let m): .persistMember(m)
        case .transition(let id, let from, let to): .log("\(id) \(from.rawValue) → \(to.rawValue)")
        }
    }
}
