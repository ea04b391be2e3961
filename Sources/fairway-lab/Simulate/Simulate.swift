import ArgumentParser
import FairwayCore
import FairwaySimulation
import Foundation

extension FairwayLab {
    /// `fairway-lab simulate`: the deterministic cluster simulation (docs/reliability.md).
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deterministic simulation of a whole cluster (real role instances, simulated network, clocks and crashes), checking I1–I5 after every step.",
            discussion: """
            One seed decides everything, so `--seed S` replays a run step for step. With --seeds K, seeds S, S+1, … S+K−1 run in turn, \
            --steps each. On a violation it prints the seed, the invariant, why, and the last events (--trace N), and exits 1.
            """)

        @Option(help: "Seed of the (first) run.") var seed: UInt64 = 1
        @Option(help: "Events to process per seed.") var steps: Int = 100_000
        @Option(help: "Seeds to run, from --seed on.") var seeds: Int = 1
        @Option(help: "Edge servers.") var edges: Int = 3
        @Option(help: "Agent identities.") var agents: Int = 6
        @Option(name: .customLong("break"), help: "A deliberately broken behaviour the checker must catch: \(TestBreak.allCases.map(\.rawValue).joined(separator: ", ")).")
        var breakName: String?
        @Option(help: "Events kept for the failure trace.") var trace: Int = 60
        @Option(help: "Crashes per simulated second over the cluster.") var crashRate: Double = 0.4
        @Option(help: "Partitions per simulated second.") var partitionRate: Double = 0.15
        @Option(help: "Probability a message is lost.") var lossRate: Double = 0.02
        @Option(help: "Digits CSV the contract plan and modules are built from.") var data = "data/uci-digits-8x8.csv"
        @Flag(help: "Run without contracts (I4 is then not exercised).") var noContracts = false
        @Flag(help: "Print one JSON object per seed, and a summary object last.") var json = false
        @Flag(help: "Print the last --trace events of every run, also when it passed.") var showTrace = false

        func validate() throws {
            guard steps >= 1, seeds >= 1, edges >= 1, agents >= 1, trace >= 1 else { throw ValidationError("--steps, --seeds, --edges, --agents and --trace must be ≥ 1") }
            guard (0...1).contains(lossRate), crashRate >= 0, partitionRate >= 0 else { throw ValidationError("--loss-rate must be in [0, 1]; rates must be ≥ 0") }
            if let breakName { _ = try TestBreak.parse(breakName) }
        }

        func run() throws {
            var settings = SimulationSettings()
            settings.steps = steps
            settings.edges = edges
            settings.agents = agents
            settings.traceLength = trace
            settings.crashRate = crashRate
            settings.partitionRate = partitionRate
            settings.lossRate = lossRate
            settings.breaks = try TestBreak.parse(breakName ?? "")
            var contracts: SimulationContracts?
            if !noContracts {
                let text: String
                do { text = try String(contentsOfFile: data, encoding: .utf8) } catch {
                    throw ValidationError("cannot read --data \(data): \(error.localizedDescription) (run from the repository, pass --data, or --no-contracts)")
                }
                contracts = try SimulationContracts.make(records: DigitsCSV.parse(text))
            }
            let started = Date()
            var total = 0
            var failures: [SimulationResult] = []
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for k in 0..<seeds {
                settings.seed = seed &+ UInt64(k)
                let sim = Simulation(settings: settings, contracts: contracts)
                let result = sim.run(progressEvery: max(1, steps / 4)) { step in
                    if !json, seeds == 1 { FileHandle.standardError.write(Data("  seed \(settings.seed): \(step) steps\n".utf8)) }
                }
                total += result.steps
                if json {
                    print(String(decoding: try encoder.encode(result), as: UTF8.self))
                } else if !result.passed || seeds == 1 || (k + 1) % max(1, seeds / 10) == 0 {
                    let elapsed = Date().timeIntervalSince(started)
                    FileHandle.standardError.write(Data("seed \(settings.seed): \(result.steps) steps, \(result.simulatedMilliseconds / 1000) s simulated, \(result.stats.crashes) crashes, \(result.stats.partitions) partitions — \(result.passed ? "ok" : "VIOLATION") [\(k + 1)/\(seeds) seeds, \(total) steps, \(Int(Double(total) / max(elapsed, 1e-3))) steps/s]\n".utf8))
                }
                if seeds == 1, !json {
                    let st = result.stats
                    print("seed \(settings.seed): \(st.messages) messages (\(st.lost) lost, \(st.duplicated) duplicated, \(st.resends) resends, \(st.partitionDrops) cut by partitions), \(st.replayedReplies) replies replayed; \(st.inferencesServed) inferences served, \(st.releases) releases, \(st.contributionsAcknowledged) receipts; checks \(result.checks.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
                }
                if showTrace, result.passed, !json { for line in result.trace { print("  " + line) } }
                if let v = result.violation {
                    failures.append(result)
                    if !json {
                        print("VIOLATION of \(v.invariant) at step \(result.steps) with seed \(settings.seed): \(v.message)")
                        print("replay: fairway-lab simulate --seed \(settings.seed) --steps \(steps) --edges \(edges) --agents \(agents)\(breakName.map { " --break \($0)" } ?? "")")
                        print("last \(result.trace.count) events:")
                        for line in result.trace { print("  " + line) }
                    }
                    break
                }
            }
            let elapsed = Date().timeIntervalSince(started)
            if json {
                let summary: [String: String] = ["steps": "\(total)", "seeds": "\(failures.isEmpty ? seeds : failures.count)", "passed": "\(failures.isEmpty)",
                                                 "violation": failures.first?.violation.map { "\($0.invariant): \($0.message)" } ?? "", "seconds": String(format: "%.1f", elapsed)]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            } else if failures.isEmpty {
                print("simulate: \(seeds) seeds, \(total) steps, every invariant held (I1, I2, I3\(contracts == nil ? "" : ", I4"), I5 checked after every step) in \(String(format: "%.1f", elapsed)) s")
            }
            if !failures.isEmpty { throw ExitCode(1) }
        }
    }
}
