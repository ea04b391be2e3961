import FairwayCore
import FairwayWire
import Foundation

/// One line of `fairwayctl ledger export`: a DAT record as JSON (hashes in hex, the provenance
/// envelope in base64 so the agent's signature can be checked by anyone).
public struct DatRecordLine: Codable, Sendable, Equatable {
    public var index: UInt64
    public var agent_id: String
    public var credit: Double
    public var agent_value: Double
    public var novel_samples: UInt32
    public var normal_samples: UInt32
    public var noise_samples: UInt32
    /// Metadata pointer: SHA-256 of the provenance, hex.
    public var integrity_hash: String
    /// The agent's signed contribution envelope, base64.
    public var provenance: String
    public var edge_id: String
    public var epoch: UInt64
    public var recorded_at_unix_ms: Int64
    /// RFC 6962 leaf hash of the record's bytes, hex.
    public var leaf_hash: String
    /// "contribution" or "payment" (a contract payment: agent_id is the paid edge server,
    /// credit the reward, integrity_hash its integrated module's digest).
    public var kind: String
    /// Payments only.
    public var contract_round: UInt64?
    public var contract_period: UInt32?
    public var contract_item: UInt32?
    public var module_accuracy: Double?

    public init(_ r: DatRecord, leafHash: [UInt8]) {
        kind = r.kind == .payment ? "payment" : "contribution"
        contract_round = r.contract?.round
        contract_period = r.contract?.period
        contract_item = r.contract?.item
        module_accuracy = r.contract?.accuracy
        index = r.index
        agent_id = r.agentID.rawValue
        credit = r.credit
        agent_value = r.agentValue
        novel_samples = r.novelSamples
        normal_samples = r.normalSamples
        noise_samples = r.noiseSamples
        integrity_hash = hex(r.integrityHash)
        provenance = Data(r.provenance).base64EncodedString()
        edge_id = r.edgeID.rawValue
        epoch = r.epoch
        recorded_at_unix_ms = r.recordedAt.unixMilliseconds
        leaf_hash = hex(leafHash)
    }
}

/// `fairwayctl ledger proof --json`.
public struct InclusionProofDocument: Codable, Sendable, Equatable {
    public var index: UInt64
    public var tree_size: UInt64
    public var root: String
    public var leaf_hash: String
    public var path: [String]
    /// Whether the path proves the leaf under the root and, when a signed head of that size
    /// exists, that the root is its root and the coordinator signed it (checked by fairwayctl).
    public var verified: Bool
    /// Whether the root is that of a tree head the coordinator signed (false: only the
    /// coordinator's answer vouches for it).
    public var root_signed: Bool = false
    /// The signed tree head the proof was checked against, if any.
    public var signed_head: SignedHead?

    public struct SignedHead: Codable, Sendable, Equatable {
        public var tree_size: UInt64
        public var epoch: UInt64
        /// Address of the signing key (the coordinator's node id).
        public var signer: String
        public init(tree_size: UInt64, epoch: UInt64, signer: String) {
            self.tree_size = tree_size
            self.epoch = epoch
            self.signer = signer
        }
    }

    public init(_ p: LedgerProofReply, leafHash: [UInt8], verified: Bool) {
        index = p.index
        tree_size = p.treeSize
        root = hex(p.rootHash)
        leaf_hash = hex(leafHash)
        path = p.inclusionPath.map { hex($0) }
        self.verified = verified
    }
}

/// `fairwayctl privacy --json` / `fairwayctl valuation --json`: one row per agent.
public struct ValuationDocument: Codable, Sendable, Equatable {
    public struct Agent: Codable, Sendable, Equatable {
        public var agent_id: String
        /// v_n (eq. 20), what token grants are computed from.
        public var value: Double
        public var contributions: UInt64
        public var novel_samples: UInt64
        public var normal_samples: UInt64
        public var noise_samples: UInt64
        /// ε spent over all releases at `delta` (null = unbounded: a release without guarantee).
        public var epsilon_spent: Double?
        public var delta: Double

        public init(_ a: AgentValuation) {
            agent_id = a.agentID.rawValue
            value = a.value
            contributions = a.contributions
            novel_samples = a.novelSamples
            normal_samples = a.normalSamples
            noise_samples = a.noiseSamples
            epsilon_spent = a.epsilonSpent.isFinite ? a.epsilonSpent : nil
            delta = a.delta
        }
    }

    public var agents: [Agent]
    public var catalog_clusters: UInt32

    public init(_ r: ValuationReply) {
        agents = r.agents.map(Agent.init)
        catalog_clusters = r.catalogClusters
    }
}
