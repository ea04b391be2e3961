import ArgumentParser
import FairwayCore
import Foundation

extension FairwayLab {
    /// `fairway-lab dp-account --input FILE`: (ε, δ) of composed Gaussian mechanisms.
    struct DPAccount: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dp-account",
            abstract: "ε of a composition of Gaussian mechanisms (Rényi-DP accountant), as JSON.",
            discussion: """
            Input: {"mechanisms": [{"noise_multiplier": z, "count": k}, …], "delta": δ}; z = σ/Δ.
            Output: {"rdp_epsilon": ε, "rdp_order": α}, with dp-accounting's 156 default orders and its \
            conversion (Canonne, Kamath & Steinke 2020). Bad input: the field on stderr, exit status 2.
            """)

        @Option(help: "The input JSON file, or - for standard input.") var input: String

        struct Input: Decodable {
            struct Mechanism: Decodable {
                var noise_multiplier: Double
                var count: Int
            }
            var mechanisms: [Mechanism]
            var delta: Double
        }

        func run() throws {
            let parsed = try readInput(Input.self, from: input, command: "dp-account")
            guard parsed.delta > 0, parsed.delta < 1 else { throw usageFailure("dp-account", "delta", "must be 0 < δ < 1, got \(parsed.delta)") }
            guard !parsed.mechanisms.isEmpty else { throw usageFailure("dp-account", "mechanisms", "at least one mechanism is needed") }
            var accountant = RDPAccountant()
            for (i, m) in parsed.mechanisms.enumerated() {
                guard m.noise_multiplier.isFinite, m.noise_multiplier > 0 else {
                    throw usageFailure("dp-account", "mechanisms[\(i)].noise_multiplier", "must be a finite z > 0, got \(m.noise_multiplier)")
                }
                guard m.count >= 1 else { throw usageFailure("dp-account", "mechanisms[\(i)].count", "must be ≥ 1, got \(m.count)") }
                accountant.compose(noiseMultiplier: m.noise_multiplier, count: m.count)
            }
            let (epsilon, order) = accountant.epsilon(delta: parsed.delta)
            print("{\"rdp_epsilon\":\(jsonNumber(epsilon)),\"rdp_order\":\(jsonNumber(order))}")
        }
    }
}
