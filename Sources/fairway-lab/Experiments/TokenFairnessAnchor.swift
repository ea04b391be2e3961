import FairwayCore
import Foundation

/// The `statistical_anchor` of `token-scheduling.json`: means over 1000 numpy-seeded rounds
/// of N = 500, V = 1000, B = 4, α = 0.5.
struct TokenFairnessAnchor: Decodable {
    struct Result: Decodable {
        var mean_jain: Double
        var se_jain: Double
        var mean_gini: Double
        var se_gini: Double
    }

    struct Setup: Decodable {
        var N: Int
        var V: Double
        var B: Double
        var dirichlet_alpha: Double
        var rounds: Int
    }

    var setup: Setup
    var results: [String: Result]
    var meanUnallocatedEq15: Double

    /// Reference name of each allocator the anchor covers.
    static let names: [AllocatorKind: String] = [.proportional: "Proposed_eq15", .random: "Random",
                                                 .roundRobin: "RoundRobin", .maxMin: "MaxMin"]

    private enum Keys: String, CodingKey { case statistical_anchor }
    private enum AnchorKeys: String, CodingKey { case `protocol`, results, mean_unallocated_tokens_eq15 }

    init(from decoder: any Decoder) throws {
        let anchor = try decoder.container(keyedBy: Keys.self).nestedContainer(keyedBy: AnchorKeys.self, forKey: .statistical_anchor)
        setup = try anchor.decode(Setup.self, forKey: .protocol)
        results = try anchor.decode([String: Result].self, forKey: .results)
        meanUnallocatedEq15 = try anchor.decode(Double.self, forKey: .mean_unallocated_tokens_eq15)
    }

    init(path: String) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func matches(_ s: TokenFairnessSimulation.Setting) -> Bool {
        s.agents == setup.N && s.tokens == setup.V && s.bucketSize == setup.B && s.alpha == setup.dirichlet_alpha
    }
}
