import EdgeServerCore
import FairwayCore
import FairwayRuntime

/// Settings of the edge-server daemon: sockets, storage and identity around the protocol
/// settings the instance decides with (`core`, reachable directly). Defaults suit a local
/// cluster. YAML keys, flags and validation derive from `fields`.
@dynamicMemberLookup
public struct EdgeServerSettings: Sendable, Hashable, NodeDaemonSettings {
    /// Display name (the id is the address of the node's key). Default `edge-1`.
    public var name = "edge-1"
    /// Ed25519 key file, created on first start with mode 0600. Default `<data_dir>/node.key`.
    public var keyFile: String?
    /// REP socket agents dial. Default `tcp://0.0.0.0:7410`.
    public var listenURL = "tcp://0.0.0.0:7410"
    /// Address reported to the coordinator (default: `listenURL` with 0.0.0.0 → 127.0.0.1).
    public var advertiseURL: String?
    /// Coordinator control socket. Default `tcp://127.0.0.1:7400`.
    public var coordinatorURL = "tcp://127.0.0.1:7400"
    /// Coordinator epoch PUB socket. Default `tcp://127.0.0.1:7401`.
    public var coordinatorEpochURL = "tcp://127.0.0.1:7401"
    /// Data directory (`edge.sqlite`, `node.key`). Default `./data/edge-1`.
    public var dataDirectory = "./data/edge-1"
    /// `trace` … `critical`. Default `info`.
    public var logLevel = "info"
    /// `text` or `json` (one object per line: timestamp, level, label, message, metadata). Default `text`.
    public var logFormat = LogFormat.text
    /// `/metrics` over HTTP (`metrics.address`, `metrics.allow_remote`). Default off.
    public var metrics = MetricsSettings()
    /// The protocol settings: coordinator pin, heartbeat, agent expiry.
    public var core = EdgeInstance.Settings()
    public var transport = TransportSettings()

    public init() {}

    public subscript<T>(dynamicMember path: WritableKeyPath<EdgeInstance.Settings, T>) -> T {
        get { core[keyPath: path] }
        set { core[keyPath: path] = newValue }
    }

    public var effectiveAdvertiseURL: String { advertiseURL ?? URLCheck.dialable(listenURL) }

    public static let fields: [SettingField<Self>] = nodeFields + [
        .url("listen_url", \.listenURL),
        .url("advertise_url", \.advertiseURL),
        .url("coordinator_url", \.coordinatorURL),
        .url("coordinator_epoch_url", \.coordinatorEpochURL),
    ] + EdgeInstance.Settings.fields(in: \.core, prefix: "")

    public static let flagAliases: [String: String] = ["coordinator": "coordinator_url"]

    /// Validates every setting once at start; throws the first `ConfigError`.
    public func validate() throws { try validateSettings() }
}
