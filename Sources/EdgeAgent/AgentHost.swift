import FairwayCore
import FairwayRuntime
import FairwayWire
import Logging
import ServiceLifecycle

/// The shell of an agent process: hosts many identities, each an `AgentInstance`,
/// sharing one REQ client per edge server.
public actor AgentHost: Service {
    public let settings: EdgeAgentSettings
    public let identities: [NodeID]
    private var instances: [NodeID: AgentInstance]
    private let clients: [RequestClient]
    private let logger: Logger

    public init(settings: EdgeAgentSettings, logger: Logger) throws {
        try settings.validate()
        self.settings = settings
        self.logger = logger
        let ids = try AgentIdentities.load(directory: settings.dataDirectory, count: settings.count, prefix: settings.idPrefix)
        self.identities = ids
        // The process's first identity names it on the wire when it talks as a whole.
        self.clients = try settings.edges.map { try RequestClient(url: $0, nodeID: ids[0], settings: settings.transport) }
        var instances: [NodeID: AgentInstance] = [:]
        for (i, id) in ids.enumerated() {
            instances[id] = AgentInstance(id: id, settings: settings, firstEdge: i)
        }
        self.instances = instances
    }

    public func run() async throws {
        logger.info("hosting \(identities.count) agent identities (\(identities.first!)…) over edges \(settings.edges)")
        await withTaskGroup(of: Void.self) { group in
            for (i, id) in identities.enumerated() {
                group.addTask { await self.loop(id, stagger: Int64(i) * 7 % max(1, self.settings.heartbeatIntervalMilliseconds)) }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        for c in clients { c.close() }
        logger.info("agents stopped")
    }

    private func loop(_ id: NodeID, stagger: Int64) async {
        try? await Task.sleep(for: .milliseconds(stagger))
        while !Task.isCancelled {
            for d in instances[id]!.onTick(now: WallClock.now()) { await perform(d, for: id) }
            try? await Task.sleep(for: .milliseconds(settings.tickMilliseconds))
        }
    }

    private func perform(_ directive: AgentInstance.Directive, for id: NodeID) async {
        switch directive {
        case .log(let line):
            logger.info("\(line)")
        case .send(let edge, let payload):
            let result: Result<Payload, FairwayError>
            do {
                result = .success(try await clients[edge].call(payload, as: id))
            } catch let e as FairwayError {
                result = .failure(e)
            } catch {
                return  // cancelled: shutting down
            }
            for d in instances[id]!.onReply(result, now: WallClock.now()) { await perform(d, for: id) }
        }
    }

    /// Per-identity view, for tests: (id, edge index, joined).
    public func snapshot() -> [(id: NodeID, edge: Int, joined: Bool)] {
        identities.map { (id: $0, edge: instances[$0]!.edge, joined: instances[$0]!.joined) }
    }
}
