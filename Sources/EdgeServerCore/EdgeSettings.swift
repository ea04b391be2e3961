import FairwayCore

extension EdgeInstance {
    /// The edge server's protocol settings: everything the instance decides with. The daemon's
    /// `EdgeServerSettings` adds sockets, storage and identity around it.
    public struct Settings: Sendable, Hashable, SettingsSchema {
        /// Address (node id) the coordinator must have; nil = trust the first coordinator that
        /// accepts the join and pin it for the process lifetime (`coordinator_id`).
        public var coordinatorID: NodeID?
        /// Heartbeat period towards the coordinator until it announces its own, milliseconds.
        /// Default 1000.
        public var heartbeatIntervalMilliseconds: Int64 = 1000
        /// Missed agent heartbeat intervals after which the edge forgets an agent. Default 5.
        public var agentExpiryMisses: Int = 5
        /// What contributions the edge accepts and forwards (`contributions.*`).
        public var contributions = ContributionCheck.Settings()
        /// Contract participation and the module's training data (`contract.*`; off by default).
        public var contract = ContractWork.Settings()
        /// Own inference capacity, labels and elasticity defaults for the cloud allocation (`cloud.*`).
        public var cloud = CloudUse.Settings()
        /// Node ids (key addresses, as `fairwayctl identity` prints them) allowed to send
        /// operations requests (`fairwayctl drain` / `resume`). Default none: drain is refused.
        public var adminKeys: [String] = []

        /// `adminKeys` as ids (validated at load).
        public var adminIDs: Set<NodeID> { Set(adminKeys.compactMap { try? NodeID($0, field: "admin_keys") }) }

        public init() {}

        public static let fields: [SettingField<Self>] = [
            .custom("coordinator_id", \.coordinatorID) { value, field in try ConfigError.parsing(field) { try NodeID(try value.text(field), field: field) } },
            .integer("heartbeat_interval_ms", \.heartbeatIntervalMilliseconds, in: 10...600_000),
            .integer("agent_expiry_misses", \.agentExpiryMisses, in: 2...10_000),
            .list("admin_keys", \.adminKeys) { keys, field in
                for (i, k) in keys.enumerated() { _ = try ConfigError.parsing("\(field)[\(i)]") { try NodeID(k, field: "\(field)[\(i)]") } }
            },
        ] + ContributionCheck.Settings.fields(in: \.contributions, prefix: "contributions")
            + ContractWork.Settings.fields(in: \.contract, prefix: "contract")
            + CloudUse.Settings.fields(in: \.cloud, prefix: "cloud")
    }
}
