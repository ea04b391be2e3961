import Foundation

/// Where a chaos run's nodes live and how the schedule's faults reach them: real processes,
/// each in its own network namespace (`ChaosProcessCluster`), or the containers of a compose
/// project (`ChaosComposeCluster`). `ChaosRun` drives either the same way: the same daemons and
/// arguments, the same workload, schedule, history and checker.
protocol ChaosCluster: AnyObject, Sendable {
    /// One line for the log: what the nodes are and where.
    var description: String { get }
    /// Whether `isolate` and `split` faults can be injected.
    var partitions: Bool { get }
    /// The host name or address at which `node` is reached by every other node and by the
    /// harness's clients.
    func address(_ node: ChaosNode) -> String
    /// Port of the coordinator's control socket, its epoch socket and every edge's socket.
    func port(_ fixed: Int) throws -> Int
    /// The node's data directory as its daemon sees it.
    func dataPath(_ node: ChaosNode) -> String
    /// The digits CSV as the daemons see it.
    var digitsPath: String { get }
    /// Starts `node`'s daemon: `program` is the executable's name (`cloud-coordinator`,
    /// `edge-server`, `edge-agent`), run with `arguments` and the run's test breaks.
    func launch(_ node: ChaosNode, program: String, arguments: [String]) async throws
    /// `kill -9` (or `docker kill`); the node stays down until `restart`.
    func crash(_ node: ChaosNode) async throws
    /// Starts a crashed node again with the same command line and data.
    func restart(_ node: ChaosNode) async throws
    /// SIGSTOP (or `docker pause`).
    func pause(_ node: ChaosNode) async throws
    /// SIGCONT (or `docker unpause`).
    func resume(_ node: ChaosNode) async throws
    /// Cuts `node` off from every other node and the clients.
    func isolate(_ node: ChaosNode) async throws
    /// Drops every packet between `node` and each of `peers`.
    func split(_ node: ChaosNode, from peers: [ChaosNode]) async throws
    /// Undoes `isolate(node)` or `split(node, …)`.
    func heal(_ node: ChaosNode) async throws
    /// Daemons that are not running although the schedule did not crash them.
    func dead() async -> [ChaosNode]
    /// Resumes every paused node, then stops all gracefully (agents first, coordinator last),
    /// leaving their data for the checker.
    func stopAll() async
    /// A harness client's command line, wrapped to run where the clients live.
    func client(_ executable: String, _ arguments: [String]) -> (String, [String])
}
