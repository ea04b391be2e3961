import ArgumentParser
import FairwayCore
import Foundation

extension FairwayLab.Experiment {
    /// Figs. 4 and 5 of the token-scheduling paper for every allocator.
    struct TokenFairness: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token-fairness",
            abstract: "Jain and Gini of reward rates vs Dirichlet α (Fig. 4) and vs N (Fig. 5), every allocator.",
            discussion: """
            Fig. 4: N = 500, V = 1000, B = 4, α ∈ {0.1, 0.2, 0.5, 1, 2, 5, 10}. Fig. 5: α = 0.5, N = 100, 200, …, 1000.
            Each point averages --rounds independent rounds (fresh Dirichlet values, empty buckets); round i is
            seeded with --seed + i, the same values for every allocator. Writes fig4.csv, fig5.csv, SVG plots and
            results.md into --out; with --reference, results.md also compares the α = 0.5, N = 500 point with the
            reference's statistical_anchor.
            """)

        @Option(help: "Directory for CSV, SVG and markdown (created if missing).") var out: String
        @Option(help: "Rounds per point.") var rounds = 1000
        @Option(help: "Seed of round 0.") var seed: UInt64 = 0
        @Option(help: "token-scheduling.json with a statistical_anchor to compare against.") var reference: String?

        static let alphas: [Double] = [0.1, 0.2, 0.5, 1, 2, 5, 10]
        static let agentCounts = Array(stride(from: 100, through: 1000, by: 100))

        func validate() throws {
            guard rounds > 0 else { throw ValidationError("--rounds must be positive") }
        }

        func run() throws {
            let anchor = try reference.map { try JSONDecoder().decode(TokenSchedulingReference.self, from: Data(contentsOf: URL(fileURLWithPath: $0))).statistical_anchor }
            let outURL = URL(fileURLWithPath: out, isDirectory: true)
            try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true)

            let base = TokenFairnessSimulation.Setting(rounds: rounds, seed: seed)
            let fig4 = Self.alphas.map { alpha in var s = base; s.alpha = alpha; return s }
            let fig5 = Self.agentCounts.map { n in var s = base; s.agents = n; return s }
            let progress = Progress(total: (fig4.count + fig5.count) * rounds, label: "rounds")
            var done = 0
            func sweep(_ settings: [TokenFairnessSimulation.Setting]) throws -> [TokenFairnessPoint] {
                try settings.map { setting in
                    let summaries = try TokenFairnessSimulation.run(setting) { progress.update(done + $0) }
                    done += setting.rounds
                    return TokenFairnessPoint(setting: setting, summaries: summaries)
                }
            }
            let clock = ContinuousClock()
            var points4: [TokenFairnessPoint] = [], points5: [TokenFairnessPoint] = []
            let elapsed = try clock.measure {
                points4 = try sweep(fig4)
                points5 = try sweep(fig5)
            }
            progress.finish()

            let report = TokenFairnessReport(fig4: points4, fig5: points5, anchor: anchor)
            let files = report.files()
            for (name, text) in files.sorted(by: { $0.key < $1.key }) {
                try text.write(to: outURL.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
            print("wrote \(files.keys.sorted().joined(separator: ", ")) to \(outURL.path) (\(rounds) rounds per point, \(elapsed))")
            print(report.headline())
        }
    }
}
