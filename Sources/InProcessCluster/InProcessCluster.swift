import CloudCoordinator
import EdgeServer
import FairwayCore
import FairwayRuntime
import Logging

/// A coordinator and edge servers running in this process over tcp loopback (ports chosen by
/// the OS), with their SQLite files under `directory`: the real shells, for tests and benchmarks.
public actor InProcessCluster {
    public let directory: String
    public let logger: Logger
    public let clock: any NodeClock
    public let coordinator: CoordinatorNode
    public private(set) var edges: [EdgeServerNode] = []
    /// The coordinator's control URL (port resolved).
    public nonisolated let coordinatorURL: String
    /// Each edge's agent URL (port resolved; a restarted edge binds the same one).
    public private(set) var edgeURLs: [String] = []
    private var edgeSettings: [EdgeServerSettings] = []
    private var coordinatorTask: Task<Void, Never>?
    private var edgeTasks: [Task<Void, Never>?] = []

    /// Starts the coordinator and `edges` edge servers (`edge-1`, …).
    /// - Parameters:
    ///   - coordinator / edge: adjust the settings before start (sockets and directories are set).
    public init(directory: String, edges count: Int = 1, logger: Logger, clock: any NodeClock = SystemClock(),
                coordinator configure: (inout CoordinatorSettings) -> Void = { _ in },
                edge configureEdge: (inout EdgeServerSettings) -> Void = { _ in }) async throws {
        self.directory = directory
        self.logger = logger
        self.clock = clock
        var cs = CoordinatorSettings()
        cs.controlURL = "tcp://127.0.0.1:0"
        cs.epochURL = "tcp://127.0.0.1:0"
        cs.dataDirectory = directory + "/coordinator"
        configure(&cs)
        let node = try CoordinatorNode(settings: cs, logger: logger, clock: clock)
        try await node.start()
        coordinator = node
        coordinatorURL = "tcp://127.0.0.1:\(await node.controlPort!)"
        let epochURL = "tcp://127.0.0.1:\(await node.epochPort!)"
        coordinatorTask = Task { try? await node.run() }
        for i in stride(from: 1, through: count, by: 1) {
            var es = EdgeServerSettings()
            es.name = "edge-\(i)"
            es.listenURL = "tcp://127.0.0.1:0"
            es.coordinatorURL = coordinatorURL
            es.coordinatorEpochURL = epochURL
            es.dataDirectory = directory + "/edge-\(i)"
            configureEdge(&es)
            let edge = try EdgeServerNode(settings: es, logger: logger, clock: clock)
            try await edge.start()
            es.listenURL = "tcp://127.0.0.1:\(await edge.listenPort!)"  // a restart binds the same port
            edges.append(edge)
            edgeSettings.append(es)
            edgeURLs.append(es.listenURL)
            edgeTasks.append(Task { try? await edge.run() })
        }
    }

    /// Stops edge `index` (0-based) gracefully.
    public func stopEdge(_ index: Int) async {
        let task = edgeTasks[index]
        edgeTasks[index] = nil
        task?.cancel()
        await task?.value
    }

    /// Stops edge `index` if running and starts a new process-equivalent on its data directory and port.
    public func restartEdge(_ index: Int) async throws {
        await stopEdge(index)
        let edge = try EdgeServerNode(settings: edgeSettings[index], logger: logger, clock: clock)
        try await edge.start()
        edges[index] = edge
        edgeTasks[index] = Task { try? await edge.run() }
    }

    /// Stops every node.
    public func stop() async {
        for i in edgeTasks.indices { await stopEdge(i) }
        coordinatorTask?.cancel()
        await coordinatorTask?.value
        coordinatorTask = nil
    }
}
