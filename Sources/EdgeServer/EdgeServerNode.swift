import FairwayCore
import FairwayRuntime
import FairwayWire
import Logging
import ServiceLifecycle

/// The edge server's shell: serves agents on a REP socket, talks to the
/// coordinator over REQ, listens to epoch announcements over SUB.
public actor EdgeServerNode: Service {
    public let settings: EdgeServerSettings
    /// This node's key; its address is the edge's id.
    public nonisolated let identity: NodeKey
    private var instance: EdgeInstance
    private let store: EdgeStore
    private var savedRetired: Set<UInt64> = []
    private let logger: Logger
    private var server: RequestServer!
    private var coordinator: RequestClient!
    private var subscriber: Subscriber!
    public private(set) var listenPort: Int?

    public init(settings: EdgeServerSettings, logger: Logger) throws {
        try settings.validate()
        try DataDirectory.ensure(settings.dataDirectory)
        self.settings = settings
        self.logger = logger
        self.identity = try NodeKeyFile.loadOrCreate(settings.effectiveKeyFile)
        self.store = try EdgeStore(directory: settings.dataDirectory)
        let restored = try store.load()
        self.savedRetired = restored.retiredLeaseIDs
        self.instance = EdgeInstance(settings: settings, id: identity.nodeID, publicKey: identity.publicKey, restoredLeases: restored)
        if !restored.leases.isEmpty {
            logger.info("restored \(restored.leases.count) token leases; settling them with the coordinator")
        }
    }

    public func start() throws {
        guard server == nil else { return }
        // An admission's debit and its journal entry commit in one transaction (edge.sqlite).
        let server = try RequestServer(identity: identity, settings: settings.transport, logger: logger,
                                       journal: store.journal, durableKinds: ["inference_request"]) { [weak self] request in
            guard let self else { return RequestServer.Outcome(.error(FairwayError(.unavailable, "shutting down"))) }
            return await self.handle(request)
        }
        listenPort = try server.listen(settings.listenURL)
        coordinator = try RequestClient(url: settings.coordinatorURL, identity: identity, settings: settings.transport)
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
            group.addTask { await self.tickLoop() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        server.close()
        subscriber.close()
        coordinator.close()
        logger.info("edge \(settings.name) stopped")
    }

    private func onAnnouncement(_ a: EpochAnnouncement, from sender: NodeID) {
        if !instance.onEpochAnnouncement(a, from: sender, now: WallClock.now()) {
            logger.notice("ignored an epoch announcement from \(sender), not the trusted coordinator")
        }
    }

    private func tickLoop() async {
        await perform([instance.leasesToPersist])
        var lastPrune = ContinuousClock.now
        while !Task.isCancelled {
            await perform(instance.onTick(now: WallClock.now()))
            if lastPrune.duration(to: .now) > .seconds(10) {
                lastPrune = .now
                await server.pruneJournal(now: WallClock.now())
            }
            try? await Task.sleep(for: .milliseconds(settings.tickMilliseconds))
        }
    }

    /// Carries out directives in order; a coordinator call's result may add more.
    private func perform(_ directives: [EdgeInstance.Directive]) async {
        for d in directives {
            switch d {
            case .joinCoordinator(let join):
                await perform(instance.onCoordinatorResult(await callCoordinator(.join(join)), for: d, now: WallClock.now()))
            case .heartbeatCoordinator(let hb):
                await perform(instance.onCoordinatorResult(await callCoordinator(.heartbeat(hb)), for: d, now: WallClock.now()))
            case .fetchGrants(let g):
                await perform(instance.onCoordinatorResult(await callCoordinator(.grantRequest(g)), for: d, now: WallClock.now()))
            case .reportUsage(let u):
                await perform(instance.onCoordinatorResult(await callCoordinator(.usageReport(u)), for: d, now: WallClock.now()))
            case .persistLeases(let leases, let retired):
                let newlyRetired = retired.subtracting(savedRetired)
                do {
                    try await store.save(leases, retired: newlyRetired)
                    savedRetired.formUnion(newlyRetired)
                } catch {
                    logger.error("persisting token leases failed: \(error)")
                }
            case .log(let line):
                logger.info("\(line)")
            }
        }
    }

    private func callCoordinator(_ payload: Payload) async -> Result<Payload, FairwayError> {
        do {
            let reply = try await coordinator.callVerified(payload)
            if let pinned = instance.coordinatorID, reply.envelope.sender != pinned {
                return .failure(FairwayError(.unauthenticated, "reply signed by \(reply.envelope.sender), not the trusted coordinator \(pinned)",
                                             field: "envelope.sender", peer: settings.coordinatorURL))
            }
            return .success(reply.envelope.payload)
        } catch let e as FairwayError {
            return .failure(e)
        } catch {
            return .failure(FairwayError(.unavailable, "\(error)"))
        }
    }

    func handle(_ request: VerifiedEnvelope) async -> RequestServer.Outcome {
        switch instance.onAgentRequest(request.envelope, now: WallClock.now()) {
        case .reply(let payload):
            return RequestServer.Outcome(payload)
        case .persistThenReply(let debited, let reply):
            // The server commits the debit with the journal entry before it sends the reply. If
            // that fails the in-memory debit stays: under-serving, never over-serving.
            return RequestServer.Outcome(reply, writes: store.debitWrites(debited))
        case .relayJoin(var join):
            // The agent's own signed envelope proves to the coordinator that it holds the key.
            join.agentProof = request.sealed
            let result: Result<JoinAccepted, FairwayError>
            switch await callCoordinator(.join(join)) {
            case .success(.joinAccepted(let a)): result = .success(a)
            case .success(let other): result = .failure(FairwayError(.internal, "coordinator answered join with \(other.kind)"))
            case .failure(let e): result = .failure(e)
            }
            return RequestServer.Outcome(instance.onAgentJoinResult(join, result: result, now: WallClock.now()))
        }
    }

    public var subscriberCounters: TransportCounters.Snapshot { subscriber?.counters.snapshot ?? .init() }
    public var serverCounters: TransportCounters.Snapshot { server?.counters.snapshot ?? .init() }
    public var isRegistered: Bool { instance.registered }
}
