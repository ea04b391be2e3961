import Foundation

/// `Tests/Reference/token-scheduling.json`: ground truth computed outside this project.
struct TokenSchedulingReference: Decodable {
    struct Result: Decodable {
        var u: [Double]
        var r: [Double]
        var jain: Double?
        var gini: Double?
        var sum_u: Double
    }

    struct Instance: Decodable {
        var id: String
        var note: String
        var N: Int
        var V: Double
        var v: [Double]
        var B: [Double]
        var R: [Double]
        var proposed_eq15: Result
        var round_robin: Result
        var max_min: Result
    }

    struct AnchorResult: Decodable {
        var mean_jain: Double
        var std_jain: Double
        var se_jain: Double
        var mean_gini: Double
        var std_gini: Double
        var se_gini: Double
    }

    struct AnchorProtocol: Decodable {
        var N: Int
        var V: Double
        var B: Double
        var dirichlet_alpha: Double
        var rounds: Int
    }

    struct Anchor: Decodable {
        var `protocol`: AnchorProtocol
        var results: [String: AnchorResult]
        var mean_unallocated_tokens_eq15: Double
    }

    var instances: [Instance]
    var statistical_anchor: Anchor

    static func load(file: StaticString = #filePath) throws -> TokenSchedulingReference {
        let url = URL(fileURLWithPath: "\(file)")
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/token-scheduling.json")
        return try JSONDecoder().decode(TokenSchedulingReference.self, from: Data(contentsOf: url))
    }
}
