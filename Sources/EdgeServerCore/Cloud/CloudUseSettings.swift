import FairwayCore

extension CloudUse {
    /// What this edge has and how it uses the cloud (YAML `cloud.*` of the edge server).
    public struct Settings: Sendable, Hashable, SettingsSchema {
        /// The edge's own inference capacity, requests per second (ρ⁰ of Problem 1). Requests
        /// beyond it are offloaded to the cloud within the edge's share. Default 1000.
        public var inferenceRPS = 1000.0
        /// Requests the edge may serve at once above its steady rate (the local bucket's
        /// depth). Default 0 = max(1, inference_rps).
        public var burst = 0.0
        /// Labelled samples the edge holds (α⁰ of Problem 2): its training uses the first this
        /// many samples of its shard, plus what the cloud labels for it (capped at the shard's
        /// size). Default 0 = the whole shard is labelled, so the cloud's labels add nothing.
        public var labelledSamples: UInt64 = 0
        /// γ of inference (the edge's task hardness, reported as configured), and γ^ρ of training
        /// compute and γ^α of labels, reported until the edge has fitted its own (two training
        /// results with different resources). Defaults 0.3 each.
        public var defaultGammaInference = 0.3
        public var defaultGammaCompute = 0.3
        public var defaultGammaLabels = 0.3
        /// Offload to the cloud when saturated. Default true; false = refuse beyond local capacity.
        public var offload = true

        public init() {}

        public var localBurst: Double { burst > 0 ? burst : max(1, inferenceRPS) }

        public static let fields: [SettingField<Self>] = [
            .number("inference_rps", \.inferenceRPS, in: 0...1e9),
            .number("burst", \.burst, in: 0...1e9),
            .integer("labelled_samples", \.labelledSamples, in: 0...1_000_000_000),
            .number("gamma_inference", \.defaultGammaInference, in: 0...1),
            .number("gamma_compute", \.defaultGammaCompute, in: 0...1),
            .number("gamma_labels", \.defaultGammaLabels, in: 0...1),
            .custom("offload", \.offload) { value, field in
                switch try value.text(field).lowercased() {
                case "true", "yes", "on", "1": true
                case "false", "no", "off", "0": false
                case let v: throw ConfigError(field: field, message: "must be true or false, got \(v)")
                }
            },
        ]
    }
}
