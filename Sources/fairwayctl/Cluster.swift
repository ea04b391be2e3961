import ArgumentParser
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation

extension Fairwayctl {
    struct Cluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start or stop a local cluster of real processes on loopback.",
            subcommands: [Up.self, Down.self])

        struct Up: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Start coordinator, M edge servers and one agent process with N identities; print the coordinator URL.")
            @Option(help: "Number of edge servers.") var edges = 2
            @Option(help: "Number of agent identities (one process).") var agents = 10
            @Option(help: "Directory for cluster.json, logs and data.") var dir: String
            @Option(name: .customLong("bin-dir"), help: "Directory of the daemon executables (default: next to fairwayctl).") var binDir: String?
            @Option(name: .customLong("heartbeat-interval-ms")) var heartbeatIntervalMs: Int64 = 500
            @Option(name: .customLong("epoch-ms"), help: "Epoch length (ms); default: the coordinator's.") var epochMs: Int64?
            @Option(name: .customLong("tokens-per-epoch"), help: "V: tokens granted per epoch; default: the coordinator's.") var tokensPerEpoch: UInt64?
            @Option(help: "Token allocator: proportional, proportional-filling, random, round-robin, max-min.") var allocator: String?
            @Option(name: .customLong("bucket-size"), help: "Agents' token bucket size B.") var bucketSize: UInt32?
            @Option(name: .customLong("inference-rate"), help: "Inference requests per second per agent identity.") var inferenceRate: Double?
            @Option(name: .customLong("inference-cost"), help: "Tokens per inference request.") var inferenceCost: UInt64?
            @Option(name: .customLong("agent-group"), help: ArgumentHelp("An extra agent process NAME:COUNT[:FLAGS] (repeatable), e.g. \"rich:1:--data data/uci-digits-8x8.csv --releases 3\".", valueName: "group"))
            var agentGroups: [String] = []
            @Option(name: .customLong("coordinator-flags"), help: ArgumentHelp("Extra cloud-coordinator flags, split at spaces (repeatable), e.g. \"--contracts-period-epochs 3\".", valueName: "flags"))
            var coordinatorFlags: [String] = []
            @Option(name: .customLong("edge-flags"), help: ArgumentHelp("Extra edge-server flags N:FLAGS for edge-N, or *:FLAGS for every edge (repeatable), e.g. \"2:--contract-type1 1\".", valueName: "flags"))
            var edgeFlags: [String] = []
            @Option(name: .customLong("metrics-base-port"), help: "Serve /metrics from every daemon on 127.0.0.1: the coordinator on this port, edges and agent processes on the next ones (0 = free ports); the URLs go in cluster.json.")
            var metricsBasePort: Int?
            @Option(name: .customLong("wait-s"), help: "Wait up to this long for every node to be alive (0 = don't wait).") var waitSeconds = 30
            @Option(name: .customLong("tls-ca-file"), help: "Run every socket over tls+tcp:// with this CA (PEM).") var tlsCAFile: String?
            @Option(name: .customLong("tls-cert-key-file"), help: "Certificate + key (PEM) every local node uses with --tls-ca-file.") var tlsCertKeyFile: String?

            func run() async throws {
                var plan = LocalCluster.Plan(directory: dir)
                plan.edges = edges
                plan.agents = agents
                plan.heartbeatIntervalMilliseconds = heartbeatIntervalMs
                if let epochMs { plan.coordinatorArguments += ["--epoch-ms", "\(epochMs)"] }
                if let tokensPerEpoch { plan.coordinatorArguments += ["--tokens-per-epoch", "\(tokensPerEpoch)"] }
                if let allocator { plan.coordinatorArguments += ["--allocator", allocator] }
                if let bucketSize { plan.agentArguments += ["--bucket-size", "\(bucketSize)"] }
                if let inferenceRate { plan.agentArguments += ["--inference-rate", "\(inferenceRate)"] }
                if let inferenceCost { plan.agentArguments += ["--inference-cost", "\(inferenceCost)"] }
                if let binDir { plan.binDirectory = binDir }
                if let metricsBasePort {
                    guard (0...65000).contains(metricsBasePort) else {
                        throw fail(ConfigError(field: "--metrics-base-port", message: "must be 0–65000, got \(metricsBasePort)"))
                    }
                    plan.metricsBasePort = metricsBasePort
                }
                for f in coordinatorFlags { plan.coordinatorArguments += f.split(separator: " ").map(String.init) }
                for f in edgeFlags {
                    let parts = f.split(separator: ":", maxSplits: 1).map(String.init)
                    let flags = parts.count == 2 ? parts[1].split(separator: " ").map(String.init) : []
                    if parts.first == "*" {
                        plan.edgeArguments += flags
                    } else if let n = parts.first.flatMap(Int.init), (1...edges).contains(n) {
                        plan.perEdgeArguments[n, default: []] += flags
                    } else {
                        throw fail(ConfigError(field: "--edge-flags", message: "expected N:FLAGS with N in 1…\(edges), or *:FLAGS, got \"\(f)\""))
                    }
                }
                do { plan.agentGroups = try agentGroups.map(LocalCluster.AgentGroup.init(parsing:)) } catch { throw fail(error) }
                var transport = TransportSettings()
                do { try transport.setTLS(caFile: tlsCAFile, certKeyFile: tlsCertKeyFile) } catch { throw fail(error) }
                plan.tls = transport.tls
                let cluster: LocalCluster
                do { cluster = try LocalCluster.up(plan) } catch { throw fail(error) }
                let expected = 1 + edges + agents + plan.agentGroups.reduce(0) { $0 + $1.count }
                if waitSeconds > 0 {
                    let ok = await waitAlive(cluster.coordinatorURL, expected: expected, seconds: waitSeconds, transport: transport)
                    if !ok {
                        FileHandle.standardError.write(Data("fairwayctl: not every node alive after \(waitSeconds)s; logs in \(dir)/logs\n".utf8))
                        throw ExitCode(1)
                    }
                }
                print(cluster.coordinatorURL)
            }

            /// Polls status, drawing progress on stderr, until `expected` nodes are alive.
            func waitAlive(_ url: String, expected: Int, seconds: Int, transport: TransportSettings) async -> Bool {
                var t = transport
                t.requestTimeoutMilliseconds = 1000
                guard let client = try? RequestClient(url: url, identity: NodeKey(), settings: t) else { return false }
                defer { client.close() }
                let deadline = ContinuousClock.now + .seconds(seconds)
                var alive = 0
                while ContinuousClock.now < deadline {
                    if case .statusReply(let s)? = try? await client.call(.statusRequest) {
                        alive = s.nodes.filter { $0.state == .alive }.count
                    }
                    FileHandle.standardError.write(Data("\rwaiting for nodes: \(alive)/\(expected) alive".utf8))
                    if alive >= expected {
                        FileHandle.standardError.write(Data("\n".utf8))
                        return true
                    }
                    try? await Task.sleep(for: .milliseconds(250))
                }
                FileHandle.standardError.write(Data("\n".utf8))
                return false
            }
        }

        struct Down: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Stop the cluster started in DIR (SIGTERM, then SIGKILL after a grace period).")
            @Option(help: "Directory given to `cluster up`.") var dir: String

            func run() async throws {
                let cluster: LocalCluster
                do { cluster = try LocalCluster.load(directory: dir) } catch { throw fail(error) }
                let forced = await cluster.down()
                if !forced.isEmpty {
                    FileHandle.standardError.write(Data("fairwayctl: killed after the grace period (no graceful shutdown): \(forced.joined(separator: ", "))\n".utf8))
                }
                print("stopped \(cluster.processes.count) processes; logs and data kept in \(dir)")
            }
        }
    }
}
