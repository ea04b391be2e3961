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

    public init(settings: EdgeAgentSettings, logger: Logger, clock: any NodeClock = SystemClock()) throws {
        try settings.validate()
        self.settings = settings
        self.logger = logger
        self.clock = clock
        let ids = try AgentIdentities.load(directory: settings.dataDirectory, count: settings.count, prefix: settings.namePrefix)
        self.identities = ids
        // The process's first identity signs when it talks as a whole; each call names its identity.
        self.clients = try settings.edges.map { try RequestClient(url: $0, identity: ids[0].key, settings: settings.transport, clock: clock) }
        var instances: [NodeID: AgentInstance] = [:]
        var keys: [NodeID: NodeKey] = [:]
        for (i, a) in ids.enumerated() {
            instances[a.id] = AgentInstance(id: a.id, name: a.name, publicKey: a.key.publicKey, settings: settings.core, edges: settings.edges, firstEdge: i)
            keys[a.id] = a.key
        }
        self.instances = instances
        self.keys = keys
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
        case .infer(let edge, let request):
            guard instances[id]!.mayInfer(now: clock.now()) else { return }
            let result: Result<Payload, FairwayError>
            do {
                result = .success(try await clients[edge].call(.inferenceRequest(request), as: keys[id]!))
            } catch let e as FairwayError {
                result = .failure(e)
            } catch {
                instances[id]!.onInferenceAbandoned()  // cancelled at shutdown
                return
            }
            for d in instances[id]!.onInferenceReply(result, cost: request.cost, now: clock.now()) { await perform(d, for: id) }
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
