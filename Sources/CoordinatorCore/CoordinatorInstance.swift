import FairwayCore
import FairwayWire

/// The coordinator's protocol role as a pure value. It routes each event to the concern that
/// owns it and passes each concern what it needs as arguments:
///
/// - `JoinAdmission` (Admission/): who may join, how, with which bucket;
/// - `Membership` (Membership/): the member table and failure detector;
/// - `EpochClock` (EpochClock/): when epochs end and are announced;
/// - `Valuation` (Valuation/): each agent's value v_n at the epoch boundary;
/// - `TokenScheduling` (Tokens/): grants from those values, leases, usage;
/// - `DATLedger` (Ledger/): the Merkle log of valued contributions and its signed tree heads;
/// - `Contracts` (Contracts/): menus, selections, module uploads, payments, the integrated module;
/// - `CloudAllocation` (CloudAllocation/): Fair-Synergy shares of the cloud among edges, and
///   the offloaded inference they pay for.
///
/// A contribution batch flows: each agent's signed contribution (verified by the wire layer)
/// → `Valuation.onContribution` (catalog match, credit) → `DATLedger.append` (a leaf, durable
/// with the batch) → a receipt naming the leaf index. The epoch boundary runs in one order:
/// values → grants → cloud shares → contract period → tree head. No I/O, no clock: the shell (`CoordinatorNode`) feeds events with `now`
/// and carries out the directives.
public struct CoordinatorInstance: Sendable {
    /// State restored from storage after a restart.
    public struct Restored: Sendable {
        public var members: [Member] = []
        public var epoch: (epoch: UInt64, startedAt: Timestamp)?
        public var tokens = TokenAccounts()
        /// The ledger as stored (leaf hashes, receipts, last head).
        public var ledger = DATLedger()
        /// The recorded contributions in ledger order, to rebuild the catalog.
        public var contributions: [(record: DatRecord, contribution: Contribution)] = []
        public var contracts = Contracts.Restored()
        /// The cloud allocation in force (the latest recorded epoch, with its use).
        public var cloud: CloudAllocationRecord?
        public init(members: [Member] = [], epoch: (epoch: UInt64, startedAt: Timestamp)? = nil, tokens: TokenAccounts = TokenAccounts(),
                    ledger: DATLedger = DATLedger(), contributions: [(record: DatRecord, contribution: Contribution)] = [],
                    contracts: Contracts.Restored = Contracts.Restored()) {
            self.contracts = contracts
            self.members = members
            self.epoch = epoch
            self.tokens = tokens
            self.ledger = ledger
            self.contributions = contributions
        }
    }

    /// Requests whose replay after a restart could count twice: journaled durably with their effect.
    public static let durableKinds: Set<Payload.Kind> = [.join, .grantRequest, .usageReport, .contributionBatch, .contractSelection, .moduleUpload,
                                                         .cloudInferenceRequest]
    /// Requests the coordinator's control socket serves (`epochs_request` and `ledger_request`
    /// are answered by the shell from storage: history and leaf bytes are not kept in memory).
    public static let servedKinds: Set<Payload.Kind> = [.join, .heartbeat, .statusRequest, .ping, .grantRequest, .usageReport, .epochsRequest,
                                                        .contributionBatch, .valuationRequest, .ledgerRequest, .ledgerProofRequest,
                                                        .contractOfferRequest, .contractSelection, .moduleUpload, .moduleRequest, .contractStatusRequest,
                                                        .cloudInferenceRequest, .cloudStatusRequest]

    public let settings: Settings
    /// Who this coordinator is (its own member row).
    public let identity: NodeIdentity
    public var id: NodeID { identity.id }
    public private(set) var membership: Membership
    public private(set) var clock: EpochClock
    public private(set) var tokenScheduling: TokenScheduling
    public private(set) var valuation: Valuation
    public private(set) var ledger: DATLedger
    public private(set) var contracts: Contracts
    public private(set) var cloud: CloudAllocation
    public let admission: JoinAdmission
    /// `TestBreak.ackBeforeDurable` only: the ledger writes of the last acknowledged batch, held
    /// back until the next batch. Always empty otherwise.
    private var heldLedgerWrites: [Directive] = []

    /// - Parameter replay: the window within which relayed agent proofs must have been signed.
    /// - Parameter contractPlan: the contract instance, its menus and held-out data, computed by
    ///   the shell from `settings.contracts` (nil: contracts off).
    public init(settings: Settings, identity: NodeIdentity, replay: ReplayPolicy = ReplayPolicy(), restored: Restored = Restored(),
                contractPlan: Contracts.Plan? = nil, now: Timestamp) {
        self.settings = settings
        self.identity = identity
        let me = Member(id: identity.id, role: .cloudCoordinator, address: identity.address, version: FairwayVersion.current,
                        lastHeartbeat: now, joinedAt: now, name: identity.name, publicKey: identity.publicKey)
        self.membership = Membership(settings: settings.membership, coordinator: me, restored: restored.members, now: now)
        self.clock = EpochClock(epochLength: .milliseconds(settings.epochMilliseconds),
                                announceEvery: .milliseconds(settings.membership.heartbeatIntervalMilliseconds), restored: restored.epoch, now: now)
        self.tokenScheduling = TokenScheduling(settings: settings.tokens, restored: restored.tokens)
        var valuation = Valuation(settings: settings.valuation)
        for (record, contribution) in restored.contributions { valuation.restore(contribution, record: record) }
        self.valuation = valuation
        self.ledger = restored.ledger
        self.contracts = Contracts(settings: settings.contracts, plan: contractPlan, restored: restored.contracts)
        self.cloud = CloudAllocation(settings: settings.cloud, restored: restored.cloud)
        self.admission = JoinAdmission(settings: settings.admission, replay: replay, coordinatorID: identity.id)
    }

    public var epoch: UInt64 { clock.epoch }
    /// When the next epoch, and so the next grants, starts.
    public var nextEpochAt: Timestamp { clock.nextEpochAt }
    /// The token book (the authority for I1).
    public var tokens: TokenAccounts { tokenScheduling.book }

    // MARK: requests

    /// Handles one verified request; returns the reply payload and directives. A refusal
    /// returns no directives: it changes nothing.
    public mutating func onRequest(_ request: VerifiedRequest, now: Timestamp) -> (reply: Payload, directives: [Directive]) {
        let sender = request.sender
        do {
            switch request.payload {
            case .join(let join):
                return try onJoin(join, sender: sender, proof: request.agentProof, now: now)
            case .heartbeat(let hb):
                guard hb.nodeID == sender else {
                    throw FairwayError(.invalidField, "heartbeat for \(hb.nodeID) sent by \(sender)", field: "heartbeat.node_id", peer: sender.rawValue)
                }
                let (unknown, directives) = try membership.onHeartbeat(hb, now: now)
                var ack = HeartbeatAck(epoch: epoch, unknownAgentIDs: unknown)
                if membership.members[sender]?.role == .edgeServer {
                    if let resources = hb.resources { cloud.onReport(resources, from: sender) }
                    ack.cloudShare = cloud.share(for: sender)
                }
                return (.heartbeatAck(ack), directives.map(Directive.membership))
            case .statusRequest, .ping:
                return (onQuery(request.envelope), [])
            case .grantRequest(let g):
                let edge = try joinedEdge(sender, for: "ask for grants")
                let attached = Set(g.agentIDs).sorted().filter { membership.members[$0].map { $0.role == .edgeAgent && $0.via == edge } ?? false }
                let (leases, directives) = tokenScheduling.onGrantRequest(agents: attached, edge: edge, epoch: epoch)
                return (.grantReply(GrantReply(epoch: epoch, leases: leases, nextEpochAt: nextEpochAt)), directives.map(Directive.tokens))
            case .usageReport(let u):
                let edge = try joinedEdge(sender, for: "report usage")
                let (leases, directives) = try tokenScheduling.onUsageReport(u, from: edge)
                return (.usageAck(UsageAck(leases: leases)), directives.map(Directive.tokens))
            case .contributionBatch:
                let edge = try joinedEdge(sender, for: "forward contributions")
                return try onContributions(request.contributions, from: edge, now: now)
            case .contractSelection(let s):
                let edge = try joinedEdge(sender, for: "take contracts")
                let (offer, d) = try contracts.onSelection(s, from: edge)
                return (.contractOffer(offer), d.map(Directive.contracts) + [.log("edge \(edge) chose \(s.choice) in round \(s.round) period \(s.period)")])
            case .moduleUpload(let u):
                let edge = try joinedEdge(sender, for: "upload modules")
                let (ack, d) = try contracts.onUpload(u, from: edge)
                var log: [Directive] = []
                if ack.integrated, u.chunkIndex + 1 == u.chunkCount { log = [.log("edge \(edge): module integrated (held-out accuracy \(ack.accuracy))")] }
                if !ack.refused.isEmpty { log = [.log("edge \(edge): upload refused: \(ack.refused)")] }
                return (.moduleUploadAck(ack), d.map(Directive.contracts) + log)
            case .cloudInferenceRequest(let r):
                let edge = try joinedEdge(sender, for: "offload inference")
                let (remaining, allocationEpoch, d) = try cloud.onOffload(r, from: edge, now: now, nextEpochAt: nextEpochAt)
                var reply = CloudInferenceReply(quotaRemaining: remaining, epoch: allocationEpoch)
                if let p = contracts.predict(r.features) {
                    reply.label = p.label
                    reply.confidence = p.confidence
                    reply.moduleVersion = p.version
                }
                return (.cloudInferenceReply(reply), d.map(Directive.cloud))
            default:
                throw FairwayError(.unexpectedPayload, "the coordinator's control socket does not serve \(request.payload.kind)", field: "envelope.payload", peer: sender.rawValue)
            }
        } catch let e as FairwayError {
            return (.error(e), [])
        } catch {
            return (.error(FairwayError(.internal, "\(error)")), [])
        }
    }

    private func joinedEdge(_ sender: NodeID, for what: String) throws -> NodeID {
        guard let member = membership.members[sender], member.role == .edgeServer else {
            throw FairwayError(.unknownSender, "only joined edge servers may \(what); \(sender) has not joined as one", field: "envelope.sender", peer: sender.rawValue)
        }
        return sender
    }

    private mutating func onJoin(_ join: JoinRequest, sender: NodeID, proof: Result<VerifiedEnvelope, FairwayError>?, now: Timestamp) throws -> (reply: Payload, directives: [Directive]) {
        try admission.check(join, sender: sender, proof: proof, members: membership.members, now: now)
        var directives = membership.onJoin(join, now: now).map(Directive.membership)
        if join.role == .edgeAgent {
            directives += tokenScheduling.onAgentJoined(join.nodeID, bucketSize: join.bucketSize).map(Directive.tokens)
        }
        let accepted = JoinAccepted(coordinatorID: id, heartbeatIntervalMilliseconds: settings.membership.heartbeatIntervalMilliseconds, epoch: epoch,
                                    epochMilliseconds: settings.epochMilliseconds)
        return (.joinAccepted(accepted), directives + [.log("\(join.role.rawValue) \(join.nodeID) joined\(join.via.map { " via \($0)" } ?? "")")])
    }

    /// Values each verified contribution in order and appends its DAT record; all or nothing
    /// (a batch with one bad entry is refused whole and changes nothing). A contribution
    /// recorded before (same agent, same message id) gets its recorded receipt again.
    private mutating func onContributions(_ entries: [Result<VerifiedEnvelope, FairwayError>], from edge: NodeID, now: Timestamp) throws -> (reply: Payload, directives: [Directive]) {
        var next = self
        var receipts: [ContributionReceipt] = [], directives: [Directive] = []
        for (i, entry) in entries.enumerated() {
            let field = "contribution_batch.contributions[\(i)]"
            let verified = try entry.get()
            guard case .contribution(let contribution) = verified.envelope.payload else {
                throw FairwayError(.invalidField, "entry carries \(verified.envelope.payload.kind), not a contribution", field: field, peer: edge.rawValue)
            }
            let agent = verified.envelope.sender
            guard let member = next.membership.members[agent], member.role == .edgeAgent, member.via == edge else {
                throw FairwayError(.unknownSender, "agent \(agent) has not joined through edge \(edge)", field: "\(field).sender", peer: edge.rawValue)
            }
            let key = DATLedger.ContributionKey(agent: agent, id: verified.envelope.messageID.bytes)
            if var recorded = next.ledger.receipt(for: key) {
                recorded.duplicate = true
                receipts.append(recorded)
                continue
            }
            let valued = next.valuation.onContribution(contribution, from: agent)
            let credit = Double(valued.novel) + 0.5 * Double(valued.normal)
            let record = DatRecord(index: 0, agentID: agent, credit: credit, agentValue: valued.agentValue,
                                   novelSamples: UInt32(clamping: valued.novel), normalSamples: UInt32(clamping: valued.normal),
                                   noiseSamples: UInt32(clamping: valued.noise), integrityHash: DatRecord.integrityHash(of: verified.sealed),
                                   provenance: verified.sealed, edgeID: edge, epoch: next.epoch, recordedAt: now)
            let (_, receipt, d) = next.ledger.append(record, key: key) { index, size in
                ContributionReceipt(agentID: agent, contributionID: key.id, leafIndex: index, credit: credit, novelSamples: record.novelSamples,
                                    normalSamples: record.normalSamples, noiseSamples: record.noiseSamples, agentValue: valued.agentValue, treeSize: size)
            }
            receipts.append(receipt)
            directives.append(.ledger(d))
            let kinds = valued.credits.map(\.kind.rawValue)
            directives.append(.log("contribution #\(contribution.sequence) of \(agent) (\(contribution.mode.rawValue), \(contribution.prototypes.count) prototypes: "
                                   + "\(kinds.filter { $0 == "founded" }.count) founded, \(kinds.filter { $0 == "matched" }.count) matched, \(kinds.filter { $0 == "noise" }.count) noise) "
                                   + "credited \(credit), v_n = \(valued.agentValue), leaf \(receipt.leafIndex)"))
        }
        if settings.breaks.contains(.ackBeforeDurable) {
            let isLedger: (Directive) -> Bool = { if case .ledger = $0 { true } else { false } }
            let own = directives.filter(isLedger)
            directives = next.heldLedgerWrites + directives.filter { !isLedger($0) }
            next.heldLedgerWrites = own
        }
        self = next
        return (.contributionBatchAck(receipts), directives)
    }

    /// Answers a read-only request (`Payload.Kind.isReadOnly`) from the current state. Status
    /// and ping are open to operators who are not members (fairwayctl).
    public func onQuery(_ request: Envelope) -> Payload {
        switch request.payload {
        case .valuationRequest(let agents): .valuationReply(valuation.report(agents))
        case .ledgerProofRequest(let r): proofReply(r)
        case .contractOfferRequest: .contractOffer(contracts.offer(for: request.sender))
        case .moduleRequest(let index): .moduleReply(contracts.moduleChunk(index))
        case .contractStatusRequest: .contractStatus(contracts.status())
        case .cloudStatusRequest: .cloudStatus(cloud.status(epoch: epoch, names: edgeNames))
        case .statusRequest: .statusReply(status())
        case .ping: .pong(Pong(nodeID: id, role: .cloudCoordinator, version: FairwayVersion.current, name: identity.name))
        default: .error(FairwayError(.unexpectedPayload, "\(request.payload.kind) is not a query", field: "envelope.payload", peer: request.sender.rawValue))
        }
    }

    private func proofReply(_ r: LedgerProofRequest) -> Payload {
        do { return .ledgerProofReply(try ledger.proof(r)) } catch let e as FairwayError { return .error(e) } catch {
            return .error(FairwayError(.internal, "\(error)"))
        }
    }

    // MARK: time

    /// Advances failure detection and the epoch clock to `now`. An epoch boundary values the
    /// agents and grants their tokens. Ends with `.wake(at:)`: when to call again.
    public mutating func onTick(now: Timestamp) -> [Directive] {
        let detected = membership.onTick(now: now)
        var directives = detected.map(Directive.membership)
        for case .transition(let id, _, .dead) in detected where membership.members[id]?.role == .edgeServer {
            let (written, d) = tokenScheduling.onEdgeDead(id)
            directives += d.map(Directive.tokens)
            cloud.onEdgeGone(id)
            if !written.isEmpty {
                directives.append(.log("edge \(id) is dead: wrote off \(written.count) open leases (\(written.reduce(0) { $0 + $1.tokens }) tokens) as spent until it reports"))
            }
        }
        let (boundary, clockDirectives) = clock.onTick(now: now, aliveMembers: membership.aliveCount)
        let persists = clockDirectives.filter { if case .persist = $0 { true } else { false } }
        directives += persists.map(Directive.epoch)
        if let epoch = boundary {
            directives += onEpochBoundary(epoch, now: now)
        }
        directives += clockDirectives.filter { if case .announce = $0 { true } else { false } }.map(Directive.epoch)
        directives.append(.wake(at: nextWake))
        return directives
    }

    /// The epoch boundary, in order: values → grants → cloud shares → contract period.
    private mutating func onEpochBoundary(_ epoch: UInt64, now: Timestamp) -> [Directive] {
        let agents = membership.liveAgents
        let values = valuation.onEpochBoundary(epoch: epoch, agents: agents)
        let grants = tokenScheduling.onEpochBoundary(epoch: epoch, startedAt: now, agents: agents, values: values)
        let shares = cloud.onEpochBoundary(epoch: epoch, liveEdges: membership.liveEdges, epochMilliseconds: settings.epochMilliseconds)
        var contractDirectives: [Directive] = []
        for d in contracts.onEpochBoundary(epoch: epoch) {
            contractDirectives.append(.contracts(d))
            guard case .pay(let p) = d else { continue }
            // I4: the payment's ledger record commits with the period's settlement, exactly once.
            var record = DatRecord(index: 0, agentID: p.edge, credit: p.reward, agentValue: 0, novelSamples: 0, normalSamples: 0, noiseSamples: 0,
                                   integrityHash: p.moduleDigest, provenance: [], edgeID: p.edge, epoch: epoch, recordedAt: now)
            record.kind = .payment
            record.contract = DatRecord.ContractPayment(round: p.round, period: p.period, item: UInt32(p.item), accuracy: p.accuracy)
            let key = DATLedger.ContributionKey(agent: p.edge, id: Array("pay/\(p.round)/\(p.period)".utf8))
            guard ledger.receipt(for: key) == nil else { continue }
            let (_, receipt, append) = ledger.append(record, key: key) { index, size in
                ContributionReceipt(agentID: p.edge, contributionID: key.id, leafIndex: index, credit: p.reward, novelSamples: 0, normalSamples: 0,
                                    noiseSamples: 0, agentValue: 0, treeSize: size)
            }
            contractDirectives += [.ledger(append), .log("paid edge \(p.edge) \(p.reward) for round \(p.round) period \(p.period) item \(p.item) (accuracy \(p.accuracy)), leaf \(receipt.leafIndex)")]
        }
        let head = ledger.onEpochBoundary(epoch: epoch, now: now)
        return grants.map(Directive.tokens) + shares.map(Directive.cloud) + contractDirectives + head.map(Directive.ledger)
    }

    /// When the instance next has work: the epoch clock, or a member's failure deadline.
    public var nextWake: Timestamp {
        min(clock.nextWake, membership.nextDeadline ?? clock.nextWake)
    }

    // MARK: views

    /// Display names of the edge servers.
    private var edgeNames: [NodeID: String] {
        Dictionary(uniqueKeysWithValues: membership.members.values.filter { $0.role == .edgeServer }.map { ($0.id, $0.name) })
    }

    /// The coordinator's status: membership rows, with agents' token counts.
    public func status() -> StatusReply {
        let rows = membership.status().map { row -> NodeStatus in
            guard row.role == .edgeAgent, let b = tokenScheduling.balance(row.id) else { return row }
            var r = row
            r.tokensGranted = b.granted
            r.tokensUsed = b.used
            r.tokensRemaining = b.remaining
            return r
        }
        return StatusReply(reporterID: id, reporterName: identity.name, reporterRole: .cloudCoordinator, nodes: rows, epoch: epoch)
    }
}
