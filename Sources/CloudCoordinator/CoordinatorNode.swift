import FairwayCore
import FairwayRuntime
import FairwayWire
import Logging
import ServiceLifecycle

/// The coordinator's shell: owns the sockets and the database, feeds the
/// `CoordinatorInstance` requests and ticks, and carries out its directives.
public actor CoordinatorNode: Service {
    public let settings: CoordinatorSettings
    /// This node's key; its address is the coordinator's id.
    public nonisolated let identity: NodeKey
    private var instance: CoordinatorInstance
    private let journal: ReplayJournal
    private let store: CoordinatorStore
    private let logger: Logger
    private var server: RequestServer!
    private var publisher: Publisher!
    /// Ports actually bound (useful when configured with port 0).
    public private(set) var controlPort: Int?
    public private(set) var epochPort: Int?

    public init(settings: CoordinatorSettings, logger: Logger) throws {
        try settings.validate()
        self.settings = settings
        self.logger = logger
        self.store = try CoordinatorStore(directory: settings.dataDirectory)
        self.journal = try ReplayJournal(directory: settings.dataDirectory)
        self.identity = try NodeKeyFile.loadOrCreate(settings.effectiveKeyFile)
        let members = try store.loadMembers()
        let now = WallClock.now()
        self.instance = CoordinatorInstance(settings: settings, id: identity.nodeID, publicKey: identity.publicKey,
                                            restoredMembers: members, restoredEpoch: try store.loadEpoch(),
                                            restoredTokens: try store.loadTokens(), now: now)
        if !members.isEmpty { logger.info("restored \(members.count) members from \(settings.dataDirectory)") }
    }

    /// Opens and binds the sockets. Called by `run()`; call it first to learn the ports.
    public func start() throws {
        guard server == nil else { return }
        let server = try RequestServer(identity: identity, settings: settings.transport, logger: logger,
                                       journal: journal, durableKinds: Self.durableKinds) { [weak self] request in
            guard let self else { return .error(FairwayError(.unavailable, "shutting down")) }
            return await self.handle(request.envelope)
        }
        controlPort = try server.listen(settings.controlURL)
        let publisher = try Publisher(identity: identity, settings: settings.transport)
        epochPort = try publisher.listen(settings.epochURL)
        self.server = server
        self.publisher = publisher
        logger.info("coordinator \(settings.name) (\(identity.nodeID)) serving control on \(settings.controlURL), epochs on \(settings.epochURL)")
    }

    public func run() async throws {
        try start()
        let server = self.server!
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await server.run() }
            group.addTask { await self.tickLoop() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        server.close()
        publisher.close()
        logger.info("coordinator stopped")
    }

    /// Request kinds whose replay after a restart could count twice: journaled durably.
    static let durableKinds: Set<String> = ["join", "grant_request", "usage_report"]

    private func tickLoop() async {
        var lastPrune = ContinuousClock.now
        while !Task.isCancelled {
            let directives = instance.onTick(now: WallClock.now())
            await execute(directives)
            if lastPrune.duration(to: .now) > .seconds(10) {
                lastPrune = .now
                await server.pruneJournal(now: WallClock.now())
            }
            try? await Task.sleep(for: .milliseconds(settings.tickMilliseconds))
        }
    }

    func handle(_ request: Envelope) async -> Payload {
        if case .epochsRequest(let limit) = request.payload {
            do { return .epochsReply(try store.loadEpochs(limit: Int(limit))) } catch {
                return .error(FairwayError(.unavailable, "epoch history unreadable: \(error)", retryAfterMilliseconds: 500))
            }
        }
        let (reply, directives) = instance.onRequest(request, now: WallClock.now())
        // Durable before acknowledged: a failed write turns the reply into an error.
        if await execute(directives) == false {
            return .error(FairwayError(.unavailable, "could not persist state; retry", retryAfterMilliseconds: 500))
        }
        return reply
    }

    /// Carries out directives; returns false if a persist failed.
    @discardableResult
    private func execute(_ directives: [CoordinatorInstance.Directive]) async -> Bool {
        var ok = true
        for d in directives {
            if case .publish = d, !ok { continue }  // never announce what is not durable
            switch d {
            case .persistMember(let m):
                do { try await store.save(m) } catch {
                    ok = false
                    logger.error("persisting member \(m.id) failed: \(error)")
                }
            case .persistEpoch(let record, let grants, let accounts):
                do { try await store.saveEpoch(record, grants: grants, accounts: accounts) } catch {
                    ok = false
                    logger.error("persisting epoch \(record.epoch) failed: \(error)")
                }
                logger.info("epoch \(record.epoch): granted \(record.granted) of \(record.totalTokens) tokens to \(record.agents) agents (\(record.allocator))")
            case .compactTokens(let accounts, let removed):
                do { try await store.compactTokens(accounts: accounts, removedLeases: removed) } catch {
                    logger.error("persisting lease compaction failed: \(error)")  // harmless: restored rows fold again later
                }
            case .persistTokens(let accounts, let leases, let next):
                do { try await store.saveTokens(accounts: accounts, leases: leases, nextLeaseID: next) } catch {
                    ok = false
                    logger.error("persisting token state failed: \(error)")
                }
            case .publish(let announcement):
                do { try await publisher.publish(.epochAnnouncement(announcement), now: WallClock.now()) } catch {
                    logger.debug("epoch announcement not published: \(error)")
                }
            case .log(let line):
                logger.info("\(line)")
            }
        }
        return ok
    }

    /// Current member table (for tests and tools in-process).
    public func status() -> [NodeStatus] { instance.statusRows() }
    /// The token book (for tests in-process).
    public var tokens: TokenAccounts { instance.tokens }
    public var epoch: UInt64 { instance.epoch }
    public var serverCounters: TransportCounters.Snapshot { server?.counters.snapshot ?? .init() }
}
