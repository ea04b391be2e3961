import EdgeServerCore
import FairwayCore
import FairwayRuntime
import FairwayWire
import Logging
import ServiceLifecycle

/// The edge server's shell: serves agents on a REP socket, talks to the coordinator over REQ,
/// listens to epoch announcements over SUB. Every change to the `EdgeInstance` goes through a
/// `CommitLoop`: a debit is durable, with its journal entry, before its reply is sent.
public actor EdgeServerNode: Service {
    public let settings: EdgeServerSettings
    /// This node's key; its address is the edge's id.
    public nonisolated let identity: NodeKey
    /// The instance, changed only by committed batches.
    public nonisolated let state: CommitLoop<EdgeInstance>
    private let store: EdgeStore
    /// Exported metrics, updated from committed batches only.
    private let metrics: EdgeMetrics
    private let logger: Logger
    private let clock: any NodeClock
    private var server: RequestServer!
    private var coordinator: RequestClient!
    private var subscriber: Subscriber!
    public private(set) var listenPort: Int?

    /// How often the replay journal drops entries older than the replay window.
    static let journalPruneInterval: Duration = .seconds(10)
    /// How long to wait before retrying a wake-up whose commit failed.
    static let retryAfterFailedCommit: Duration = .milliseconds(500)

    public init(settings: EdgeServerSettings, logger: Logger, clock: any NodeClock = SystemClock()) throws {
        try settings.validate()
        try DataDirectory.ensure(settings.dataDirectory)
        self.settings = settings
        self.logger = logger
        self.clock = clock
        self.identity = try NodeKeyFile.loadOrCreate(settings.effectiveKeyFile)
        self.store = try EdgeStore(directory: settings.dataDirectory)
        let restored = try store.load()
        let me = NodeIdentity(id: identity.nodeID, publicKey: identity.publicKey, name: settings.name, address: settings.effectiveAdvertiseURL)
        let shardSamples = settings.core.contract.participates ? UInt64(try ModuleTrainer.shard(settings.core.contract).count) : 0
        let draining = try store.draining()
        self.state = CommitLoop(EdgeInstance(settings: settings.core, identity: me, restoredLeases: restored, shardSamples: shardSamples, draining: draining),
                                writer: store.db)
        self.metrics = EdgeMetrics(node: settings.name)
        if draining { logger.notice("draining (fairwayctl drain, before the restart): refusing joins until `fairwayctl resume`") }
        if !restored.leases.isEmpty {
            logger.info("restored \(restored.leases.count) token leases; settling them with the coordinator")
        }
    }

    public func start() throws {
        guard server == nil else { return }
        let server = try RequestServer(identity: identity, settings: settings.transport, logger: logger, clock: clock,
                                       journal: store.journal, durableKinds: EdgeInstance.durableKinds,
                                       metrics: TransportMetrics(role: .edgeServer, node: settings.name)) { [weak self] inbound in
            guard let self else { return .uncommitted(inbound.reply(.error(FairwayError(.unavailable, "shutting down"))).bytes) }
            return await self.handle(inbound)
        }
        listenPort = try server.listen(settings.listenURL)
        coordinator = try RequestClient(url: settings.coordinatorURL, identity: identity, settings: settings.transport, clock: clock)
        subscriber = try Subscriber(settings: settings.transport, logger: logger)
        try subscriber.dial(settings.coordinatorEpochURL)
        self.server = server
        logger.info("edge \(settings.name) (\(identity.nodeID)) serving agents on \(settings.listenURL), coordinator \(settings.coordinatorURL)")
    }

    public func run() async throws {
        try start()
        let server = self.server!, subscriber = self.subscriber!
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await server.run() }
            group.addTask {
                await subscriber.run { env in
                    if case .epochAnnouncement(let a) = env.payload { await self.onAnnouncement(a, from: env.sender) }
                }
            }
            group.addTask { await self.timeLoop() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        server.close()
        subscriber.close()
        coordinator.close()
        logger.info("edge \(settings.name) stopped")
    }

    private func onAnnouncement(_ a: EpochAnnouncement, from sender: NodeID) async {
        let trusted = try? await state.apply { instance in .init(instance.onEpochAnnouncement(a, from: sender)) }
        if trusted == false { logger.notice("ignored an epoch announcement from \(sender), not the trusted coordinator") }
        if trusted == true {
            leaseLag.onEpochStart(a.epoch, at: a.startedAt)
            wakeEarlier(clock.now())  // a new epoch's grants are fetched now, not at the next heartbeat
        }
    }

    /// When each recent epoch began (from the coordinator's announcements) and the last epoch
    /// whose leases covered every attached agent: `fairway_edge_epoch_to_lease_seconds`.
    private var leaseLag = EpochLeaseLag()

    /// After grants commit: if every attached agent now holds an open lease of the current epoch,
    /// records how long after the epoch's start that happened (once per epoch).
    private func noteLeaseCoverage() async {
        let (epoch, covered) = await state.read { i -> (UInt64, Bool) in
            let e = i.epoch
            // An agent whose bucket was still full at the boundary gets no new lease; its open lease
            // of an earlier epoch is the one it spends from, so it counts as covered.
            let holders = Set(i.leases.leases.lazy.filter { $0.epoch <= e && !$0.settled }.map(\.agent))
            return (e, i.agents.ids.allSatisfy(holders.contains))
        }
        guard covered, let seconds = leaseLag.onCovered(epoch, at: clock.now()) else { return }
        metrics.leasesCovered(epoch: epoch, seconds: seconds)
    }

    /// Applies an event through the commit loop, then carries out its effects; returns the wake-up it asked for.
    private func step(_ event: @escaping @Sendable (inout EdgeInstance, Timestamp) -> [EdgeInstance.Directive]) async -> Timestamp? {
        let clock = self.clock
        do {
            let directives = try await state.apply { instance in
                let d = event(&instance, clock.now())
                return .init(d, writes: EdgeStore.writes(for: d))
            }
            return await perform(directives)
        } catch {
            logger.error("edge state not persisted: \(error)")
            return clock.now().adding(Self.retryAfterFailedCommit)
        }
    }

    /// Wakes the instance when it asked to (`.wake(at:)`), and prunes the journal.
    private func timeLoop() async {
        var wake = await step { instance, _ in instance.onStart() } ?? clock.now()
        var nextPrune = clock.now().adding(Self.journalPruneInterval)
        while !Task.isCancelled {
            await doorbell.wait(until: min(wake, nextPrune), clock: clock)
            if clock.now() >= nextPrune {
                nextPrune = clock.now().adding(Self.journalPruneInterval)
                await server.pruneJournal(now: clock.now())
            }
            wake = await step { instance, now in instance.onTick(now: now) } ?? clock.now().adding(Self.retryAfterFailedCommit)
            metrics.attachedAgents(await state.read { $0.agents.ids.count })
            wake = min(wake, pendingWake ?? wake)
            pendingWake = nil
        }
    }

    /// A wake-up asked for by an event outside the time loop (a new agent wants grants now).
    private var pendingWake: Timestamp?
    private let doorbell = Doorbell()

    private func wakeEarlier(_ at: Timestamp) {
        pendingWake = min(pendingWake ?? at, at)
        doorbell.ring()
    }

    /// Carries out the effects of a committed batch in order; a call's result is applied as its
    /// own event. Returns the earliest wake-up asked for.
    private func perform(_ directives: [EdgeInstance.Directive]) async -> Timestamp? {
        var wake: Timestamp?
        for d in directives {
            switch d {
            case .call(let call):
                let result = await callCoordinator(call.request.payload)
                if let w = await step({ instance, now in instance.onCallResult(call.id, result, now: now) }) { wake = min(wake ?? w, w) }
                if case .grantRequest = call.request.payload { await noteLeaseCoverage() }
            case .wake(let at):
                wake = min(wake ?? at, at)
            case .log(let line):
                logger.info("\(line)")
            case .leases, .draining:
                break  // committed with the batch
            case .train(let order):
                let contract = settings.core.contract
                Task { [weak self] in
                    let outcome = await ModuleTrainer.train(order, settings: contract)
                    guard let self else { return }
                    let wake: Timestamp?
                    switch outcome {
                    case .success(let trained):
                        wake = await self.step { instance, now in
                            instance.onTrained(order, bytes: trained.bytes, samples: trained.samples, accuracy: trained.accuracy, now: now)
                        }
                    case .failure(let error):
                        wake = await self.step { instance, now in instance.onTrainingFailed(order, "\(error)", now: now) }
                    }
                    if let wake { await self.wakeEarlier(wake) }
                }
            }
        }
        return wake
    }

    private func callCoordinator(_ payload: Payload) async -> Result<Payload, FairwayError> {
        do {
            let pinned = await state.read { $0.coordinatorID }
            // The session's handshake then refuses any other identity at that URL.
            if let pinned { coordinator.pin(pinned) }
            let reply = try await coordinator.callVerified(payload)
            if let pinned, reply.envelope.sender != pinned {
                return .failure(FairwayError(.unauthenticated, "reply from \(reply.envelope.sender), not the trusted coordinator \(pinned)",
                                             field: "envelope.sender", peer: settings.coordinatorURL))
            }
            return .success(reply.envelope.payload)
        } catch let e as FairwayError {
            return .failure(e)
        } catch {
            return .failure(FairwayError(.unavailable, "\(error)"))
        }
    }

    /// Serves one verified agent request. Not isolated to the actor: reads and commits go
    /// through `state` (the commit loop), so an admission costs one commit-loop batch and no
    /// hops through this actor; only effects beyond the batch's writes come back here.
    nonisolated func handle(_ inbound: RequestServer.Inbound) async -> RequestServer.Handled {
        let kind = inbound.envelope.payload.kind
        guard EdgeInstance.servedKinds.contains(kind) else {
            return .committed(inbound.reply(.error(FairwayError(.unexpectedPayload, "the edge server's agent socket does not serve \(kind)",
                                                                 field: "envelope.payload", peer: inbound.envelope.sender.rawValue))).bytes)
        }
        let clock = self.clock
        if kind.isReadOnly {
            let now = clock.now()
            let reply = await state.read { $0.onQuery(inbound.envelope, now: now) }
            return .committed(inbound.reply(reply).bytes)
        }
        let request = VerifiedRequest(inbound.envelope)
        if case .join = request.payload { return await relayJoin(inbound, request) }
        if case .contribution = request.payload { return await forwardContribution(inbound, request) }
        if case .inferenceRequest = request.payload { return await admitInference(inbound, request) }
        let (handled, effects, failure) = await state.handle(inbound) { instance in
            let (reply, directives) = instance.onAgentRequest(request, now: clock.now())
            return (reply, EdgeStore.writes(for: directives), (directives, reply))
        }
        if let failure { logger.error("\(inbound.envelope.payload.kind) from \(inbound.envelope.sender) not persisted: \(failure)") }
        if let (directives, reply) = effects {
            metrics.committed(reply)
            await performOutsideBatch(directives)
        }
        return handled
    }

    /// An inference request, routed and (when served here) admitted in one batch: the lease
    /// debit and the journal entry of the reply commit together; a refusal commits nothing and
    /// is not cached; an offload goes to the coordinator first.
    private nonisolated func admitInference(_ inbound: RequestServer.Inbound, _ request: VerifiedRequest) async -> RequestServer.Handled {
        let clock = self.clock
        let outcome: InferenceOutcome
        do {
            outcome = try await state.apply { instance -> CommitLoop<EdgeInstance>.Step<InferenceOutcome> in
                let now = clock.now()
                switch instance.routeInference(request, now: now) {
                case .refuse(let reply): return .init(.refused(reply))
                case .offload(let offload): return .init(.offload(offload))
                case .local:
                    let (reply, directives) = instance.onAgentRequest(request, now: now)
                    return .init(.served(reply, directives, bytes: []), writes: EdgeStore.writes(for: directives), finish: { out in
                        guard case .served(let reply, let directives, _) = out else { return (out, []) }
                        let (bytes, journal) = inbound.reply(reply)
                        return (.served(reply, directives, bytes: bytes), journal.map { [$0] } ?? [])
                    })
                }
            }
        } catch {
            logger.error("inference from \(inbound.envelope.sender) not persisted: \(error)")
            return .uncommitted(inbound.reply(.error(FairwayError(.unavailable, "could not make the request durable; retry", retryAfterMilliseconds: 500))).bytes)
        }
        switch outcome {
        case .refused(let reply): return .uncommitted(inbound.reply(reply).bytes)  // capacity refusals are not cached: a resend is tried afresh
        case .offload(let offload): return await offloadInference(inbound, request, offload)
        case .served(let reply, let directives, let bytes):
            metrics.committed(reply)
            await performOutsideBatch(directives)
            return .committed(bytes)
        }
    }

    /// What one inference request's batch decided.
    private enum InferenceOutcome: Sendable {
        case served(Payload, [EdgeInstance.Directive], bytes: [UInt8])
        case refused(Payload)
        case offload(CloudInferenceRequest)
    }

    /// Carries out, on the actor, the effects of a request's batch that its writes did not
    /// already cover (calls, training, wake-ups); a plain debit needs none.
    private nonisolated func performOutsideBatch(_ directives: [EdgeInstance.Directive]) async {
        let needsActor = directives.contains {
            switch $0 {
            case .leases, .draining: false
            default: true
            }
        }
        guard needsActor else { return }
        await performAndWake(directives)
    }

    private func performAndWake(_ directives: [EdgeInstance.Directive]) async {
        if let w = await perform(directives) { wakeEarlier(w) }
    }

    /// Serves a saturated edge's inference from its cloud share: the coordinator answers (or
    /// refuses beyond the share); the agent's lease is debited, durably, only after it answered.
    private func offloadInference(_ inbound: RequestServer.Inbound, _ request: VerifiedRequest, _ offload: CloudInferenceRequest) async -> RequestServer.Handled {
        let result: Result<CloudInferenceReply, FairwayError>
        switch await callCoordinator(.cloudInferenceRequest(offload)) {
        case .success(.cloudInferenceReply(let r)): result = .success(r)
        case .success(let other): result = .failure(FairwayError(.internal, "coordinator answered an offload with \(other.kind)"))
        case .failure(let e): result = .failure(e)
        }
        let clock = self.clock, outcome = result
        let (handled, effects, failure) = await state.handle(inbound) { instance in
            let (reply, directives) = instance.onOffloadResult(request, outcome, now: clock.now())
            return (reply, EdgeStore.writes(for: directives), (directives, reply))
        }
        if let failure { logger.error("offloaded inference from \(inbound.envelope.sender) not persisted: \(failure)") }
        if let (directives, reply) = effects {
            metrics.committed(reply)
            if let w = await perform(directives) { wakeEarlier(w) }
        }
        // A refusal changes nothing at the edge: let a resend try again.
        if case .failure = outcome, case .committed(let bytes) = handled { return .uncommitted(bytes) }
        return handled
    }

    /// Relays an agent's join to the coordinator with the agent's own signed envelope as proof.
    private func relayJoin(_ inbound: RequestServer.Inbound, _ request: VerifiedRequest) async -> RequestServer.Handled {
        let result: Result<JoinAccepted, FairwayError>
        switch await state.read({ $0.onAgentJoin(request) }) {
        case .failure(let refusal):
            return .committed(inbound.reply(.error(refusal)).bytes)
        case .success(var join):
            join.agentProof = inbound.verified.sealed
            switch await callCoordinator(.join(join)) {
            case .success(.joinAccepted(let a)): result = .success(a)
            case .success(let other): result = .failure(FairwayError(.internal, "coordinator answered join with \(other.kind)"))
            case .failure(let e): result = .failure(e)
            }
            let clock = self.clock, relayed = join, outcome = result
            // The agent subscribes where this edge does, and is judged by this edge's replay window.
            let told = JoinParameters(epochURL: settings.coordinatorEpochURL, replay: settings.transport.replay)
            let (handled, directives, failure) = await state.handle(inbound) { instance in
                let (reply, directives) = instance.onAgentJoinResult(relayed, result: outcome, now: clock.now())
                return (told.fill(reply), EdgeStore.writes(for: directives), directives)
            }
            if let failure { logger.error("agent join not persisted: \(failure)") }
            if let directives, let w = await perform(directives) { wakeEarlier(w) }
            return handled
        }
    }

    /// Checks an agent's contribution and forwards its signed envelope, unchanged, to the
    /// coordinator in a batch with a digest; the coordinator's receipt (leaf index, credit) is
    /// the agent's reply. Sent only after the coordinator committed the DAT record (I2).
    private func forwardContribution(_ inbound: RequestServer.Inbound, _ request: VerifiedRequest) async -> RequestServer.Handled {
        let clock = self.clock
        let checked: Result<Contribution, FairwayError>
        do {
            checked = try await state.apply { instance in .init(instance.onAgentContribution(request, now: clock.now())) }
        } catch {
            return .uncommitted(inbound.reply(.error(FairwayError(.unavailable, "edge state not available: \(error)", retryAfterMilliseconds: 500))).bytes)
        }
        if case .failure(let refusal) = checked { return Self.remembered(refusal, inbound) }
        let batch = ContributionBatch(contributions: [inbound.verified.sealed])
        switch await callCoordinator(.contributionBatch(batch)) {
        case .success(.contributionBatchAck(let receipts)) where receipts.count == 1:
            return .committed(inbound.reply(.contributionReceipt(receipts[0])).bytes)
        case .success(let other):
            return .uncommitted(inbound.reply(.error(FairwayError(.internal, "coordinator answered a contribution batch with \(other.kind)"))).bytes)
        case .failure(let e) where e.code == .unavailable || e.code == .noReply || e.code == .inProgress:
            var e = e
            if e.retryAfterMilliseconds == 0 { e.retryAfterMilliseconds = 500 }
            if e.code == .noReply { e = FairwayError(.unavailable, "coordinator did not answer: \(e.message)", retryAfterMilliseconds: 500) }
            return .uncommitted(inbound.reply(.error(e)).bytes)
        case .failure(let e):
            return Self.remembered(e, inbound)
        }
    }

    /// A refusal of a contribution, cached for resends only when a resend could not fare
    /// better: "join first" (`unknown-sender`) and anything with a retry hint pass, so the
    /// agent's resend of the same bytes after it joined again is handled afresh.
    private static func remembered(_ refusal: FairwayError, _ inbound: RequestServer.Inbound) -> RequestServer.Handled {
        let bytes = inbound.reply(.error(refusal)).bytes
        let passes = refusal.code == .unknownSender || refusal.retryAfterMilliseconds > 0
        return passes ? .uncommitted(bytes) : .committed(bytes)
    }

    public var subscriberCounters: TransportCounters.Snapshot { subscriber?.counters.snapshot ?? .init() }
    public var serverCounters: TransportCounters.Snapshot { server?.counters.snapshot ?? .init() }
    public var isRegistered: Bool { get async { await state.read { $0.registered } } }
}
