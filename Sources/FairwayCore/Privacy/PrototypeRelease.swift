#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One record an agent holds: an image embedding and a text embedding of the same dimension d
/// (any norm; they are clipped to C before use).
public struct PrototypeRecord: Sendable, Hashable {
    public var image: [Double]
    public var text: [Double]
    public init(image: [Double], text: [Double]) {
        self.image = image
        self.text = text
    }
}

/// What a prototype release adds noise to and how much.
public struct PrototypeReleaseSettings: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// The paper's "Ours": Gaussian noise on image sums, text sums and counts together,
        /// calibrated to (ε, δ) at their joint sensitivity.
        case multimodal
        /// The paper's §V-A "Image-DP" baseline: N(0, (q·s)²) on each image prototype, text
        /// prototypes and counts exact. No (ε, δ) guarantee.
        case imageOnly = "image-only"
        /// Exact prototypes. No guarantee.
        case none
    }

    public var mode: Mode = .multimodal
    /// ε and δ of one release (one Gaussian mechanism over every cluster at once).
    public var epsilon: Double = 1
    public var delta: Double = 1e-5
    /// L2 clipping bound C applied to every image and text embedding, in every mode.
    public var clippingBound: Double = 1
    /// How σ is calibrated in `multimodal` mode: `analytic` (Balle–Wang, default) or `classical` (eq. 21).
    public var calibration: GaussianMechanism.Calibration = .analytic
    /// The Image-DP baseline's perturbation coefficient q and scale s (noise std q·s). Defaults 0.2, 0.05.
    public var imageOnlyQ: Double = 0.2
    public var imageOnlyS: Double = 0.05

    public init(mode: Mode = .multimodal, epsilon: Double = 1, delta: Double = 1e-5, clippingBound: Double = 1,
                calibration: GaussianMechanism.Calibration = .analytic) {
        self.mode = mode
        self.epsilon = epsilon
        self.delta = delta
        self.clippingBound = clippingBound
        self.calibration = calibration
    }
}

/// One released cluster.
public struct ReleasedPrototype: Sendable, Hashable {
    /// The partition cell: the anchor's index, or the k-means centre's.
    public var cluster: Int
    /// The released prototypes: sum / max(count, 1) (post-processing of the noisy values).
    public var imageEmbedding: [Double]
    public var textEmbedding: [Double]
    /// The released count (noisy in `multimodal`, exact otherwise; not rounded).
    public var count: Double
    /// The released sums. In `multimodal` these are the noisy sums the prototypes are computed
    /// from; in `imageOnly` the image sum is the noisy prototype × exact count (post-processing),
    /// so the exact image sum is never released.
    public var imageSum: [Double]
    public var textSum: [Double]
}

/// What one release put out and what it guarantees.
public struct PrototypeReleaseResult: Sendable {
    /// One per partition cell (every anchor, or every k-means centre), in cell order.
    public var prototypes: [ReleasedPrototype]
    /// Noise standard deviation per released coordinate (0 in `none`).
    public var sigma: Double
    /// The L2 sensitivity σ is calibrated for. `multimodal`: the joint sensitivity of
    /// (image sums ‖ text sums ‖ counts), √(2(C + √d·g/2)² + 1) with g the snapping grid
    /// (√(2C² + 1) up to g). `imageOnly`: C, the image prototype's. `none`: √(2C² + 1).
    public var sensitivity: Double
    /// z = σ / sensitivity, for charging an `RDPAccountant` / `PrivacyBudget`; nil unless private.
    public var noiseMultiplier: Double?
    /// The per-release guarantee; nil when the release is not (ε, δ)-DP (`imageOnly`, `none`).
    public var epsilon: Double?
    public var delta: Double?
    public var mode: PrototypeReleaseSettings.Mode
    /// The snapping grid step (a power of two), nil in `none`.
    public var grid: Double?

    /// (ε, δ) of this release, nil when it is not differentially private.
    public var guarantee: (epsilon: Double, delta: Double)? {
        guard let epsilon, let delta else { return nil }
        return (epsilon, delta)
    }

    /// The mechanism to charge before the release leaves: one Gaussian with multiplier z.
    public var charge: RDPAccountant.Mechanism? {
        noiseMultiplier.map { RDPAccountant.Mechanism(noiseMultiplier: $0, count: 1) }
    }
}

/// The edge agent's prototype release (first paper, §IV and eq. 21; §V-A's Image-DP baseline).
///
/// **Neighbouring relation.** Two datasets are neighbours if one is the other plus one record
/// (an image–text pair). Replace-one would double every sensitivity below.
///
/// **What is released (`multimodal`).** For each partition cell j: the sum of the clipped image
/// embeddings S_img,j, the sum of the clipped text embeddings S_txt,j and the count n_j, all with
/// Gaussian noise of one σ, and the prototypes S/max(ñ, 1) computed from the noisy values.
///
/// **Sensitivity.** With the `anchors` partition a record's cell depends only on that record and
/// the public anchors, so adding a record x changes only its cell's three values, by
/// (clip(x_img), clip(x_txt), 1), whose L2 norm is at most √(C² + C² + 1). The whole released
/// vector (all cells concatenated) therefore has L2 sensitivity √(2C² + 1), and one Gaussian
/// mechanism over it is one charge of noise multiplier z = σ/Δ per release, whatever the number of
/// cells. (Noising each modality separately at its own Δ = C would be three mechanisms composed.)
///
/// **Sampling.** Each record's clipped embeddings are rounded to the grid g of a
/// `SnappedGaussian` with the calibrated σ before summing, so the sums are exact grid multiples
/// (exact double arithmetic) and a record changes them by a vector of norm ≤ C + √d·g/2 per
/// modality; Δ = √(2(C + √d·g/2)² + 1) is what σ is calibrated for (found by iterating σ ↔ g,
/// at most a few steps; the term is about 10⁻³σ). Integer discrete Gaussian noise
/// (`DiscreteGaussian`, exact rational arithmetic) is added in grid steps, so no floating-point
/// artefact of the sampler reaches the output. Randomness comes from the caller's generator:
/// `SystemRandomNumberGenerator` in the agent, a `SeededGenerator` in tests. σ is the analytic
/// (or eq. 21) σ of the continuous Gaussian; the discrete Gaussian with ≥ 4096 grid steps per σ
/// has, by Canonne–Kamath–Steinke 2020 (Thm 14), the continuous one's zCDP bound Δ²/(2σ²) up to
/// a term of order exp(−π²·4096²), so the accountant's charge is exact; the per-release (ε, δ)
/// uses the continuous curve, which the discrete one matches to that precision.
///
/// **Image-only (the baseline).** The baseline adds N(0, (q·s)²) = N(0, 0.01²) per coordinate
/// to each image prototype (the mean, not the sum) and releases text prototypes and counts
/// exactly. A record's text embedding then moves the released text prototype by up to
/// C/(n + 1) (C from empty) with no noise: two neighbouring datasets give outputs that are
/// distinguishable with certainty, so the privacy loss is infinite and no (ε, δ) holds for any
/// δ < 1 — the exact counts alone reveal whether the record is present. Even the image part
/// alone, at σ = 0.01 and sensitivity up to C = 1, would be (ε, 10⁻⁵)-DP only for ε in the
/// hundreds. `guarantee` is nil.
public enum PrototypeRelease {
    /// Releases the prototypes of `records` under `partition`.
    /// - Throws: `GaussianMechanism.Refusal` for invalid input (dimensions, non-finite values,
    ///   empty codebook, k < 1, bad ε/δ/C/q·s) and when the `classical` calibration is not
    ///   (ε, δ)-DP at the settings' ε and δ (the refusal says the exact δ it would give).
    public static func release<G: RandomNumberGenerator>(
        _ records: [PrototypeRecord], partition: PrototypePartition, settings: PrototypeReleaseSettings,
        using g: inout G
    ) throws -> PrototypeReleaseResult {
        let c = settings.clippingBound
        guard c.isFinite, c > 0 else { throw refusal("clipping_bound", "must be a finite C > 0, got \(c)") }

        // Dimension and the cells.
        let d: Int
        let cells: Int
        switch partition {
        case .anchors(let anchors, _):
            guard let first = anchors.first else { throw refusal("anchors", "the public codebook is empty") }
            d = first.count
            for (i, a) in anchors.enumerated() {
                guard a.count == d else { throw refusal("anchors", "anchor \(i) has \(a.count) dimensions, anchor 0 has \(d)") }
                guard a.allSatisfy(\.isFinite), L2Clipping.norm(a) > 0 else { throw refusal("anchors", "anchor \(i) must be finite and non-zero") }
            }
            cells = anchors.count
        case .kMeans(let k, _, let iterations):
            guard k >= 1 else { throw refusal("k", "k-means needs k ≥ 1, got \(k)") }
            guard iterations >= 0 else { throw refusal("iterations", "must be ≥ 0, got \(iterations)") }
            d = records.first?.image.count ?? 0
            cells = records.isEmpty ? 0 : k
        }
        guard d > 0 || cells == 0 else { throw refusal("dimensions", "embeddings need at least one dimension") }
        for (i, r) in records.enumerated() {
            guard r.image.count == d, r.text.count == d else {
                throw refusal("records", "record \(i) has \(r.image.count)/\(r.text.count) image/text dimensions, expected \(d)")
            }
            guard r.image.allSatisfy(\.isFinite), r.text.allSatisfy(\.isFinite) else { throw refusal("records", "record \(i) is not finite") }
        }

        // Clip, then partition (the partition sees the clipped record, which depends on it alone).
        let images = records.map { L2Clipping.clip($0.image, to: c) }
        let texts = records.map { L2Clipping.clip($0.text, to: c) }
        let cell: [Int]
        switch partition {
        case .anchors(let anchors, let key):
            cell = zip(images, texts).map { PrototypePartition.nearestAnchor(image: $0, text: $1, anchors: anchors, key: key) }
        case .kMeans(let k, let seed, let iterations):
            cell = PrototypePartition.kMeans(zip(images, texts).map { $0 + $1 }, k: k, seed: seed, iterations: iterations).assignment
        }

        let nominal = (2 * c * c + 1).squareRoot()
        switch settings.mode {
        case .none:
            let sums = sum(images, texts, cell: cell, cells: cells, d: d, snap: nil)
            let prototypes = (0..<cells).map { j in
                ReleasedPrototype(cluster: j, imageEmbedding: divide(sums.image[j], sums.count[j]), textEmbedding: divide(sums.text[j], sums.count[j]),
                                  count: sums.count[j], imageSum: sums.image[j], textSum: sums.text[j])
            }
            return PrototypeReleaseResult(prototypes: prototypes, sigma: 0, sensitivity: nominal, noiseMultiplier: nil,
                                          epsilon: nil, delta: nil, mode: .none, grid: nil)

        case .imageOnly:
            let sigma = settings.imageOnlyQ * settings.imageOnlyS
            guard sigma.isFinite, sigma > 0 else { throw refusal("q_s", "the image-only noise q·s must be finite and > 0, got \(sigma)") }
            let mechanism = SnappedGaussian(sigma: sigma)
            let sums = sum(images, texts, cell: cell, cells: cells, d: d, snap: nil)
            let prototypes = (0..<cells).map { j in
                let n = sums.count[j]
                let image = mechanism.release(divide(sums.image[j], n), using: &g)
                return ReleasedPrototype(cluster: j, imageEmbedding: image, textEmbedding: divide(sums.text[j], n), count: n,
                                         imageSum: image.map { $0 * n }, textSum: sums.text[j])
            }
            return PrototypeReleaseResult(prototypes: prototypes, sigma: sigma, sensitivity: c, noiseMultiplier: nil,
                                          epsilon: nil, delta: nil, mode: .imageOnly, grid: mechanism.grid)

        case .multimodal:
            // σ ↔ grid: calibrate at Δ, snap, and recalibrate until Δ covers the grid's rounding.
            var sensitivity = nominal
            var sigma = 0.0
            var mechanism: SnappedGaussian?
            for _ in 0..<32 {
                sigma = try GaussianMechanism.sigma(epsilon: settings.epsilon, delta: settings.delta, sensitivity: sensitivity,
                                                    calibration: settings.calibration)
                guard sigma <= SnappedGaussian.stepsPerSigma else {
                    throw refusal("epsilon", "σ = \(sigma) is too large to snap exactly (grid above 1 would round the counts); raise ε or δ")
                }
                let m = SnappedGaussian(sigma: sigma)
                let perModality = m.sensitivity(c, dimensions: d)
                let needed = (2 * perModality * perModality + 1).squareRoot()
                if needed <= sensitivity { mechanism = m; break }
                sensitivity = needed
            }
            guard let mechanism else { throw refusal("sensitivity", "σ and the snapping grid did not settle") }
            let sums = sum(images, texts, cell: cell, cells: cells, d: d, snap: mechanism.grid)
            let prototypes = (0..<cells).map { j in
                let image = mechanism.release(sums.image[j], using: &g)
                let text = mechanism.release(sums.text[j], using: &g)
                let n = mechanism.release([sums.count[j]], using: &g)[0]
                return ReleasedPrototype(cluster: j, imageEmbedding: divide(image, n), textEmbedding: divide(text, n), count: n,
                                         imageSum: image, textSum: text)
            }
            return PrototypeReleaseResult(prototypes: prototypes, sigma: sigma, sensitivity: sensitivity, noiseMultiplier: sigma / sensitivity,
                                          epsilon: settings.epsilon, delta: settings.delta, mode: .multimodal, grid: mechanism.grid)
        }
    }

    /// Per-cell sums and counts. With `snap`, each vector is rounded to that grid first, so every
    /// sum is an exact grid multiple (exact in double arithmetic while below 2^53 grid steps).
    static func sum(_ images: [[Double]], _ texts: [[Double]], cell: [Int], cells: Int, d: Int, snap: Double?)
        -> (image: [[Double]], text: [[Double]], count: [Double]) {
        var image = [[Double]](repeating: [Double](repeating: 0, count: d), count: cells)
        var text = image
        var count = [Double](repeating: 0, count: cells)
        for (i, j) in cell.enumerated() {
            count[j] += 1
            for t in 0..<d {
                if let grid = snap {
                    image[j][t] += (images[i][t] / grid).rounded() * grid
                    text[j][t] += (texts[i][t] / grid).rounded() * grid
                } else {
                    image[j][t] += images[i][t]
                    text[j][t] += texts[i][t]
                }
            }
        }
        return (image, text, count)
    }

    /// sum / max(n, 1).
    static func divide(_ sum: [Double], _ n: Double) -> [Double] {
        let denominator = max(n, 1)
        return sum.map { $0 / denominator }
    }

    static func refusal(_ field: String, _ message: String) -> GaussianMechanism.Refusal {
        GaussianMechanism.Refusal(field: field, message: message)
    }
}
