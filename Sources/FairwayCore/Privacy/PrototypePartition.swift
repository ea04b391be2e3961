/// How an agent's records are grouped into clusters before their prototypes are released.
///
/// **`anchors` (the privacy-correct default).** Each record goes to the nearest of a **public**
/// codebook of anchor vectors supplied by the caller (for example the text embeddings of the
/// public label phrasings). "Nearest" is the largest score cos(image, a) + cos(text, a) by
/// default (`Key`), ties to the lowest index; a zero vector has cosine 0 with everything.
/// A record's cluster is a function of that record and the public anchors only, so adding or
/// removing one record changes exactly one cluster's sums and count, by that record's clipped
/// embeddings and 1. That is what makes the per-release sensitivity √(2C² + 1) true.
/// Every anchor is released, empty ones included, so the release does not reveal which
/// clusters the agent's data populates.
///
/// **`kMeans` (the paper's, §IV: "data embeddings form clusters").** Local k-means on the
/// concatenated clipped (image ‖ text) vectors: deterministic k-means++ seeding from
/// `SeededGenerator(seed:)`, then Lloyd iterations (ties to the lowest index, an empty cluster
/// keeps its centre) until no assignment changes or `iterations` is reached.
/// **Caveat:** the partition is data-dependent. Adding or removing one record can move the
/// centres and so re-assign *other* records, changing many clusters' sums and counts at once.
/// Each of m re-assigned records moves its (image, text, 1) contribution from one cluster to
/// another, so neighbouring releases can differ by up to √(2C² + 1)·(1 + √2·m) in L2, and m can
/// be every record: the sensitivity √(2C² + 1) that σ is calibrated for does **not** hold, and
/// neither does the reported (ε, δ). The k-means++ picks (which records become centres) are a
/// function of all records too. Use it to reproduce the paper, not to protect anyone.
public enum PrototypePartition: Sendable, Hashable {
    /// Nearest public anchor (every vector must have the embeddings' dimension, be finite and non-zero).
    case anchors([[Double]], key: Key = .both)
    /// The paper's local k-means (k ≥ 1); not differentially private, see above.
    case kMeans(k: Int, seed: UInt64, iterations: Int = 100)

    /// Which embedding of a record is compared with the anchors.
    public enum Key: String, Sendable, Hashable, CaseIterable {
        /// cos(image, a) + cos(text, a).
        case both
        case image
        case text
    }

    /// Label used in docs and benchmarks: "anchors" (private) or "paper" (k-means).
    public var label: String {
        switch self {
        case .anchors: "anchors"
        case .kMeans: "paper"
        }
    }

    /// The index of the anchor nearest to one record. Depends on that record and the anchors only.
    public static func nearestAnchor(image: [Double], text: [Double], anchors: [[Double]], key: Key = .both) -> Int {
        var best = -Double.infinity, bestIndex = 0
        for (i, a) in anchors.enumerated() {
            let score: Double
            switch key {
            case .both: score = cosine(image, a) + cosine(text, a)
            case .image: score = cosine(image, a)
            case .text: score = cosine(text, a)
            }
            if score > best { best = score; bestIndex = i }
        }
        return bestIndex
    }

    /// Deterministic k-means on `points` (all of one dimension): the cluster of each point and the
    /// k centres. With fewer distinct points than k some centres repeat and their clusters are empty.
    public static func kMeans(_ points: [[Double]], k: Int, seed: UInt64, iterations: Int = 100) -> (assignment: [Int], centres: [[Double]]) {
        precondition(k >= 1 && iterations >= 0, "k-means needs k ≥ 1")
        guard let first = points.first else { return ([], []) }
        let d = first.count
        var g = SeededGenerator(seed: seed)
        // k-means++ seeding.
        var centres: [[Double]] = [points[Int(g.next() % UInt64(points.count))]]
        var nearest = points.map { squaredDistance($0, centres[0]) }
        while centres.count < k {
            let total = nearest.reduce(0, +)
            var pick = 0
            if total > 0 {
                let target = g.nextUnit() * total
                var acc = 0.0
                pick = points.count - 1
                for (i, w) in nearest.enumerated() {
                    acc += w
                    if acc > target && w > 0 { pick = i; break }
                }
                // Never pick a point already at distance 0 (rounding at the end of the scan).
                if nearest[pick] == 0, let i = nearest.lastIndex(where: { $0 > 0 }) { pick = i }
            }
            let c = points[pick]
            centres.append(c)
            for i in points.indices { nearest[i] = min(nearest[i], squaredDistance(points[i], c)) }
        }
        // Lloyd iterations.
        func assign() -> [Int] {
            points.map { p in
                var best = Double.infinity, bestIndex = 0
                for (j, c) in centres.enumerated() {
                    let s = squaredDistance(p, c)
                    if s < best { best = s; bestIndex = j }
                }
                return bestIndex
            }
        }
        var assignment = assign()
        for _ in 0..<iterations {
            var sums = [[Double]](repeating: [Double](repeating: 0, count: d), count: k)
            var counts = [Int](repeating: 0, count: k)
            for (p, j) in zip(points, assignment) {
                counts[j] += 1
                for t in 0..<d { sums[j][t] += p[t] }
            }
            for j in 0..<k where counts[j] > 0 { centres[j] = sums[j].map { $0 / Double(counts[j]) } }
            let next = assign()
            if next == assignment { break }
            assignment = next
        }
        return (assignment, centres)
    }

    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        var ab = 0.0, aa = 0.0, bb = 0.0
        for (x, y) in zip(a, b) { ab += x * y; aa += x * x; bb += y * y }
        guard aa > 0, bb > 0 else { return 0 }
        return ab / (aa.squareRoot() * bb.squareRoot())
    }

    static func squaredDistance(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for (x, y) in zip(a, b) { s += (x - y) * (x - y) }
        return s
    }
}
