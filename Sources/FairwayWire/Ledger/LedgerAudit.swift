import Crypto
import FairwayCore

/// Checks a copy of the DAT ledger as anyone can (`fairwayctl ledger verify`): every leaf is a
/// well-formed `DatRecord` at its own index whose integrity hash is the SHA-256 of its
/// provenance, and the provenance is a contribution signed by the record's agent; every tree
/// head is signed by one key (the coordinator's, if given) and its root is the root of the
/// leaves up to its size; consecutive heads are consistent (the later tree extends the
/// earlier, RFC 9162 §2.1.4). Problems name the leaf index or head size at fault.
public enum LedgerAudit {
    public struct Problem: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The leaf at fault, if one is known.
        public var index: UInt64?
        /// The tree head at fault, by size, if one is.
        public var headSize: UInt64?
        public var message: String
        public init(index: UInt64? = nil, headSize: UInt64? = nil, message: String) {
            self.index = index
            self.headSize = headSize
            self.message = message
        }
        public var description: String {
            (index.map { "leaf \($0): " } ?? "") + (headSize.map { "head \($0): " } ?? "") + message
        }
    }

    public struct Report: Sendable, Hashable, Codable {
        public var treeSize: UInt64
        public var headsChecked: Int
        /// Hex root of the whole tree.
        public var root: String
        public var problems: [Problem]
        public var ok: Bool { problems.isEmpty }
    }

    /// Audits `leaves` (leaf bytes in index order) against `heads`.
    /// - Parameter coordinator: the node id the heads' key must have (nil: any single key).
    public static func verify(leaves: [[UInt8]], heads: [SignedTreeHead], coordinator: NodeID? = nil) -> Report {
        var problems: [Problem] = []
        var tree = MerkleTree.sha256()
        for (i, leaf) in leaves.enumerated() {
            _ = tree.append(leaf)
            let index = UInt64(i)
            let record: DatRecord
            do { record = try DatRecord(leaf: leaf, field: "leaf[\(i)]") } catch {
                problems.append(Problem(index: index, message: "not a DAT record: \(error)"))
                continue
            }
            if record.index != index { problems.append(Problem(index: index, message: "record says index \(record.index)")) }
            if record.kind == .payment {
                // A contract payment: no provenance; its integrity hash is the paid module's digest.
                if !record.provenance.isEmpty || record.integrityHash.count != 32 || record.contract == nil || !(record.credit >= 0) {
                    problems.append(Problem(index: index, message: "a payment record needs no provenance, a 32-byte module digest, its contract and a reward ≥ 0"))
                }
                continue
            }
            if DatRecord.integrityHash(of: record.provenance) != record.integrityHash {
                problems.append(Problem(index: index, message: "integrity hash is not the SHA-256 of the provenance"))
            }
            do throws(WireCodec.DecodeFailure) {
                let opened = try WireCodec.open(record.provenance, archived: true)
                if case .contribution = opened.envelope.payload, opened.envelope.sender == record.agentID {} else {
                    problems.append(Problem(index: index, message: "provenance is not a contribution signed by \(record.agentID)"))
                }
            } catch {
                problems.append(Problem(index: index, message: "provenance does not verify: \(error.error)"))
            }
        }
        var key: [UInt8]?
        var previous: SignedTreeHead?
        for head in heads.sorted(by: { $0.treeSize < $1.treeSize }) {
            let size = head.treeSize
            if !head.signatureIsValid { problems.append(Problem(headSize: size, message: "signature does not verify")) }
            if let coordinator, NodeAddress.of(publicKey: head.publicKey) != coordinator {
                problems.append(Problem(headSize: size, message: "signed by \(NodeAddress.of(publicKey: head.publicKey)), not the coordinator \(coordinator)"))
            }
            if let k = key, k != head.publicKey { problems.append(Problem(headSize: size, message: "signed by a different key than earlier heads")) }
            key = key ?? head.publicKey
            guard size <= UInt64(leaves.count) else {
                problems.append(Problem(headSize: size, message: "the ledger has only \(leaves.count) leaves: signed leaves are missing"))
                continue
            }
            if tree.root(size: Int(size)) != head.rootHash {
                let from = previous.map { $0.treeSize } ?? 0
                problems.append(Problem(headSize: size, message: "root of the first \(size) leaves is not the signed root: a leaf in [\(from), \(size)) was changed"))
            }
            if let p = previous, p.treeSize > 0, p.treeSize < size {
                let proof = tree.consistencyProof(size1: Int(p.treeSize), size2: Int(size))
                if !tree.verifyConsistency(size1: Int(p.treeSize), size2: Int(size), root1: p.rootHash, root2: head.rootHash, proof: proof) {
                    problems.append(Problem(headSize: size, message: "not consistent with the head of size \(p.treeSize)"))
                }
            }
            previous = head
        }
        let root = tree.root(size: tree.size)
        return Report(treeSize: UInt64(leaves.count), headsChecked: heads.count, root: hex(root), problems: problems)
    }

    /// Whether `leaf` is leaf `index` of the tree with `root` of `size` leaves, by `path`.
    public static func verifyInclusion(leaf: [UInt8], index: UInt64, size: UInt64, path: [[UInt8]], root: [UInt8]) -> Bool {
        let t = MerkleTree.sha256()
        return t.verifyInclusion(leafHash: t.leafHash(leaf), index: Int(index), size: Int(size), path: path, root: root)
    }
}
