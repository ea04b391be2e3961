import FairwayCore
import FairwayRuntime

/// Settings of the cloud coordinator. Defaults suit a local cluster.
public struct CoordinatorSettings: Sendable, Hashable {
    /// Display name of the coordinator (its id is the address of its key). Default `coordinator`.
    public var name = "coordinator"
    /// Ed25519 key file, created on first start with mode 0600. Default `<data_dir>/node.key`.
    public var keyFile: String?
    /// Who may join. Default `.open`.
    public var admission = AdmissionPolicy.open
    /// REP socket for control requests (join, heartbeat, status). Default `tcp://0.0.0.0:7400`.
    public var controlURL = "tcp://0.0.0.0:7400"
    /// PUB socket for epoch announcements. Default `tcp://0.0.0.0:7401`.
    public var epochURL = "tcp://0.0.0.0:7401"
    /// Address advertised in `status` (defaults to `controlURL`).
    public var advertiseURL: String?
    /// Directory holding `coordinator.sqlite`. Default `./data/coordinator`.
    public var dataDirectory = "./data/coordinator"
    /// Failure detector.
    public var membership = Membership.Settings()
    /// Length of an epoch, milliseconds. Default 10000.
    public var epochMilliseconds: Int64 = 10_000
    /// Failure-detector tick, milliseconds. Default 200.
    public var tickMilliseconds: Int64 = 200
    /// Token grants per epoch.
    public var tokens = TokenSchedulingSettings()
    public var transport = TransportSettings()

    public init() {}

    /// The key file actually used.
    public var effectiveKeyFile: String { keyFile ?? dataDirectory + "/node.key" }

    /// Validates every setting once at start.
    public func validate() throws {
        try membership.validate()
        try transport.validate()
        try tokens.validate()
        guard (100...86_400_000).contains(epochMilliseconds) else {
            throw ConfigError(field: "epoch_ms", message: "must be 100–86400000, got \(epochMilliseconds)")
        }
        guard (10...60_000).contains(tickMilliseconds) else {
            throw ConfigError(field: "tick_ms", message: "must be 10–60000, got \(tickMilliseconds)")
        }
        try URLCheck.validate(controlURL, field: "control_url")
        try URLCheck.validate(epochURL, field: "epoch_url")
    }
}
