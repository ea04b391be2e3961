import ArgumentParser
import FairwayCore
import FairwayWire
import Foundation

extension FairwayLab {
    /// `fairway-lab merkle --input FILE`: RFC 6962 roots and proofs with the DAT ledger's code.
    struct Merkle: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "RFC 6962/9162 Merkle roots, inclusion and consistency proofs over SHA-256, as JSON.",
            discussion: """
            Input: {"leaves": [hex leaf data], "inclusion": [{"index": i, "size": n}], "consistency": [{"size1": m, "size2": n}]}.
            Output: {"roots": {"<n>": hex, for every n from 0 to the number of leaves}, \
            "inclusion": [{"index", "size", "path": [hex]}], "consistency": [{"size1", "size2", "proof": [hex]}]}.
            Bad input: the field on stderr, exit status 2.
            """)

        @Option(help: "The input JSON file, or - for standard input.") var input: String

        struct Input: Decodable {
            struct Inclusion: Decodable { var index, size: Int }
            struct Consistency: Decodable { var size1, size2: Int }
            var leaves: [String]
            var inclusion: [Inclusion]?
            var consistency: [Consistency]?
        }

        func run() throws {
            let parsed = try readInput(Input.self, from: input, command: "merkle")
            var tree = MerkleTree.sha256()
            for (i, leaf) in parsed.leaves.enumerated() {
                guard let bytes = bytes(fromHex: leaf) else { throw usageFailure("merkle", "leaves[\(i)]", "not hex: \"\(leaf)\"") }
                tree.append(bytes)
            }
            let n = tree.size
            var roots: [String] = []
            for size in 0...n { roots.append("\"\(size)\":\"\(hex(tree.root(size: size)))\"") }
            var inclusion: [String] = []
            for (i, q) in (parsed.inclusion ?? []).enumerated() {
                guard q.size >= 1, q.size <= n, q.index >= 0, q.index < q.size else {
                    throw usageFailure("merkle", "inclusion[\(i)]", "leaf \(q.index) is not in a tree of size \(q.size) (the log has \(n) leaves)")
                }
                let path = tree.inclusionPath(index: q.index, size: q.size)
                inclusion.append("{\"index\":\(q.index),\"size\":\(q.size),\"path\":\(list(path))}")
            }
            var consistency: [String] = []
            for (i, q) in (parsed.consistency ?? []).enumerated() {
                guard q.size1 >= 0, q.size1 <= q.size2, q.size2 <= n else {
                    throw usageFailure("merkle", "consistency[\(i)]", "no proof from size \(q.size1) to \(q.size2) (the log has \(n) leaves)")
                }
                let proof = tree.consistencyProof(size1: q.size1, size2: q.size2)
                consistency.append("{\"size1\":\(q.size1),\"size2\":\(q.size2),\"proof\":\(list(proof))}")
            }
            print("{\"roots\":{\(roots.joined(separator: ","))},\"inclusion\":[\(inclusion.joined(separator: ","))],\"consistency\":[\(consistency.joined(separator: ","))]}")
        }

        private func list(_ hashes: [[UInt8]]) -> String { "[" + hashes.map { "\"\(hex($0))\"" }.joined(separator: ",") + "]" }
    }
}
