#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reconstruction attack of paper 1, §V-A/§V-D, against `AlignedLinearEncoder`: the adversary
/// holds a shared image prototype t and the (public) encoder, and optimises a dummy 8×8 image x
/// so that its embedding matches t.
///
/// Objective: maximise cos(E(x), t) with E(x) = e/‖e‖, e = P·z, z_i = (x_i − μ_i)/s_i (the
/// encoder's linear map and normalisation). The gradient is analytic:
///
///     ∂cos/∂e = (t̂ − cos·u)/‖e‖,  u = e/‖e‖,      ∂cos/∂x_i = (1/s_i)·Σ_r P[r,i]·(∂cos/∂e)_r
///
/// Optimiser: Adam (β₁ 0.9, β₂ 0.999) with learning rate `learningRate` in pixel units, x projected
/// onto [0, 16]⁶⁴ after every step; x starts as a uniform grey image. The cosine objective is
/// scale-invariant, so the noisy count that divides a released prototype does not matter.
///
/// P is 16 × 64: E is not injective. Every image x + v with P·diag(1/s)·v = 0 (a 48-dimensional
/// null space) has the same embedding, so the best the attack can do is recover the component of
/// the image the encoder sees; the rest comes from the starting image and the box constraint.
public struct ReconstructionAttack: Sendable {
    public var steps = 100
    public var learningRate = 0.2
    /// The starting grey level (every pixel).
    public var start = 8.0
    public let encoder: AlignedLinearEncoder

    public init(encoder: AlignedLinearEncoder, steps: Int = 100, learningRate: Double = 0.2, start: Double = 8) {
        self.encoder = encoder
        self.steps = steps
        self.learningRate = learningRate
        self.start = start
    }

    /// The reconstruction (64 pixels in 0...16) and the cosine it reaches in embedding space.
    public func reconstruct(target: [Double]) -> (pixels: [Double], fit: Double) {
        let p = DigitRecord.pixelCount, d = encoder.dimension
        let tNorm = VectorMath.norm(target)
        guard target.count == d, tNorm > 0, tNorm.isFinite else {
            return ([Double](repeating: start, count: p), 0)
        }
        let t = target.map { $0 / tNorm }
        let P = encoder.imageProjection, mu = encoder.imageMean, s = encoder.imageScale
        var x = [Double](repeating: start, count: p)
        var m = [Double](repeating: 0, count: p), v = m
        let b1 = 0.9, b2 = 0.999, eps = 1e-8
        var fit = 0.0
        for step in 0...steps {
            let (c, grad) = Self.cosineAndGradient(x, t: t, P: P, mu: mu, s: s, d: d)
            fit = c
            if step == steps { break }
            let k = Double(step + 1)
            for i in 0..<p {
                // ascent on cos
                m[i] = b1 * m[i] + (1 - b1) * grad[i]
                v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i]
                let mh = m[i] / (1 - pow(b1, k)), vh = v[i] / (1 - pow(b2, k))
                x[i] = min(DigitRecord.maximumPixel, max(0, x[i] + learningRate * mh / (vh.squareRoot() + eps)))
            }
        }
        return (x, fit)
    }

    /// cos(E(x), t) and its gradient with respect to x (t a unit vector).
    static func cosineAndGradient(_ x: [Double], t: [Double], P: [Double], mu: [Double], s: [Double], d: Int) -> (Double, [Double]) {
        let p = x.count
        var z = [Double](repeating: 0, count: p)
        for i in 0..<p { z[i] = (x[i] - mu[i]) / s[i] }
        var e = [Double](repeating: 0, count: d)
        for r in 0..<d {
            var acc = 0.0
            for i in 0..<p { acc += P[r * p + i] * z[i] }
            e[r] = acc
        }
        let n = VectorMath.norm(e)
        guard n > 0 else { return (0, [Double](repeating: 0, count: p)) }
        let u = e.map { $0 / n }
        let c = VectorMath.dot(u, t)
        let ge = (0..<d).map { (t[$0] - c * u[$0]) / n }
        var g = [Double](repeating: 0, count: p)
        for i in 0..<p {
            var acc = 0.0
            for r in 0..<d { acc += P[r * p + i] * ge[r] }
            g[i] = acc / s[i]
        }
        return (c, g)
    }
}

/// The attack experiment: per seed, one agent holds `recordsPerLabel` records of every label,
/// releases its prototypes once per condition (anchor partition), and the adversary attacks each
/// cell's released image prototype. Scores compare the reconstruction with the true mean image of
/// the records in that cell.
public enum AttackExperiment {
    public struct Setting: Sendable {
        public var conditions: [ReleaseCondition] = [.none, .imageOnly] + [0.5, 1, 2, 4, 8].map { .multimodal($0) }
        public var seeds: [UInt64] = Array(0..<5)
        public var recordsPerLabel = 100
        public var delta = 1e-5
        public var clippingBound = 1.0
        public var steps = 100
        public var learningRate = 0.2
        public init() {}
    }

    public struct Row: Sendable {
        public var condition: ReleaseCondition
        public var seed: UInt64
        /// The cell (= the anchor of this label).
        public var label: Int
        /// Records in the cell (exact).
        public var count: Int
        /// cos(released image prototype, exact image prototype of the cell).
        public var prototypeCosine: Double
        /// cos(E(reconstruction), released prototype): how well the optimisation converged.
        public var fit: Double
        /// cos(reconstruction, true mean image), raw pixels.
        public var cosine: Double
        /// cos after subtracting the data set's mean image from both (0 = no information beyond the average digit).
        public var centredCosine: Double
        /// Mean squared error per pixel (pixel units², 0...256).
        public var mse: Double
        /// Whether the true mean image of this cell is the nearest (by MSE) of all cells' true mean images.
        public var identified: Bool
        public var reconstruction: [Double]
        public var trueMean: [Double]
    }

    /// Runs every seed and condition. `progress(done)` counts attacked cells.
    public static func run(_ data: ExperimentDigits, _ setting: Setting, progress: (Int) -> Void = { _ in }) throws -> [Row] {
        let attack = ReconstructionAttack(encoder: data.encoder, steps: setting.steps, learningRate: setting.learningRate)
        let globalMean = data.meanImage(Array(data.records.indices)) ?? []
        var rows: [Row] = []
        var done = 0
        for seed in setting.seeds {
            var g = SeededGenerator(seed: seed)
            let held = (0..<DigitRecord.labelCount).flatMap { ExperimentDigits.sample(data.byLabel[$0], count: setting.recordsPerLabel, using: &g) }
            let cellMembers = (0..<data.anchors.count).map { j in held.filter { data.cells[$0] == j } }
            let trueMeans = cellMembers.map { data.meanImage($0) }
            let exact = try PrototypeRelease.release(data.prototypeRecords(held), partition: .anchors(data.anchors),
                                                     settings: ReleaseCondition.none.settings(clippingBound: setting.clippingBound), using: &g)
            for condition in setting.conditions {
                let release = try PrototypeRelease.release(
                    data.prototypeRecords(held), partition: .anchors(data.anchors),
                    settings: condition.settings(delta: setting.delta, clippingBound: setting.clippingBound), using: &g)
                for p in release.prototypes {
                    defer { done += 1; progress(done) }
                    guard let truth = trueMeans[p.cluster] else { continue }
                    let (x, fit) = attack.reconstruct(target: p.imageEmbedding)
                    let nearest = trueMeans.indices.compactMap { j in trueMeans[j].map { (j, VectorMath.mse(x, $0)) } }
                        .min { $0.1 < $1.1 }?.0
                    rows.append(Row(
                        condition: condition, seed: seed, label: p.cluster, count: cellMembers[p.cluster].count,
                        prototypeCosine: VectorMath.cosine(p.imageEmbedding, exact.prototypes[p.cluster].imageEmbedding), fit: fit,
                        cosine: VectorMath.cosine(x, truth),
                        centredCosine: VectorMath.cosine(zip(x, globalMean).map { $0 - $1 }, zip(truth, globalMean).map { $0 - $1 }),
                        mse: VectorMath.mse(x, truth), identified: nearest == p.cluster, reconstruction: x, trueMean: truth))
                }
            }
        }
        return rows
    }

    /// Cells attacked per run (for progress totals).
    public static func work(_ setting: Setting) -> Int { setting.seeds.count * setting.conditions.count * DigitRecord.labelCount }
}
