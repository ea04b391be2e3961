#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic minibatch SGD of an `AgentModule` on an edge server's local shard.
///
/// **A training round is `stepsPerRound` minibatch SGD steps** (default 1 step of `batchSize` = 32
/// samples), the "local iteration" of the federated-learning analysis that paper 4's eq. 1 comes
/// from. A round is deliberately small: one epoch over a ≈ 290-sample shard already gives ≈ 0.9
/// accuracy, so "T epochs" would leave the whole accuracy-vs-T curve at T ≤ 2, while the
/// contracts pick T in the tens.
///
/// Each step minimises the mean cross-entropy of the minibatch plus (λ/2)·‖W‖² (`l2` = λ, on the
/// coefficients, not the biases):  W ← W − η·(mean over batch of (p − onehot(y))·xᵀ + λ·W),
/// b ← b − η·mean(p − onehot(y)), with η = `learningRate`. Minibatches are consecutive windows of
/// a seeded shuffle of the shard (`SeededGenerator(seed:)`, Fisher–Yates); when a window runs
/// past the end, the shard is reshuffled and the window continues from its start, so every sample
/// is used once per epoch. Training starts from `start` (default the zero module). The same
/// inputs give bit-identical weights.
public struct ModuleTraining: Sendable, Hashable {
    /// η, per step (dimensionless: features are in [0, 1]).
    public var learningRate: Double
    /// Samples per minibatch (capped at the shard size).
    public var batchSize: Int
    /// Minibatch steps per training round.
    public var stepsPerRound: Int
    /// λ of the L2 penalty (λ/2)·‖W‖² on the coefficients.
    public var l2: Double

    /// Defaults: η = 0.5, 32 samples per batch, 1 step per round, λ = 1e-4.
    public init(learningRate: Double = 0.5, batchSize: Int = 32, stepsPerRound: Int = 1, l2: Double = 1e-4) {
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.stepsPerRound = stepsPerRound
        self.l2 = l2
    }

    /// A trained module and the number of samples it was trained on (its FedAvg weight).
    public struct Result: Sendable, Hashable {
        public var module: AgentModule
        public var sampleCount: Int
        /// Minibatch steps taken (rounds × stepsPerRound).
        public var steps: Int
    }

    /// Trains for `rounds` rounds on `shard` with shuffling seeded by `seed`.
    /// - Throws: `ModuleError` `.invalidArgument` for an empty shard, negative rounds, non-positive
    ///   batch size / steps per round / learning rate, negative λ, or labels outside
    ///   0 ..< classes; `.mismatch` when `start` does not take the shard's dimension.
    public func train(_ shard: ModuleDataset, rounds: Int, seed: UInt64, classes: Int = DigitRecord.labelCount,
                      start: AgentModule? = nil) throws -> Result {
        guard shard.count > 0 else { throw ModuleError(.invalidArgument, "the shard is empty") }
        guard rounds >= 0 else { throw ModuleError(.invalidArgument, "rounds must be ≥ 0, got \(rounds)") }
        guard batchSize >= 1, stepsPerRound >= 1 else {
            throw ModuleError(.invalidArgument, "batch size and steps per round must be ≥ 1, got \(batchSize) and \(stepsPerRound)")
        }
        guard learningRate > 0, learningRate.isFinite, l2 >= 0, l2.isFinite else {
            throw ModuleError(.invalidArgument, "learning rate must be > 0 and λ ≥ 0, got \(learningRate) and \(l2)")
        }
        if let bad = shard.labels.firstIndex(where: { !(0..<classes).contains($0) }) {
            throw ModuleError(.invalidArgument, "sample \(bad) has label \(shard.labels[bad]), outside 0..<\(classes)")
        }
        let module = try start ?? AgentModule.zero(inputDimension: shard.dimension, classes: classes)
        guard module.inputDimension == shard.dimension, module.classes == classes else {
            throw ModuleError(.mismatch, "the starting module is \(module.shapeDescription), the shard has \(shard.dimension) inputs and \(classes) classes")
        }

        let n = shard.dimension, stride = n + 1, k = classes
        let batch = min(batchSize, shard.count)
        var w = module.weights
        var g = SeededGenerator(seed: seed)
        var order = Array(0..<shard.count)
        func shuffle() {
            guard order.count > 1 else { return }
            for i in Swift.stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, g.nextIndex(below: i + 1)) }
        }
        shuffle()
        var position = 0
        var grad = [Double](repeating: 0, count: w.count)
        var z = [Double](repeating: 0, count: k)
        let steps = rounds * stepsPerRound
        for _ in 0..<steps {
            for i in grad.indices { grad[i] = 0 }
            for _ in 0..<batch {
                if position == order.count { shuffle(); position = 0 }
                let s = order[position]
                position += 1
                let x = shard.features[s], y = shard.labels[s]
                var m = -Double.infinity
                for c in 0..<k {
                    let row = c * stride
                    var v = w[row + n]
                    for j in 0..<n { v += w[row + j] * x[j] }
                    z[c] = v
                    m = max(m, v)
                }
                var total = 0.0
                for c in 0..<k { z[c] = exp(z[c] - m); total += z[c] }
                for c in 0..<k {
                    let d = z[c] / total - (c == y ? 1 : 0)
                    let row = c * stride
                    for j in 0..<n { grad[row + j] += d * x[j] }
                    grad[row + n] += d
                }
            }
            let scale = learningRate / Double(batch)
            for c in 0..<k {
                let row = c * stride
                for j in 0..<n { w[row + j] -= scale * grad[row + j] + learningRate * l2 * w[row + j] }
                w[row + n] -= scale * grad[row + n]
            }
        }
        return Result(module: try AgentModule(inputDimension: n, classes: k, weights: w), sampleCount: shard.count, steps: steps)
    }
}
