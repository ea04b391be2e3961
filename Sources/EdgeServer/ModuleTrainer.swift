import EdgeServerCore
import FairwayCore
import Foundation

/// Trains the edge's agent module off the actor (CPU-bound work never runs on the cooperative
/// pool's shared executors for long: it runs in a detached task of utility priority).
///
/// The edge's data is shard `contract.shard` of `contract.shards` disjoint shards of the
/// training split of `contract.data_path` (`ModuleDataset.split`, pixels); every edge cuts the
/// shards with the same seed (0), so shards of different edges never overlap.
enum ModuleTrainer {
    static let shardSeed: UInt64 = 0

    static func shard(_ s: ContractWork.Settings) throws -> ModuleDataset {
        let records = try DigitsCSV.parse(String(contentsOfFile: s.dataPath, encoding: .utf8))
        let training = try ModuleDataset.split(records, input: .pixels).training
        return try training.shards(s.shards, seed: shardSeed)[s.shard]
    }

    /// The serialised module and the number of samples it was trained on.
    static func train(_ order: ContractWork.TrainingOrder, settings: ContractWork.Settings) async -> Result<([UInt8], UInt64), Error> {
        await Task.detached(priority: .utility) {
            do {
                let data = try shard(settings)
                let result = try ModuleTraining(stepsPerRound: settings.stepsPerRound).train(data, rounds: order.rounds, seed: order.seed)
                return .success((result.module.serialised(), UInt64(result.sampleCount)))
            } catch {
                return .failure(error)
            }
        }.value
    }
}
