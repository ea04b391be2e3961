/// Domain forms of the ledger messages of wire protocol v1 (`proto/fairway/v1/ledger.proto`).

/// One record of the DAT ledger: a valued contribution, or a contract payment. Its leaf is the
/// exact bytes of its serialised form (`DatRecord.leafBytes` in FairwayWire).
public struct DatRecord: Sendable, Hashable {
    /// What a record is.
    public enum Kind: UInt32, Sendable, Hashable {
        /// A valued contribution: `agentID` contributed, `provenance` is its signed envelope.
        case contribution = 0
        /// A contract payment (paper 4): `agentID` is the paid edge server, `credit` the reward,
        /// `integrityHash` the digest of its integrated module, `provenance` empty.
        case payment = 1
    }

    /// The contract a payment settles.
    public struct ContractPayment: Sendable, Hashable {
        public var round: UInt64
        public var period: UInt32
        public var item: UInt32
        /// Held-out accuracy of the integrated module.
        public var accuracy: Double
        public init(round: UInt64, period: UInt32, item: UInt32, accuracy: Double) {
            self.round = round
            self.period = period
            self.item = item
            self.accuracy = accuracy
        }
    }

    public var index: UInt64
    public var kind: Kind = .contribution
    /// Set for payments.
    public var contract: ContractPayment?
    public var agentID: NodeID
    public var credit: Double
    public var agentValue: Double
    public var novelSamples: UInt32
    public var normalSamples: UInt32
    public var noiseSamples: UInt32
    /// SHA-256 of `provenance`: the metadata pointer's integrity hash.
    public var integrityHash: [UInt8]
    /// The agent's signed contribution envelope, byte for byte.
    public var provenance: [UInt8]
    public var edgeID: NodeID
    public var epoch: UInt64
    public var recordedAt: Timestamp

    public init(index: UInt64, agentID: NodeID, credit: Double, agentValue: Double, novelSamples: UInt32, normalSamples: UInt32, noiseSamples: UInt32,
                integrityHash: [UInt8], provenance: [UInt8], edgeID: NodeID, epoch: UInt64, recordedAt: Timestamp) {
        self.index = index
        self.agentID = agentID
        self.credit = credit
        self.agentValue = agentValue
        self.novelSamples = novelSamples
        self.normalSamples = normalSamples
        self.noiseSamples = noiseSamples
        self.integrityHash = integrityHash
        self.provenance = provenance
        self.edgeID = edgeID
        self.epoch = epoch
        self.recordedAt = recordedAt
    }
}

/// A tree head: the ledger's size and root at a time, signed by the coordinator.
public struct SignedTreeHead: Sendable, Hashable {
    public var treeSize: UInt64
    /// 32 bytes.
    public var rootHash: [UInt8]
    public var timestamp: Timestamp
    public var epoch: UInt64
    /// Ed25519 over `signedBytes` (64 bytes; empty before signing).
    public var signature: [UInt8]
    /// The signer's Ed25519 public key (32 bytes).
    public var publicKey: [UInt8]

    public init(treeSize: UInt64, rootHash: [UInt8], timestamp: Timestamp, epoch: UInt64, signature: [UInt8] = [], publicKey: [UInt8] = []) {
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.timestamp = timestamp
        self.epoch = epoch
        self.signature = signature
        self.publicKey = publicKey
    }

    /// Domain tag of tree-head signatures.
    public static let domainTag = Array("fairway/v1/tree-head".utf8)

    /// What the signature covers: tag, 0x00, size, timestamp, epoch (8 bytes big-endian each), root.
    public var signedBytes: [UInt8] {
        func be(_ v: UInt64) -> [UInt8] { (0..<8).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
        return Self.domainTag + [0] + be(treeSize) + be(UInt64(bitPattern: timestamp.unixMilliseconds)) + be(epoch) + rootHash
    }
}

/// Records [start, start + count) and every signed tree head.
public struct LedgerReply: Sendable, Hashable {
    public var treeSize: UInt64
    /// Leaf bytes, in order.
    public var leaves: [[UInt8]]
    public var heads: [SignedTreeHead]
    public init(treeSize: UInt64, leaves: [[UInt8]], heads: [SignedTreeHead]) {
        self.treeSize = treeSize
        self.leaves = leaves
        self.heads = heads
    }
}

public struct LedgerProofRequest: Sendable, Hashable {
    public var index: UInt64
    /// 0 = the current size.
    public var treeSize: UInt64
    /// > 0: also a consistency proof from this size.
    public var firstSize: UInt64
    public init(index: UInt64, treeSize: UInt64 = 0, firstSize: UInt64 = 0) {
        self.index = index
        self.treeSize = treeSize
        self.firstSize = firstSize
    }
}

public struct LedgerProofReply: Sendable, Hashable {
    public var index: UInt64
    public var treeSize: UInt64
    public var leaf: [UInt8]
    public var rootHash: [UInt8]
    public var inclusionPath: [[UInt8]]
    public var firstSize: UInt64
    public var consistencyProof: [[UInt8]]
    public init(index: UInt64, treeSize: UInt64, leaf: [UInt8], rootHash: [UInt8], inclusionPath: [[UInt8]], firstSize: UInt64 = 0, consistencyProof: [[UInt8]] = []) {
        self.index = index
        self.treeSize = treeSize
        self.leaf = leaf
        self.rootHash = rootHash
        self.inclusionPath = inclusionPath
        self.firstSize = firstSize
        self.consistencyProof = consistencyProof
    }
}
