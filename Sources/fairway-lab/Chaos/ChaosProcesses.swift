import FairwayCore
import FairwayRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The chaos cluster's daemons as real processes (each in its node's namespace, or on loopback
/// with `--no-netns`): started, killed with `kill -9` and restarted on the same data directory,
/// paused and resumed. Every pid it starts is remembered so that `ChaosCleanup` can kill them
/// on any exit.
final class ChaosProcesses: @unchecked Sendable {
    struct Member: Sendable {
        var node: ChaosNode
        var executable: String
        var arguments: [String]
        var log: String
        var pid: pid_t = 0
        /// Paused with SIGSTOP and not yet resumed.
        var stopped = false
    }

    private var members: [ChaosNode: Member] = [:]
    private let lock = NSLock()
    let network: ChaosNetwork?
    /// Extra environment of every daemon (`FAIRWAY_TEST_BREAK` with `--break`).
    let environment: [String: String]

    init(network: ChaosNetwork?, environment: [String: String]) {
        self.network = network
        self.environment = environment
    }

    var nodes: [ChaosNode] { lock.withLock { members.keys.sorted() } }
    var pids: [pid_t] { lock.withLock { members.values.map(\.pid).filter { $0 > 0 } } }

    func member(_ node: ChaosNode) -> Member? { lock.withLock { members[node] } }

    /// Registers `node`'s command line and starts it.
    func add(_ node: ChaosNode, executable: String, arguments: [String], log: String) throws {
        lock.withLock { members[node] = Member(node: node, executable: executable, arguments: arguments, log: log) }
        try start(node)
    }

    /// Starts (or restarts) `node`'s process with its registered command line.
    func start(_ node: ChaosNode) throws {
        guard var m = member(node) else { throw ConfigError(field: "node", message: "no process \(node) in the chaos cluster") }
        let (exe, args) = network?.wrap(node, m.executable, m.arguments) ?? (m.executable, m.arguments)
        m.pid = try ProcessSpawner.spawn(exe, args, logPath: m.log, environment: environment)
        m.stopped = false
        ChaosCleanup.shared.remember(m.pid)
        lock.withLock { members[node] = m }
    }

    /// `kill -9` and reaps it.
    func crash(_ node: ChaosNode) async {
        guard let m = member(node), m.pid > 0 else { return }
        kill(m.pid, SIGKILL)
        _ = await ProcessSpawner.waitForExit(m.pid)
        ChaosCleanup.shared.forget(m.pid)
    }

    func pause(_ node: ChaosNode) {
        guard let m = member(node), m.pid > 0 else { return }
        kill(m.pid, SIGSTOP)
        lock.withLock { members[node]?.stopped = true }
    }

    func resume(_ node: ChaosNode) {
        guard let m = member(node), m.pid > 0 else { return }
        kill(m.pid, SIGCONT)
        lock.withLock { members[node]?.stopped = false }
    }

    /// Names of the daemons that exited on their own (not killed by the schedule).
    func dead() -> [ChaosNode] {
        lock.withLock { members.values.filter { $0.pid > 0 && !ProcessSpawner.isAlive($0.pid) }.map(\.node) }.sorted()
    }

    /// Resumes every paused process, then stops all: SIGTERM, SIGKILL after `grace`; agents
    /// first, coordinator last.
    func stopAll(grace: Duration = .seconds(5)) async {
        for m in lock.withLock({ Array(members.values) }) where m.pid > 0 { kill(m.pid, SIGCONT) }
        for node in nodes.reversed() {
            guard let m = member(node), m.pid > 0 else { continue }
            _ = await ProcessSpawner.stop(m.pid, grace: grace)
            ChaosCleanup.shared.forget(m.pid)
        }
    }
}

/// What must be undone on any exit of a chaos run — its processes and its namespaces — also
/// on SIGINT/SIGTERM and on a harness error.
final class ChaosCleanup: @unchecked Sendable {
    static let shared = ChaosCleanup()
    private let lock = NSLock()
    private var pids: [pid_t] = []
    private var network: ChaosNetwork?
    private var undos: [@Sendable () -> Void] = []
    private var signalSources: [DispatchSourceSignal] = []

    func remember(_ pid: pid_t) { lock.withLock { pids.append(pid) } }
    /// Forgets a pid once its process was reaped (its number may be reused by someone else's).
    func forget(_ pid: pid_t) { lock.withLock { pids.removeAll { $0 == pid } } }
    func remember(_ network: ChaosNetwork) { lock.withLock { self.network = network } }
    /// Something else to undo on exit (a compose project's containers and network); run once.
    func remember(undo: @escaping @Sendable () -> Void) { lock.withLock { undos.append(undo) } }

    /// Kills every process this run started (SIGCONT first, so a paused one dies too),
    /// deletes its namespaces and runs the remembered undos (a compose project's `down`).
    func run() {
        let (ps, net, us) = lock.withLock { () -> ([pid_t], ChaosNetwork?, [@Sendable () -> Void]) in
            defer { pids = []; network = nil; undos = [] }
            return (pids, network, undos)
        }
        for p in ps { kill(p, SIGCONT); kill(p, SIGKILL) }
        for p in ps { var s: Int32 = 0; waitpid(p, &s, 0) }
        net?.destroy()
        for u in us { u() }
    }

    /// On SIGINT or SIGTERM: clean up, then exit 130 / 143.
    func installSignalHandlers() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                FileHandle.standardError.write(Data("[chaos] signal \(sig): stopping the cluster and deleting its namespaces\n".utf8))
                run()
                exit(128 + sig)
            }
            source.resume()
            lock.withLock { signalSources.append(source) }
        }
    }
}
