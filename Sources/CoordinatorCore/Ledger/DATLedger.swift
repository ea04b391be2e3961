import FairwayCore
import FairwayWire

/// The DAT ledger (paper 1, §V-D; issue 9): an append-only Merkle log of valued contributions
/// in the style of Certificate Transparency (RFC 6962 / 9162, SHA-256), with a tree head per
/// epoch that the shell signs with the coordinator's key as it commits it.
///
/// A leaf is the exact bytes of a `DatRecord` (`DatRecord.leafBytes`). Appends are durable
/// before any reply names their index (the `.append` directive commits with the batch, I2).
/// Contributions are identified by (agent, message id of the agent's envelope): a resend is
/// answered with the recorded receipt and appends nothing.
public struct DATLedger: Sendable {
    public enum Directive: Sendable, Hashable {
        /// Store leaf `record.index` (its bytes and hash), keyed by (agent, contribution id).
        case append(DatRecord, leaf: [UInt8], leafHash: [UInt8], contributionID: [UInt8], receipt: ContributionReceipt)
        /// Sign this head with the coordinator's key and store it.
        case signHead(SignedTreeHead)
    }

    /// A contribution's key: the agent and the message id of its envelope.
    public struct ContributionKey: Sendable, Hashable {
        public var agent: NodeID
        public var id: [UInt8]
        public init(agent: NodeID, id: [UInt8]) {
            self.agent = agent
            self.id = id
        }
    }

    public private(set) var tree = MerkleTree.sha256()
    /// Receipts of recorded contributions (answers resends).
    public private(set) var receipts: [ContributionKey: ContributionReceipt] = [:]
    /// Size of the last signed head (nil: none yet).
    public private(set) var lastHeadSize: UInt64?

    /// - Parameters:
    ///   - leafHashes: the stored leaves' hashes, in index order.
    ///   - receipts: the stored receipts, by contribution.
    ///   - lastHeadSize: the size of the newest stored head.
    public init(leafHashes: [[UInt8]] = [], receipts: [ContributionKey: ContributionReceipt] = [:], lastHeadSize: UInt64? = nil) {
        for h in leafHashes { _ = tree.append(leafHash: h) }
        self.receipts = receipts
        self.lastHeadSize = lastHeadSize
    }

    public var size: UInt64 { UInt64(tree.size) }

    /// The receipt of an already-recorded contribution.
    public func receipt(for key: ContributionKey) -> ContributionReceipt? { receipts[key] }

    /// Appends `record` (its `index` is set here) and returns the directive that makes it durable.
    public mutating func append(_ record: DatRecord, key: ContributionKey, receipt: (UInt64, UInt64) -> ContributionReceipt) -> (DatRecord, ContributionReceipt, Directive) {
        var r = record
        r.index = size
        let leaf = r.leafBytes
        let hash = tree.leafHash(leaf)
        _ = tree.append(leafHash: hash)
        let rc = receipt(r.index, size)
        receipts[key] = rc
        return (r, rc, .append(r, leaf: leaf, leafHash: hash, contributionID: key.id, receipt: rc))
    }

    /// At an epoch boundary: a head to sign if the log grew since the last one (or none exists).
    public mutating func onEpochBoundary(epoch: UInt64, now: Timestamp) -> [Directive] {
        guard lastHeadSize != size else { return [] }
        lastHeadSize = size
        return [.signHead(SignedTreeHead(treeSize: size, rootHash: root(size: size), timestamp: now, epoch: epoch))]
    }

    /// Root of the first `size` leaves.
    public func root(size: UInt64) -> [UInt8] {
        var t = tree
        return t.root(size: Int(size))
    }

    /// An inclusion proof of `index` in the tree of `treeSize` leaves (0 = current), and a
    /// consistency proof from `firstSize` if > 0. The leaf bytes are the shell's to add.
    public func proof(_ request: LedgerProofRequest) throws -> LedgerProofReply {
        let n = request.treeSize == 0 ? size : request.treeSize
        guard n <= size else {
            throw FairwayError(.invalidField, "tree size \(n) exceeds the ledger's \(size)", field: "ledger_proof_request.tree_size")
        }
        guard request.index < n else {
            throw FairwayError(.invalidField, "index \(request.index) is not in a tree of \(n) leaves", field: "ledger_proof_request.index")
        }
        guard request.firstSize <= n else {
            throw FairwayError(.invalidField, "first size \(request.firstSize) exceeds tree size \(n)", field: "ledger_proof_request.first_size")
        }
        var t = tree
        let path = t.inclusionPath(index: Int(request.index), size: Int(n))
        let consistency = request.firstSize > 0 ? t.consistencyProof(size1: Int(request.firstSize), size2: Int(n)) : []
        return LedgerProofReply(index: request.index, treeSize: n, leaf: [], rootHash: t.root(size: Int(n)), inclusionPath: path,
                                firstSize: request.firstSize, consistencyProof: consistency)
    }
}
