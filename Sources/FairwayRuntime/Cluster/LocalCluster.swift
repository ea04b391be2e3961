import FairwayCore
import NNG
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A cluster of real daemon processes on loopback, described in `<dir>/cluster.json`
/// so that `fairwayctl cluster down` (or a test) can stop or restart any member.
public struct LocalCluster: Codable, Sendable {
    public struct Process: Codable, Sendable {
        /// Name of the process: `coordinator`, `edge-1`…, `agents`.
        public var name: String
        public var executable: String
        public var arguments: [String]
        public var log: String
        public var pid: Int32
        /// `http://127.0.0.1:PORT/metrics` when the cluster runs with metrics (`Plan.metricsBasePort`).
        public var metricsURL: String?
    }

    /// Options of `cluster up`.
    public struct Plan: Sendable {
        public var edges = 2
        public var agents = 10
        public var directory: String
        /// Where the daemons' executables are; default: next to the running executable.
        public var binDirectory = ProcessSpawner.ownDirectory()
        public var heartbeatIntervalMilliseconds: Int64 = 500
        public var suspectAfterMisses = 3
        public var deadAfterMisses = 6
        public var logLevel = "info"
        /// When set, every socket uses `tls+tcp://` with these certificates (one
        /// certificate for all local nodes; see scripts/gen-certs.sh).
        public var tls: TLSOptions?
        /// Extra flags for the coordinator, every edge server and the agent process.
        public var coordinatorArguments: [String] = []
        public var edgeArguments: [String] = []
        public var agentArguments: [String] = []
        /// Flags for one edge server only, by its number (1 = `edge-1`), after `edgeArguments`.
        public var perEdgeArguments: [Int: [String]] = [:]
        /// More agent processes, each with its own identities, data directory and flags
        /// (e.g. different private data), beside the `agents` one.
        public var agentGroups: [AgentGroup] = []
        /// When set, every daemon serves `/metrics` on its own loopback port: the coordinator on
        /// this port, then each edge server and agent process on the next ones, in order; 0 = a
        /// free port each. Nil = no metrics.
        public var metricsBasePort: Int?

        public init(directory: String) { self.directory = directory }
    }

    /// An extra agent process of a local cluster.
    public struct AgentGroup: Sendable, Hashable {
        /// Process name and name prefix of its identities (e.g. `rich`).
        public var name: String
        public var count: Int
        /// Extra `edge-agent` flags (after the plan's `agentArguments`).
        public var arguments: [String]

        public init(name: String, count: Int, arguments: [String]) {
            self.name = name
            self.count = count
            self.arguments = arguments
        }

        /// Parses `NAME:COUNT[:FLAGS]`, FLAGS split at spaces (e.g. `rich:1:--data d.csv --labels 0,1`).
        public init(parsing text: String) throws {
            let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, !parts[0].isEmpty, let n = Int(parts[1]), n >= 1 else {
                throw ConfigError(field: "--agent-group", message: "expected NAME:COUNT[:FLAGS] with COUNT ≥ 1, got \"\(text)\"")
            }
            self.init(name: parts[0], count: n, arguments: parts.count > 2 ? parts[2].split(separator: " ").map(String.init) : [])
        }
    }

    public var directory: String
    /// Coordinator control URL (what `fairwayctl --coordinator` takes).
    public var coordinatorURL: String
    public var epochURL: String
    public var edgeURLs: [String]
    public var processes: [Process]

    /// Each process's `/metrics` URL, by process name (empty without metrics).
    public var metricsURLs: [String: String] {
        Dictionary(uniqueKeysWithValues: processes.compactMap { p in p.metricsURL.map { (p.name, $0) } })
    }

    public static func file(in directory: String) -> String { (directory as NSString).appendingPathComponent("cluster.json") }

    /// Starts coordinator, `edges` edge servers and one agent process with `agents` identities.
    public static func up(_ plan: Plan) throws -> LocalCluster {
        let dir = (plan.directory as NSString).standardizingPath
        try DataDirectory.ensure(dir)
        if let existing = try? load(directory: dir), existing.processes.contains(where: { ProcessSpawner.isAlive($0.pid) }) {
            throw ConfigError(field: "--dir", message: "a cluster is already running in \(dir); run `fairwayctl cluster down --dir \(dir)` first")
        }
        let logs = (dir as NSString).appendingPathComponent("logs")
        try DataDirectory.ensure(logs)
        let scheme = plan.tls == nil ? "tcp" : "tls+tcp"
        // Distinct ports: the kernel may hand the same free port to two consecutive probes.
        var taken = Set<Int>()
        func port() throws -> Int {
            for _ in 0..<100 {
                let p = try ProcessSpawner.freePort()
                if taken.insert(p).inserted { return p }
            }
            throw ConfigError(field: "port", message: "cannot find distinct free ports")
        }
        let control = "\(scheme)://127.0.0.1:\(try port())"
        let epoch = "\(scheme)://127.0.0.1:\(try port())"
        let edgeURLs = try (0..<plan.edges).map { _ in "\(scheme)://127.0.0.1:\(try port())" }
        let tlsFlags = plan.tls.map { ["--tls-ca-file", $0.caFile, "--tls-cert-key-file", $0.certificateAndKeyFile] } ?? []
        func bin(_ name: String) -> String { (plan.binDirectory as NSString).appendingPathComponent(name) }
        func data(_ name: String) -> String { (dir as NSString).appendingPathComponent("data/\(name)") }
        func log(_ name: String) -> String { (logs as NSString).appendingPathComponent("\(name).log") }

        var processes: [Process] = []
        processes.append(Process(name: "coordinator", executable: bin("cloud-coordinator"), arguments: [
            "--data-dir", data("coordinator"), "--control-url", control, "--epoch-url", epoch,
            "--heartbeat-interval-ms", "\(plan.heartbeatIntervalMilliseconds)",
            "--suspect-after-misses", "\(plan.suspectAfterMisses)", "--dead-after-misses", "\(plan.deadAfterMisses)",
            "--log-level", plan.logLevel,
        ] + tlsFlags + plan.coordinatorArguments, log: log("coordinator"), pid: 0))
        for (i, url) in edgeURLs.enumerated() {
            let name = "edge-\(i + 1)"
            processes.append(Process(name: name, executable: bin("edge-server"), arguments: [
                "--name", name, "--data-dir", data(name), "--listen-url", url,
                "--coordinator", control, "--coordinator-epoch-url", epoch,
                "--heartbeat-interval-ms", "\(plan.heartbeatIntervalMilliseconds)", "--log-level", plan.logLevel,
            ] + tlsFlags + plan.edgeArguments + (plan.perEdgeArguments[i + 1] ?? []), log: log(name), pid: 0))
        }
        if plan.agents > 0 {
            processes.append(Process(name: "agents", executable: bin("edge-agent"), arguments: [
                "--count", "\(plan.agents)", "--name-prefix", "agent", "--data-dir", data("agents"),
                "--edges", edgeURLs.joined(separator: ","),
                "--heartbeat-interval-ms", "\(plan.heartbeatIntervalMilliseconds)", "--log-level", plan.logLevel,
            ] + tlsFlags + plan.agentArguments, log: log("agents"), pid: 0))
        }
        for g in plan.agentGroups {
            processes.append(Process(name: g.name, executable: bin("edge-agent"), arguments: [
                "--count", "\(g.count)", "--name-prefix", g.name, "--data-dir", data(g.name),
                "--edges", edgeURLs.joined(separator: ","),
                "--heartbeat-interval-ms", "\(plan.heartbeatIntervalMilliseconds)", "--log-level", plan.logLevel,
            ] + tlsFlags + plan.agentArguments + g.arguments, log: log(g.name), pid: 0))
        }
        if let base = plan.metricsBasePort {
            for i in processes.indices {
                let p = base == 0 ? try port() : base + i
                processes[i].arguments += ["--metrics-address", "127.0.0.1:\(p)"]
                processes[i].metricsURL = "http://127.0.0.1:\(p)/metrics"
            }
        }
        var cluster = LocalCluster(directory: dir, coordinatorURL: control, epochURL: epoch, edgeURLs: edgeURLs, processes: processes)
        for i in cluster.processes.indices {
            let p = cluster.processes[i]
            cluster.processes[i].pid = try ProcessSpawner.spawn(p.executable, p.arguments, logPath: p.log)
        }
        try cluster.save()
        return cluster
    }

    public static func load(directory: String) throws -> LocalCluster {
        let path = file(in: directory)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(field: "--dir", message: "no cluster described at \(path)")
        }
        return try JSONDecoder().decode(LocalCluster.self, from: data)
    }

    public func save() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: Self.file(in: directory)))
    }

    /// Restarts process `name` with its original arguments (same data directory).
    /// Starts process `name` again (after it died or was killed), with `extraArguments` appended
    /// to its command line for good (later settings flags override earlier ones).
    public mutating func restart(_ name: String, extraArguments: [String] = []) throws {
        guard let i = processes.firstIndex(where: { $0.name == name }) else {
            throw ConfigError(field: "name", message: "no process \(name) in this cluster")
        }
        processes[i].arguments += extraArguments
        let p = processes[i]
        processes[i].pid = try ProcessSpawner.spawn(p.executable, p.arguments, logPath: p.log)
        try save()
    }

    /// Sends `signal` to process `name` (e.g. SIGKILL for chaos tests).
    public func signal(_ name: String, _ signal: Int32) throws {
        guard let p = processes.first(where: { $0.name == name }) else {
            throw ConfigError(field: "name", message: "no process \(name) in this cluster")
        }
        kill(p.pid, signal)
    }

    /// Stops every process: SIGTERM, then SIGKILL after `grace`. Agents first, coordinator last.
    /// - Returns: names of the processes that did not shut down gracefully within `grace`.
    @discardableResult
    public func down(grace: Duration = .seconds(5)) async -> [String] {
        var forced: [String] = []
        for p in processes.reversed() where !(await ProcessSpawner.stop(p.pid, grace: grace)) {
            forced.append(p.name)
        }
        return forced
    }
}
