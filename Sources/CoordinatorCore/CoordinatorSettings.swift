import FairwayCore

extension CoordinatorInstance {
    /// The coordinator's protocol settings: everything the instance decides with. The daemon's
    /// `CoordinatorSettings` adds sockets, storage and identity around it.
    public struct Settings: Sendable, Hashable, SettingsSchema {
        /// Who may join, with which bucket sizes (`admission.*`).
        public var admission = AdmissionSettings()
        /// Failure detector (`membership.*`).
        public var membership = Membership.Settings()
        /// Length of an epoch, milliseconds (`epoch_ms`). Default 10000.
        public var epochMilliseconds: Int64 = 10_000
        /// Token grants per epoch (`tokens.per_epoch`, `tokens.allocator`, `tokens.seed`).
        public var tokens = TokenScheduling.Settings()
        /// Data valuation: the catalog, Γ, v_n's source (`valuation.*`; configured values under
        /// `tokens.values`, `tokens.default_value`).
        public var valuation = Valuation.Settings()
        /// Two-period dynamic contracts and agent modules (`contracts.*`; off by default).
        public var contracts = Contracts.Settings()
        /// Fair-Synergy shares of the cloud's inference capacity, training compute and
        /// labelling among edges (`cloud.*`).
        public var cloud = CloudAllocation.Settings()
        /// Deliberately broken behaviours (`TestBreak`), for checking the checkers; not a YAML
        /// key or flag (the daemon reads `FAIRWAY_TEST_BREAK`). Passed on to the concerns they break.
        public var breaks: Set<TestBreak> = [] {
            didSet {
                tokens.breaks = breaks
                contracts.breaks = breaks
            }
        }

        public init() {}

        public static let fields: [SettingField<Self>] =
            AdmissionSettings.fields(in: \.admission, prefix: "admission")
            + Membership.Settings.fields(in: \.membership, prefix: "membership")
            + [.integer("epoch_ms", \.epochMilliseconds, in: 100...86_400_000)]
            + TokenScheduling.Settings.fields(in: \.tokens, prefix: "tokens")
            + Valuation.Settings.fields(in: \.valuation, prefix: "valuation")
            + ConfiguredValues.fields(in: \Settings.valuation.configured, prefix: "tokens")
            + Contracts.Settings.fields(in: \.contracts, prefix: "contracts")
            + CloudAllocation.Settings.fields(in: \.cloud, prefix: "cloud")

        public func validateCombinations() throws {
            if valuation.source == .catalog, !valuation.configured.values.isEmpty {
                throw ConfigError(field: "tokens.values", message: "configured values are used only with valuation.source: configured; with the catalog (the default) v_n comes from each agent's contributions")
            }
        }
    }
}
