import ArgumentParser
import FairwayCore
import Foundation

extension FairwayLab.Bench {
    /// Token allocation plus fairness metrics at scale, every allocator in the same run.
    struct Schedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Allocation + reward rates + Jain + Gini at N = 10^6 for every allocator; then edge admission throughput vs raw nng in the same run.",
            discussion: """
            Values v ~ Dirichlet(α) over N agents, buckets of size B, empty (R = 0), V tokens. Each allocator runs \
            --repeats times after one warm-up; medians are reported. Target: eq. 15 (proportional) allocation + \
            metrics ≤ 50 ms at N = 10^6. Then the admission half (`bench admission`): a real coordinator and edge \
            server in this process admit signed inference requests, against raw nng REQ/REP on the same transport.
            """)

        @Option(help: "N: agents.") var agents = 1_000_000
        @Option(help: "V: tokens per epoch.") var tokens = 2_000_000.0
        @Option(help: "B: bucket size of every agent.") var bucket = 4.0
        @Option(help: "Dirichlet α of the values.") var alpha = 0.5
        @Option(help: "Measured repetitions per allocator.") var repeats = 7
        @Option(help: "Seed for the values and the random allocator.") var seed: UInt64 = 1
        @Flag(help: "Print one JSON object instead of a table.") var json = false
        @Flag(name: .customLong("skip-admission"), help: "Only the allocation half.") var skipAdmission = false
        @Option(name: .customLong("admission-seconds"), help: "Seconds per admission round and variant.") var admissionSeconds = 2.0

        func validate() throws {
            guard agents > 0, repeats > 0, alpha > 0 else { throw ValidationError("--agents, --repeats and --alpha must be positive") }
        }

        func run() async throws {
            var rng = SeededGenerator(seed: seed)
            let values = rng.nextDirichlet(alpha: alpha, count: agents)
            let problem = try TokenAllocationProblem(totalTokens: tokens, values: values, bucketSize: bucket)
            let clock = ContinuousClock()
            let progress = Progress(total: AllocatorKind.allCases.count * (repeats + 1), label: "runs")
            var rows: [ScheduleBenchRow] = []
            var sink = 0.0  // keeps the optimiser from dropping results
            for kind in AllocatorKind.allCases {
                let allocator = kind.allocator
                var allocation: [Double] = [], rates: [Double] = [], jains: [Double] = [], ginis: [Double] = []
                var granted = 0.0
                for run in 0...repeats {
                    var runRNG = SeededGenerator(seed: seed &+ UInt64(run))
                    var u: [Double] = [], r: [Double] = []
                    var jain: Double?, gini: Double?
                    let a = clock.measure { u = allocator.allocate(problem, using: &runRNG) }
                    let tr = clock.measure { r = Fairness.rewardRates(grants: u, values: values) }
                    let tj = clock.measure { jain = Fairness.jain(r) }
                    let tg = clock.measure { gini = Fairness.gini(r) }
                    sink += (jain ?? 0) + (gini ?? 0)
                    granted = u.reduce(0, +)
                    if run > 0 {
                        allocation.append(a.milliseconds)
                        rates.append(tr.milliseconds)
                        jains.append(tj.milliseconds)
                        ginis.append(tg.milliseconds)
                    }
                    progress.update(rows.count * (repeats + 1) + run + 1)
                }
                rows.append(ScheduleBenchRow(kind: kind, allocationMs: median(allocation), ratesMs: median(rates),
                                             jainMs: median(jains), giniMs: median(ginis), unallocated: tokens - granted))
            }
            progress.finish()
            let result = ScheduleBenchResult(agents: agents, tokens: tokens, bucket: bucket, alpha: alpha, repeats: repeats, rows: rows)
            withExtendedLifetime(sink) {}
            guard !skipAdmission else {
                print(json ? result.json() : result.table())
                return
            }
            let admissionProgress = Progress(total: 12, label: "admission variant runs")
            let admission = try await AdmissionBench(clients: 8, seconds: admissionSeconds, rounds: 3).run(progress: admissionProgress)
            admissionProgress.finish()
            if json {
                print("{\"allocation\":\(result.json()),\"admission\":\(admission.json)}")
            } else {
                print(result.table())
                print()
                print(admission.table)
            }
        }

        func median(_ xs: [Double]) -> Double {
            let s = xs.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
    }
}

extension Duration {
    var milliseconds: Double {
        let (s, atto) = components
        return Double(s) * 1e3 + Double(atto) * 1e-15
    }
}

struct ScheduleBenchRow {
    var kind: AllocatorKind
    /// Medians of each part, milliseconds.
    var allocationMs, ratesMs, jainMs, giniMs: Double
    var unallocated: Double
    /// Medians of the parts, summed.
    var totalMs: Double { allocationMs + ratesMs + jainMs + giniMs }
}

struct ScheduleBenchResult {
    var agents: Int
    var tokens: Double
    var bucket: Double
    var alpha: Double
    var repeats: Int
    var rows: [ScheduleBenchRow]

    /// eq. 15 must take at most this long (allocation + metrics).
    static let targetMs = 50.0

    var baseline: ScheduleBenchRow? { rows.first { $0.kind == .roundRobin } }
    var proportional: ScheduleBenchRow? { rows.first { $0.kind == .proportional } }

    func table() -> String {
        var s = "N = \(agents), V = \(Int(tokens)), B = \(bucket), v ~ Dirichlet(\(alpha)), R = 0; milliseconds, median of \(repeats) runs\n"
        s += "allocator              allocate  rates (eq.5)  Jain (eq.6)  Gini (eq.8)     total   vs round-robin  unallocated\n"
        for row in rows {
            let ratio = baseline.map { row.totalMs / $0.totalMs } ?? .nan
            s += row.kind.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)
            s += String(format: " %8.2f %13.2f %12.2f %12.2f %9.2f %15.2f× %12.1f\n", row.allocationMs, row.ratesMs, row.jainMs,
                        row.giniMs, row.totalMs, ratio, TokenFairnessReport.tokens(row.unallocated))
        }
        if let p = proportional {
            s += String(format: "eq. 15 allocation + Jain + Gini: %.2f ms, target ≤ %.0f ms: %@", p.totalMs, Self.targetMs,
                        p.totalMs <= Self.targetMs ? "met" : "NOT met")
        }
        return s
    }

    func json() -> String {
        func n(_ x: Double) -> String { String(format: "%.3f", x) }
        let items = rows.map { row in
            "{\"allocator\":\"\(row.kind.rawValue)\",\"allocate_ms\":\(n(row.allocationMs)),\"rates_ms\":\(n(row.ratesMs)),\"jain_ms\":\(n(row.jainMs)),\"gini_ms\":\(n(row.giniMs)),\"total_ms\":\(n(row.totalMs)),\"ratio_vs_round_robin\":\(n(row.totalMs / (baseline?.totalMs ?? .nan))),\"unallocated\":\(n(row.unallocated))}"
        }
        return "{\"agents\":\(agents),\"tokens\":\(n(tokens)),\"bucket\":\(n(bucket)),\"alpha\":\(n(alpha)),\"repeats\":\(repeats),\"results\":[\(items.joined(separator: ","))]}"
    }
}
