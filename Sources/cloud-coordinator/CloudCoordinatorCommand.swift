import ArgumentParser
import CloudCoordinator
import FairwayCore
import FairwayRuntime
import Logging

@main
struct CloudCoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cloud-coordinator",
        abstract: "Runs the Fairway cloud coordinator: membership, admission, epochs with token grants, leases and accounts (later: valuation, contracts, the DAT ledger).")

    @Option(help: "YAML config file (see configs/cloud-coordinator.yaml). Flags override it.") var config: String?
    @Option(name: .customLong("data-dir"), help: "Data directory (SQLite state).") var dataDir: String?
    @Option(help: "Display name of the coordinator (its id is the address of its key).") var name: String?
    @Option(name: .customLong("key-file"), help: "Ed25519 key file (default <data-dir>/node.key, created with mode 0600).") var keyFile: String?
    @Option(name: .customLong("control-url"), help: "REP socket for control requests, e.g. tcp://0.0.0.0:7400.") var controlURL: String?
    @Option(name: .customLong("epoch-url"), help: "PUB socket for epoch announcements, e.g. tcp://0.0.0.0:7401.") var epochURL: String?
    @Option(name: .customLong("advertise-url"), help: "Address shown in status for this node.") var advertiseURL: String?
    @Option(name: .customLong("heartbeat-interval-ms"), help: "Expected heartbeat period (ms).") var heartbeatIntervalMs: Int64?
    @Option(name: .customLong("suspect-after-misses"), help: "Missed heartbeats before suspect.") var suspectAfterMisses: Int?
    @Option(name: .customLong("dead-after-misses"), help: "Missed heartbeats before dead.") var deadAfterMisses: Int?
    @Option(name: .customLong("epoch-ms"), help: "Epoch length (ms).") var epochMs: Int64?
    @Option(name: .customLong("tokens-per-epoch"), help: "V: whole tokens granted per epoch.") var tokensPerEpoch: UInt64?
    @Option(help: "Token allocator: proportional, proportional-filling, random, round-robin, max-min.") var allocator: String?
    @Option(name: .customLong("tls-ca-file"), help: "CA certificate(s) (PEM) for tls+tcp:// peers.") var tlsCAFile: String?
    @Option(name: .customLong("tls-cert-key-file"), help: "This node's certificate + key (PEM) for tls+tcp://.") var tlsCertKeyFile: String?
    @Option(name: .customLong("log-level"), help: "trace|debug|info|notice|warning|error|critical") var logLevel: String?

    func run() async throws {
        let (settings, level): (CoordinatorSettings, Logger.Level)
        do {
            (settings, level) = try DaemonStartup.resolve(
                CoordinatorSettings(), file: CoordinatorConfig.self, configPath: config, logLevelFlag: logLevel,
                tls: (tlsCAFile, tlsCertKeyFile), transport: \.transport,
                apply: { try $0.apply($1) },
                flags: { settings in
                    if let v = dataDir { settings.dataDirectory = v }
                    if let v = name { settings.name = v }
                    if let v = keyFile { settings.keyFile = v }
                    if let v = controlURL { settings.controlURL = v }
                    if let v = epochURL { settings.epochURL = v }
                    if let v = advertiseURL { settings.advertiseURL = v }
                    if let v = heartbeatIntervalMs { settings.membership.heartbeatIntervalMilliseconds = v }
                    if let v = suspectAfterMisses { settings.membership.suspectAfterMisses = v }
                    if let v = deadAfterMisses { settings.membership.deadAfterMisses = v }
                    if let v = epochMs { settings.epochMilliseconds = v }
                    if let v = tokensPerEpoch { settings.tokens.tokensPerEpoch = v }
                    if let v = allocator { settings.tokens.allocator = try AllocatorKind(name: v, field: "--allocator") }
                },
                validate: { try $0.validate() })
        } catch {
            throw ValidationError("\(error)")
        }
        try await DaemonStartup.run(label: "fairway.coordinator", level: level) { logger in try CoordinatorNode(settings: settings, logger: logger) }
    }
}
