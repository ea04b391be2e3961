import FairwayCore
import Logging

/// What every daemon's settings have: a schema (YAML keys, flags and ranges from one list),
/// a log level, sockets and a data directory.
public protocol DaemonSettings: SettingsSchema, Sendable {
    init()
    /// `trace` … `critical`.
    var logLevel: String { get set }
    /// `text` or `json` (one JSON object per line).
    var logFormat: LogFormat { get set }
    /// Where `/metrics` is served (off by default).
    var metrics: MetricsSettings { get set }
    var transport: TransportSettings { get set }
    var dataDirectory: String { get set }
    /// Flag names kept from earlier releases, by the setting key they set. Every setting is also
    /// a flag of its own: `--` + the key with `.` and `_` as `-` (`tokens.per_epoch` → `--tokens-per-epoch`).
    static var flagAliases: [String: String] { get }
}

extension DaemonSettings {
    /// The setting key a flag name (without `--`) sets, if any.
    public static func key(forFlag flag: String) -> String? {
        if let key = flagAliases[flag] { return key }
        return knownKeys.first { Self.flag(for: $0) == flag }
    }

    /// The flag (without `--`) of a setting key.
    public static func flag(for key: String) -> String {
        key.replacingOccurrences(of: ".", with: "-").replacingOccurrences(of: "_", with: "-")
    }

    /// One line per setting: its flag and YAML key, for `--help`.
    public static var flagHelp: String {
        let aliases = Dictionary(grouping: flagAliases.keys, by: { flagAliases[$0]! })
        return knownKeys.sorted().map { key in
            let also = aliases[key].map { " (also --\($0.sorted().joined(separator: ", --")))" } ?? ""
            return "  --\(flag(for: key)) <value>\(also)   [\(key)]"
        }.joined(separator: "\n")
    }

    /// The settings every daemon has: `data_dir`, `log_level`, `log_format`, `metrics.*` and `transport.*`.
    public static var daemonFields: [SettingField<Self>] {
        [.text("data_dir", \.dataDirectory), .text("log_level", \.logLevel, check: LogLevelSetting.check), .choice("log_format", \.logFormat)]
            + MetricsSettings.fields(in: \.metrics, prefix: "metrics")
            + TransportSettings.fields(in: \.transport, prefix: "transport")
    }

    /// The log level as `swift-log` names it.
    public var loggerLevel: Logger.Level { Logger.Level(rawValue: logLevel.lowercased()) ?? .info }
}

/// `log_level`: one of swift-log's levels.
public enum LogLevelSetting {
    public static func check(_ s: String, _ field: String) throws {
        guard Logger.Level(rawValue: s.lowercased()) != nil else {
            throw ConfigError(field: field, message: "'\(s)' is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }
}

/// A daemon that is one node: a display name and a key file of its own.
public protocol NodeDaemonSettings: DaemonSettings {
    /// Display name (the id is the address of the node's key).
    var name: String { get set }
    /// Ed25519 key file; default `<data_dir>/node.key`.
    var keyFile: String? { get set }
}

extension NodeDaemonSettings {
    /// `name`, `key_file` and the settings every daemon has.
    public static var nodeFields: [SettingField<Self>] { [.text("name", \.name), .text("key_file", \.keyFile)] + daemonFields }

    /// The key file actually used.
    public var effectiveKeyFile: String { keyFile ?? dataDirectory + "/node.key" }
}
