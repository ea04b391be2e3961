import CoordinatorCore
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation
import Logging
import ServiceLifecycle

/// The coordinator's shell: owns the sockets and the database, feeds the `CoordinatorInstance`
/// requests and wake-ups through a `CommitLoop` (durable before visible), and carries out the
/// directives that are effects (announcements, logs, the next wake-up).
public actor CoordinatorNode: Service {
    public let settings: CoordinatorSettings
    /// This node's key; its address is the coordinator's id.
    public nonisolated let identity: NodeKey
    /// The instance, changed only by committed batches.
    public nonisolated let state: CommitLoop<CoordinatorInstance>
    private let store: CoordinatorStore
    /// Exported metrics, updated from committed batches only.
    private let metrics: CoordinatorMetrics
    private let logger: Logger
    private let clock: any NodeClock
    private var server: RequestServer!
    private var publisher: Publisher!
    /// Ports actually bound (useful when configured with port 0).
    public private(set) var controlPort: Int?
    public private(set) var epochPort: Int?

    /// How often the replay journal drops entries older than the replay window.
    static let journalPruneInterval: Duration = .seconds(10)
    /// How long to wait before retrying a wake-up whose commit failed.
    static let retryAfterFailedCommit: Duration = .milliseconds(500)

    public init(settings: CoordinatorSettings, logger: Logger, clock: any NodeClock = SystemClock()) throws {
        try settings.validate()
        self.settings = settings
        self.logger = logger
        self.clock = clock
        self.store = try CoordinatorStore(directory: settings.dataDirectory)
        self.identity = try NodeKeyFile.loadOrCreate(settings.effectiveKeyFile)
        let restored = try store.load()
        let me = NodeIdentity(id: identity.nodeID, publicKey: identity.publicKey, name: settings.name,
                                              address: settings.advertiseURL ?? settings.controlURL)
        let plan = try ContractPlanner.plan(settings.core.contracts)
        var core = settings.core
        core.breaks = try TestBreak.parse(ProcessInfo.processInfo.environment[TestBreak.environmentVariable] ?? "")
        if !core.breaks.isEmpty { logger.critical("TEST BREAKS ACTIVE (\(TestBreak.environmentVariable)): \(core.breaks.sorted().map(\.rawValue)) — this coordinator is deliberately broken") }
        let instance = CoordinatorInstance(settings: core, identity: me, replay: settings.transport.replay, restored: restored,
                                           contractPlan: plan, now: clock.now())
        if let plan {
            logger.info("contracts: \(plan.scheme.rawValue) menus T1 \(plan.terms.T1) R1 \(plan.terms.R1.map { ($0 * 100).rounded() / 100 }) T2 \(plan.terms.T2), periods of \(settings.core.contracts.periodEpochs) epochs")
        }
        self.state = CommitLoop(instance, writer: store.db)
        self.metrics = CoordinatorMetrics(node: settings.name, restoredEpochStart: restored.epoch?.startedAt)
        if !restored.members.isEmpty { logger.info("restored \(restored.members.count) members from \(settings.dataDirectory)") }
    }

    /// Opens and binds the sockets. Called by `run()`; call it first to learn the ports.
    public func start() throws {
        guard server == nil else { return }
        // Under an allow-list only listed keys get a session at all (fairwayctl needs a listed
        // --key-file); an open coordinator lets any key handshake and decides per request.
        let policy = settings.core.admission.policy
        let server = try RequestServer(identity: identity, settings: settings.transport, logger: logger, clock: clock,
                                       journal: store.journal, durableKinds: CoordinatorInstance.durableKinds,
                                       authorize: { peer in
                                           policy.admits(publicKey: peer.publicKey) ? nil
                                               : FairwayError(.notAdmitted, "the coordinator's allow-list does not include \(peer.nodeID)'s key; no session",
                                                              field: "frame.handshake_finish.binding.identity_key")
                                       }, metrics: TransportMetrics(role: .cloudCoordinator, node: settings.name)) { [weak self] inbound in
            guard let self else { return .uncommitted(inbound.reply(.error(FairwayError(.unavailable, "shutting down"))).bytes) }
            return await self.handle(inbound)
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
            group.addTask { await self.timeLoop() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        server.close()
        publisher.close()
        logger.info("coordinator stopped")
    }

    /// Wakes the instance when it asked to (`.wake(at:)`), and prunes the journal.
    private func timeLoop() async {
        var nextPrune = clock.now().adding(Self.journalPruneInterval)
        while !Task.isCancelled {
            var wake = clock.now().adding(Self.retryAfterFailedCommit)
            let clock = self.clock, sign = self.sign
            do {
                let directives = try await state.apply { instance in
                    let d = instance.onTick(now: clock.now())
                    return .init(d, writes: CoordinatorStore.writes(for: d, sign: sign))
                }
                wake = await perform(directives) ?? wake
                metrics.sample(await state.read { CoordinatorMetrics.Sample($0) })
            } catch {
                logger.error("epoch/membership state not persisted, retrying: \(error)")
            }
            if clock.now() >= nextPrune {
                nextPrune = clock.now().adding(Self.journalPruneInterval)
                await server.pruneJournal(now: clock.now())
            }
            // Requests never move the next wake earlier: joins and heartbeats push failure
            // deadlines later, and the clock's announcements come at least every heartbeat interval.
            try? await clock.sleep(until: min(wake, nextPrune))
        }
    }

    func handle(_ inbound: RequestServer.Inbound) async -> RequestServer.Handled {
        let kind = inbound.envelope.payload.kind
        guard CoordinatorInstance.servedKinds.contains(kind) else {
            return .committed(inbound.reply(.error(FairwayError(.unexpectedPayload, "the coordinator's control socket does not serve \(kind)",
                                                                 field: "envelope.payload", peer: inbound.envelope.sender.rawValue))).bytes)
        }
        if case .epochsRequest(let limit) = inbound.envelope.payload {
            do { return .committed(inbound.reply(.epochsReply(try store.loadEpochs(limit: Int(limit)))).bytes) } catch {
                return .uncommitted(inbound.reply(.error(FairwayError(.unavailable, "epoch history unreadable: \(error)", retryAfterMilliseconds: 500))).bytes)
            }
        }
        if case .ledgerRequest(let start, let limit) = inbound.envelope.payload {
            do { return .committed(inbound.reply(.ledgerReply(try store.loadLedger(start: start, limit: limit))).bytes) } catch {
                return .uncommitted(inbound.reply(.error(FairwayError(.unavailable, "ledger unreadable: \(error)", retryAfterMilliseconds: 500))).bytes)
            }
        }
        if kind.isReadOnly {
            var reply = await state.read { $0.onQuery(inbound.envelope) }
            if case .ledgerProofReply(var proof) = reply {
                do {
                    proof.leaf = try store.loadLeaf(proof.index) ?? []
                    reply = .ledgerProofReply(proof)
                } catch {
                    reply = .error(FairwayError(.unavailable, "ledger unreadable: \(error)", retryAfterMilliseconds: 500))
                }
            }
            return .committed(inbound.reply(reply).bytes)
        }
        let request = VerifiedRequest(inbound.envelope)  // verifies relayed agent signatures, off the actor
        let clock = self.clock, sign = self.sign, told = joinParameters
        let (handled, directives, failure) = await state.handle(inbound) { instance in
            let (reply, directives) = instance.onRequest(request, now: clock.now())
            return (told.fill(reply), CoordinatorStore.writes(for: directives, sign: sign), directives)
        }
        if let failure { logger.error("\(kind) from \(inbound.envelope.sender) not persisted: \(failure)") }
        if let directives { _ = await perform(directives) }
        return handled
    }

    /// What join replies tell a node about this coordinator's sockets and replay window.
    private nonisolated var joinParameters: JoinParameters {
        JoinParameters(epochURL: settings.advertiseEpochURL ?? URLCheck.dialable(settings.epochURL), replay: settings.transport.replay)
    }

    /// Carries out the effects of a committed batch (and counts them); returns the requested wake-up.
    private func perform(_ directives: [CoordinatorInstance.Directive]) async -> Timestamp? {
        metrics.committed(directives)
        var wake: Timestamp?
        for d in directives {
            switch d {
            case .epoch(.announce(let announcement)):
                do { try await publisher.publish(.epochAnnouncement(announcement), now: clock.now()) } catch {
                    logger.debug("epoch announcement not published: \(error)")
                }
            case .tokens(.persistGrants(let record, _, _)):
                logger.info("epoch \(record.epoch): granted \(record.granted) of \(record.totalTokens) tokens to \(record.agents) agents (\(record.allocator))")
            case .membership(.transition(let id, let from, let to)):
                logger.info("\(id) \(from.rawValue) → \(to.rawValue)")
            case .wake(let at):
                wake = at
            case .log(let line):
                logger.info("\(line)")
            case .ledger(.signHead(let head)):
                logger.info("epoch \(head.epoch): signed ledger tree head, size \(head.treeSize), root \(head.rootHash.prefix(8).map { String(format: "%02x", $0) }.joined())…")
            case .contracts(.persistRound(let r)):
                logger.info("contracts: round \(r.round) period \(r.period) open until epoch \(r.deadlineEpoch)")
            case .contracts(.persistModule(let m)):
                logger.info("contracts: integrated module version \(m.version), held-out accuracy \(m.accuracy)")
            case .cloud(.persist(let record)):
                let shares = record.rows.map { "\($0.edge.rawValue.prefix(10))… \(($0.share.inferenceRPS * 100).rounded() / 100) req/s, \(($0.share.trainingSteps * 100).rounded() / 100) steps, \($0.share.labels) labels" }
                if !record.rows.isEmpty { logger.info("epoch \(record.epoch): cloud shares (\(record.allocator)): \(shares.joined(separator: "; "))") }
            case .membership(.persist), .epoch(.persist), .tokens(.persistTokens), .tokens(.compact), .ledger(.append), .cloud(.persistUsage),
                 .contracts(.persistEdge), .contracts(.persistChunk), .contracts(.clearChunks), .contracts(.pay):
                break  // committed with the batch
            }
        }
        return wake
    }

    /// Signs a tree head with this coordinator's key (inside the commit that stores it).
    private nonisolated var sign: @Sendable (SignedTreeHead) -> SignedTreeHead {
        let key = identity
        return { $0.signed(by: key) }
    }

    /// Current member table, committed (for tests and tools in-process).
    public func status() async -> [NodeStatus] { await state.read { $0.status().nodes } }
    /// The token book, committed (for tests in-process).
    public var tokens: TokenAccounts { get async { await state.read { $0.tokens } } }
    public var epoch: UInt64 { get async { await state.read { $0.epoch } } }
    public var serverCounters: TransportCounters.Snapshot { server?.counters.snapshot ?? .init() }
}
