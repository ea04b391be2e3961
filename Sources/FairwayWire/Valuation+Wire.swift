import Crypto
import FairwayCore
import Foundation

/// Largest embedding dimension accepted from the wire.
let maxEmbeddingDimension = 4096
/// Most prototypes in one contribution.
let maxPrototypes = 1024
/// Most contributions in one batch.
let maxBatchContributions = 256

private func finite(_ v: Double, field: String) throws -> Double {
    guard v.isFinite else { throw FairwayError(.invalidField, "must be a finite number, got \(v)", field: field) }
    return v
}

private func vector(_ v: [Double], field: String) throws -> [Double] {
    guard v.count <= maxEmbeddingDimension else {
        throw FairwayError(.invalidField, "at most \(maxEmbeddingDimension) values, got \(v.count)", field: field)
    }
    if let i = v.firstIndex(where: { !$0.isFinite }) {
        throw FairwayError(.invalidField, "value \(i) is not finite (\(v[i]))", field: "\(field)[\(i)]")
    }
    return v
}

extension PrivacyMode {
    init(wire: Fairway_V1_PrivacyMode, field: String) throws {
        switch wire {
        case .multimodal: self = .multimodal
        case .imageOnly: self = .imageOnly
        case .none: self = .none
        default: throw FairwayError(.invalidField, "privacy mode must be multimodal, image-only or none, got \(wire)", field: field)
        }
    }

    var wire: Fairway_V1_PrivacyMode {
        switch self {
        case .multimodal: .multimodal
        case .imageOnly: .imageOnly
        case .none: .none
        }
    }
}

extension Contribution {
    init(wire w: Fairway_V1_Contribution) throws {
        guard w.prototypes.count <= maxPrototypes else {
            throw FairwayError(.invalidField, "at most \(maxPrototypes) prototypes, got \(w.prototypes.count)", field: "contribution.prototypes")
        }
        let dimension = w.prototypes.first?.image.count ?? 0
        var prototypes: [Prototype] = []
        for (i, p) in w.prototypes.enumerated() {
            let field = "contribution.prototypes[\(i)]"
            let image = try vector(p.image, field: "\(field).image"), text = try vector(p.text, field: "\(field).text")
            guard image.count == dimension, text.count == dimension else {
                throw FairwayError(.invalidField, "image and text prototypes must both have the contribution's dimension \(dimension); got \(image.count) and \(text.count)", field: field)
            }
            prototypes.append(Prototype(image: image, text: text, count: try finite(p.count, field: "\(field).count")))
        }
        let epsilon = try finite(w.epsilon, field: "contribution.epsilon"), delta = try finite(w.delta, field: "contribution.delta")
        guard epsilon >= 0 else { throw FairwayError(.invalidField, "ε must be ≥ 0, got \(epsilon)", field: "contribution.epsilon") }
        guard delta >= 0, delta < 1 else { throw FairwayError(.invalidField, "δ must be in [0, 1), got \(delta)", field: "contribution.delta") }
        let z = try finite(w.noiseMultiplier, field: "contribution.noise_multiplier")
        guard z >= 0 else { throw FairwayError(.invalidField, "noise multiplier must be ≥ 0, got \(z)", field: "contribution.noise_multiplier") }
        let countSigma = try finite(w.countSigma, field: "contribution.count_sigma")
        guard countSigma >= 0 else { throw FairwayError(.invalidField, "count σ must be ≥ 0, got \(countSigma)", field: "contribution.count_sigma") }
        self.init(prototypes: prototypes, mode: try PrivacyMode(wire: w.mode, field: "contribution.mode"), epsilon: epsilon, delta: delta,
                  noiseMultiplier: z, sequence: w.sequence, records: w.records,
                  countSigma: countSigma)
    }

    var wire: Fairway_V1_Contribution {
        var w = Fairway_V1_Contribution()
        w.prototypes = prototypes.map { p in
            var wp = Fairway_V1_Prototype()
            wp.image = p.image
            wp.text = p.text
            wp.count = p.count
            return wp
        }
        w.mode = mode.wire
        w.epsilon = epsilon
        w.delta = delta
        w.noiseMultiplier = noiseMultiplier
        w.countSigma = countSigma
        w.sequence = sequence
        w.records = records
        return w
    }
}

extension ContributionReceipt {
    init(wire w: Fairway_V1_ContributionReceipt, field: String) throws {
        guard w.contributionID.count == MessageID.length else {
            throw FairwayError(.invalidField, "contribution id must be \(MessageID.length) bytes, got \(w.contributionID.count)", field: "\(field).contribution_id")
        }
        self.init(agentID: try NodeID(w.agentID, field: "\(field).agent_id"), contributionID: [UInt8](w.contributionID), leafIndex: w.leafIndex,
                  credit: try finite(w.credit, field: "\(field).credit"), novelSamples: w.novelSamples, normalSamples: w.normalSamples,
                  noiseSamples: w.noiseSamples, agentValue: try finite(w.agentValue, field: "\(field).agent_value"), treeSize: w.treeSize, duplicate: w.duplicate)
    }

    var wire: Fairway_V1_ContributionReceipt {
        var w = Fairway_V1_ContributionReceipt()
        w.agentID = agentID.rawValue
        w.contributionID = Data(contributionID)
        w.leafIndex = leafIndex
        w.credit = credit
        w.novelSamples = novelSamples
        w.normalSamples = normalSamples
        w.noiseSamples = noiseSamples
        w.agentValue = agentValue
        w.treeSize = treeSize
        w.duplicate = duplicate
        return w
    }
}

extension ContributionBatch {
    /// A batch of `contributions` with its digest.
    public init(contributions: [[UInt8]]) {
        self.init(contributions: contributions, digest: Self.digest(of: contributions))
    }

    /// SHA-256 over the entries, each preceded by its length as 8 bytes big-endian.
    public static func digest(of entries: [[UInt8]]) -> [UInt8] {
        var h = SHA256()
        for e in entries {
            let n = UInt64(e.count)
            h.update(data: (0..<8).reversed().map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) })
            h.update(data: e)
        }
        return Array(h.finalize())
    }

    init(wire w: Fairway_V1_ContributionBatch) throws {
        guard !w.contributions.isEmpty, w.contributions.count <= maxBatchContributions else {
            throw FairwayError(.invalidField, "a batch holds 1 to \(maxBatchContributions) contributions, got \(w.contributions.count)", field: "contribution_batch.contributions")
        }
        let entries = w.contributions.map { [UInt8]($0) }
        guard [UInt8](w.digest) == Self.digest(of: entries) else {
            throw FairwayError(.invalidField, "digest does not match the contributions (SHA-256 over length-prefixed entries)", field: "contribution_batch.digest")
        }
        self.init(contributions: entries, digest: [UInt8](w.digest))
    }

    var wire: Fairway_V1_ContributionBatch {
        var w = Fairway_V1_ContributionBatch()
        w.contributions = contributions.map { Data($0) }
        w.digest = Data(digest)
        return w
    }
}

extension AgentValuation {
    init(wire w: Fairway_V1_AgentValuation, field: String) throws {
        self.init(agentID: try NodeID(w.agentID, field: "\(field).agent_id"), value: try finite(w.value, field: "\(field).value"),
                  contributions: w.contributions, novelSamples: w.novelSamples, normalSamples: w.normalSamples, noiseSamples: w.noiseSamples,
                  epsilonSpent: w.epsilonSpent.isNaN ? .infinity : w.epsilonSpent, delta: w.delta)
    }

    var wire: Fairway_V1_AgentValuation {
        var w = Fairway_V1_AgentValuation()
        w.agentID = agentID.rawValue
        w.value = value
        w.contributions = contributions
        w.novelSamples = novelSamples
        w.normalSamples = normalSamples
        w.noiseSamples = noiseSamples
        w.epsilonSpent = epsilonSpent
        w.delta = delta
        return w
    }
}

extension ValuationReply {
    init(wire w: Fairway_V1_ValuationReply) throws {
        try checkedCount(w.agents.count, field: "valuation_reply.agents")
        self.init(agents: try w.agents.enumerated().map { try AgentValuation(wire: $1, field: "valuation_reply.agents[\($0)]") }, catalogClusters: w.catalogClusters)
    }

    var wire: Fairway_V1_ValuationReply {
        var w = Fairway_V1_ValuationReply()
        w.agents = agents.map(\.wire)
        w.catalogClusters = catalogClusters
        return w
    }
}
