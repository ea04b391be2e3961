import EdgeAgentCore
import FairwayControlJSON
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation
import Logging
import ServiceLifecycle

/// The shell of an agent process: hosts many identities, each an `AgentInstance`,
/// sharing one REQ client per edge server.
public actor AgentHost: Service {
    public let settings: EdgeAgentSettings
    public let identities: [AgentIdentity]
    private var keys: [NodeID: NodeKey]
    private var instances: [NodeID: AgentInstance]
    private let clients: [RequestClient]
    private let logger: Logger
    private let clock: any NodeClock
    /// Charged releases and budgets (`privacy.sqlite`), written before a release leaves.
    private let privacy: PrivacyBudgetStore
    /// Each identity's budget as charged so far.
    private var budgets: [NodeID: PrivacyBudget] = [:]
    /// Builds the DP releases from this process's records (nil: no data).
    private let releases: ReleaseMaker?
    /// Inference inputs (`workload.inputs`), sent in turn.
    private let queries: [DigitRecord]
    private var nextQueryIndex = 0
    private var identityIndex: [NodeID: Int] = [:]
    /// Exported metrics (inference outcomes, ε spent per identity).
    private let metrics: AgentMetrics

    public init(settings: EdgeAgentSettings, logger: Logger, clock: any NodeClock = SystemClock()) throws {
        try settings.validate()
        self.settings = settings
        self.logger = logger
        self.clock = clock
        let ids = try AgentIdentities.load(directory: settings.dataDirectory, count: settings.count, prefix: settings.namePrefix)
        self.identities = ids
        // The process's first identity signs when it talks as a whole; each call names its identity.
        self.clients = try settings.edges.map { try RequestClient(url: $0, identity: ids[0].key, settings: settings.transport, clock: clock) }
        let breaks = try TestBreak.parse(ProcessInfo.processInfo.environment[TestBreak.environmentVariable] ?? "")
        if !breaks.isEmpty { logger.critical("TEST BREAKS ACTIVE (\(TestBreak.environmentVariable)): \(breaks.sorted().map(\.rawValue)) — this agent is deliberately broken") }
        self.privacy = try PrivacyBudgetStore(directory: settings.dataDirectory, breaks: breaks)
        self.releases = try settings.data.path.isEmpty ? nil : ReleaseMaker(settings: settings, identities: ids.count)
        if settings.inferenceInputs.isEmpty {
            self.queries = []
        } else {
            let text: String
            do { text = try String(contentsOfFile: settings.inferenceInputs, encoding: .utf8) } catch {
                throw ConfigError(field: "workload.inputs", message: "cannot read \(settings.inferenceInputs): \(error.localizedDescription)")
            }
            let all: [DigitRecord]
            do { all = try DigitsCSV.parse(text) } catch { throw ConfigError(field: "workload.inputs", message: "\(settings.inferenceInputs): \(error)") }
            self.queries = settings.inferenceHeldOutOnly ? all.enumerated().filter { ModuleDataset.isHeldOut($0.offset) }.map(\.element) : all
        }
        var instances: [NodeID: AgentInstance] = [:]
        var keys: [NodeID: NodeKey] = [:]
        for (i, a) in ids.enumerated() {
            let finished = try privacy.finished(for: a.id)
            instances[a.id] = AgentInstance(id: a.id, name: a.name, publicKey: a.key.publicKey, settings: settings.core, edges: settings.edges, firstEdge: i,
                                            acknowledgedReleases: finished)
            keys[a.id] = a.key
            identityIndex[a.id] = i
            budgets[a.id] = try privacy.budget(for: a.id, epsilon: settings.privacy.budgetEpsilon, delta: settings.privacy.budgetDelta)
        }
        self.instances = instances
        self.keys = keys
        let first = ids[0].name
        let prefix = first.lastIndex(of: "-").map { String(first[..<$0]) } ?? first
        self.metrics = AgentMetrics(node: settings.namePrefix ?? prefix, identities: ids, budgets: budgets)
    }

    public func run() async throws {
        logger.info("hosting \(identities.count) agent identities (\(identities.first!.name)…) over edges \(settings.edges)")
        await withTaskGroup(of: Void.self) { group in
            for (i, a) in identities.enumerated() {
                group.addTask { await self.loop(a.id, stagger: Int64(i) * 7 % max(1, self.settings.heartbeatIntervalMilliseconds)) }
            }
            if settings.workload.ratePerSecond > 0 {
                group.addTask {
                    while !Task.isCancelled {
                        await self.writeUsage()
                        try? await Task.sleep(for: .seconds(1))
                    }
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        if settings.workload.ratePerSecond > 0 { writeUsage() }
        for c in clients { c.close() }
        logger.info("agents stopped")
    }

    /// One identity: tick, carry out its directives, sleep until the wake-up it asks for.
    private func loop(_ id: NodeID, stagger: Int64) async {
        try? await clock.sleep(until: clock.now().adding(milliseconds: stagger))
        while !Task.isCancelled {
            for d in instances[id]!.onTick(now: clock.now()) where !Task.isCancelled { await perform(d, for: id) }
            try? await clock.sleep(until: instances[id]!.nextWake(now: clock.now()))
        }
    }

    private func perform(_ directive: AgentInstance.Directive, for id: NodeID) async {
        switch directive {
        case .log(let line):
            logger.info("\(line)")
        case .wake:
            break  // the loop asks the instance after carrying out the rest
        case .send(let edge, let payload):
            let result: Result<Payload, FairwayError>
            do {
                result = .success(try await clients[edge].call(payload, as: keys[id]!))
            } catch let e as FairwayError {
                result = .failure(e)
            } catch {
                return  // cancelled: shutting down
            }
            for d in instances[id]!.onReply(result, now: clock.now()) { await perform(d, for: id) }
        case .infer(let edge, var request):
            guard instances[id]!.mayInfer(now: clock.now()) else { return }
            let query = nextQuery()
            if let query { request.features = query.pixels }
            let result: Result<Payload, FairwayError>
            do {
                result = .success(try await clients[edge].call(.inferenceRequest(request), as: keys[id]!))
                if let query, case .success(.inferenceReply(let reply)) = result, reply.label >= 0 {
                    instances[id]!.onPrediction(label: reply.label, expected: query.label, moduleVersion: reply.moduleVersion)
                }
            } catch let e as FairwayError {
                result = .failure(e)
            } catch {
                instances[id]!.onInferenceAbandoned()  // cancelled at shutdown
                return
            }
            metrics.inference(result)
            for d in instances[id]!.onInferenceReply(result, cost: request.cost, now: clock.now()) { await perform(d, for: id) }
        case .contribute(let edge, let sequence):
            let result = await contribute(id, edge: edge, sequence: sequence)
            for d in instances[id]!.onContributionResult(result, now: clock.now()) { await perform(d, for: id) }
        }
    }

    /// The next inference input, in turn (nil: admission-only requests).
    private func nextQuery() -> DigitRecord? {
        guard !queries.isEmpty else { return nil }
        defer { nextQueryIndex = (nextQueryIndex + 1) % queries.count }
        return queries[nextQueryIndex]
    }

    /// Release `sequence` of identity `id`: the pending one if a receipt never came (resent byte
    /// for byte), else a new one — built from the identity's records, sealed, charged to its
    /// budget durably, then sent. Raw records and embeddings never leave this function.
    private func contribute(_ id: NodeID, edge: Int, sequence: UInt64) async -> Result<ContributionReceipt, FairwayError> {
        do {
            var release = try privacy.pending(for: id)
            if let pending = release, clock.now().milliseconds(since: pending.sentAt) > settings.transport.replay.windowMilliseconds {
                // Older than the edge's replay window: it would be refused as stale. Give it up (it stays charged).
                try await privacy.abandon(identity: id, sequence: pending.sequence)
                logger.notice("release \(pending.sequence) of \(id) got no receipt within the replay window; abandoned (its budget stays spent)")
                release = nil
            }
            if release == nil {
                guard let maker = releases else {
                    return .failure(FairwayError(.invalidField, "this agent process has no data (data.path) to release", field: "data.path"))
                }
                guard let built = try maker.make(identity: identityIndex[id]!, sequence: sequence) else {
                    return .failure(FairwayError(.invalidField, "no records left for release \(sequence) (\(maker.recordCount(identity: identityIndex[id]!)) records, \(settings.data.recordsPerRelease) per release)",
                                                 field: "data.records_per_release"))
                }
                let now = clock.now()
                let envelope = Envelope(sender: id, sentAt: now, payload: .contribution(built.contribution))
                let pending = PrivacyBudgetStore.Pending(sequence: sequence, sealed: WireCodec.seal(envelope, signedBy: keys[id]!), sentAt: now)
                if let m = built.charge {
                    var budget = budgets[id]!
                    do { try await privacy.charge(m, to: &budget, identity: id, release: pending) } catch let e as PrivacyBudget.Exhausted {
                        return .failure(FairwayError(.invalidField, "privacy budget: \(e)", field: "privacy.budget_epsilon"))
                    }
                    budgets[id] = budget
                    metrics.charged(id, budget)
                } else {
                    try await privacy.record(pending, identity: id)
                }
                release = pending
            }
            let pending = release!
            let opened: VerifiedEnvelope
            do throws(WireCodec.DecodeFailure) { opened = try WireCodec.open(pending.sealed) } catch { return .failure(error.error) }
            let reply = try await clients[edge].callSealed(pending.sealed, messageID: opened.envelope.messageID, as: keys[id]!)
            guard case .contributionReceipt(let receipt) = reply.envelope.payload else {
                return .failure(FairwayError(.malformed, "expected a contribution receipt, got \(reply.envelope.payload.kind)"))
            }
            try await privacy.acknowledge(identity: id, sequence: pending.sequence, leafIndex: receipt.leafIndex)
            return .success(receipt)
        } catch let e as FairwayError {
            if ![.noReply, .unavailable, .inProgress, .unknownSender].contains(e.code), let p = try? privacy.pending(for: id) {
                try? await privacy.abandon(identity: id, sequence: p.sequence)  // refused for good: not recorded anywhere
            }
            return .failure(e)
        } catch {
            return .failure(FairwayError(.internal, "release \(sequence) of \(id): \(error)"))
        }
    }

    /// Per-identity workload results (also written to `<data_dir>/usage.json`).
    public func usage() -> [(identity: AgentIdentity, usage: AgentInstance.UsageStats)] {
        identities.map { ($0, instances[$0.id]!.usage) }
    }

    /// Writes `<data_dir>/usage.json` atomically: one `UsageRow` per identity.
    private func writeUsage() {
        let rows = identities.map { UsageRow(name: $0.name, id: $0.id.rawValue, usage: instances[$0.id]!.usage) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard let data = try? encoder.encode(rows) else { return }
        let path = (settings.dataDirectory as NSString).appendingPathComponent("usage.json")
        try? data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Per-identity view, for tests: (id, edge index, joined).
    public func snapshot() -> [(id: NodeID, edge: Int, joined: Bool)] {
        identities.map { (id: $0.id, edge: instances[$0.id]!.edge, joined: instances[$0.id]!.joined) }
    }
}
