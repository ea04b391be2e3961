import Crypto
import FairwayCore
import FairwayWire
import Foundation
import XCTest

/// `Tests/Reference/merkle-log.json`: RFC 6962 / 9162 roots, inclusion and consistency proofs,
/// reproduced exactly (bytes), negative cases rejected, and ~17,000 proofs of a 130-leaf log
/// checked against digests.
final class MerkleTreeTests: XCTestCase {
    struct Leaf: Decodable { var index: Int; var data: String; var leaf_hash: String }
    struct Root: Decodable { var size: Int; var root: String }
    struct Inclusion: Decodable { var index, size: Int; var leaf_hash, root: String; var proof: [String] }
    struct Consistency: Decodable { var size1, size2: Int; var root1, root2: String; var proof: [String] }
    struct Tree: Decodable { var leaves: [Leaf]; var roots: [Root]; var inclusion: [Inclusion]; var consistency: [Consistency] }
    struct Generated: Decodable { var num_leaves: Int; var roots: [Root]; var inclusion: [Inclusion]; var consistency: [Consistency] }
    struct Case: Decodable {
        var kind, desc: String
        var index, size, size1, size2: Int?
        var leaf_hash, root, root1, root2: String?
        var proof: [String]
        var valid: Bool
    }
    struct Digest: Decodable { var value: String }
    struct Rolling: Decodable { var roots_digest, inclusion_digest, consistency_digest: Digest }
    struct Accepted: Decodable { var cases: [Case] }
    struct Reference: Decodable {
        var published_tree: Tree
        var generated_1000: Generated
        var negative: [Case]
        var accepted_variants: Accepted
        var rolling_digests: Rolling
    }

    func reference() throws -> Reference {
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/merkle-log.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    func h(_ s: String) -> [UInt8] { bytes(fromHex: s)! }

    func check(_ tree: inout MerkleTree, roots: [Root], inclusion: [Inclusion], consistency: [Consistency], _ name: String) {
        for r in roots { XCTAssertEqual(hex(tree.root(size: r.size)), r.root, "\(name) root(\(r.size))") }
        for i in inclusion {
            let path = tree.inclusionPath(index: i.index, size: i.size)
            XCTAssertEqual(path.map { hex($0) }, i.proof, "\(name) PATH(\(i.index), \(i.size))")
            XCTAssertEqual(hex(tree.leafHashes[i.index]), i.leaf_hash)
            XCTAssertTrue(tree.verifyInclusion(leafHash: h(i.leaf_hash), index: i.index, size: i.size, path: path, root: h(i.root)), "\(name) verify PATH(\(i.index), \(i.size))")
        }
        for c in consistency {
            let proof = tree.consistencyProof(size1: c.size1, size2: c.size2)
            XCTAssertEqual(proof.map { hex($0) }, c.proof, "\(name) PROOF(\(c.size1), \(c.size2))")
            XCTAssertTrue(tree.verifyConsistency(size1: c.size1, size2: c.size2, root1: h(c.root1), root2: h(c.root2), proof: proof), "\(name) verify PROOF(\(c.size1), \(c.size2))")
        }
    }

    func testThePublishedCertificateTransparencyTree() throws {
        let ref = try reference().published_tree
        var tree = MerkleTree.sha256()
        for leaf in ref.leaves {
            tree.append(h(leaf.data))
            XCTAssertEqual(hex(tree.leafHashes[leaf.index]), leaf.leaf_hash)
        }
        check(&tree, roots: ref.roots, inclusion: ref.inclusion, consistency: ref.consistency, "published")
    }

    func testTheGenerated1000LeafLog() throws {
        let ref = try reference().generated_1000
        var tree = MerkleTree.sha256()
        for i in 0..<ref.num_leaves { tree.append(Array(SHA256.hash(data: Array("\(i)".utf8)))) }  // d[i] = SHA-256(ASCII i)
        check(&tree, roots: ref.roots, inclusion: ref.inclusion, consistency: ref.consistency, "generated")
    }

    func testNegativeCasesAreRejectedAndTheAcceptedVariantsVerify() throws {
        let ref = try reference()
        let tree = MerkleTree.sha256()
        for c in ref.negative + ref.accepted_variants.cases {
            let proof = c.proof.map(h)
            let verdict = c.kind == "inclusion"
                ? tree.verifyInclusion(leafHash: h(c.leaf_hash!), index: c.index!, size: c.size!, path: proof, root: h(c.root!))
                : tree.verifyConsistency(size1: c.size1!, size2: c.size2!, root1: h(c.root1!), root2: h(c.root2!), proof: proof)
            XCTAssertEqual(verdict, c.valid, "\(c.kind): \(c.desc)")
        }
    }

    /// Every root, inclusion and consistency proof of a 130-leaf log (d[i] = the byte i), checked
    /// with one SHA-256 per kind against the reference's digests.
    func testEveryProofOfA130LeafLogMatchesTheDigests() throws {
        let ref = try reference().rolling_digests
        var tree = MerkleTree.sha256()
        for i in 0..<130 { tree.append([UInt8(i)]) }
        func digest(_ lines: [String]) -> String { hex(SHA256.hash(data: Array(lines.joined().utf8))) }
        let roots = (0...130).map { "\($0) \(hex(tree.root(size: $0)))\n" }
        XCTAssertEqual(digest(roots), ref.roots_digest.value)
        var inclusion: [String] = []
        for size in 1...130 {
            for index in 0..<size {
                inclusion.append("\(index) \(size)" + tree.inclusionPath(index: index, size: size).map { " \(hex($0))" }.joined() + "\n")
            }
        }
        XCTAssertEqual(digest(inclusion), ref.inclusion_digest.value)
        var consistency: [String] = []
        for size2 in 1...130 {
            for size1 in 1...size2 {
                consistency.append("\(size1) \(size2)" + tree.consistencyProof(size1: size1, size2: size2).map { " \(hex($0))" }.joined() + "\n")
            }
        }
        XCTAssertEqual(digest(consistency), ref.consistency_digest.value)
    }
}
