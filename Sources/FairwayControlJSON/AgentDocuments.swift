import FairwayCore
import Foundation

/// `fairwayctl submit --json`: the receipt of one DP release submitted as an agent identity.
public struct SubmitDocument: Codable, Sendable, Equatable {
    public var agent_id: String
    /// The edge the release went through.
    public var edge: String
    /// Which block of the agent's records the release summarised (from 1).
    public var sequence: UInt64
    /// Records summarised and prototypes released.
    public var records: UInt32
    public var prototypes: Int
    /// The release's own (ε, δ) (0 in modes without a guarantee).
    public var epsilon: Double
    public var delta: Double
    /// Whether fairwayctl had to join the agent through the edge first.
    public var joined: Bool
    /// The coordinator's receipt: DAT leaf index, novelty credit, the agent's value v_n after it.
    public var leaf_index: UInt64
    public var credit: Double
    public var value: Double
    public var novel_samples: UInt32
    public var normal_samples: UInt32
    public var noise_samples: UInt32
    public var tree_size: UInt64
    /// A resend of a recorded release: nothing was counted again.
    public var duplicate: Bool

    public init(_ r: ContributionReceipt, contribution c: Contribution, edge: String, joined: Bool) {
        agent_id = r.agentID.rawValue
        self.edge = edge
        sequence = c.sequence
        records = c.records
        prototypes = c.prototypes.count
        epsilon = c.epsilon
        delta = c.delta
        self.joined = joined
        leaf_index = r.leafIndex
        credit = r.credit
        value = r.agentValue
        novel_samples = r.novelSamples
        normal_samples = r.normalSamples
        noise_samples = r.noiseSamples
        tree_size = r.treeSize
        duplicate = r.duplicate
    }
}

/// `fairwayctl request --json`: one inference request's reply.
public struct InferenceDocument: Codable, Sendable, Equatable {
    public var agent_id: String
    public var edge: String
    /// The agent module's prediction (−1: no features sent, or the edge holds no module yet).
    public var label: Int32
    public var confidence: Double
    public var module_version: UInt64
    /// Tokens charged, and what the agent still holds at this edge.
    public var charged: UInt64
    public var remaining: UInt64
    public var served_by_cloud: Bool
    public var joined: Bool
    /// The record's true label when the input came from `--digit-row` (else absent).
    public var expected_label: Int?

    public init(_ r: InferenceReply, agent: NodeID, edge: String, joined: Bool, expected: Int?) {
        agent_id = agent.rawValue
        self.edge = edge
        label = r.label
        confidence = r.confidence
        module_version = r.moduleVersion
        charged = r.charged
        remaining = r.remaining
        served_by_cloud = r.servedByCloud
        self.joined = joined
        expected_label = expected
    }
}
