import Logging
import ServiceLifecycle

/// What every daemon's YAML file has in common.
public protocol DaemonConfigFile: Decodable {
    /// Every dotted key the file may hold; others are refused.
    static var knownKeys: Set<String> { get }
    var log_level: String? { get }
}

/// The start of every daemon: settings from defaults < YAML < flags, validated once.
public enum DaemonStartup {
    /// Resolves a daemon's settings and log level.
    /// - Parameters:
    ///   - apply: overlays the YAML file on the settings.
    ///   - flags: overlays the command-line flags (they win over the file).
    ///   - tls: `--tls-ca-file` / `--tls-cert-key-file`, applied to `transport`.
    /// - Throws: `ConfigError` (or `FairwayError`) naming the offending setting.
    public static func resolve<Settings, File: DaemonConfigFile>(
        _ defaults: Settings,
        file: File.Type,
        configPath: String?,
        logLevelFlag: String?,
        tls: (caFile: String?, certKeyFile: String?),
        transport: WritableKeyPath<Settings, TransportSettings>,
        apply: (inout Settings, File) throws -> Void,
        flags: (inout Settings) throws -> Void,
        validate: (Settings) throws -> Void
    ) throws -> (Settings, Logger.Level) {
        var settings = defaults
        var level = Logger.Level.info
        if let configPath {
            let file = try ConfigFile.load(File.self, from: configPath, knownKeys: File.knownKeys)
            try apply(&settings, file)
            if let l = file.log_level { level = try .parse(l) }
        }
        try flags(&settings)
        if tls.caFile != nil || tls.certKeyFile != nil {
            try settings[keyPath: transport].setTLS(caFile: tls.caFile, certKeyFile: tls.certKeyFile)
        }
        if let l = logLevelFlag { level = try .parse(l, field: "--log-level") }
        try validate(settings)
        return (settings, level)
    }

    /// Bootstraps logging, builds the daemon's service and runs it until SIGTERM/SIGINT.
    public static func run(label: String, level: Logger.Level, _ makeService: (Logger) throws -> any Service) async throws {
        Daemon.bootstrapLogging(level: level)
        let logger = Logger(label: label)
        try await Daemon.run([try makeService(logger)], logger: logger)
    }
}
