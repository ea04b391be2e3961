import ArgumentParser

@main
struct FairwayLab: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fairway-lab",
        abstract: "Offline experiments and benchmarks for Fairway.",
        subcommands: [Bench.self, Simulate.self, Chaos.self, Schedule.self, Experiment.self, DPSigma.self, DPAccount.self, Merkle.self, TrainEncoders.self, Contract.self, Allocate.self, NoiseVectors.self, WireJSON.self])
}

extension FairwayLab {
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Benchmarks that report ratios against a baseline measured in the same run.",
            subcommands: [Transport.self, Schedule.self, Admission.self, Valuation.self, ContractBench.self, AllocateBench.self, ClusterLoad.self])
    }
}
