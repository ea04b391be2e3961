import FairwayCore
import FairwayWire

/// The edge server's protocol role as a pure value. It routes each event to the concern that
/// owns it and passes each what it needs:
///
/// - `CoordinatorLink` (CoordinatorLink/): registration, heartbeats, grant fetches and usage
///   reports as typed calls matched by call id;
/// - `AttachedAgents` (Agents/): the agents joined through this edge and their liveness;
/// - `InferenceAdmission` (Admission/): inference admitted only by debiting a lease the
///   coordinator lent (I1); the shell commits every debit before it replies;
/// - `ContributionCheck` (Contributions/): an agent's DP contribution validated before the
///   shell forwards it, byte for byte, to the coordinator in a batch with a digest;
/// - `ContractWork` (Contracts/): contract choices, training orders, uploads, the module;
/// - `CloudUse` (Cloud/): the resources it reports for Fair-Synergy, its local inference
///   capacity and offloading within its cloud share, the cloud's labels and compute in training.
///
/// No I/O, no clock: the shell (`EdgeServerNode`) feeds events with `now`, commits the persist
/// directives, makes the calls and wakes the instance when it asks (`.wake(at:)`).
public struct EdgeInstance: Sendable {
    public enum Directive: Sendable, Hashable {
        /// Make this call to the coordinator and report its result with `onCallResult`.
        case call(CoordinatorCall)
        case leases(InferenceAdmission.Directive)
        /// Train an agent module (off the actor) and report it with `onTrained`.
        case train(ContractWork.TrainingOrder)
        /// Make the drain state durable (`fairwayctl drain` / `resume`), with the batch.
        case draining(Bool)
        /// Call `onTick` again at (or soon after) this instant.
        case wake(at: Timestamp)
        case log(String)
    }

    /// The shortest retry-after a refused admission suggests, milliseconds.
    public static let minimumRetryAfterMilliseconds: Int64 = 50

    /// Requests whose replay after a restart could count twice: journaled with their effect.
    public static let durableKinds: Set<Payload.Kind> = [.inferenceRequest]
    /// Requests the agent socket serves.
    public static let servedKinds: Set<Payload.Kind> = [.join, .heartbeat, .inferenceRequest, .statusRequest, .ping, .contribution, .drainRequest]

    public let settings: Settings
    public let identity: NodeIdentity
    public var id: NodeID { identity.id }
    public private(set) var link: CoordinatorLink
    public private(set) var agents: AttachedAgents
    public private(set) var admission: InferenceAdmission
    public let contributions: ContributionCheck
    public private(set) var contracts: ContractWork
    public private(set) var cloud: CloudUse
    /// Draining (`fairwayctl drain`): joins are refused and attached agents are sent to
    /// another edge at their next heartbeat. Durable; restored at start.
    public private(set) var draining: Bool

    /// - Parameter restoredLeases: the lease book saved before a restart (settled at once).
    /// - Parameter shardSamples: samples in the edge's training shard (0 = it does not train).
    /// - Parameter draining: the drain state saved before a restart.
    public init(settings: Settings, identity: NodeIdentity, restoredLeases: EdgeLeases = EdgeLeases(), shardSamples: UInt64 = 0, draining: Bool = false) {
        self.settings = settings
        self.draining = draining
        self.identity = identity
        self.link = CoordinatorLink(identity: identity, coordinatorID: settings.coordinatorID,
                                    heartbeatIntervalMilliseconds: settings.heartbeatIntervalMilliseconds)
        self.agents = AttachedAgents(expiryMisses: settings.agentExpiryMisses)
        self.admission = InferenceAdmission(restored: restoredLeases)
        self.contributions = ContributionCheck(settings: settings.contributions)
        self.contracts = ContractWork(settings: settings.contract)
        self.cloud = CloudUse(settings: settings.cloud, shardSamples: shardSamples, trainingSteps: settings.contract.stepsPerRound)
        self.contracts.onTrainingResources(labels: cloud.trainingLabels, stepsPerRound: cloud.trainingStepsWithCloud)
    }

    public var registered: Bool { link.registered }
    public var epoch: UInt64 { link.epoch }
    public var coordinatorID: NodeID? { link.coordinatorID }
    public var leases: EdgeLeases { admission.leases }
    private var heartbeat: Int64 { link.heartbeatIntervalMilliseconds }

    /// The first event after start: the restored leases, now settled, made durable.
    public mutating func onStart() -> [Directive] { [.leases(admission.persistAll()), .wake(at: .zero)] }

    // MARK: agents

    /// An agent's join, checked before the shell relays it to the coordinator (with the
    /// agent's own signed envelope as proof); its result goes to `onAgentJoinResult`.
    public func onAgentJoin(_ request: VerifiedRequest) -> Result<JoinRequest, FairwayError> {
        let sender = request.sender
        guard case .join(var join) = request.payload else {
            return .failure(FairwayError(.unexpectedPayload, "not a join", field: "envelope.payload", peer: sender.rawValue))
        }
        guard join.role == .edgeAgent else {
            return .failure(FairwayError(.invalidField, "only agents join through an edge server; got \(join.role.rawValue)", field: "join.role", peer: sender.rawValue))
        }
        guard join.nodeID == sender else {
            return .failure(FairwayError(.invalidField, "agent \(join.nodeID) must join for itself, not via \(sender)", field: "join.node_id", peer: sender.rawValue))
        }
        guard !draining else { return .failure(drainingRefusal(sender, joining: true)) }
        guard link.registered else {
            return .failure(FairwayError(.unavailable, "edge \(id) is not yet registered with the coordinator", peer: sender.rawValue, retryAfterMilliseconds: heartbeat))
        }
        join.via = id
        return .success(join)
    }

    /// An agent's request other than a join (`onAgentJoin`): the reply, to send once the
    /// directives returned with it are committed.
    public mutating func onAgentRequest(_ request: VerifiedRequest, now: Timestamp) -> (reply: Payload, directives: [Directive]) {
        let sender = request.sender
        switch request.payload {
        case .heartbeat(let hb):
            guard hb.nodeID == sender else {
                return refuse(FairwayError(.invalidField, "heartbeat for \(hb.nodeID) sent by \(sender)", field: "heartbeat.node_id", peer: sender.rawValue))
            }
            guard hb.agentIDs.isEmpty else {
                return refuse(FairwayError(.invalidField, "agents cannot vouch for other agents", field: "heartbeat.agent_ids", peer: sender.rawValue))
            }
            guard agents.touch(sender, now: now) else { return refuse(notJoined(sender)) }
            if draining {
                // Hand the agent over: it leaves for its next edge on this refusal; its leases
                // here settle as orphans at the next tick.
                agents.detach(sender)
                link.forget(agent: sender)
                return (.error(drainingRefusal(sender, joining: false)), [.log("agent \(sender) sent to another edge (draining)"), .wake(at: now)])
            }
            return (.heartbeatAck(HeartbeatAck(epoch: epoch)), [])
        case .inferenceRequest(let inference):
            guard agents.touch(sender, now: now) else { return refuse(notJoined(sender)) }
            switch admission.admit(agent: sender, cost: inference.cost) {
            case .admitted(let remaining, let directive):
                var reply = InferenceReply(charged: inference.cost, remaining: remaining)
                if let p = contracts.predict(inference.features) {
                    reply.label = p.label
                    reply.confidence = p.confidence
                    reply.moduleVersion = p.version
                }
                return (.inferenceReply(reply), [.leases(directive)])
            case .refused(let reason):
                link.want(grantsFor: [sender])  // maybe tokens came back from another edge: ask again
                let wait = link.nextEpochAt == .zero ? heartbeat : max(Self.minimumRetryAfterMilliseconds, link.nextEpochAt.milliseconds(since: now))
                return (.error(FairwayError(.insufficientTokens, reason + "; the next grants land in about \(wait) ms",
                                            field: "inference_request.cost", peer: sender.rawValue, retryAfterMilliseconds: wait)),
                        [.wake(at: now)])
            }
        case .statusRequest, .ping:
            return (onQuery(request.envelope, now: now), [])
        case .drainRequest(let drain):
            return onDrainRequest(drain, from: sender, now: now)
        case .join:
            return refuse(FairwayError(.internal, "joins are relayed (onAgentJoin)", field: "envelope.payload", peer: sender.rawValue))
        default:
            return refuse(FairwayError(.unexpectedPayload, "the edge server's agent socket does not serve \(request.payload.kind)", field: "envelope.payload", peer: sender.rawValue))
        }
    }

    private func refuse(_ e: FairwayError) -> (reply: Payload, directives: [Directive]) { (.error(e), []) }

    /// `fairwayctl drain` (`drain`) or `resume` from `sender`, one of `settings.adminKeys`:
    /// the new state, durable before the reply.
    mutating func onDrainRequest(_ drain: Bool, from sender: NodeID, now: Timestamp) -> (reply: Payload, directives: [Directive]) {
        guard settings.adminIDs.contains(sender) else {
            return refuse(FairwayError(.notAdmitted, "\(sender) is not an admin of edge \(id): list its id in the edge's admin_keys to let it \(drain ? "drain" : "resume") the edge",
                                       field: "admin_keys", peer: sender.rawValue))
        }
        let changed = draining != drain
        draining = drain
        let reply = DrainReply(edgeID: id, draining: drain, attachedAgents: UInt32(agents.ids.count))
        var directives: [Directive] = [.draining(drain)]
        if changed {
            directives.append(.log(drain ? "draining (asked by \(sender)): refusing joins, sending \(reply.attachedAgents) attached agents to other edges"
                                         : "resumed (asked by \(sender)): admitting agents again"))
        }
        return (.drainReply(reply), directives)
    }

    private func drainingRefusal(_ sender: NodeID, joining: Bool) -> FairwayError {
        FairwayError(.unavailable, joining ? "edge \(id) is draining and admits no new agents: join another edge"
                                           : "edge \(id) is draining: move to another edge",
                     field: FairwayError.drainingField, peer: sender.rawValue)
    }

    /// Where an agent's inference goes, decided before it is admitted: served here (the
    /// shell continues with `onAgentRequest`), offloaded to the cloud (the shell calls the
    /// coordinator and finishes with `onOffloadResult`), or refused now (nothing changes but
    /// the edge's local capacity bookkeeping).
    public enum InferenceRoute: Sendable, Hashable {
        case local
        case offload(CloudInferenceRequest)
        case refuse(Payload)
    }

    public mutating func routeInference(_ request: VerifiedRequest, now: Timestamp) -> InferenceRoute {
        let sender = request.sender
        guard case .inferenceRequest(let inference) = request.payload else { return .local }
        guard agents.touch(sender, now: now) else { return .refuse(.error(notJoined(sender))) }
        // The agent modules take one digit image; any other input would be charged for no answer.
        guard inference.features.isEmpty || inference.features.count == DigitRecord.pixelCount else {
            return .refuse(.error(FairwayError(.invalidField, "features must be empty (tokens only) or \(DigitRecord.pixelCount) pixel intensities, got \(inference.features.count)",
                                               field: "inference_request.features", peer: sender.rawValue)))
        }
        // Tokens first: a request the agent cannot pay for takes no capacity anywhere.
        guard admission.leases.balance(agent: sender) >= inference.cost else { return .local }
        switch cloud.route(now: now, nextEpochAt: link.nextEpochAt, epoch: link.epoch) {
        case .local: return .local
        case .offload:
            return .offload(CloudInferenceRequest(requestID: request.envelope.messageID.bytes, agentID: sender, cost: inference.cost, features: inference.features))
        case .refuse(var e):
            e.peer = sender.rawValue
            return .refuse(.error(e))
        }
    }

    /// The cloud's answer to an offload: admitted against the agent's lease (durable before the
    /// reply) with the cloud's prediction, or the refusal passed on.
    public mutating func onOffloadResult(_ request: VerifiedRequest, _ result: Result<CloudInferenceReply, FairwayError>, now: Timestamp) -> (reply: Payload, directives: [Directive]) {
        let sender = request.sender
        guard case .inferenceRequest(let inference) = request.payload else {
            return refuse(FairwayError(.internal, "offload result for \(request.payload.kind)", field: "envelope.payload", peer: sender.rawValue))
        }
        switch result {
        case .failure(let e):
            var passed = e.code == .capacityExhausted ? cloud.onOffloadRefused(e, now: now)
                : FairwayError(.unavailable, "edge is saturated and the cloud did not serve the offload: \(e.message)", field: "inference_request",
                               retryAfterMilliseconds: max(Self.minimumRetryAfterMilliseconds, e.retryAfterMilliseconds))
            passed.peer = sender.rawValue
            return refuse(passed)
        case .success(let r):
            switch admission.admit(agent: sender, cost: inference.cost) {
            case .admitted(let remaining, let directive):
                cloud.onOffloaded(remaining: r.quotaRemaining, epoch: r.epoch)
                var reply = InferenceReply(charged: inference.cost, remaining: remaining, label: r.label, confidence: r.confidence, moduleVersion: r.moduleVersion)
                reply.servedByCloud = true
                return (.inferenceReply(reply), [.leases(directive)])
            case .refused(let reason):
                return refuse(FairwayError(.insufficientTokens, reason, field: "inference_request.cost", peer: sender.rawValue,
                                           retryAfterMilliseconds: Self.minimumRetryAfterMilliseconds))
            }
        }
    }

    private func notJoined(_ sender: NodeID) -> FairwayError {
        FairwayError(.unknownSender, "agent \(sender) has not joined through edge \(id); join first", field: "envelope.sender", peer: sender.rawValue)
    }

    /// Answers a read-only request (`Payload.Kind.isReadOnly`) from the current state.
    public func onQuery(_ request: Envelope, now: Timestamp) -> Payload {
        switch request.payload {
        case .statusRequest: .statusReply(status(now: now))
        case .ping: .pong(Pong(nodeID: id, role: .edgeServer, version: FairwayVersion.current, name: identity.name))
        default: .error(FairwayError(.unexpectedPayload, "\(request.payload.kind) is not a query", field: "envelope.payload", peer: request.sender.rawValue))
        }
    }

    /// An agent's contribution, checked before the shell forwards it (its signed envelope,
    /// unchanged) to the coordinator. The coordinator's receipt goes back to the agent as is.
    public mutating func onAgentContribution(_ request: VerifiedRequest, now: Timestamp) -> Result<Contribution, FairwayError> {
        let sender = request.sender
        guard case .contribution(let c) = request.payload else {
            return .failure(FairwayError(.unexpectedPayload, "not a contribution", field: "envelope.payload", peer: sender.rawValue))
        }
        guard agents.touch(sender, now: now) else { return .failure(notJoined(sender)) }
        guard link.registered else {
            return .failure(FairwayError(.unavailable, "edge \(id) is not registered with the coordinator", peer: sender.rawValue, retryAfterMilliseconds: heartbeat))
        }
        do { try contributions.check(c, from: sender) } catch let e as FairwayError { return .failure(e) } catch {
            return .failure(FairwayError(.internal, "\(error)"))
        }
        return .success(c)
    }

    /// Result of relaying an agent's join; returns the reply for the agent.
    public mutating func onAgentJoinResult(_ join: JoinRequest, result: Result<JoinAccepted, FairwayError>, now: Timestamp) -> (reply: Payload, directives: [Directive]) {
        switch result {
        case .success(let accepted):
            agents.attach(join, now: now)
            link.want(grantsFor: [join.nodeID])
            let reply = JoinAccepted(coordinatorID: accepted.coordinatorID, heartbeatIntervalMilliseconds: heartbeat, epoch: max(epoch, accepted.epoch),
                                     epochMilliseconds: accepted.epochMilliseconds)
            return (.joinAccepted(reply), [.wake(at: now)])
        case .failure(let error):
            if error.code == .unknownSender { link.onForgotten() }
            return (.error(error), [])
        }
    }

    // MARK: coordinator link and time

    /// Periodic work: expire silent agents (settling their leases), then the link's calls.
    /// Ends with `.wake(at:)`.
    public mutating func onTick(now: Timestamp) -> [Directive] {
        var directives: [Directive] = []
        for agent in agents.expire(now: now, heartbeatInterval: heartbeat) {
            link.forget(agent: agent)
            directives.append(.log("agent \(agent) expired after \(agents.expiryMilliseconds(heartbeatInterval: heartbeat)) ms of silence"))
        }
        let attached = Set(agents.ids)
        directives += admission.settleOrphans(attached: attached.contains).map(Directive.leases)
        let calls = link.onTick(now: now, attached: attached, recent: agents.recent(now: now, heartbeatInterval: heartbeat),
                                report: admission.pendingReport.map { ($0.report, final: $0.final) }, resources: cloud.resources)
        directives += calls.map(Directive.call)
        directives += route(contracts.onTick(now: now, registered: link.registered))
        return directives + [.wake(at: nextWake(now: now))]
    }

    private mutating func route(_ work: [ContractWork.Directive]) -> [Directive] {
        work.map { d in
            switch d {
            case .request(let r): .call(link.contractCall(r))
            case .train(let order): .train(order)
            case .log(let m): .log(m)
            }
        }
    }

    /// The shell trained `order`'s module (serialised `AgentModule`) on `samples` samples; it
    /// scored `accuracy` on the held-out split (nil = not measured).
    public mutating func onTrained(_ order: ContractWork.TrainingOrder, bytes: [UInt8], samples: UInt64, accuracy: Double? = nil, now: Timestamp) -> [Directive] {
        let trainedHere = contracts.training == order
        var directives = route(contracts.onTrained(order, bytes: bytes, samples: samples, now: now))
        if trainedHere, let accuracy {
            cloud.onTrainingResult(rounds: order.rounds, stepsPerRound: order.stepsPerRound, labels: samples, accuracy: accuracy)
            let r = cloud.resources
            directives.append(.log("held-out accuracy \(accuracy) after \(order.rounds)×\(order.stepsPerRound) steps on \(samples) labels; "
                                   + "elasticities γ^ρ \((r.gammaCompute * 1000).rounded() / 1000), γ^α \((r.gammaLabels * 1000).rounded() / 1000) from \(r.gammaPoints) results"))
        }
        return directives + [.wake(at: nextWake(now: now))]
    }

    public mutating func onTrainingFailed(_ order: ContractWork.TrainingOrder, _ why: String, now: Timestamp) -> [Directive] {
        route(contracts.onTrainingFailed(order, why)) + [.wake(at: nextWake(now: now))]
    }

    /// Outcome of a call `onTick` issued.
    public mutating func onCallResult(_ id: UInt64, _ result: Result<Payload, FairwayError>, now: Timestamp) -> [Directive] {
        var directives: [Directive] = []
        switch link.onResult(id, result, now: now) {
        case .registered(let accepted, let first):
            if first { directives.append(.log("registered with coordinator \(accepted.coordinatorID) (epoch \(accepted.epoch))")) }
        case .heartbeatAcknowledged(let unknown, let share):
            for agent in unknown {
                agents.detach(agent)
                link.forget(agent: agent)
            }
            if !unknown.isEmpty { directives.append(.log("\(unknown.count) agents must re-join")) }
            if let share {
                if share.epoch != cloud.share?.epoch {
                    directives.append(.log("cloud share for epoch \(share.epoch): \((share.inferenceRPS * 100).rounded() / 100) requests/s (\(share.inferenceQuota) offloads), "
                                           + "\((share.trainingSteps * 100).rounded() / 100) training steps per round, \(share.labels) labels"))
                }
                cloud.onShare(share)
                contracts.onTrainingResources(labels: cloud.trainingLabels, stepsPerRound: cloud.trainingStepsWithCloud)
            }
        case .grants(let leases):
            let (d, refusals) = admission.onGrants(leases, edge: self.id)
            directives += d.map(Directive.leases) + refusals.map(Directive.log)
        case .usageAcknowledged(let ack):
            directives += admission.onUsageAck(ack).map(Directive.leases)
        case .forgotten:
            directives.append(.log("coordinator does not know this edge; re-joining"))
        case .failed(let e):
            directives.append(.log("coordinator call failed: \(e)"))
        case .unexpected(let kind):
            directives.append(.log("unexpected coordinator reply \(kind)"))
        case .unmatched(let call):
            directives.append(.log("ignored a result for call \(call), which is not in flight"))
        case .contract(let r):
            directives += route(contracts.onResult(r, now: now))
        }
        return directives + [.wake(at: nextWake(now: now))]
    }

    /// A publication from the coordinator; false if it came from anyone but the trusted one.
    @discardableResult
    public mutating func onEpochAnnouncement(_ a: EpochAnnouncement, from sender: NodeID) -> Bool {
        link.onEpochAnnouncement(a, from: sender)
    }

    /// When the instance next has work: the link's next call or an agent's expiry.
    public func nextWake(now: Timestamp) -> Timestamp {
        let linkWake = link.nextWake(hasReport: admission.pendingReport != nil, wantsGrants: !link.grantsWanted.isEmpty)
        let candidates = [linkWake, agents.nextExpiry(heartbeatInterval: heartbeat), contracts.nextWake(now: now, registered: link.registered)].compactMap { $0 }
        return max(now, candidates.min() ?? now.adding(milliseconds: heartbeat))
    }

    // MARK: views

    /// The edge's own view: itself, its coordinator link and its agents (with their balance here).
    public func status(now: Timestamp) -> StatusReply {
        var nodes = [NodeStatus(id: id, role: .edgeServer, address: identity.address,
                                state: .alive, lastHeartbeat: now, version: FairwayVersion.current, name: identity.name)]
        for agent in agents.ids {
            let a = agents[agent]!
            var row = NodeStatus(id: agent, role: .edgeAgent, address: "", state: agents.state(a, now: now, heartbeatInterval: heartbeat),
                                 lastHeartbeat: a.lastSeen, version: "", via: id, name: a.name)
            let f = admission.figures(agent: agent)
            row.tokensGranted = f.granted
            row.tokensUsed = f.used
            row.tokensRemaining = f.balance
            nodes.append(row)
        }
        return StatusReply(reporterID: id, reporterName: identity.name, reporterRole: .edgeServer, nodes: nodes, epoch: epoch)
    }
}
