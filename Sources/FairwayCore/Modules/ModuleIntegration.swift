/// The coordinator's side of agent-module construction: evaluate each upload on the held-out
/// split, keep those at or above the quality bar, and integrate them by FedAvg (paper 4, §III;
/// `docs/modules.md`).
public struct ModuleIntegration: Sendable, Hashable {
    /// Default quality bar: held-out accuracy 0.80. With the default `ModuleTraining` over pixels a
    /// single upload from a ≈ 290-record shard reaches it on average at T = 30 rounds, and every
    /// measured upload from T = 50 (docs/results/module-accuracy).
    public static let defaultQualityBar = 0.80

    /// Held-out accuracy (fraction of correct predictions, 0…1) an upload needs to count as
    /// integrated (and so to be paid).
    public var qualityBar: Double

    public init(qualityBar: Double = ModuleIntegration.defaultQualityBar) {
        self.qualityBar = qualityBar
    }

    /// One edge server's uploaded module.
    public struct Upload: Sendable, Hashable {
        /// Who uploaded it (an edge server's name or node id), used in errors and results.
        public var name: String
        public var module: AgentModule
        /// Local samples it was trained on: its FedAvg weight (> 0).
        public var sampleCount: Int

        public init(name: String, module: AgentModule, sampleCount: Int) {
            self.name = name
            self.module = module
            self.sampleCount = sampleCount
        }
    }

    /// What integration decided.
    public struct Outcome: Sendable, Hashable {
        /// Held-out accuracy of each upload, in upload order.
        public var uploadAccuracy: [Double]
        /// Names of the uploads at or above the bar, in upload order: these count as integrated.
        public var integrated: [String]
        /// Names of the uploads below the bar, in upload order.
        public var refused: [String]
        /// FedAvg of the integrated uploads; nil when none reached the bar.
        public var module: AgentModule?
        /// Held-out accuracy of `module`; nil when none reached the bar.
        public var accuracy: Double?
    }

    /// FedAvg: the sample-weighted mean of the uploads' weights, Σ n_i·w_i / Σ n_i, element by
    /// element, summed in upload order. When every upload carries the same weights the result is
    /// that module, bit for bit (returned as is, without the rounding of the weighted sum).
    /// - Throws: `ModuleError` `.emptyUpload` for no uploads or an upload with sampleCount ≤ 0;
    ///   `.mismatch` naming the first upload whose shape differs from the first upload's.
    public static func federatedAverage(_ uploads: [Upload]) throws -> AgentModule {
        guard let first = uploads.first else { throw ModuleError(.emptyUpload, "no uploads to average") }
        for u in uploads {
            guard u.sampleCount > 0 else {
                throw ModuleError(.emptyUpload, "upload \"\(u.name)\" declares \(u.sampleCount) samples; a FedAvg weight must be > 0")
            }
            guard u.module.sameShape(as: first.module) else {
                throw ModuleError(.mismatch, "upload \"\(u.name)\" is \(u.module.shapeDescription), upload \"\(first.name)\" is \(first.module.shapeDescription)")
            }
        }
        if uploads.allSatisfy({ $0.module.weights == first.module.weights }) { return first.module }
        let total = Double(uploads.reduce(0) { $0 + $1.sampleCount })
        var w = [Double](repeating: 0, count: first.module.weights.count)
        for u in uploads {
            let share = Double(u.sampleCount) / total
            for i in w.indices { w[i] += share * u.module.weights[i] }
        }
        return try AgentModule(inputDimension: first.module.inputDimension, classes: first.module.classes, weights: w)
    }

    /// Fraction of `data` the module labels correctly (0…1; 0 for an empty set).
    /// - Throws: `ModuleError` `.input` when the data's dimension is not the module's.
    public static func accuracy(_ module: AgentModule, on data: ModuleDataset) throws -> Double {
        guard data.count > 0 else { return 0 }
        var correct = 0
        for (x, y) in zip(data.features, data.labels) where try module.predict(x).label == y { correct += 1 }
        return Double(correct) / Double(data.count)
    }

    /// Evaluates every upload on `heldOut`, integrates those with accuracy ≥ `qualityBar` by
    /// `federatedAverage`, and evaluates the result.
    /// - Throws: as `federatedAverage` (all uploads are checked, also those that will be refused),
    ///   and `.input` when the held-out dimension is not the modules'.
    public func integrate(_ uploads: [Upload], heldOut: ModuleDataset) throws -> Outcome {
        _ = try Self.federatedAverage(uploads)
        var accuracy: [Double] = [], integrated: [Upload] = [], refused: [String] = []
        for u in uploads {
            let a = try Self.accuracy(u.module, on: heldOut)
            accuracy.append(a)
            if a >= qualityBar { integrated.append(u) } else { refused.append(u.name) }
        }
        guard !integrated.isEmpty else {
            return Outcome(uploadAccuracy: accuracy, integrated: [], refused: refused, module: nil, accuracy: nil)
        }
        let module = try Self.federatedAverage(integrated)
        return Outcome(uploadAccuracy: accuracy, integrated: integrated.map(\.name), refused: refused,
                       module: module, accuracy: try Self.accuracy(module, on: heldOut))
    }
}
