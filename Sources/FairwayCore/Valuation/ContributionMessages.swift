/// Domain forms of the valuation messages of wire protocol v1 (`proto/fairway/v1/valuation.proto`).
/// Values here are already validated by the wire layer (finite numbers, list sizes, dimensions
/// equal within a contribution); the edge checks them against its own limits
/// (`ContributionCheck`).

/// How a release was privatised (`docs/privacy.md`).
public typealias PrivacyMode = PrototypeReleaseSettings.Mode

extension PrototypeReleaseSettings.Mode: Codable {
    /// Whether releases in this mode carry an (ε, δ) guarantee (only `multimodal` does).
    public var isPrivate: Bool { self == .multimodal }
}

/// One cluster's DP prototype: noisy per-modality means in the shared space, and a noisy count.
public struct Prototype: Sendable, Hashable {
    public var image: [Double]
    public var text: [Double]
    /// Noisy number of records the prototype summarises.
    public var count: Double

    public init(image: [Double], text: [Double], count: Double) {
        self.image = image
        self.text = text
        self.count = count
    }

    /// The direction the catalog matches: the mean of the two modalities' unit directions
    /// (one modality alone if the other is zero).
    public var fused: [Double] {
        func unit(_ v: [Double]) -> [Double] {
            let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return n > 0 && n.isFinite ? v.map { $0 / n } : v.map { _ in 0 }
        }
        let a = unit(image), b = unit(text)
        guard a.count == b.count else { return a.isEmpty ? b : a }
        return zip(a, b).map { ($0 + $1) / 2 }
    }
}

/// Agent → edge: one DP release (see `proto/fairway/v1/valuation.proto`).
public struct Contribution: Sendable, Hashable {
    public var prototypes: [Prototype]
    public var mode: PrivacyMode
    /// (ε, δ) the release spends; 0 and 0 for modes without a guarantee.
    public var epsilon: Double
    public var delta: Double
    /// σ / Δ₂ of the release; 0 without noise.
    public var noiseMultiplier: Double
    /// Standard deviation of the noise on each released count (0 when counts are exact).
    public var countSigma: Double

    /// The σ the catalog gates counts with: the declared count σ, and never less than the noise
    /// multiplier z = σ/Δ₂ (Δ₂ ≥ 1, the count's own sensitivity), so under-declaring σ does not
    /// let a release's empty cells pass as data.
    public var countNoiseFloor: Double { max(countSigma, noiseMultiplier) }
    /// The agent's own release counter, from 1.
    public var sequence: UInt64
    /// Records the release summarises (declared).
    public var records: UInt32

    public init(prototypes: [Prototype], mode: PrivacyMode, epsilon: Double, delta: Double, noiseMultiplier: Double, sequence: UInt64, records: UInt32,
                countSigma: Double = 0) {
        self.countSigma = countSigma
        self.prototypes = prototypes
        self.mode = mode
        self.epsilon = epsilon
        self.delta = delta
        self.noiseMultiplier = noiseMultiplier
        self.sequence = sequence
        self.records = records
    }

    /// Embedding dimension (0 if no prototypes).
    public var dimension: Int { prototypes.first?.image.count ?? 0 }
}

/// The coordinator's record of one valued contribution (`ContributionReceipt`).
public struct ContributionReceipt: Sendable, Hashable, Codable {
    public var agentID: NodeID
    /// The message id of the agent's contribution envelope (16 bytes).
    public var contributionID: [UInt8]
    /// Leaf index of its DAT record.
    public var leafIndex: UInt64
    /// Novelty credit of this contribution's samples (novel 1, normal 0.5, noise 0), summed.
    public var credit: Double
    public var novelSamples: UInt32
    public var normalSamples: UInt32
    public var noiseSamples: UInt32
    /// The agent's v_n after it (eq. 20).
    public var agentValue: Double
    /// Ledger size after the append.
    public var treeSize: UInt64
    /// A resend of a recorded contribution: nothing was counted again.
    public var duplicate: Bool

    public init(agentID: NodeID, contributionID: [UInt8], leafIndex: UInt64, credit: Double, novelSamples: UInt32, normalSamples: UInt32,
                noiseSamples: UInt32, agentValue: Double, treeSize: UInt64, duplicate: Bool = false) {
        self.agentID = agentID
        self.contributionID = contributionID
        self.leafIndex = leafIndex
        self.credit = credit
        self.novelSamples = novelSamples
        self.normalSamples = normalSamples
        self.noiseSamples = noiseSamples
        self.agentValue = agentValue
        self.treeSize = treeSize
        self.duplicate = duplicate
    }
}

/// Edge → coordinator: agents' signed contribution envelopes, byte for byte, and their digest.
public struct ContributionBatch: Sendable, Hashable {
    public var contributions: [[UInt8]]
    /// SHA-256 over the entries, each preceded by its length (8 bytes big-endian).
    public var digest: [UInt8]
    public init(contributions: [[UInt8]], digest: [UInt8]) {
        self.contributions = contributions
        self.digest = digest
    }
}

/// One agent's valuation and privacy figures (`fairwayctl privacy`, `fairwayctl valuation`).
public struct AgentValuation: Sendable, Hashable, Codable {
    public var agentID: NodeID
    public var value: Double
    public var contributions: UInt64
    public var novelSamples: UInt64
    public var normalSamples: UInt64
    public var noiseSamples: UInt64
    /// ε of all its releases at `delta` (RDP accountant over declared noise multipliers); +∞ if
    /// any release had no guarantee.
    public var epsilonSpent: Double
    public var delta: Double

    public init(agentID: NodeID, value: Double, contributions: UInt64, novelSamples: UInt64, normalSamples: UInt64, noiseSamples: UInt64,
                epsilonSpent: Double, delta: Double) {
        self.agentID = agentID
        self.value = value
        self.contributions = contributions
        self.novelSamples = novelSamples
        self.normalSamples = normalSamples
        self.noiseSamples = noiseSamples
        self.epsilonSpent = epsilonSpent
        self.delta = delta
    }
}

public struct ValuationReply: Sendable, Hashable {
    public var agents: [AgentValuation]
    public var catalogClusters: UInt32
    public init(agents: [AgentValuation], catalogClusters: UInt32) {
        self.agents = agents
        self.catalogClusters = catalogClusters
    }
}
