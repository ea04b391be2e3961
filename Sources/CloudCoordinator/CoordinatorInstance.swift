import FairwayCore
import FairwayRuntime
import FairwayWire

/// The coordinator's protocol role as a pure value: membership, epochs, request
/// handling. No I/O, no clock; the shell (`CoordinatorNode`) carries out directives.
public struct CoordinatorInstance: Sendable {
    public enum Directive: Sendable, Hashable {
        case persistMember(Member)
        /// Durably, in one transaction: the new epoch, its record and grants, and the accounts
        /// they changed. Before the epoch is announced.
        case persistEpoch(EpochRecord, grants: [NodeID: UInt64], accounts: [TokenAccount])
        /// Durably: token accounts and leases that changed, and the next lease id. Before the reply.
        case persistTokens(accounts: [TokenAccount], leases: [TokenLease], nextLeaseID: UInt64)
        /// Durably: settled leases folded into their accounts (`TokenAccounts.compact`).
        case compactTokens(accounts: [TokenAccount], removedLeases: [UInt64])
        case publish(EpochAnnouncement)
        case log(String)
    }

    public let settings: CoordinatorSettings
    /// This coordinator's id: the address of its key.
    public let id: NodeID
    public private(set) var membership: Membership
    public private(set) var epoch: UInt64
    public private(set) var epochStartedAt: Timestamp
    /// The token book: every agent's account and every lease (the authority for I1).
    public private(set) var tokens: TokenAccounts
    private var lastAnnouncement: Timestamp = .zero

    /// - Parameters:
    ///   - restoredMembers / restoredEpoch: state loaded from storage after a restart.
    ///   - id / publicKey: the coordinator's identity (`NodeKey`).
    public init(settings: CoordinatorSettings, id: NodeID, publicKey: [UInt8] = [], restoredMembers: [Member] = [],
                restoredEpoch: (UInt64, Timestamp)? = nil, restoredTokens: TokenAccounts = TokenAccounts(), now: Timestamp) {
        self.tokens = restoredTokens
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
                                                 nodes: statusRows(), epoch: epoch)), [])
            case .grantRequest(let g):
                return try onGrantRequest(g, from: request.sender, now: now)
            case .usageReport(let u):
                return try onUsageReport(u, from: request.sender)
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
        var directives = membership.onJoin(join, now: now).map(Self.map)
        if join.role == .edgeAgent {
            tokens.register(agent: join.nodeID, bucketSize: UInt64(join.bucketSize))
            directives.append(.persistTokens(accounts: [tokens.account(join.nodeID)!], leases: [], nextLeaseID: tokens.nextLeaseID))
        }
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

    /// Advances failure detection, epochs and announcements to `now`. A new epoch grants tokens.
    public mutating func onTick(now: Timestamp) -> [Directive] {
        let detected = membership.onTick(now: now)
        var directives = detected.map(Self.map)
        // A dead edge's open leases are written off as fully spent, so its agents' buckets can
        // refill at their new edge (see `TokenAccounts.writeOff`).
        for case .transition(let id, _, .dead) in detected where membership.members[id]?.role == .edgeServer {
            let written = tokens.writeOff(edge: id)
            if !written.isEmpty {
                directives.append(.persistTokens(accounts: [], leases: written, nextLeaseID: tokens.nextLeaseID))
                directives.append(.log("edge \(id) is dead: wrote off \(written.count) open leases (\(written.reduce(0) { $0 + $1.tokens }) tokens) as spent until it reports"))
            }
        }
        if now.milliseconds(since: epochStartedAt) >= settings.epochMilliseconds {
            epoch += 1
            epochStartedAt = now
            directives.append(grantEpoch(now: now))
            // Keep two epochs of settled leases in the book (for late duplicate reports and for
            // operators), fold the older ones into the accounts.
            if epoch > Self.settledLeaseEpochsKept {
                let (accounts, removed) = tokens.compact(settledBefore: epoch - Self.settledLeaseEpochsKept)
                if !removed.isEmpty { directives.append(.compactTokens(accounts: accounts, removedLeases: removed)) }
            }
            lastAnnouncement = .zero  // announce the new epoch at once
        }
        if now.milliseconds(since: lastAnnouncement) >= settings.membership.heartbeatIntervalMilliseconds {
            lastAnnouncement = now
            directives.append(.publish(EpochAnnouncement(epoch: epoch, startedAt: epochStartedAt, aliveMembers: UInt32(membership.aliveCount),
                                                         nextEpochAt: nextEpochAt)))
        }
        return directives
    }

    /// Settled leases younger than this many epochs stay in the book.
    public static let settledLeaseEpochsKept: UInt64 = 2

    /// When the next epoch, and so the next grants, starts.
    public var nextEpochAt: Timestamp { epochStartedAt.adding(milliseconds: settings.epochMilliseconds) }

    // MARK: tokens

    /// Grants this epoch's V tokens to the agents that are not dead, with the configured
    /// allocator, rounded down to whole tokens within each bucket's room: Σ grants ≤ V (I1).
    private mutating func grantEpoch(now: Timestamp) -> Directive {
        let agents = membership.members.values.filter { $0.role == .edgeAgent && $0.state != .dead && tokens.account($0.id) != nil }
            .sorted { $0.id < $1.id }
        var grants: [NodeID: UInt64] = [:]
        let s = settings.tokens
        if !agents.isEmpty, s.tokensPerEpoch > 0 {
            let sizes = agents.map { Double(tokens.account($0.id)!.bucketSize) }
            let remaining = agents.enumerated().map { min(sizes[$0], Double(tokens.remaining($1.id))) }
            do {
                let problem = try TokenAllocationProblem(totalTokens: Double(s.tokensPerEpoch), values: agents.map(s.value(of:)),
                                                         bucketSizes: sizes, remaining: remaining)
                let u = s.allocator.allocator.allocate(problem, seed: s.seed ^ epoch)
                let g = WholeTokenGrants.round(u, totalTokens: s.tokensPerEpoch, room: agents.map { tokens.room($0.id) })
                for (i, a) in agents.enumerated() where g[i] > 0 { grants[a.id] = g[i] }
                try tokens.applyGrants(epoch: epoch, grants)
            } catch {
                grants = [:]  // cannot happen with validated settings; grant nothing rather than break I1
            }
        }
        let record = EpochRecord(epoch: epoch, startedAt: now, totalTokens: s.tokensPerEpoch, granted: grants.values.reduce(0, +),
                                 allocator: s.allocator.rawValue, agents: UInt32(agents.count))
        return .persistEpoch(record, grants: grants, accounts: grants.keys.sorted().compactMap { tokens.account($0) })
    }

    /// An edge asks for the tokens of agents attached to it: each gets the edge's open leases
    /// plus a new lease of whatever is available. Agents attached elsewhere get nothing.
    private mutating func onGrantRequest(_ g: GrantRequest, from edge: NodeID, now: Timestamp) throws -> (reply: Payload, directives: [Directive]) {
        guard let member = membership.members[edge], member.role == .edgeServer else {
            throw FairwayError(.unknownSender, "only joined edge servers may ask for grants", field: "envelope.sender", peer: edge.rawValue)
        }
        var out: [TokenLease] = []
        for agent in Set(g.agentIDs).sorted() {
            guard let m = membership.members[agent], m.role == .edgeAgent, m.via == edge else { continue }
            out += tokens.openLeases(agent: agent).filter { $0.edge == edge }
            if let lease = tokens.lease(agent: agent, to: edge, epoch: epoch) { out.append(lease) }
        }
        // Every lease in the reply is written (an upsert), not only the new ones: if an earlier
        // write failed, the lease the edge is about to use becomes durable now.
        let directives: [Directive] = out.isEmpty ? [] : [.persistTokens(accounts: [], leases: out, nextLeaseID: tokens.nextLeaseID)]
        return (.grantReply(GrantReply(epoch: epoch, leases: out, nextEpochAt: nextEpochAt)), directives)
    }

    /// Cumulative usage from the edge holding the leases; all or nothing.
    private mutating func onUsageReport(_ u: UsageReport, from edge: NodeID) throws -> (reply: Payload, directives: [Directive]) {
        var book = tokens
        var updated: [TokenLease] = []
        for (i, usage) in u.usages.enumerated() {
            do {
                updated.append(try book.reportUsage(leaseID: usage.leaseID, edge: edge, usedTotal: usage.usedTotal, final: usage.final))
            } catch var e as FairwayError {
                e.field = "usage_report.usages[\(i)]" + (e.field.isEmpty ? "" : " (\(e.field))")
                e.peer = edge.rawValue
                throw e
            }
        }
        tokens = book
        return (.usageAck(UsageAck(leases: updated)), [.persistTokens(accounts: [], leases: updated, nextLeaseID: tokens.nextLeaseID)])
    }

    /// Membership rows, with agents' token counts.
    public func statusRows() -> [NodeStatus] {
        membership.status().map { row in
            guard row.role == .edgeAgent, let account = tokens.account(row.id) else { return row }
            var r = row
            r.tokensGranted = account.granted
            r.tokensRemaining = tokens.remaining(row.id)
            r.tokensUsed = account.granted - r.tokensRemaining
            return r
        }
    }

    private static func map(_ d: Membership.Directive) -> Directive {
        switch d {
        case .persist(let m): .persistMember(m)
        case .transition(let id, let from, let to): .log("\(id) \(from.rawValue) → \(to.rawValue)")
        }
    }
}
