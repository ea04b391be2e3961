import ArgumentParser
import FairwayRuntime
import Logging
import ServiceLifecycle

/// The options every daemon (`cloud-coordinator`, `edge-server`, `edge-agent`) takes: a config
/// file, TLS, and every setting as a flag (`--<key> <value>`, derived from the settings' schema,
/// plus the aliases earlier releases had).
public struct DaemonOptions: ParsableArguments {
    @Option(help: "YAML config file (see configs/). Flags override it.")
    public var config: String?
    @Option(name: .customLong("tls-ca-file"), help: "CA certificate(s) (PEM) for tls+tcp:// peers.")
    public var tlsCAFile: String?
    @Option(name: .customLong("tls-cert-key-file"), help: "This node's certificate + key (PEM) for tls+tcp://.")
    public var tlsCertKeyFile: String?
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Any setting: --<setting> <value> (see the list below).", valueName: "settings"))
    public var settings: [String] = []

    public init() {}

    /// Resolves the settings (defaults < YAML < flags), validated; a usage error names the setting.
    public func resolve<S: DaemonSettings>(_ type: S.Type = S.self) throws -> S {
        do {
            return try DaemonStartup.resolve(configPath: config, flags: settings, tls: (tlsCAFile, tlsCertKeyFile))
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// A daemon command's configuration; `--help` lists every setting flag of `S`.
    public static func configuration<S: DaemonSettings>(_ name: String, _ type: S.Type, abstract: String) -> CommandConfiguration {
        CommandConfiguration(commandName: name, abstract: abstract,
                             discussion: "Settings (defaults < --config file < flags); every setting is a flag:\n\(S.flagHelp)")
    }

    /// Resolves `S`, then runs the service `make` builds until SIGTERM/SIGINT.
    public func run<S: DaemonSettings>(_ type: S.Type, label: String, _ make: @escaping (S, Logger) throws -> any Service) async throws {
        let settings = try resolve(S.self)
        try await DaemonStartup.run(label: label, level: settings.loggerLevel, format: settings.logFormat, metrics: settings.metrics) { logger in
            try make(settings, logger)
        }
    }
}
