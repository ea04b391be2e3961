#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The iDAO catalog of the first paper (§IV): clusters of DP prototypes in the shared embedding
/// space, and the novelty credit each contribution earns.
///
/// **Matching rule** (the paper leaves it open; this is the exact one). A contribution is a
/// DP prototype p (a vector) with a noisy sample count c. Let s be the largest cosine
/// similarity between p and a catalog centroid (−1 if the catalog is empty).
/// - c < `countSigmas`·σ_c, σ_c the std of the noise on the count (declared with the release):
///   **empty** — indistinguishable from a cell with no records, so nothing is credited (not even
///   noise samples). The paper has no such gate (`countSigmas` = 0): agents release every public
///   cell, and an empty cell's noisy count alone would otherwise found clusters of pure noise
///   (`docs/results/novelty-noise/`).
/// - c < `minimumCount`, or p not finite or zero: **noise** (φ = 0 for all its samples).
/// - s ≥ `matchSimilarity`: **matched** to that cluster.
/// - s < `newClusterSimilarity`: far from every cluster, it **founds** a new one.
/// - otherwise (between the two thresholds): it cannot be confidently assigned: **noise**.
///
/// **Credit** (eq. 20's φ). A cluster's first Γ credited samples are novel (φ = 1), later ones
/// normal (φ = 0.5), in the order contributions are applied (the coordinator applies them in
/// ledger order, so the order is the log's). A contribution's samples are split accordingly.
/// An agent's value over its samples d is f(d) = φ(d)·ln(1 + |d|), φ the mean credit per sample.
///
/// A matched contribution moves its cluster's centroid: the count-weighted mean of the unit
/// directions matched to it, renormalised.
public struct NoveltyCatalog: Sendable, Hashable {
    public struct Settings: Sendable, Hashable {
        /// Γ: novel samples per newly discovered cluster. Default 50 (the paper's).
        public var gamma: Int = 50
        /// Cosine similarity at or above which a prototype joins a cluster. Default 0.8.
        public var matchSimilarity: Double = 0.8
        /// Cosine similarity below which (to every cluster) a prototype founds a new one. Default 0.5.
        public var newClusterSimilarity: Double = 0.5
        /// Noisy counts below this are noise. Default 1.
        public var minimumCount: Int = 1
        /// Counts below this many σ_c of their own noise are empty cells, credited nothing
        /// (3 lets an empty cell pass with probability 0.13 %). Default 0 = the paper's rule: the
        /// gate also discards real cells smaller than 3σ_c, which at ε = 1 and 100 records per
        /// release is most of them (`docs/results/novelty-noise/`); use it when releases summarise
        /// well over 3σ_c records per cell.
        public var countSigmas: Double = 0
        public init() {}
    }

    public struct Cluster: Sendable, Hashable {
        /// Unit vector.
        public var centroid: [Double]
        /// Samples credited to it so far.
        public var samples: Int
        /// Sum of count-weighted unit directions matched to it (the centroid before normalising).
        var direction: [Double]
    }

    /// How a contribution was classified and credited.
    public struct Credit: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable { case founded, matched, noise, empty }
        public var kind: Kind
        /// The cluster it joined or founded (nil for noise).
        public var cluster: Int?
        /// The best cosine similarity to the catalog before it was applied.
        public var similarity: Double
        public var novelSamples: Int
        public var normalSamples: Int
        public var noiseSamples: Int
        /// Mean credit per sample, φ ∈ [0, 1].
        public var phi: Double {
            let total = novelSamples + normalSamples + noiseSamples
            return total == 0 ? 0 : (Double(novelSamples) + 0.5 * Double(normalSamples)) / Double(total)
        }
    }

    public let settings: Settings
    public private(set) var clusters: [Cluster] = []

    public init(settings: Settings = Settings()) {
        precondition(settings.gamma >= 0 && settings.newClusterSimilarity <= settings.matchSimilarity, "need Γ ≥ 0 and new ≤ match similarity")
        self.settings = settings
    }

    /// Classifies and credits one contribution, updating the catalog.
    /// - Parameters:
    ///   - count: the noisy count, rounded.
    ///   - countSigma: std of the noise on that count (0 = exact counts).
    public mutating func apply(prototype p: [Double], count c: Int, countSigma: Double = 0) -> Credit {
        if settings.countSigmas > 0, countSigma > 0, Double(c) < settings.countSigmas * countSigma {
            return Credit(kind: .empty, cluster: nil, similarity: -1, novelSamples: 0, normalSamples: 0, noiseSamples: 0)
        }
        let n = Self.norm(p)
        guard c >= settings.minimumCount, n > 0, n.isFinite, p.allSatisfy(\.isFinite) else {
            return Credit(kind: .noise, cluster: nil, similarity: -1, novelSamples: 0, normalSamples: 0, noiseSamples: max(0, c))
        }
        let unit = p.map { $0 / n }
        var best = -1.0, bestIndex: Int?
        for (i, cluster) in clusters.enumerated() where cluster.centroid.count == unit.count {
            let s = Self.dot(unit, cluster.centroid)
            if s > best { best = s; bestIndex = i }
        }
        if let i = bestIndex, best >= settings.matchSimilarity {
            let (novel, normal) = credit(c, alreadyCredited: clusters[i].samples)
            clusters[i].samples += c
            clusters[i].direction = zip(clusters[i].direction, unit).map { $0 + Double(c) * $1 }
            let d = Self.norm(clusters[i].direction)
            if d > 0 { clusters[i].centroid = clusters[i].direction.map { $0 / d } }
            return Credit(kind: .matched, cluster: i, similarity: best, novelSamples: novel, normalSamples: normal, noiseSamples: 0)
        }
        if best < settings.newClusterSimilarity {
            let (novel, normal) = credit(c, alreadyCredited: 0)
            clusters.append(Cluster(centroid: unit, samples: c, direction: unit.map { Double(c) * $0 }))
            return Credit(kind: .founded, cluster: clusters.count - 1, similarity: best, novelSamples: novel, normalSamples: normal, noiseSamples: 0)
        }
        return Credit(kind: .noise, cluster: nil, similarity: best, novelSamples: 0, normalSamples: 0, noiseSamples: c)
    }

    /// Splits c samples into novel and normal, given how many the cluster credited before.
    private func credit(_ c: Int, alreadyCredited: Int) -> (novel: Int, normal: Int) {
        let novel = min(c, max(0, settings.gamma - alreadyCredited))
        return (novel, c - novel)
    }

    /// Eq. 20: f(d) = φ(d)·ln(1 + |d|) over an agent's credited contributions.
    public static func value(of credits: [Credit]) -> Double {
        value(novel: credits.reduce(0) { $0 + $1.novelSamples }, normal: credits.reduce(0) { $0 + $1.normalSamples },
              noise: credits.reduce(0) { $0 + $1.noiseSamples })
    }

    /// Eq. 20 from sample tallies: φ = (novel + 0.5·normal) / |d|, |d| = novel + normal + noise.
    public static func value(novel: Int, normal: Int, noise: Int) -> Double {
        let total = novel + normal + noise
        guard total > 0 else { return 0 }
        let phi = (Double(novel) + 0.5 * Double(normal)) / Double(total)
        return phi * log1p(Double(total))
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
}
