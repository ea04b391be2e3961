import FairwayCore
import FairwayRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A harness error (exit 2): the run could not be carried out, so no verdict.
struct ChaosHarnessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// One chaos run: a real process cluster (coordinator, edges, agent processes) under a seeded
/// schedule of kill -9 + restart, SIGSTOP/SIGCONT and partitions, a recorded client workload,
/// recovery figures, then the invariant checker over the history and every node's SQLite.
struct ChaosRun {
    /// Length of the chaos phase, seconds (start-up and the final settle come on top).
    var durationSeconds: Double = 120
    var seed: UInt64 = 1
    /// Agent identities, spread over two agent processes (one if 1).
    var agents = 6
    var edges = 2
    var directory: String
    var useNetns = true
    /// Run the daemons as containers of a compose project (`--compose`) instead of processes.
    var compose = false
    var breaks: Set<TestBreak> = []
    var binDirectory = ProcessSpawner.ownDirectory()
    /// The digits CSV the agents release from and the clients send as inference inputs.
    var digitsFile: String
    /// Heartbeat interval of every daemon, ms.
    var heartbeatMilliseconds = 400
    /// Epoch length, ms.
    var epochMilliseconds = 1500
    /// V: tokens granted per epoch, all agents together.
    var tokensPerEpoch: UInt64 = 400
    /// Each identity's ε budget (δ 1e-5) and ε per release: small, so budgets run out during a run.
    var budgetEpsilon = 4.0
    var releaseEpsilon = 1.0
    let budgetDelta = 1e-5

    var agentProcesses: Int { agents >= 2 ? 2 : 1 }
    /// Each identity releases every this many ms: the run's length / 40, 1–3 s, so budgets run
    /// out around a third into a 120 s run (and within a short test run contributions flow from the start).
    var contributeIntervalMilliseconds: Int { min(3000, max(1000, Int(durationSeconds * 1000) / 40)) }

    /// - Throws: `ChaosHarnessError` when the cluster cannot be set up or checked.
    func run(log: @escaping @Sendable (String) -> Void) async throws -> ChaosSummary {
        let dir = (directory as NSString).standardizingPath
        try prepare(dir)
        let cleanup = ChaosCleanup.shared
        defer { cleanup.run() }
        var env: [String: String] = [:]
        if !breaks.isEmpty { env[TestBreak.environmentVariable] = breaks.sorted().map(\.rawValue).joined(separator: ",") }
        let nodes: [ChaosNode] = [.coordinator] + (1...edges).map { .edge($0) } + (1...agentProcesses).map { .agents($0) } + [.client]
        // The harness's clients run fairwayctl on this host (or in the client namespace) in both modes.
        let fairwayctl = (binDirectory as NSString).appendingPathComponent("fairwayctl")
        guard FileManager.default.isExecutableFile(atPath: fairwayctl) else {
            throw ChaosHarnessError(message: "\(fairwayctl) is missing (the harness's clients run it): build it (swift build) or pass --bin-dir")
        }
        let cluster: ChaosCluster
        if compose {
            cluster = try await ChaosComposeCluster(runDirectory: dir, digitsFile: digitsFile, environment: env)
        } else {
            var network: ChaosNetwork?
            if useNetns {
                if let why = ChaosNetwork.available() { throw ChaosHarnessError(message: "network namespaces unavailable (\(why)); run as root or pass --no-netns") }
                let net = ChaosNetwork()
                cleanup.remember(net)
                do { try net.create(nodes) } catch { throw ChaosHarnessError(message: "cannot create the namespaces: \(error)") }
                network = net
            }
            cluster = ChaosProcessCluster(network: network, environment: env, binDirectory: binDirectory, runDirectory: dir, digitsFile: digitsFile)
        }
        log("cluster: \(cluster.description)")
        // Addresses and URLs.
        let control = "tcp://\(cluster.address(.coordinator)):\(try cluster.port(7400))"
        let epochURL = "tcp://\(cluster.address(.coordinator)):\(try cluster.port(7401))"
        var edgeURLs: [String] = []
        for i in 1...edges { edgeURLs.append("tcp://\(cluster.address(.edge(i))):\(try cluster.port(7500))") }

        let parameters = Parameters(seed: seed, duration_s: durationSeconds, edges: edges, agents: agents, agent_processes: agentProcesses,
                                    netns: compose || useNetns, compose: compose, breaks: breaks.sorted().map(\.rawValue), tokens_per_epoch: tokensPerEpoch,
                                    budget_epsilon: budgetEpsilon, budget_delta: budgetDelta,
                                    edge_urls: Dictionary(uniqueKeysWithValues: (1...edges).map { ("edge-\($0)", edgeURLs[$0 - 1]) }))
        do {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            try e.encode(parameters).write(to: URL(fileURLWithPath: "\(dir)/chaos.json"))
        } catch { throw ChaosHarnessError(message: "cannot write \(dir)/chaos.json: \(error)") }
        func bin(_ n: String) -> String { (binDirectory as NSString).appendingPathComponent(n) }
        let digits = cluster.digitsPath
        let hb = "\(heartbeatMilliseconds)"
        do {
            try await cluster.launch(.coordinator, program: "cloud-coordinator", arguments: [
                "--data-dir", cluster.dataPath(.coordinator), "--control-url", control, "--epoch-url", epochURL,
                "--heartbeat-interval-ms", hb, "--suspect-after-misses", "3", "--dead-after-misses", "6",
                "--epoch-ms", "\(epochMilliseconds)", "--tokens-per-epoch", "\(tokensPerEpoch)",
                "--contracts-period-epochs", "3", "--contracts-data-path", digits, "--log-level", "info",
            ])
            for i in 1...edges {
                // With pay-before-integration, the last edge has a slow uplink: it selects an item but
                // its upload misses the period's deadline, so an integration-blind payment shows.
                let slow = breaks.contains(.payBeforeIntegration) && i == edges
                    ? ["--contract-upload-delay-ms", "\(4 * epochMilliseconds)"] : []
                try await cluster.launch(.edge(i), program: "edge-server", arguments: [
                    "--name", "edge-\(i)", "--data-dir", cluster.dataPath(.edge(i)), "--listen-url", edgeURLs[i - 1],
                    "--coordinator", control, "--coordinator-epoch-url", epochURL, "--heartbeat-interval-ms", hb,
                    "--contract-data-path", digits, "--contract-shards", "\(edges)", "--contract-shard", "\(i - 1)", "--contract-poll-ms", "300",
                    "--contract-type1", "\((i - 1) % 2)", "--contract-type2", "\((i - 1) % 2)", "--log-level", "info",
                ] + slow)
            }
        } catch let e as ChaosHarnessError { throw e } catch { throw ChaosHarnessError(message: "cannot start the daemons: \(error)") }

        let history: HistoryRecorder
        do { history = try HistoryRecorder(path: "\(dir)/history.jsonl") } catch { throw ChaosHarnessError(message: "\(error)") }
        defer { history.close() }
        try DataDirectory.ensure("\(dir)/clients")
        let workload = ChaosWorkload(fairwayctl: bin("fairwayctl"), wrap: { cluster.client($0, $1) }, coordinatorURL: control, edgeURLs: edgeURLs,
                                     keyFiles: (1...edges).map { "\(dir)/clients/client-\($0).key" }, digitsFile: digitsFile, history: history)
        log("coordinator at \(control); waiting for \(edges) edge servers to be alive")
        try await waitForEdges(workload, cluster: cluster, log: log)

        for j in 1...agentProcesses {
            let count = agents / agentProcesses + (j <= agents % agentProcesses ? 1 : 0)
            do {
                try await cluster.launch(.agents(j), program: "edge-agent", arguments: [
                    "--count", "\(count)", "--name-prefix", "agents-\(j)", "--data-dir", cluster.dataPath(.agents(j)), "--edges", edgeURLs.joined(separator: ","),
                    "--heartbeat-interval-ms", hb, "--log-level", "info",
                    "--data-path", digits, "--data-records-per-release", "20", "--contribute-releases", "60", "--contribute-interval-ms", "\(contributeIntervalMilliseconds)",
                    "--privacy-epsilon", "\(releaseEpsilon)", "--privacy-budget-epsilon", "\(budgetEpsilon)",
                    "--bucket-size", "40", "--inference-rate", "2", "--workload-inputs", digits,
                ])
            } catch let e as ChaosHarnessError { throw e } catch { throw ChaosHarnessError(message: "cannot start agent process \(j): \(error)") }
        }
        log("\(agents) agent identities in \(agentProcesses) processes; workload: \(edges) inference clients, a status reader, a ledger reader")

        // Workload and nemesis.
        let stopFlag = StopFlag()
        let stop: @Sendable () -> Bool = { stopFlag.isSet }
        var tasks: [Task<Void, Never>] = []
        for i in 0..<edges { tasks.append(Task { await workload.inferenceClient(i, stop: stop) }) }
        tasks.append(Task { await workload.statusReader(stop: stop) })
        tasks.append(Task { await workload.ledgerReader(stop: stop) })

        let schedule = ChaosSchedule.make(seed: seed, durationMilliseconds: Int(durationSeconds * 1000), edges: edges, agentProcesses: agentProcesses,
                                          partitions: cluster.partitions, breaks: breaks)
        log("schedule (seed \(seed)): \(schedule.count) faults over \(Int(durationSeconds)) s")
        let phaseStart = history.nowMilliseconds
        var faultCounts: [String: Int] = [:]
        for (n, s) in schedule.enumerated() {
            let wait = phaseStart + s.atMilliseconds - history.nowMilliseconds
            if wait > 0 { try? await Task.sleep(for: .milliseconds(wait)) }
            try await inject(s.fault, number: n + 1, of: schedule.count, cluster: cluster, history: history, log: log)
            faultCounts[s.fault.kind, default: 0] += 1
        }
        let rest = phaseStart + Int(durationSeconds * 1000) - history.nowMilliseconds
        if rest > 0 { try? await Task.sleep(for: .milliseconds(rest)) }

        // Settle: every fault healed; let usage reports and the last epochs land, then stop.
        log("chaos phase over; workload stops, the cluster settles for \(3 * epochMilliseconds + 2 * heartbeatMilliseconds) ms")
        stopFlag.set()
        for t in tasks { await t.value }
        try? await Task.sleep(for: .milliseconds(3 * epochMilliseconds + 2 * heartbeatMilliseconds))
        let crashed = await cluster.dead()
        log("stopping the cluster")
        await cluster.stopAll()
        history.close()
        if !crashed.isEmpty {
            log("warning: \(crashed.map(\.description).joined(separator: ", ")) exited on its own during the run (see \(dir)/logs)")
        }

        log("checking invariants over history.jsonl and every node's SQLite")
        var summary = try Self.check(directory: dir, parameters: parameters, history: history.events, faults: faultCounts)
        summary.exited = crashed.map(\.description)
        return summary
    }

    /// What the checker needs to know about a run, kept in `<dir>/chaos.json` so that
    /// `fairway-lab chaos --check DIR` can check a kept run again.
    struct Parameters: Codable, Sendable {
        var seed: UInt64
        var duration_s: Double
        var edges: Int
        var agents: Int
        var agent_processes: Int
        /// Partitions possible (namespaces, or compose).
        var netns: Bool
        /// The compose cluster (`--compose`) rather than processes; absent in older runs.
        var compose: Bool? = false
        var breaks: [String]
        /// V, tokens per epoch.
        var tokens_per_epoch: UInt64
        var budget_epsilon: Double
        var budget_delta: Double
        /// Edge URLs by node name (`edge-1` …).
        var edge_urls: [String: String]
    }

    /// Checks a run directory: `data/coordinator/coordinator.sqlite`, `data/agents-N/privacy.sqlite`,
    /// `history.jsonl`.
    /// - Parameter faults: by kind; nil = counted from the history's fault events.
    /// - Throws: `ChaosHarnessError` when a file is missing or unreadable.
    static func check(directory dir: String, parameters p: Parameters, history: [HistoryEvent], faults: [String: Int]? = nil) throws -> ChaosSummary {
        let checker = ChaosChecker(coordinatorDatabase: "\(dir)/data/coordinator/coordinator.sqlite",
                                   agentDatabases: (1...max(1, p.agent_processes)).map { "\(dir)/data/agents-\($0)/privacy.sqlite" },
                                   history: history, tokensPerEpoch: p.tokens_per_epoch, budgetEpsilon: p.budget_epsilon, budgetDelta: p.budget_delta)
        let verdicts: [InvariantVerdict]
        do { verdicts = try checker.check() } catch { throw ChaosHarnessError(message: "checker: \(error)") }
        var counted: [String: Int] = [:]
        for e in history where e.type == "fault" { counted[e.f, default: 0] += 1 }
        return ChaosSummary(seed: p.seed, duration_s: p.duration_s, edges: p.edges, agents: p.agents, netns: p.netns, compose: p.compose ?? false,
                            breaks: p.breaks, directory: dir, operations: ChaosSummary.operations(history),
                            faults: faults ?? counted, invariants: verdicts, recovery: ChaosSummary.recovery(history, edgeURLs: p.edge_urls, edges: p.edges))
    }

    /// Checks a kept run directory again (`--check DIR`).
    static func check(directory dir: String) throws -> ChaosSummary {
        let path = "\(dir)/chaos.json"
        guard let data = FileManager.default.contents(atPath: path) else { throw ChaosHarnessError(message: "\(path) does not exist: not a chaos run directory") }
        let p: Parameters
        do { p = try JSONDecoder().decode(Parameters.self, from: data) } catch { throw ChaosHarnessError(message: "\(path): \(error)") }
        let history: [HistoryEvent]
        do { history = try HistoryRecorder.load(path: "\(dir)/history.jsonl") } catch { throw ChaosHarnessError(message: "\(error)") }
        return try check(directory: dir, parameters: p, history: history)
    }

    /// Makes `dir` ready: created if missing; a previous chaos run's content (marked by
    /// `.fairway-chaos`) is removed; any other non-empty directory is refused.
    private func prepare(_ dir: String) throws {
        let fm = FileManager.default
        let marker = "\(dir)/.fairway-chaos"
        if let content = try? fm.contentsOfDirectory(atPath: dir), !content.isEmpty {
            guard fm.fileExists(atPath: marker) else {
                throw ChaosHarnessError(message: "--dir \(dir) is not empty and not a previous chaos run's directory; give an empty or new one")
            }
            for name in content { try? fm.removeItem(atPath: "\(dir)/\(name)") }
        }
        do {
            try DataDirectory.ensure("\(dir)/logs")
            try DataDirectory.ensure("\(dir)/data")
            fm.createFile(atPath: marker, contents: Data("fairway-lab chaos\n".utf8))
        } catch { throw ChaosHarnessError(message: "cannot prepare \(dir): \(error)") }
    }

    private func waitForEdges(_ workload: ChaosWorkload, cluster: ChaosCluster, log: (String) -> Void) async throws {
        let start = ContinuousClock.now
        while (ContinuousClock.now - start) < .seconds(90) {
            if let dead = await cluster.dead().first {
                throw ChaosHarnessError(message: "\(dead) exited during start-up; see \(directory)/logs/\(dead).log")
            }
            let (exe, args) = workload.wrap(workload.fairwayctl, ["status", "--coordinator", workload.coordinatorURL, "--json", "--timeout-ms", "1500"])
            let r = await runCapturing(exe, args, timeoutSeconds: 5)
            if r.status == 0, let doc = try? JSONDecoder().decode(StatusDocumentLite.self, from: Data(r.out.utf8)),
               doc.nodes.filter({ $0.role == NodeRole.edgeServer.rawValue && $0.state == MemberState.alive.rawValue }).count >= edges {
                return
            }
            try? await Task.sleep(for: .milliseconds(300))
        }
        throw ChaosHarnessError(message: "the edge servers were not all alive at the coordinator within 90 s; see \(directory)/logs")
    }

    /// Injects one fault, waits its length, heals it; one progress line each way.
    private func inject(_ fault: ChaosFault, number: Int, of total: Int, cluster: ChaosCluster,
                        history: HistoryRecorder, log: (String) -> Void) async throws {
        let op = history.newOp()
        var event = HistoryEvent(op: op, type: "fault", process: "nemesis", f: fault.kind, t_ms: -1)
        event.detail = fault.description
        let t0 = history.nowMilliseconds
        func stamp() -> String { String(format: "%6.1f s", Double(history.nowMilliseconds) / 1000) }
        switch fault {
        case .crash(let node, let down):
            event.node = node.description
            try await cluster.crash(node)
            history.record(event)
            log("\(stamp())  fault \(number)/\(total): kill -9 \(node)")
            try? await Task.sleep(for: .milliseconds(down))
            try await cluster.restart(node)
        case .pause(let node, let ms):
            event.node = node.description
            try await cluster.pause(node)
            history.record(event)
            log("\(stamp())  fault \(number)/\(total): SIGSTOP \(node) for \(ms) ms")
            try? await Task.sleep(for: .milliseconds(ms))
            try await cluster.resume(node)
        case .isolate(let node, let ms):
            event.node = node.description
            guard cluster.partitions else { return }
            try await cluster.isolate(node)
            history.record(event)
            log("\(stamp())  fault \(number)/\(total): isolate \(node) for \(ms) ms")
            try? await Task.sleep(for: .milliseconds(ms))
            try await cluster.heal(node)
        case .splitEdges(let ms):
            event.node = "edges|coordinator"
            guard cluster.partitions else { return }
            try await cluster.split(.coordinator, from: (1...edges).map { .edge($0) })
            history.record(event)
            log("\(stamp())  fault \(number)/\(total): split the edges from the coordinator for \(ms) ms")
            try? await Task.sleep(for: .milliseconds(ms))
            try await cluster.heal(.coordinator)
        }
        var healed = HistoryEvent(op: op, type: "heal", process: "nemesis", f: fault.kind, t_ms: -1)
        healed.node = event.node
        history.record(healed)
        log("\(stamp())  healed \(number)/\(total) (\(fault.kind) \(event.node ?? ""), \(history.nowMilliseconds - t0) ms)")
    }
}

/// The fields of `fairwayctl status --json` the start-up wait reads.
private struct StatusDocumentLite: Decodable {
    struct Node: Decodable { var role: String; var state: String }
    var nodes: [Node]
}

/// A flag set once, read from many tasks.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
