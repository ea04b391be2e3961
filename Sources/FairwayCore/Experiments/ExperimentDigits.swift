#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The digits data set embedded once, for the privacy and valuation experiments of
/// `fairway-lab experiment` (paper 1, §V-C and §V-D).
///
/// Each record i is embedded as the agent does it (`ReleaseMaker`): its image by the encoder and
/// its text description `TextDescriptions.description(forRecord: i, label:)`. The public anchors
/// are the agent's too: per label, the unit mean of the text embeddings of its phrasings. The
/// cell of a record is its nearest anchor (`PrototypePartition.nearestAnchor`, key `.both`, on the
/// clipped embeddings), exactly what `PrototypeRelease` computes with the `anchors` partition,
/// so cell j is "the cluster of label j" as the release sees it.
public struct ExperimentDigits: Sendable {
    public let records: [DigitRecord]
    public let encoder: AlignedLinearEncoder
    public let images: [[Double]]
    public let texts: [[Double]]
    public let anchors: [[Double]]
    /// Anchor cell of each record at clipping bound `clippingBound`.
    public let cells: [Int]
    public let clippingBound: Double
    /// Record indices by label.
    public let byLabel: [[Int]]

    public init(records: [DigitRecord], encoder: AlignedLinearEncoder = .digits, clippingBound: Double = 1) throws {
        self.records = records
        self.encoder = encoder
        self.clippingBound = clippingBound
        var images: [[Double]] = [], texts: [[Double]] = []
        for (i, r) in records.enumerated() {
            images.append(try encoder.embedImage(r.pixels))
            texts.append(try encoder.embedText(TextDescriptions.description(forRecord: i, label: r.label)))
        }
        self.images = images
        self.texts = texts
        let anchors = try (0..<DigitRecord.labelCount).map { label in
            let phrasings = try TextDescriptions.phrasings(for: label).map { try encoder.embedText($0) }
            let mean = (0..<encoder.dimension).map { j in phrasings.reduce(0) { $0 + $1[j] } / Double(phrasings.count) }
            return try unitNormalised(mean, what: "anchor \(label)")
        }
        self.anchors = anchors
        self.cells = zip(images, texts).map {
            PrototypePartition.nearestAnchor(image: L2Clipping.clip($0, to: clippingBound), text: L2Clipping.clip($1, to: clippingBound), anchors: anchors)
        }
        var byLabel = [[Int]](repeating: [], count: DigitRecord.labelCount)
        for (i, r) in records.enumerated() { byLabel[r.label].append(i) }
        self.byLabel = byLabel
    }

    /// The release input for records `indices`.
    public func prototypeRecords(_ indices: [Int]) -> [PrototypeRecord] {
        indices.map { PrototypeRecord(image: images[$0], text: texts[$0]) }
    }

    /// Mean pixel image of `indices` (64 values), nil if empty.
    public func meanImage(_ indices: [Int]) -> [Double]? {
        guard !indices.isEmpty else { return nil }
        var m = [Double](repeating: 0, count: DigitRecord.pixelCount)
        for i in indices { for p in 0..<m.count { m[p] += records[i].pixels[p] } }
        return m.map { $0 / Double(indices.count) }
    }

    /// `count` distinct indices drawn uniformly from `pool` (all of it if shorter), in draw order.
    public static func sample<G: RandomNumberGenerator>(_ pool: [Int], count: Int, using g: inout G) -> [Int] {
        var a = pool
        let k = min(count, a.count)
        for i in 0..<k {
            let j = i + Int(g.next(upperBound: UInt64(a.count - i)))
            a.swapAt(i, j)
        }
        return Array(a[0..<k])
    }
}

/// One privacy condition of a sweep: a release mode and, for `multimodal`, its ε.
public struct ReleaseCondition: Sendable, Hashable, CustomStringConvertible {
    public var mode: PrototypeReleaseSettings.Mode
    /// ε of a `multimodal` release; nil otherwise.
    public var epsilon: Double?

    public init(mode: PrototypeReleaseSettings.Mode, epsilon: Double? = nil) {
        self.mode = mode
        self.epsilon = mode == .multimodal ? (epsilon ?? 1) : nil
    }

    public static let none = ReleaseCondition(mode: .none)
    public static let imageOnly = ReleaseCondition(mode: .imageOnly)
    public static func multimodal(_ epsilon: Double) -> ReleaseCondition { ReleaseCondition(mode: .multimodal, epsilon: epsilon) }

    /// "none", "image-only", "multimodal ε=1".
    public var description: String {
        if let epsilon { return "\(mode.rawValue) ε=\(ExperimentFormat.short(epsilon))" }
        return mode.rawValue
    }

    public func settings(delta: Double = 1e-5, clippingBound: Double = 1) -> PrototypeReleaseSettings {
        PrototypeReleaseSettings(mode: mode, epsilon: epsilon ?? 1, delta: delta, clippingBound: clippingBound)
    }
}

/// Small numeric helpers shared by the experiments.
public enum ExperimentFormat {
    /// 1 → "1", 0.5 → "0.5".
    public static func short(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)" }
}

enum VectorMath {
    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in 0..<min(a.count, b.count) { s += a[i] * b[i] }
        return s
    }
    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
    /// Cosine similarity, 0 if either is zero.
    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        let n = norm(a) * norm(b)
        return n > 0 ? dot(a, b) / n : 0
    }
    static func mse(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in 0..<a.count { s += (a[i] - b[i]) * (a[i] - b[i]) }
        return s / Double(max(1, a.count))
    }
}
