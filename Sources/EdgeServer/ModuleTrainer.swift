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

    /// A trained module: its bytes, the labelled samples it saw, its held-out accuracy.
    struct Trained: Sendable {
        var bytes: [UInt8]
        var samples: UInt64
        var accuracy: Double
    }

    /// Trains on the first `order.labelledSamples` samples of the shard (the edge's own labels
    /// plus the cloud's; 0 = all) for `order.rounds` rounds of `order.stepsPerRound` steps, and
    /// scores the module on the held-out split (for the edge's elasticity fit).
    static func train(_ order: ContractWork.TrainingOrder, settings: ContractWork.Settings) async -> Result<Trained, Error> {
        await Task.detached(priority: .utility) {
            do {
                let records = try DigitsCSV.parse(String(contentsOfFile: settings.dataPath, encoding: .utf8))
                let split = try ModuleDataset.split(records, input: .pixels)
                var data = try split.training.shards(settings.shards, seed: shardSeed)[settings.shard]
                if order.labelledSamples > 0, Int(order.labelledSamples) < data.count { data = data.subset(Array(0..<Int(order.labelledSamples))) }
                let steps = order.stepsPerRound > 0 ? order.stepsPerRound : settings.stepsPerRound
                let result = try ModuleTraining(stepsPerRound: steps).train(data, rounds: order.rounds, seed: order.seed)
                let accuracy = try ModuleIntegration.accuracy(result.module, on: split.heldOut)
                return .success(Trained(bytes: result.module.serialised(), samples: UInt64(result.sampleCount), accuracy: accuracy))
            } catch {
                return .failure(error)
            }
        }.value
    }
}
