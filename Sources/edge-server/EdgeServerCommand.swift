import ArgumentParser
import EdgeServer
import FairwayCore
import FairwayRuntime
import Logging

@main
struct EdgeServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge-server",
        abstract: "Runs a Fairway edge server: serves agents, relays their signed joins, vouches for their liveness, admits inference against token leases.")

    @Option(help: "YAML config file (see configs/edge-server.yaml). Flags override it.") var config: String?
    @Option(name: .customLong("data-dir"), help: "Data directory.") var dataDir: String?
    @Option(help: "Display name, e.g. edge-1 (the id is the address of the node's key).") var name: String?
    @Option(name: .customLong("key-file"), help: "Ed25519 key file (default <data-dir>/node.key, created with mode 0600).") var keyFile: String?
    @Option(name: .customLong("coordinator-id"), help: "Pin the coordinator's address (fw…); default: trust the first one that accepts the join.") var coordinatorID: String?
    @Option(name: .customLong("listen-url"), help: "REP socket agents dial, e.g. tcp://0.0.0.0:7410.") var listenURL: String?
    @Option(name: .customLong("advertise-url"), help: "Address reported to the coordinator.") var advertiseURL: String?
    @Option(name: .customLong("coordinator"), help: "Coordinator control URL, e.g. tcp://127.0.0.1:7400.") var coordinatorURL: String?
    @Option(name: .customLong("coordinator-epoch-url"), help: "Coordinator epoch PUB URL, e.g. tcp://127.0.0.1:7401.") var coordinatorEpochURL: String?
    @Option(name: .customLong("heartbeat-interval-ms"), help: "Heartbeat period until the coordinator sets it (ms).") var heartbeatIntervalMs: Int64?
    @Option(name: .customLong("tls-ca-file"), help: "CA certificate(s) (PEM) for tls+tcp:// peers.") var tlsCAFile: String?
    @Option(name: .customLong("tls-cert-key-file"), help: "This node's certificate + key (PEM) for tls+tcp://.") var tlsCertKeyFile: String?
    @Option(name: .customLong("log-level"), help: "trace|debug|info|notice|warning|error|critical") var logLevel: String?

    func run() async throws {
        let (settings, level): (EdgeServerSettings, Logger.Level)
        do {
            (settings, level) = try DaemonStartup.resolve(
                EdgeServerSettings(), file: EdgeServerConfig.self, configPath: config, logLevelFlag: logLevel,
                tls: (tlsCAFile, tlsCertKeyFile), transport: \.transport,
                apply: { try $0.apply($1) },
                flags: { settings in
                    if let v = dataDir { settings.dataDirectory = v }
                    if let v = name { settings.name = v }
                    if let v = keyFile { settings.keyFile = v }
                    if let v = coordinatorID { settings.coordinatorID = try NodeID(v, field: "--coordinator-id") }
                    if let v = listenURL { settings.listenURL = v }
                    if let v = advertiseURL { settings.advertiseURL = v }
                    if let v = coordinatorURL { settings.coordinatorURL = v }
                    if let v = coordinatorEpochURL { settings.coordinatorEpochURL = v }
                    if let v = heartbeatIntervalMs { settings.heartbeatIntervalMilliseconds = v }
                },
                validate: { try $0.validate() })
        } catch {
            throw ValidationError("\(error)")
        }
        try await DaemonStartup.run(label: "fairway.edge-server", level: level) { logger in try EdgeServerNode(settings: settings, logger: logger) }
    }
}
