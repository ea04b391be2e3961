import CoordinatorCore
import FairwayCore
import FairwayRuntime

/// Settings of the cloud-coordinator daemon: its sockets, storage and identity around the
/// protocol settings the instance decides with (`core`, reachable directly: `settings.tokens`).
/// Defaults suit a local cluster. YAML keys, flags and validation derive from `fields`.
@dynamicMemberLookup
public struct CoordinatorSettings: Sendable, Hashable, NodeDaemonSettings {
    /// Display name of the coordinator (its id is the address of its key). Default `coordinator`.
    public var name = "coordinator"
    /// Ed25519 key file, created on first start with mode 0600. Default `<data_dir>/node.key`.
    public var keyFile: String?
    /// REP socket for control requests (join, heartbeat, status). Default `tcp://0.0.0.0:7400`.
    public var controlURL = "tcp://0.0.0.0:7400"
    /// PUB socket for epoch announcements. Default `tcp://0.0.0.0:7401`.
    public var epochURL = "tcp://0.0.0.0:7401"
    /// Address advertised in `status` (defaults to `controlURL`).
    public var advertiseURL: String?
    /// Epoch PUB address told to joining nodes in `join_accepted.epoch_url` (default:
    /// `epochURL` with 0.0.0.0 → 127.0.0.1; set it when nodes reach the coordinator by name).
    public var advertiseEpochURL: String?
    /// Directory holding `coordinator.sqlite`. Default `./data/coordinator`.
    public var dataDirectory = "./data/coordinator"
    /// `trace` … `critical`. Default `info`.
    public var logLevel = "info"
    /// `text` or `json` (one object per line: timestamp, level, label, message, metadata). Default `text`.
    public var logFormat = LogFormat.text
    /// `/metrics` over HTTP (`metrics.address`, `metrics.allow_remote`). Default off.
    public var metrics = MetricsSettings()
    /// The protocol settings: admission, membership, epochs, tokens, values.
    public var core = CoordinatorInstance.Settings()
    public var transport = TransportSettings()

    public init() {}

    public subscript<T>(dynamicMember path: WritableKeyPath<CoordinatorInstance.Settings, T>) -> T {
        get { core[keyPath: path] }
        set { core[keyPath: path] = newValue }
    }

    public static let fields: [SettingField<Self>] = nodeFields + [
        .url("control_url", \.controlURL),
        .url("epoch_url", \.epochURL),
        .url("advertise_url", \.advertiseURL),
        .url("advertise_epoch_url", \.advertiseEpochURL),
    ] + CoordinatorInstance.Settings.fields(in: \.core, prefix: "")

    /// Flags the command takes besides `--<key>` for every setting (kept from earlier releases).
    public static let flagAliases: [String: String] = [
        "heartbeat-interval-ms": "membership.heartbeat_interval_ms",
        "suspect-after-misses": "membership.suspect_after_misses",
        "dead-after-misses": "membership.dead_after_misses",
        "allocator": "tokens.allocator",
    ]

    /// Validates every setting once at start; throws the first `ConfigError`.
    public func validate() throws { try validateSettings() }
}
