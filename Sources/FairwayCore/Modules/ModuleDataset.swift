/// What an agent module reads from a digit record.
public enum ModuleInput: String, Sendable, Hashable, CaseIterable {
    /// The 64 pixels divided by 16, so each value is in [0, 1] (64 inputs). The default: softmax
    /// regression reaches ≈ 0.95 held-out accuracy on them and its accuracy-vs-T curve spans
    /// the whole range (`docs/modules.md`).
    case pixels
    /// The 16-d unit-norm shared image embedding `AlignedLinearEncoder.digits.embedImage` of the
    /// valuation work (16 inputs).
    case embedding

    /// Values per input.
    public var dimension: Int {
        switch self {
        case .pixels: return DigitRecord.pixelCount
        case .embedding: return AlignedLinearEncoder.digits.dimension
        }
    }

    /// The feature vector of `record`.
    /// - Throws: the encoder's `EmbeddingError` (embedding only) for pixels it refuses.
    public func features(_ record: DigitRecord) throws -> [Double] {
        switch self {
        case .pixels: return record.pixels.map { $0 / DigitRecord.maximumPixel }
        case .embedding: return try AlignedLinearEncoder.digits.embedImage(record.pixels)
        }
    }
}

/// Labelled feature vectors: a local shard, a training set or the held-out set.
public struct ModuleDataset: Sendable, Hashable {
    /// One vector per sample, all of `dimension` values.
    public let features: [[Double]]
    /// Labels 0 ..< classes, one per sample.
    public let labels: [Int]

    /// - Throws: `ModuleError` `.invalidArgument` if the counts differ or the vectors differ in length.
    public init(features: [[Double]], labels: [Int]) throws {
        guard features.count == labels.count else {
            throw ModuleError(.invalidArgument, "\(features.count) feature vectors but \(labels.count) labels")
        }
        if let first = features.first, let bad = features.firstIndex(where: { $0.count != first.count }) {
            throw ModuleError(.invalidArgument, "sample \(bad) has \(features[bad].count) values, sample 0 has \(first.count)")
        }
        self.features = features
        self.labels = labels
    }

    /// The features of `records` under `input`.
    public init(records: [DigitRecord], input: ModuleInput) throws {
        try self.init(features: records.map { try input.features($0) }, labels: records.map(\.label))
    }

    public var count: Int { labels.count }
    /// Values per sample (0 for an empty set).
    public var dimension: Int { features.first?.count ?? 0 }

    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> ModuleDataset {
        // Lengths are consistent by construction.
        try! ModuleDataset(features: indices.map { features[$0] }, labels: indices.map { labels[$0] })
    }

    // MARK: the fixed held-out split

    /// Record i (0-based, file order) is held out when i % `heldOutModulus` == `heldOutResidue`:
    /// the split of `docs/embedding.md`, so the shared encoder never saw a held-out record.
    /// On the 1797 digits: 1438 for training, 359 held out.
    public static let heldOutModulus = 5
    public static let heldOutResidue = 4

    /// True when record `index` belongs to the held-out split.
    public static func isHeldOut(_ index: Int) -> Bool { index % heldOutModulus == heldOutResidue }

    /// (training, held-out) of `records` under `input`, by `isHeldOut`, each in file order.
    public static func split(_ records: [DigitRecord], input: ModuleInput) throws -> (training: ModuleDataset, heldOut: ModuleDataset) {
        let all = try ModuleDataset(records: records, input: input)
        let training = all.labels.indices.filter { !isHeldOut($0) }
        let heldOut = all.labels.indices.filter { isHeldOut($0) }
        return (all.subset(training), all.subset(heldOut))
    }

    /// `count` disjoint shards covering every sample once: a seeded Fisher–Yates shuffle of the
    /// indices (`SeededGenerator(seed:)`), cut into `count` contiguous parts whose sizes differ by
    /// at most one (the first `self.count % count` parts get the extra sample).
    /// - Throws: `ModuleError` `.invalidArgument` unless 1 ≤ count ≤ self.count.
    public func shards(_ count: Int, seed: UInt64) throws -> [ModuleDataset] {
        guard count >= 1, count <= self.count else {
            throw ModuleError(.invalidArgument, "cannot cut \(self.count) samples into \(count) non-empty shards")
        }
        var g = SeededGenerator(seed: seed)
        var order = Array(0..<self.count)
        if order.count > 1 {
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, g.nextIndex(below: i + 1)) }
        }
        let base = self.count / count, extra = self.count % count
        var out: [ModuleDataset] = [], start = 0
        for s in 0..<count {
            let size = base + (s < extra ? 1 : 0)
            out.append(subset(Array(order[start..<start + size])))
            start += size
        }
        return out
    }
}
