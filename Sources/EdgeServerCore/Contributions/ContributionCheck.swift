import FairwayCore
import FairwayWire

/// The edge's validation of an agent's contribution before it forwards it (issue 9): the wire
/// layer has already refused non-finite values and ragged prototypes; this checks the
/// contribution against the edge's policy — the embedding dimension of the cluster's shared
/// space, how many prototypes, plausible counts, the declared ε and δ and the privacy mode.
/// A refused contribution is not forwarded and changes nothing.
public struct ContributionCheck: Sendable, Hashable {
    /// The edge's contribution policy (YAML `contributions.*`).
    public struct Settings: Sendable, Hashable, SettingsSchema {
        /// Dimension d of the shared embedding space. Default 16 (the committed digits encoders).
        public var dimension = 16
        /// Most prototypes per contribution. Default 64.
        public var maxPrototypes = 64
        /// Largest |noisy count| accepted per prototype. Default 1e6.
        public var maxCount: Double = 1e6
        /// Largest L2 norm of a prototype vector (unit-norm embeddings clipped at C ≤ 1 have
        /// means of norm ≤ 1; noise adds about σ·√d). Default 100.
        public var maxNorm: Double = 100
        /// Largest ε one release may declare. Default 10.
        public var maxEpsilon: Double = 10
        /// Largest δ one release may declare. Default 1e-3.
        public var maxDelta: Double = 1e-3
        /// Privacy modes accepted. Default all three (the non-private ones for experiments;
        /// a production edge lists `multimodal` only).
        public var allowedModes: [String] = PrivacyMode.allCases.map(\.rawValue)

        public init() {}

        public static let fields: [SettingField<Self>] = [
            .integer("dimension", \.dimension, in: 1...4096),
            .integer("max_prototypes", \.maxPrototypes, in: 1...1024),
            .number("max_count", \.maxCount, in: 1...1e12),
            .number("max_norm", \.maxNorm, in: 0.001...1e12),
            .number("max_epsilon", \.maxEpsilon, in: 0.001...1000),
            .number("max_delta", \.maxDelta, in: 1e-300...0.5),
            .list("allowed_modes", \.allowedModes) { modes, field in
                for (i, m) in modes.enumerated() where PrivacyMode(rawValue: m) == nil {
                    throw ConfigError(field: "\(field)[\(i)]", message: "must be one of \(PrivacyMode.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(m)\"")
                }
            },
        ]
    }

    public let settings: Settings

    public init(settings: Settings) { self.settings = settings }

    /// Throws the first violation, naming the field.
    public func check(_ c: Contribution, from agent: NodeID) throws {
        let peer = agent.rawValue
        guard settings.allowedModes.contains(c.mode.rawValue) else {
            throw FairwayError(.invalidField, "privacy mode \(c.mode.rawValue) is not accepted here (accepted: \(settings.allowedModes.joined(separator: ", ")))", field: "contribution.mode", peer: peer)
        }
        guard !c.prototypes.isEmpty, c.prototypes.count <= settings.maxPrototypes else {
            throw FairwayError(.invalidField, "a contribution holds 1 to \(settings.maxPrototypes) prototypes, got \(c.prototypes.count)", field: "contribution.prototypes", peer: peer)
        }
        for (i, p) in c.prototypes.enumerated() {
            let field = "contribution.prototypes[\(i)]"
            guard p.image.count == settings.dimension else {
                throw FairwayError(.invalidField, "prototypes must have dimension \(settings.dimension), got \(p.image.count)", field: "\(field).image", peer: peer)
            }
            guard abs(p.count) <= settings.maxCount else {
                throw FairwayError(.invalidField, "|count| must be ≤ \(settings.maxCount), got \(p.count)", field: "\(field).count", peer: peer)
            }
            for (name, v) in [("image", p.image), ("text", p.text)] {
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard norm <= settings.maxNorm else {
                    throw FairwayError(.invalidField, "L2 norm must be ≤ \(settings.maxNorm), got \(norm)", field: "\(field).\(name)", peer: peer)
                }
            }
        }
        if c.mode.isPrivate {
            guard c.epsilon > 0, c.epsilon <= settings.maxEpsilon else {
                throw FairwayError(.invalidField, "declared ε must be in (0, \(settings.maxEpsilon)], got \(c.epsilon)", field: "contribution.epsilon", peer: peer)
            }
            guard c.delta > 0, c.delta <= settings.maxDelta else {
                throw FairwayError(.invalidField, "declared δ must be in (0, \(settings.maxDelta)], got \(c.delta)", field: "contribution.delta", peer: peer)
            }
            guard c.noiseMultiplier > 0 else {
                throw FairwayError(.invalidField, "a \(c.mode.rawValue) release must declare its noise multiplier σ/Δ₂ > 0", field: "contribution.noise_multiplier", peer: peer)
            }
        } else {
            guard c.epsilon == 0, c.delta == 0 else {
                throw FairwayError(.invalidField, "mode \(c.mode.rawValue) gives no (ε, δ) guarantee: declare ε = δ = 0, got (\(c.epsilon), \(c.delta))", field: "contribution.epsilon", peer: peer)
            }
        }
    }
}
