import Foundation

/// Outcomes of one kind of client operation.
struct OutcomeCounts: Codable, Sendable, Hashable {
    var ok = 0, fail = 0, unknown = 0
}

/// A recovery time measured during the run, over its samples, in seconds.
struct RecoveryFigure: Codable, Sendable, Hashable {
    var samples: Int
    /// Median and maximum, seconds (nil without samples).
    var p50_s: Double?
    var max_s: Double?
    /// Faults after which recovery was not seen before the run ended.
    var unrecovered: Int

    init(_ seconds: [Double], unrecovered: Int) {
        let s = seconds.sorted()
        samples = s.count
        p50_s = s.isEmpty ? nil : s[s.count / 2]
        max_s = s.last
        self.unrecovered = unrecovered
    }
}

/// What a chaos run prints: operations, faults, invariant verdicts and recovery figures.
struct ChaosSummary: Codable, Sendable {
    var seed: UInt64
    var duration_s: Double
    var edges: Int
    var agents: Int
    var netns: Bool
    /// Against the compose cluster (containers) rather than processes.
    var compose = false
    var breaks: [String]
    var directory: String
    /// By operation kind (`request`, `status`, `ledger-verify`) and in total (`all`).
    var operations: [String: OutcomeCounts]
    /// Faults injected, by kind (`kill`, `pause`, `isolate`, `split`).
    var faults: [String: Int]
    var invariants: [InvariantVerdict]
    /// `agent_served_after_edge_death`: from an edge's kill -9 until a harness client that was
    /// served by it is served again (by any edge); `epochs_resume_after_coordinator_restart`:
    /// from the coordinator's restart until a client sees a newer epoch than before its kill;
    /// `partition_heal`: from healing a partition until a client sees every edge alive again.
    var recovery: [String: RecoveryFigure]
    /// Daemons found dead (not by the schedule) when the run ended: a process that could not
    /// restart, e.g. one refusing its own storage. Not an invariant, but never expected.
    var exited: [String] = []

    var allHold: Bool { invariants.allSatisfy(\.holds) }

    /// Counts the history's operations by kind and outcome.
    static func operations(_ history: [HistoryEvent]) -> [String: OutcomeCounts] {
        var out: [String: OutcomeCounts] = ["all": OutcomeCounts()]
        for e in history where ["ok", "fail", "unknown"].contains(e.type) {
            var c = out[e.f] ?? OutcomeCounts()
            var all = out["all"]!
            switch e.type {
            case "ok": c.ok += 1; all.ok += 1
            case "fail": c.fail += 1; all.fail += 1
            default: c.unknown += 1; all.unknown += 1
            }
            out[e.f] = c
            out["all"] = all
        }
        return out
    }

    /// Recovery figures from the history's faults and operations.
    /// - Parameter edgeURLs: by node name (`edge-1` …), the URL clients ask.
    static func recovery(_ history: [HistoryEvent], edgeURLs: [String: String], edges: Int) -> [String: RecoveryFigure] {
        let ops = history.filter { $0.type == "ok" }.sorted { $0.t_ms < $1.t_ms }
        let faults = history.filter { $0.type == "fault" }
        let heals = history.filter { $0.type == "heal" }
        func heal(of fault: HistoryEvent) -> HistoryEvent? { heals.first { $0.op == fault.op } }
        var served: [Double] = [], servedMissing = 0
        var epochs: [Double] = [], epochsMissing = 0
        var healed: [Double] = [], healedMissing = 0
        for f in faults {
            switch (f.f, f.node) {
            case ("kill", let node?) where node.hasPrefix("edge-"):
                guard let url = edgeURLs[node] else { continue }
                // Clients whose last ok request before the kill was served by this edge.
                var last: [String: String] = [:]
                for o in ops where o.f == "request" && o.t_ms < f.t_ms { last[o.process] = o.edge }
                for (client, edge) in last where edge == url {
                    if let next = ops.first(where: { $0.f == "request" && $0.process == client && $0.t_ms > f.t_ms }) {
                        served.append(Double(next.t_ms - f.t_ms) / 1000)
                    } else { servedMissing += 1 }
                }
            case ("kill", "coordinator"):
                guard let h = heal(of: f) else { continue }
                let before = ops.filter { $0.f == "status" && $0.t_ms < f.t_ms }.compactMap(\.epoch).max() ?? 0
                if let next = ops.first(where: { $0.f == "status" && $0.t_ms > h.t_ms && ($0.epoch ?? 0) > before }) {
                    epochs.append(Double(next.t_ms - h.t_ms) / 1000)
                } else { epochsMissing += 1 }
            case ("isolate", _) where !(f.node ?? "").hasPrefix("agents"), ("split", _):
                guard let h = heal(of: f) else { continue }
                if let next = ops.first(where: { $0.f == "status" && $0.t_ms > h.t_ms && ($0.edges_alive ?? 0) >= edges }) {
                    healed.append(Double(next.t_ms - h.t_ms) / 1000)
                } else { healedMissing += 1 }
            default: continue
            }
        }
        return ["agent_served_after_edge_death": RecoveryFigure(served, unrecovered: servedMissing),
                "epochs_resume_after_coordinator_restart": RecoveryFigure(epochs, unrecovered: epochsMissing),
                "partition_heal": RecoveryFigure(healed, unrecovered: healedMissing)]
    }

    /// The last line of `--json`: `{"invariants": {"I1": true, …}, "operations": …, "faults": …, "recovery": …}`
    /// (plus the first counterexample of each failing invariant and the run's parameters).
    func jsonLine() throws -> String {
        struct Line: Encodable {
            var invariants: [String: Bool]
            var counterexamples: [String: String]
            var operations: [String: OutcomeCounts]
            var faults: [String: Int]
            var recovery: [String: RecoveryFigure]
            var seed: UInt64
            var duration_s: Double
            var breaks: [String]
            var netns: Bool
            var compose: Bool
            var directory: String
            var exited_on_their_own: [String]
        }
        let line = Line(invariants: Dictionary(uniqueKeysWithValues: invariants.map { ($0.name, $0.holds) }),
                        counterexamples: Dictionary(uniqueKeysWithValues: invariants.compactMap { v in v.counterexample.map { (v.name, $0) } }),
                        operations: operations, faults: faults, recovery: recovery, seed: seed, duration_s: duration_s, breaks: breaks,
                        netns: netns, compose: compose, directory: directory, exited_on_their_own: exited)
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(line), as: UTF8.self)
    }

    /// A human-readable table.
    var table: String {
        func f(_ x: Double?) -> String { x.map { String(format: "%.2f s", $0) } ?? "-" }
        var lines = ["chaos run: seed \(seed), \(Int(duration_s)) s, \(edges) edges, \(agents) agent identities, \(compose ? "compose containers" : netns ? "network namespaces" : "loopback (no partitions)")"
                     + (breaks.isEmpty ? "" : ", BREAKS \(breaks.joined(separator: ","))"),
                     "  data, logs and history.jsonl in \(directory)",
                     "operations          ok    fail  unknown"]
        for (kind, c) in operations.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(kind.padding(toLength: 15, withPad: " ", startingAt: 0)) \(String(c.ok).leftPadded(6)) \(String(c.fail).leftPadded(6)) \(String(c.unknown).leftPadded(8))")
        }
        lines.append("faults              " + (faults.isEmpty ? "none" : faults.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
        if !exited.isEmpty {
            lines.append("EXITED ON THEIR OWN  \(exited.joined(separator: ", ")) (see their logs under \(directory)/logs)")
        }
        lines.append("invariants")
        for v in invariants {
            lines.append("  \(v.name) \(v.holds ? "PASS" : "FAIL")  \(v.checked)")
            if let c = v.counterexample { lines.append("       first counterexample: \(c)") }
        }
        lines.append("recovery (p50 / max over samples)")
        for (name, r) in recovery.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(name.padding(toLength: 40, withPad: " ", startingAt: 0)) \(f(r.p50_s)) / \(f(r.max_s))  (\(r.samples) samples\(r.unrecovered > 0 ? ", \(r.unrecovered) not recovered by the end" : ""))")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
