import Crypto
import FairwayCore

extension MerkleTree {
    /// The RFC 6962 / 9162 tree over SHA-256 (swift-crypto): the DAT ledger's.
    public static func sha256() -> MerkleTree {
        MerkleTree(hash: { Array(SHA256.hash(data: $0)) })
    }
}
