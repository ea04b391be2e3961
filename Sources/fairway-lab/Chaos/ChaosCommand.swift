import ArgumentParser
import FairwayCore
import FairwayRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension FairwayLab {
    struct Chaos: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a real process cluster under a seeded schedule of kill -9/restart, SIGSTOP/SIGCONT and partitions, record a client history, then check invariants I1–I5 over the history and every node's SQLite.",
            discussion: """
                Each node runs in its own network namespace (fwc-<pid>-<node>, 10.77.1.0/24, a bridge in a hub namespace); partitions are \
                iptables DROP rules. --no-netns runs on loopback without partitions (for non-root). --compose runs every node as a container \
                of the image fairway:latest in a compose project fwcc-<pid> on a network of its own (10.78.X.0/24). The same --seed gives the same schedule. \
                Exit 0 when every invariant holds, 1 when one fails, 2 on a harness error. See docs/reliability-chaos.md.
                """)
        @Option(help: "Length of the chaos phase, seconds (start-up and a few seconds of settling come on top).") var duration: Double = 120
        @Option(help: "Seed of the fault schedule.") var seed: UInt64 = 1
        @Flag(help: "Print a last line of JSON {\"invariants\":{\"I1\":true,…},\"operations\":…,\"faults\":…,\"recovery\":…}.") var json = false
        @Option(help: "Agent identities (in two edge-agent processes).") var agents = 6
        @Option(help: "Edge servers (2–3 recommended on a small machine).") var edges = 2
        @Option(help: "Directory for data, logs and history.jsonl (default: a new one under the temporary directory; kept).") var dir: String?
        @Flag(name: .customLong("no-netns"), help: "Run on loopback without namespaces or partitions.") var noNetns = false
        @Option(name: .customLong("break"), help: "Deliberately break the daemons (FAIRWAY_TEST_BREAK, repeatable): \(TestBreak.allCases.map(\.rawValue).joined(separator: ", ")).")
        var breaks: [String] = []
        @Option(help: "Directory with cloud-coordinator, edge-server, edge-agent and fairwayctl (default: next to fairway-lab).") var binDir: String?
        @Option(help: "Digits CSV for the agents' data and the clients' inputs (default: data/uci-digits-8x8.csv here or in the repository of --bin-dir).")
        var data: String?
        @Flag(help: "Run the daemons as containers of a compose project of the image fairway:latest (a running Docker engine and scripts/build-images.sh first; `make compose-chaos` does both): docker kill/start, pause/unpause, network disconnect/connect; the harness's clients run fairwayctl on this host.") var compose = false
        @Option(help: "Run nothing: check a kept run directory again (its chaos.json, history.jsonl and SQLite files).") var check: String?

        func validate() throws {
            guard duration >= 5, duration <= 3600 else { throw ValidationError("--duration must be 5–3600 seconds, got \(duration)") }
            guard (1...8).contains(edges) else { throw ValidationError("--edges must be 1–8, got \(edges)") }
            guard (1...64).contains(agents) else { throw ValidationError("--agents must be 1–64, got \(agents)") }
            do { _ = try TestBreak.parse(breaks.joined(separator: ",")) } catch { throw ValidationError("--break: \(error)") }
            if compose && noNetns { throw ValidationError("--compose and --no-netns exclude each other (compose nodes are containers on their own network)") }
        }

        func run() async throws {
            let say: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("[chaos] \($0)\n".utf8)) }
            if let check {
                let summary: ChaosSummary
                do { summary = try ChaosRun.check(directory: (check as NSString).standardizingPath) } catch {
                    say("harness error: \(error)")
                    throw ExitCode(2)
                }
                print(summary.table)
                if json { print(try summary.jsonLine()) }
                if !summary.allHold { throw ExitCode(1) }
                return
            }
            let bins = binDir ?? ProcessSpawner.ownDirectory()
            let candidates = [data, "data/uci-digits-8x8.csv", ((bins as NSString).appendingPathComponent("../../data/uci-digits-8x8.csv") as NSString).standardizingPath].compactMap { $0 }
            guard let digits = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                say("no digits CSV found (tried \(candidates.joined(separator: ", "))); pass --data")
                throw ExitCode(2)
            }
            let directory = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("fairway-chaos-\(getpid())").path
            var run = ChaosRun(directory: directory, digitsFile: URL(fileURLWithPath: digits).standardizedFileURL.path)
            run.durationSeconds = duration
            run.seed = seed
            run.agents = agents
            run.edges = edges
            run.useNetns = !noNetns
            run.compose = compose
            run.breaks = (try? TestBreak.parse(breaks.joined(separator: ","))) ?? []
            run.binDirectory = bins
            ChaosCleanup.shared.installSignalHandlers()
            // A watchdog: a run that hangs (start-up, a stuck client) ends as a harness error and
            // leaves no process or namespace behind, instead of being killed from outside.
            let limit = duration + 100
            DispatchQueue.global().asyncAfter(deadline: .now() + limit) {
                say("harness error: the run did not finish within \(Int(limit)) s (duration + 100 s); stopping the cluster and deleting its namespaces")
                ChaosCleanup.shared.run()
                Glibc.exit(2)
            }
            let summary: ChaosSummary
            do {
                summary = try await run.run(log: say)
            } catch {
                ChaosCleanup.shared.run()
                say("harness error: \(error)")
                throw ExitCode(2)
            }
            print(summary.table)
            if json { print(try summary.jsonLine()) }
            if !summary.allHold { throw ExitCode(1) }
        }
    }
}
