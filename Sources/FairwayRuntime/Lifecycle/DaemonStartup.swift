import FairwayCore
import Logging
import ServiceLifecycle

/// The start of every daemon: settings from defaults < YAML < flags, validated once.
public enum DaemonStartup {
    /// Resolves a daemon's settings.
    /// - Parameters:
    ///   - configPath: the YAML file, if any.
    ///   - flags: `--<setting> <value>` / `--<setting>=<value>` words from the command line;
    ///     they win over the file.
    ///   - tls: `--tls-ca-file` / `--tls-cert-key-file`.
    /// - Throws: `ConfigError` naming the offending setting (by key, or by flag).
    public static func resolve<S: DaemonSettings>(_ defaults: S = S(), configPath: String?, flags: [String],
                                                  tls: (caFile: String?, certKeyFile: String?) = (nil, nil)) throws -> S {
        var settings = defaults
        if let configPath { try ConfigFile.apply(configPath, to: &settings) }
        for (flag, value) in try pairs(flags) {
            guard let key = S.key(forFlag: flag) else {
                throw ConfigError(field: "--\(flag)", message: "unknown option; every setting is a flag:\n\(S.flagHelp)")
            }
            try settings.set(key, .scalar(value), source: "--\(flag)")
        }
        if tls.caFile != nil || tls.certKeyFile != nil {
            try settings.transport.setTLS(caFile: tls.caFile, certKeyFile: tls.certKeyFile)
        }
        try settings.validateSettings()
        return settings
    }

    /// `--name value` and `--name=value` words as (name, value) pairs.
    static func pairs(_ words: [String]) throws -> [(String, String)] {
        var out: [(String, String)] = []
        var i = 0
        while i < words.count {
            let word = words[i]
            guard word.hasPrefix("--"), word.count > 2 else {
                throw ConfigError(field: word, message: "expected --<setting> <value>")
            }
            let body = String(word.dropFirst(2))
            if let eq = body.firstIndex(of: "=") {
                out.append((String(body[..<eq]), String(body[body.index(after: eq)...])))
                i += 1
            } else {
                guard i + 1 < words.count else { throw ConfigError(field: word, message: "needs a value") }
                out.append((body, words[i + 1]))
                i += 2
            }
        }
        return out
    }

    /// Bootstraps logging, builds the daemon's service and runs it until SIGTERM/SIGINT.
    public static func run(label: String, level: Logger.Level, format: LogFormat = .text, metrics: MetricsSettings = MetricsSettings(),
                           _ makeService: (Logger) throws -> any Service) async throws {
        Daemon.bootstrapLogging(level: level, format: format)
        let logger = Logger(label: label)
        FairwayMetrics.bootstrap()
        let service = try makeService(logger)
        // The daemon's own /metrics listener, bound before it serves anything: a bad address fails the start.
        let metricsServer = metrics.isEnabled ? try await MetricsServer.start(metrics, logger: logger) : nil
        try await Daemon.run([service] + (metricsServer.map { [$0] } ?? []), logger: logger)
    }
}
