import ContractSolver
import CoordinatorCore
import FairwayCore

/// What a simulation with contracts needs beyond its settings: the coordinator's plan (the
/// built-in instance, exact menus, the held-out digits uploads are judged on) and two modules
/// an edge may deliver — one trained well enough to be integrated, one that is not.
public struct SimulationContracts: Sendable {
    public var plan: Contracts.Plan
    /// A module above the quality bar, and one below it (an untrained module).
    public var goodModule: [UInt8]
    public var badModule: [UInt8]
    public var samples: UInt64

    /// Builds them from the digits dataset (`data/uci-digits-8x8.csv`, parsed by the caller).
    /// - Throws: when the records cannot be split, trained on, or menus found.
    public static func make(records: [DigitRecord]) throws -> SimulationContracts {
        let split = try ModuleDataset.split(records, input: .pixels)
        let trained = try ModuleTraining(stepsPerRound: 20).train(split.training, rounds: 10, seed: 1)
        let result = ExactOptimiser.optimise(.builtIn, timeLimitMilliseconds: 60_000)
        guard let terms = result.evaluation?.terms else { throw ModuleError(.invalidArgument, "no exact contract for the built-in instance") }
        let bad = try AgentModule.zero(inputDimension: split.training.dimension)
        return SimulationContracts(plan: Contracts.Plan(instance: .builtIn, terms: terms, scheme: .exact, heldOut: split.heldOut),
                                   goodModule: trained.module.serialised(), badModule: bad.serialised(), samples: UInt64(trained.sampleCount))
    }
}
