import FairwayCore

extension Contracts {
    /// Which rewards the coordinator offers.
    public enum Scheme: String, Sendable, Hashable, CaseIterable {
        /// The minimum-cost rewards that satisfy every IR, IC and IIC constraint, at the
        /// profit-maximising integer T (`docs/contracts.md`).
        case exact
        /// Eqs. 19 and 24 exactly as printed, at their profit-maximising integer T (may violate IR).
        case paper
    }

    /// Contract settings (YAML `contracts.*`).
    public struct Settings: Sendable, Hashable, SettingsSchema {
        /// Epochs each contract period lasts: uploads must be integrated before it ends.
        /// 0 = contracts off (the default).
        public var periodEpochs: UInt64 = 0
        /// The epoch at which the first round opens. Default 1.
        public var startEpoch: UInt64 = 1
        /// `exact` (default) or `paper`.
        public var scheme: Scheme = .exact
        /// JSON file of the contract instance, in the format of the reference `contracts.json`
        /// entries (K, N, beta, alpha, sigma, E_C, c, E, theta1, theta2, p1, p2). "" = the
        /// built-in instance (`docs/contracts.md`).
        public var instanceFile = ""
        /// CSV of digits the coordinator evaluates uploads on (its held-out split). Required
        /// when contracts are on.
        public var dataPath = ""
        /// Held-out accuracy (0–1) an upload needs to be integrated and paid. Default 0.8.
        public var qualityBar = ModuleIntegration.defaultQualityBar
        /// Bytes per chunk of the module the coordinator serves. Default 65536.
        public var chunkBytes = 65_536
        /// Test-only breaks (`TestBreak.payBeforeIntegration`); never from YAML.
        public var breaks: Set<TestBreak> = []

        public init() {}

        public var enabled: Bool { periodEpochs > 0 }

        public static let fields: [SettingField<Self>] = [
            .integer("period_epochs", \.periodEpochs, in: 0...1_000_000),
            .integer("start_epoch", \.startEpoch, in: 1...UInt64(1) << 40),
            .choice("scheme", \.scheme),
            .text("instance_file", \.instanceFile),
            .text("data_path", \.dataPath),
            .number("quality_bar", \.qualityBar, in: 0...1),
            .integer("chunk_bytes", \.chunkBytes, in: 1024...ContractLimits.maxChunkBytes),
        ]

        public func validateCombinations() throws {
            if enabled, dataPath.isEmpty {
                throw ConfigError(field: "data_path", message: "contracts need held-out data to evaluate uploads: set contracts.data_path (e.g. data/uci-digits-8x8.csv)")
            }
        }
    }

    /// What the shell computes once at start from the settings: the instance, its menu (by the
    /// chosen scheme) and the held-out data uploads are judged on.
    public struct Plan: Sendable {
        public var instance: ContractInstance
        public var terms: ContractTerms
        public var scheme: Scheme
        public var heldOut: ModuleDataset
        public init(instance: ContractInstance, terms: ContractTerms, scheme: Scheme, heldOut: ModuleDataset) {
            self.instance = instance
            self.terms = terms
            self.scheme = scheme
            self.heldOut = heldOut
        }
    }
}
