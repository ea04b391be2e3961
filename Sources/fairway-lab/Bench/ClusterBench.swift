import ArgumentParser
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation
import NNG
#if canImport(Glibc)
import Glibc
#endif

/// How big a cluster one machine holds: a coordinator, `edges` edge servers and `agents` agent
/// identities in several `edge-agent` processes, all real processes on loopback with their
/// metrics served, agents heartbeating and spending tokens. Measured over a steady-state
/// window: CPU per daemon, memory per agent identity at the agent, the edge and the
/// coordinator, heartbeat and admission rates (and the whole cluster's CPU per request)
/// against raw nng REQ/REP measured afterwards in the same run, and the time from each epoch's
/// start until every edge holds a lease of that epoch for all its agents
/// (`fairway_edge_epoch_to_lease_seconds`).
struct ClusterBench {
    var agents = 1000
    var edges = 4
    /// Agent processes; 0 = one per 2,500 identities, at least 2.
    var agentProcesses = 0
    /// Agents' (and edges') heartbeat interval, ms; 0 = N/2 ms, at least 500 (a constant 2,000
    /// heartbeats/s at N ≥ 1,000).
    var heartbeatMilliseconds: Int64 = 0
    var epochMilliseconds: Int64 = 2000
    /// Inference requests per second, all agents together (cost 1 token each).
    var inferenceRate = 200.0
    /// Length of the measured window, seconds.
    var seconds = 20.0
    /// Longest wait for every agent to be alive, seconds.
    var settleSeconds = 300.0
    var directory: String?
    /// The daemons' log level (their logs are under `<dir>/logs`).
    var logLevel = "warning"
    var binDirectory = ProcessSpawner.ownDirectory()

    var processes: Int { agentProcesses > 0 ? agentProcesses : max(2, (agents + 2499) / 2500) }
    var heartbeat: Int64 { heartbeatMilliseconds > 0 ? heartbeatMilliseconds : max(500, Int64(agents) / 2) }

    struct DaemonFigures: Codable {
        var name: String
        /// CPU used over the window, in cores (1 = one core busy all the time).
        var cores: Double
        var residentMiB: Double
    }

    struct Result: Codable {
        var agents, edges, agentProcesses: Int
        var heartbeatMs, epochMs: Int64
        var windowSeconds: Double
        /// Seconds from starting the agent processes until every identity was alive at the coordinator.
        var secondsUntilAllAlive: Double
        /// At the end of the window: identities the coordinator counts alive, and attached at the edges.
        var aliveAtCoordinator, attachedAtEdges: Int
        var daemons: [DaemonFigures]
        /// Bytes of resident memory per agent identity: agent processes (over a one-identity
        /// process), edges and coordinator (growth from before the agents started).
        var bytesPerIdentityAgent, bytesPerIdentityEdge, bytesPerIdentityCoordinator: Double
        /// Served at the edges during the window, per second.
        var heartbeatsPerSecond, admissionsPerSecond, refusedInferencePerSecond: Double
        /// Raw nng REQ/REP echo, same frame size, 8 clients, measured in this run after the cluster stopped.
        var rawRequestsPerSecond: Double
        /// CPU per request: the whole cluster (every daemon) per heartbeat or inference request
        /// served, and raw nng (client and server, this process) per echo; microseconds.
        var clusterMicrosecondsPerRequest, rawMicrosecondsPerRequest: Double
        /// Epoch-to-lease, seconds: per measured epoch the slowest edge; p50 and max over epochs.
        var epochToLeaseP50, epochToLeaseMax: Double
        var epochsMeasured: Int
        var allAlive: Bool { aliveAtCoordinator >= agents && attachedAtEdges >= agents }
    }

    func run(log: (String) -> Void) async throws -> Result {
        let dir = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("fairway-bench-cluster-\(UUID().uuidString.prefix(8))").path
        let keep = directory != nil
        defer { if !keep { try? FileManager.default.removeItem(atPath: dir) } }
        var plan = LocalCluster.Plan(directory: dir)
        plan.edges = edges
        plan.agents = 0
        plan.binDirectory = binDirectory
        plan.heartbeatIntervalMilliseconds = heartbeat
        plan.logLevel = logLevel
        plan.metricsBasePort = 0
        plan.coordinatorArguments = ["--epoch-ms", "\(epochMilliseconds)", "--tokens-per-epoch", "\(agents * 100)",
                                     "--admission-max-bucket-size", "1000", "--transport-peer-rate-per-second", "100000", "--transport-peer-burst", "100000"]
        plan.edgeArguments = ["--transport-peer-rate-per-second", "100000", "--transport-peer-burst", "100000"]
        log("starting the coordinator and \(edges) edge servers in \(dir)")
        let cluster = try LocalCluster.up(plan)
        var agentPIDs: [(name: String, pid: pid_t, identities: Int)] = []
        defer {
            for a in agentPIDs { kill(a.pid, SIGKILL) }
            for p in cluster.processes { kill(p.pid, SIGKILL) }
        }
        let coordinatorMetrics = cluster.metricsURLs["coordinator"]!
        let edgeNames = (1...edges).map { "edge-\($0)" }
        let edgeMetrics = edgeNames.map { cluster.metricsURLs[$0]! }
        try await waitFor("\(edges) edge servers alive at the coordinator", seconds: 60, log: log) {
            let s = try await scrape(coordinatorMetrics)
            let alive = Int(MetricsScrape.sum(s, FairwayMetrics.members.name, ["member_role": NodeRole.edgeServer.rawValue, "state": MemberState.alive.rawValue]))
            return (alive >= edges, "\(alive)/\(edges) edges alive")
        }
        let idle = Dictionary(uniqueKeysWithValues: cluster.processes.map { ($0.name, ProcessSample.read($0.pid)?.residentBytes ?? 0) })

        // Agent processes: the load ones, and a one-identity process as the memory baseline.
        let perProcess = (0..<processes).map { agents / processes + ($0 < agents % processes ? 1 : 0) }
        let rate = inferenceRate / Double(agents)
        var groups = perProcess.enumerated().map { (name: "load-\($0.offset + 1)", count: $0.element) }
        groups.append((name: "reference", count: 1))
        var agentMetrics: [String: String] = [:]
        let started = ContinuousClock.now
        for g in groups {
            let data = "\(dir)/data/\(g.name)"
            let port = try ProcessSpawner.freePort()
            agentMetrics[g.name] = "http://127.0.0.1:\(port)/metrics"
            let pid = try ProcessSpawner.spawn("\(binDirectory)/edge-agent", [
                "--count", "\(g.count)", "--name-prefix", g.name, "--data-dir", data, "--edges", cluster.edgeURLs.joined(separator: ","),
                "--heartbeat-interval-ms", "\(heartbeat)", "--log-level", logLevel, "--metrics-address", "127.0.0.1:\(port)",
                "--workload-rate-per-second", "\(rate)", "--workload-burst", "2", "--workload-cost", "1",
            ], logPath: "\(dir)/logs/\(g.name).log")
            agentPIDs.append((g.name, pid, g.count))
        }
        log("started \(processes) agent processes with \(agents) identities (+1 reference identity), heartbeat every \(heartbeat) ms")
        let everyone = agents + 1
        try await waitFor("all \(everyone) agent identities alive", seconds: settleSeconds, log: log) {
            for a in agentPIDs where !ProcessSpawner.isAlive(a.pid) {
                throw ConfigError(field: a.name, message: "agent process \(a.name) exited; see \(dir)/logs/\(a.name).log")
            }
            let s = try await scrape(coordinatorMetrics)
            let alive = Int(MetricsScrape.sum(s, FairwayMetrics.members.name, ["member_role": NodeRole.edgeAgent.rawValue, "state": MemberState.alive.rawValue]))
            return (alive >= everyone, "\(alive)/\(everyone) agents alive at the coordinator")
        }
        let untilAlive = (ContinuousClock.now - started).seconds
        // A few epochs of steady state before measuring.
        try await Task.sleep(for: .milliseconds(max(2 * epochMilliseconds, 2 * heartbeat)))

        let pids = cluster.processes.map { ($0.name, $0.pid) } + agentPIDs.map { ($0.name, $0.pid) }
        func cpu() -> [String: Double] { Dictionary(uniqueKeysWithValues: pids.map { ($0.0, ProcessSample.read($0.1)?.cpuSeconds ?? 0) }) }
        func served(_ kind: Payload.Kind, _ outcome: String) async throws -> Double {
            var total = 0.0
            for url in edgeMetrics {
                total += MetricsScrape.sum(try await scrape(url), FairwayMetrics.requests.name, ["kind": kind.rawValue, "outcome": outcome])
            }
            return total
        }
        log("measuring \(Int(seconds)) s of steady state")
        let cpu0 = cpu()
        let (hb0, inf0, ref0) = (try await served(.heartbeat, "served"), try await served(.inferenceRequest, "served"), try await served(.inferenceRequest, "refused"))
        let t0 = ContinuousClock.now
        var lags: [UInt64: Double] = [:]  // epoch → slowest edge
        let progress = Progress(total: Int(seconds), label: "s of the window")
        while (ContinuousClock.now - t0).seconds < seconds {
            for url in edgeMetrics {
                let s = try await scrape(url)
                let epoch = UInt64(MetricsScrape.sum(s, FairwayMetrics.edgeLeaseEpoch.name))
                guard epoch > 0 else { continue }
                lags[epoch] = max(lags[epoch] ?? 0, MetricsScrape.sum(s, FairwayMetrics.edgeEpochToLease.name))
            }
            progress.update(Int((ContinuousClock.now - t0).seconds))
            try await Task.sleep(for: .milliseconds(200))
        }
        progress.finish()
        let window = (ContinuousClock.now - t0).seconds
        let cpu1 = cpu()
        let (hb1, inf1, ref1) = (try await served(.heartbeat, "served"), try await served(.inferenceRequest, "served"), try await served(.inferenceRequest, "refused"))
        let coordinatorSamples = try await scrape(coordinatorMetrics)
        let alive = Int(MetricsScrape.sum(coordinatorSamples, FairwayMetrics.members.name, ["member_role": NodeRole.edgeAgent.rawValue, "state": MemberState.alive.rawValue])) - 1
        var attached = -1
        for url in edgeMetrics { attached += Int(MetricsScrape.sum(try await scrape(url), FairwayMetrics.edgeAgents.name)) }
        var daemons: [DaemonFigures] = []
        var resident: [String: Double] = [:]
        for (name, pid) in pids {
            resident[name] = ProcessSample.read(pid)?.residentBytes ?? 0
            daemons.append(DaemonFigures(name: name, cores: ((cpu1[name] ?? 0) - (cpu0[name] ?? 0)) / window, residentMiB: resident[name]! / 1_048_576))
        }
        let loadNames = groups.filter { $0.name != "reference" }.map(\.name)
        let agentBytes = loadNames.map { (resident[$0] ?? 0) - (resident["reference"] ?? 0) }.reduce(0, +) / Double(agents)
        let edgeBytes = edgeNames.map { (resident[$0] ?? 0) - (idle[$0] ?? 0) }.reduce(0, +) / Double(everyone)
        let coordinatorBytes = ((resident["coordinator"] ?? 0) - (idle["coordinator"] ?? 0)) / Double(everyone)
        let requests = (hb1 - hb0) + (inf1 - inf0) + (ref1 - ref0)
        let clusterCPU = pids.map { (cpu1[$0.0] ?? 0) - (cpu0[$0.0] ?? 0) }.reduce(0, +)
        log("stopping the cluster")
        for a in agentPIDs { _ = await ProcessSpawner.stop(a.pid, grace: .seconds(5)) }
        agentPIDs = []
        await cluster.down()

        log("raw nng REQ/REP baseline")
        let raw = try await rawBaseline(seconds: 3)
        let measured = lags.sorted { $0.key < $1.key }.dropFirst().map(\.value).sorted()  // the first may predate the window
        return Result(agents: agents, edges: edges, agentProcesses: processes, heartbeatMs: heartbeat, epochMs: epochMilliseconds,
                      windowSeconds: window, secondsUntilAllAlive: untilAlive, aliveAtCoordinator: alive, attachedAtEdges: attached,
                      daemons: daemons, bytesPerIdentityAgent: agentBytes, bytesPerIdentityEdge: edgeBytes, bytesPerIdentityCoordinator: coordinatorBytes,
                      heartbeatsPerSecond: (hb1 - hb0) / window, admissionsPerSecond: (inf1 - inf0) / window, refusedInferencePerSecond: (ref1 - ref0) / window,
                      rawRequestsPerSecond: raw.perSecond, clusterMicrosecondsPerRequest: requests > 0 ? clusterCPU / requests * 1e6 : 0,
                      rawMicrosecondsPerRequest: raw.cpuMicroseconds,
                      epochToLeaseP50: measured.isEmpty ? .nan : measured[measured.count / 2], epochToLeaseMax: measured.last ?? .nan,
                      epochsMeasured: measured.count)
    }

    private func scrape(_ url: String) async throws -> [MetricsScrape.Sample] { MetricsScrape.parse(try await MetricsScrape.fetch(url)) }

    private func waitFor(_ what: String, seconds: Double, log: (String) -> Void, _ check: () async throws -> (Bool, String)) async throws {
        let start = ContinuousClock.now
        var lastLog = start
        while true {
            let (done, state) = (try? await check()) ?? (false, "no answer yet")
            if done { return }
            if (ContinuousClock.now - start).seconds > seconds {
                throw ConfigError(field: "--settle-seconds", message: "\(what): not reached within \(Int(seconds)) s (\(state))")
            }
            if (ContinuousClock.now - lastLog).seconds >= 2 {
                log("waiting for \(what): \(state)")
                lastLog = ContinuousClock.now
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Raw nng REQ/REP echo of a heartbeat-sized session frame: requests per second with 8
    /// clients and 8 server contexts, and this process's CPU per request (client and server).
    private func rawBaseline(seconds: Double) async throws -> (perSecond: Double, cpuMicroseconds: Double) {
        var transport = TransportSettings()
        transport.workers = 8
        let key = NodeKey()
        let frame = SessionFrame.message(SessionCipher.seal(WireCodec.sealForSession(
            Envelope(sender: key.nodeID, sentAt: WallClock.now(), payload: .heartbeat(Heartbeat(nodeID: key.nodeID))), signedBy: nil),
            key: [UInt8](repeating: 1, count: 32), sessionID: 1, counter: 1)).encoded()
        let echo = try RawEchoServer(reply: frame, transport: transport)
        let port = echo.port
        let clients = try (0..<8).map { _ in try RequestClient(url: "tcp://127.0.0.1:\(port)", identity: key, settings: transport) }
        defer {
            for c in clients { c.close() }
            echo.close()
        }
        for c in clients { _ = try await c.exchange(frame) }  // connected
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        let cpu0 = ProcessSample.ownCPUSeconds()
        let start = ContinuousClock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for c in clients {
                group.addTask {
                    var n = 0
                    while ContinuousClock.now < deadline { _ = try await c.exchange(frame); n += 1 }
                    return n
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = (ContinuousClock.now - start).seconds
        let cpu = ProcessSample.ownCPUSeconds() - cpu0
        return (Double(total) / elapsed, total > 0 ? cpu / Double(total) * 1e6 : 0)
    }
}

extension Duration {
    /// This duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension FairwayLab.Bench {
    struct ClusterLoad: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cluster",
            abstract: "A coordinator, 4 edge servers and N agent identities as real processes on this machine: CPU, memory per identity, rates vs raw nng, epoch-to-lease.")
        @Option(help: "Agent identities (spread over several edge-agent processes).") var agents = 1000
        @Option(help: "Edge servers.") var edges = 4
        @Option(help: "Agent processes (0 = one per 2,500 identities, at least 2).") var agentProcesses = 0
        @Option(name: .customLong("heartbeat-ms"), help: "Heartbeat interval of agents and edges, ms (0 = N/2, at least 500).") var heartbeatMs: Int64 = 0
        @Option(name: .customLong("epoch-ms"), help: "Epoch length, ms.") var epochMs: Int64 = 2000
        @Option(help: "Inference requests per second, all agents together.") var inferenceRate = 200.0
        @Option(help: "Measured steady-state window, seconds.") var seconds = 20.0
        @Option(help: "Longest wait for every agent to be alive, seconds.") var settleSeconds = 300.0
        @Option(help: "Keep the cluster's data and logs here (default: a temporary directory, removed).") var dir: String?
        @Option(help: "Directory with cloud-coordinator, edge-server and edge-agent (default: next to fairway-lab).") var binDir: String?
        @Option(help: "The daemons' log level (logs under --dir/logs).") var logLevel = "warning"
        @Flag(help: "Print one JSON object instead of a table.") var json = false

        func run() async throws {
            var bench = ClusterBench(agents: agents, edges: edges, agentProcesses: agentProcesses, heartbeatMilliseconds: heartbeatMs,
                                     epochMilliseconds: epochMs, inferenceRate: inferenceRate, seconds: seconds, settleSeconds: settleSeconds, directory: dir)
            if let binDir { bench.binDirectory = binDir }
            bench.logLevel = logLevel
            let r = try await bench.run { FileHandle.standardError.write(Data("[bench cluster] \($0)\n".utf8)) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            print(json ? String(decoding: try encoder.encode(r), as: UTF8.self) : r.table)
            if !r.allAlive { throw ExitCode(1) }
        }
    }
}

extension ClusterBench.Result {
    var table: String {
        func f(_ x: Double, _ d: Int = 1) -> String { String(format: "%.\(d)f", x) }
        let rows = daemons.map { "  \($0.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(f($0.cores, 2).leftPad(6)) cores  \(f($0.residentMiB).leftPad(8)) MiB" }
        return """
        cluster load: \(agents) agent identities in \(agentProcesses) processes, \(edges) edges, heartbeat \(heartbeatMs) ms, epoch \(epochMs) ms, window \(f(windowSeconds)) s
          all alive after           \(f(secondsUntilAllAlive)) s from the agents' start
          alive at the end          \(aliveAtCoordinator) at the coordinator, \(attachedAtEdges) attached at the edges (target: all \(agents))
        per daemon (over the window)
        \(rows.joined(separator: "\n"))
        memory per agent identity   agent \(f(bytesPerIdentityAgent / 1024)) KiB, edge \(f(bytesPerIdentityEdge / 1024)) KiB, coordinator \(f(bytesPerIdentityCoordinator / 1024)) KiB
        served at the edges         \(f(heartbeatsPerSecond, 0)) heartbeats/s, \(f(admissionsPerSecond, 0)) admissions/s (\(f(refusedInferencePerSecond, 0)) refused/s)
        raw nng REQ/REP (8 clients) \(f(rawRequestsPerSecond, 0)) requests/s; the cluster served \(f((heartbeatsPerSecond + admissionsPerSecond + refusedInferencePerSecond) / rawRequestsPerSecond, 3)) of that
        CPU per request             cluster \(f(clusterMicrosecondsPerRequest, 0)) µs (every daemon), raw nng \(f(rawMicrosecondsPerRequest, 0)) µs (client and server): \(f(clusterMicrosecondsPerRequest / rawMicrosecondsPerRequest, 1))×
        epoch to lease              p50 \(f(epochToLeaseP50, 3)) s, max \(f(epochToLeaseMax, 3)) s over \(epochsMeasured) epochs (target ≤ 1 s)
        """
    }
}

private extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
