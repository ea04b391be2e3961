import ArgumentParser
import EdgeAgent
import FairwayCore
import FairwayRuntime
import Foundation
import Logging

@main
struct EdgeAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge-agent",
        abstract: "Runs Fairway agent identities (one Ed25519 key each): join through an edge server, heartbeat, fail over, run an inference workload.")

    @Option(help: "YAML config file (see configs/edge-agent.yaml). Flags override it.") var config: String?
    @Option(name: .customLong("data-dir"), help: "Data directory (identities).") var dataDir: String?
    @Option(help: "Number of agent identities this process hosts.") var count: Int?
    @Option(name: .customLong("name-prefix"), help: "Identity names are <prefix>-<i> (ids are key addresses).") var namePrefix: String?
    @Option(help: "Comma-separated edge server URLs, in failover order.") var edges: String?
    @Option(name: .customLong("bucket-size"), help: "Token bucket size B requested at join.") var bucketSize: UInt32?
    @Option(name: .customLong("heartbeat-interval-ms"), help: "Heartbeat period until the edge sets it (ms).") var heartbeatIntervalMs: Int64?
    @Option(name: .customLong("inference-rate"), help: "Inference requests per second per identity (0 = none).") var inferenceRate: Double?
    @Option(name: .customLong("inference-burst"), help: "Inference requests allowed back to back.") var inferenceBurst: Int?
    @Option(name: .customLong("inference-cost"), help: "Tokens each inference request costs.") var inferenceCost: UInt64?
    @Option(name: .customLong("tls-ca-file"), help: "CA certificate(s) (PEM) for tls+tcp:// peers.") var tlsCAFile: String?
    @Option(name: .customLong("tls-cert-key-file"), help: "This node's certificate + key (PEM) for tls+tcp://.") var tlsCertKeyFile: String?
    @Option(name: .customLong("log-level"), help: "trace|debug|info|notice|warning|error|critical") var logLevel: String?

    func run() async throws {
        let (settings, level): (EdgeAgentSettings, Logger.Level)
        do {
            (settings, level) = try DaemonStartup.resolve(
                EdgeAgentSettings(), file: EdgeAgentConfig.self, configPath: config, logLevelFlag: logLevel,
                tls: (tlsCAFile, tlsCertKeyFile), transport: \.transport,
                apply: { try $0.apply($1) },
                flags: { settings in
                    if let v = dataDir { settings.dataDirectory = v }
                    if let v = count { settings.count = v }
                    if let v = namePrefix { settings.namePrefix = v }
                    if let v = edges { settings.edges = v.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
                    if let v = bucketSize { settings.bucketSize = v }
                    if let v = heartbeatIntervalMs { settings.heartbeatIntervalMilliseconds = v }
                    if let v = inferenceRate { settings.workload.ratePerSecond = v }
                    if let v = inferenceBurst { settings.workload.burst = v }
                    if let v = inferenceCost { settings.workload.cost = v }
                },
                validate: { try $0.validate() })
        } catch {
            throw ValidationError("\(error)")
        }
        try await DaemonStartup.run(label: "fairway.edge-agent", level: level) { logger in try AgentHost(settings: settings, logger: logger) }
    }
}
