/// The Merkle tree of an append-only log as RFC 6962 / RFC 9162 (Certificate Transparency)
/// defines it, over a hash function given by the caller (SHA-256 for the DAT ledger:
/// `MerkleTree.sha256` in FairwayWire, from swift-crypto).
///
/// - leaf hash: H(0x00 ‖ data); node hash: H(0x01 ‖ left ‖ right);
/// - MTH({}) = H(""); MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n])) with k the largest power of
///   two strictly smaller than n (RFC 6962 §2.1);
/// - inclusion path PATH(m, D[n]) (§2.1.1) and consistency proof PROOF(m, D[n]) (§2.1.2), from
///   the leaf level upward; verification as RFC 9162 §2.1.3.2 and §2.1.4.2.
///
/// Hashes of complete subtrees are cached, so all roots and proofs of a log cost O(n log n)
/// hashes rather than O(n²).
public struct MerkleTree: Sendable {
    /// The hash function (e.g. SHA-256): bytes in, digest out.
    public typealias Hash = @Sendable ([UInt8]) -> [UInt8]

    public let hash: Hash
    /// Leaf hashes, in log order.
    public private(set) var leafHashes: [[UInt8]] = []
    private var cache: [Range: [UInt8]] = [:]

    private struct Range: Hashable {
        var start: Int
        var end: Int
    }

    public init(hash: @escaping Hash) { self.hash = hash }

    /// The number of leaves.
    public var size: Int { leafHashes.count }

    /// H(0x00 ‖ data).
    public func leafHash(_ data: [UInt8]) -> [UInt8] { hash([0] + data) }

    /// H(0x01 ‖ left ‖ right).
    public func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] { hash([1] + left + right) }

    /// Appends a leaf's data; returns its index.
    @discardableResult
    public mutating func append(_ data: [UInt8]) -> Int { append(leafHash: leafHash(data)) }

    /// Appends a leaf already hashed (H(0x00 ‖ data)); returns its index.
    @discardableResult
    public mutating func append(leafHash: [UInt8]) -> Int {
        leafHashes.append(leafHash)
        return leafHashes.count - 1
    }

    /// MTH(D[0:n]): the root of the first `n` leaves (n ≤ size).
    public mutating func root(size n: Int) -> [UInt8] {
        precondition(n >= 0 && n <= size, "tree size \(n) outside 0...\(size)")
        return n == 0 ? hash([]) : subtree(0, n)
    }

    /// The inclusion path of leaf `index` in the tree of the first `size` leaves.
    public mutating func inclusionPath(index m: Int, size n: Int) -> [[UInt8]] {
        precondition(m >= 0 && m < n && n <= size, "leaf \(m) is not in a tree of size \(n)")
        return path(m, 0, n)
    }

    /// The consistency proof between the trees of the first `size1` and `size2` leaves
    /// (empty for size1 = size2, and for size1 = 0 by convention: the RFCs define none).
    public mutating func consistencyProof(size1 m: Int, size2 n: Int) -> [[UInt8]] {
        precondition(m >= 0 && m <= n && n <= size, "no consistency proof from \(m) to \(n) in a log of \(size)")
        return m == 0 ? [] : subproof(m, 0, n, complete: true)
    }

    // MARK: RFC 6962 §2.1

    /// MTH(D[start:end]), cached for complete (power-of-two) subtrees.
    private mutating func subtree(_ start: Int, _ end: Int) -> [UInt8] {
        let n = end - start
        if n == 1 { return leafHashes[start] }
        let key = Range(start: start, end: end)
        if let h = cache[key] { return h }
        let k = Self.split(n)
        let h = nodeHash(subtree(start, start + k), subtree(start + k, end))
        if n & (n - 1) == 0 { cache[key] = h }
        return h
    }

    private mutating func path(_ m: Int, _ start: Int, _ end: Int) -> [[UInt8]] {
        let n = end - start
        if n == 1 { return [] }
        let k = Self.split(n)
        if m < k { return path(m, start, start + k) + [subtree(start + k, end)] }
        return path(m - k, start + k, end) + [subtree(start, start + k)]
    }

    private mutating func subproof(_ m: Int, _ start: Int, _ end: Int, complete: Bool) -> [[UInt8]] {
        let n = end - start
        if m == n { return complete ? [] : [subtree(start, end)] }
        let k = Self.split(n)
        if m <= k { return subproof(m, start, start + k, complete: complete) + [subtree(start + k, end)] }
        return subproof(m - k, start + k, end, complete: false) + [subtree(start, start + k)]
    }

    /// The largest power of two strictly smaller than n (n ≥ 2).
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    // MARK: RFC 9162 verification

    /// Whether `path` proves leaf `index` (hash `leafHash`) in the tree of `size` leaves with
    /// root `root` (RFC 9162 §2.1.3.2).
    public func verifyInclusion(leafHash: [UInt8], index: Int, size: Int, path: [[UInt8]], root: [UInt8]) -> Bool {
        guard index >= 0, index < size else { return false }
        var fn = index, sn = size - 1
        var r = leafHash
        for p in path {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Whether `proof` shows the tree of `size1` leaves (root `root1`) is a prefix of the tree of
    /// `size2` leaves (root `root2`) (RFC 9162 §2.1.4.2; size1 = size2 needs an empty proof and
    /// equal roots; size1 = 0 is accepted with an empty proof, the convention of `consistencyProof`).
    public func verifyConsistency(size1: Int, size2: Int, root1: [UInt8], root2: [UInt8], proof: [[UInt8]]) -> Bool {
        guard size1 >= 0, size1 <= size2 else { return false }
        if size1 == 0 { return proof.isEmpty }
        if size1 == size2 { return proof.isEmpty && root1 == root2 }
        guard !proof.isEmpty else { return false }
        var path = proof
        if size1 & (size1 - 1) == 0 { path.insert(root1, at: 0) }  // size1 a power of two: its root starts the path
        var fn = size1 - 1, sn = size2 - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == root1 && sr == root2 && sn == 0
    }
}
