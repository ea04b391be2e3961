import ArgumentParser

extension FairwayLab {
    /// `fairway-lab experiment …`: reproductions of the papers' figures.
    struct Experiment: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reproduce the papers' figures: CSV, SVG plots and a markdown table per experiment.",
            subcommands: [TokenFairness.self, PrivacyAttack.self, ValuationGamma.self, NoveltyNoise.self, ModuleAccuracy.self, Contracts.self, FairSynergy.self])
    }
}
