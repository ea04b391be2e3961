import EdgeAgentCore
import FairwayCore
import FairwayRuntime

/// Settings of an agent process, which hosts `count` agent identities, around the protocol
/// settings each identity's instance decides with (`core`, reachable directly). YAML keys,
/// flags and validation derive from `fields`.
@dynamicMemberLookup
public struct EdgeAgentSettings: Sendable, Hashable, DaemonSettings {
    /// Number of agent identities this process hosts. Default 1.
    public var count = 1
    /// Prefix of identity display names (`<prefix>-<i>`). Default: a random `agent-xxxxxxxx`,
    /// created once and kept in the data directory. Ids are the addresses of the identities' keys.
    public var namePrefix: String?
    /// Edge servers to use, in failover order. Identity i starts at edge `i % edges.count`.
    public var edges = ["tcp://127.0.0.1:7410"]
    /// Data directory (identities). Default `./data/agents`.
    public var dataDirectory = "./data/agents"
    /// `trace` … `critical`. Default `info`.
    public var logLevel = "info"
    /// `text` or `json` (one object per line: timestamp, level, label, message, metadata). Default `text`.
    public var logFormat = LogFormat.text
    /// `/metrics` over HTTP (`metrics.address`, `metrics.allow_remote`). Default off.
    public var metrics = MetricsSettings()
    /// Each identity's protocol settings: bucket size, heartbeat, failover, workload, contributions.
    public var core = AgentInstance.Settings()
    /// The process's private records (`data.*`).
    public var data = AgentDataSettings()
    /// How releases are privatised and each identity's budget (`privacy.*`).
    public var privacy = AgentPrivacySettings()
    /// CSV of digits whose pixels the workload sends as inference inputs, in turn, and whose
    /// labels it checks the edge's predictions against (`workload.inputs`; these records are
    /// sent, so they must not be private — e.g. the held-out split). "" = admission-only
    /// requests. Default "".
    public var inferenceInputs = ""
    /// Use only the held-out split (`ModuleDataset.isHeldOut`) of `workload.inputs`. Default true.
    public var inferenceHeldOutOnly = true
    /// Sockets; requests time out after 1000 ms by default (agents fail over on silence).
    public var transport: TransportSettings = {
        var t = TransportSettings()
        t.requestTimeoutMilliseconds = 1000
        return t
    }()

    public init() {}

    public subscript<T>(dynamicMember path: WritableKeyPath<AgentInstance.Settings, T>) -> T {
        get { core[keyPath: path] }
        set { core[keyPath: path] = newValue }
    }

    public static let fields: [SettingField<Self>] = daemonFields + [
        .integer("count", \.count, in: 1...100_000),
        .text("name_prefix", \.namePrefix) { prefix, field in _ = try ConfigError.parsing(field) { try NodeID("\(prefix)-0", field: field) } },
        .list("edges", \.edges) { edges, field in
            guard !edges.isEmpty else { throw ConfigError(field: field, message: "at least one edge server URL is required") }
            for (i, e) in edges.enumerated() { try URLCheck.validate(e, field: "\(field)[\(i)]") }
        },
    ] + AgentInstance.Settings.fields(in: \.core, prefix: "")
        + AgentDataSettings.fields(in: \.data, prefix: "data")
        + AgentPrivacySettings.fields(in: \.privacy, prefix: "privacy")
        + [.text("workload.inputs", \.inferenceInputs),
           .custom("workload.held_out_only", \.inferenceHeldOutOnly) { value, field in
               switch try value.text(field) {
               case "true": true
               case "false": false
               case let other: throw ConfigError(field: field, message: "must be true or false, got \"\(other)\"")
               }
           }]

    public static let flagAliases: [String: String] = [
        "inference-rate": "workload.rate_per_second",
        "inference-burst": "workload.burst",
        "inference-cost": "workload.cost",
        "releases": "contribute.releases",
        "data": "data.path",
    ]

    /// Validates every setting once at start; throws the first `ConfigError`.
    public func validate() throws { try validateSettings() }
}
