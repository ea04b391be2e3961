/// Learns an `AlignedLinearEncoder` from paired (image, description) data by regularised
/// canonical correlation analysis (CCA).
///
/// Data: record i (0-based, file order) is paired with `TextDescriptions.description(forRecord: i,
/// label:)`. Split: records with i % `heldOutEvery` == `heldOutEvery` − 1 are held out (every 5th
/// by default: 359 of 1797), the rest train. Training is a deterministic function of the records
/// and the settings (no randomness; fixed summation and Jacobi orders).
///
/// Method. X (n × 64): standardised training pixels; Y (n × V): centred word counts. With
/// Cxx = XᵀX/n + λx·I, Cyy = YᵀY/n + λy·I, Cxy = XᵀY/n and M = Cxx^(-1/2) Cxy Cyy^(-1/2) = U S Wᵀ
/// (top d singular triplets, from the eigen-decomposition of MMᵀ), the canonical directions are
/// A = Cxx^(-1/2) U, B = Cyy^(-1/2) W and ρ_k = S_kk. The encoder projects with ρ_k·A_k and ρ_k·B_k,
/// so weakly correlated directions (at most 9 carry label information for 10 classes) count little.
public enum CCATraining {
    public struct Settings: Sendable, Hashable {
        /// d, the shared space's dimension, 1 ... min(64, vocabulary size). Default 16.
        public var dimension: Int = 16
        /// λx, ridge added to the image covariance (standardised pixels, unit variance). Default 0.1.
        public var imageRegularisation: Double = 0.1
        /// λy, ridge added to the word-count covariance. Default 0.01.
        public var textRegularisation: Double = 0.01
        /// Every k-th record (i % k == k − 1) is held out. Default 5.
        public var heldOutEvery: Int = 5
        public init() {}
    }

    /// Indices of the training and held-out records among `count`.
    public static func split(count: Int, heldOutEvery k: Int) -> (training: [Int], heldOut: [Int]) {
        let all = Array(0..<count)
        guard k >= 2 else { return (all, []) }
        return (all.filter { $0 % k != k - 1 }, all.filter { $0 % k == k - 1 })
    }

    /// The text paired with every record, by index.
    public static func descriptions(of records: [DigitRecord]) -> [String] {
        records.indices.map { TextDescriptions.description(forRecord: $0, label: records[$0].label) }
    }

    /// Trains on the training split of `records` (the whole data set, in file order).
    /// - Throws: `EmbeddingError` `invalidTraining` for bad settings or too few records.
    public static func train(_ records: [DigitRecord], settings: Settings = Settings()) throws -> AlignedLinearEncoder {
        let vocabulary = TextDescriptions.vocabulary
        let p = DigitRecord.pixelCount, v = vocabulary.count, d = settings.dimension
        guard d >= 1, d <= min(p, v) else {
            throw EmbeddingError(.invalidTraining, "dimension must be in 1...\(min(p, v)), got \(d)")
        }
        guard settings.imageRegularisation.isFinite, settings.imageRegularisation > 0,
              settings.textRegularisation.isFinite, settings.textRegularisation > 0 else {
            throw EmbeddingError(.invalidTraining, "regularisations must be finite and > 0")
        }
        guard records.allSatisfy({ $0.pixels.count == p }) else {
            throw EmbeddingError(.invalidTraining, "every record needs \(p) pixels")
        }
        let training = split(count: records.count, heldOutEvery: settings.heldOutEvery).training
        guard training.count > max(p, v) else {
            throw EmbeddingError(.invalidTraining, "\(training.count) training records; need more than \(max(p, v))")
        }
        let texts = descriptions(of: records)
        let bag = BagOfWords(vocabulary: vocabulary)
        let n = Double(training.count)

        // image side: standardise
        var imageMean = [Double](repeating: 0, count: p)
        for i in training { for j in 0..<p { imageMean[j] += records[i].pixels[j] } }
        for j in 0..<p { imageMean[j] /= n }
        var imageScale = [Double](repeating: 0, count: p)
        for i in training { for j in 0..<p { let c = records[i].pixels[j] - imageMean[j]; imageScale[j] += c * c } }
        for j in 0..<p {
            let sd = (imageScale[j] / n).squareRoot()
            imageScale[j] = sd > 1e-9 ? sd : 1
        }
        var x = Matrix(zeros: training.count, p)
        for (r, i) in training.enumerated() { for j in 0..<p { x[r, j] = (records[i].pixels[j] - imageMean[j]) / imageScale[j] } }

        // text side: centre word counts
        let features = training.map { bag.features(texts[$0]) }
        var textMean = [Double](repeating: 0, count: v)
        for f in features { for j in 0..<v { textMean[j] += f[j] } }
        for j in 0..<v { textMean[j] /= n }
        var y = Matrix(zeros: training.count, v)
        for (r, f) in features.enumerated() { for j in 0..<v { y[r, j] = f[j] - textMean[j] } }

        var cxx = x.crossProduct(x, dividedBy: n)
        for j in 0..<p { cxx[j, j] += settings.imageRegularisation }
        var cyy = y.crossProduct(y, dividedBy: n)
        for j in 0..<v { cyy[j, j] += settings.textRegularisation }
        let cxy = x.crossProduct(y, dividedBy: n)

        let inverseRoot = { (l: Double) -> Double in 1 / l.squareRoot() }
        let cxxInvRoot = SymmetricEigen(cxx).function(inverseRoot)
        let cyyInvRoot = SymmetricEigen(cyy).function(inverseRoot)
        let m = cxxInvRoot * cxy * cyyInvRoot // p × v
        let left = SymmetricEigen(m * m.transposed) // p × p: U and S²
        let a = cxxInvRoot * left.vectors // p × p, columns = image canonical directions
        let mtU = m.transposed * left.vectors // v × p: column k = S_k W_k
        var rho = [Double](repeating: 0, count: d)
        var imageProjection = [Double](repeating: 0, count: d * p)
        var textProjection = [Double](repeating: 0, count: d * v)
        for k in 0..<d {
            let s = max(0, left.values[k]).squareRoot()
            rho[k] = min(1, s)
            for j in 0..<p { imageProjection[k * p + j] = rho[k] * a[j, k] }
            guard s > 1e-12 else { continue }
            // B_k = Cyy^(-1/2) W_k with W_k = Mᵀ U_k / S_k; weighted by ρ_k = S_k: Cyy^(-1/2) Mᵀ U_k
            for j in 0..<v {
                var b = 0.0
                for l in 0..<v { b += cyyInvRoot[j, l] * mtU[l, k] }
                textProjection[k * v + j] = (rho[k] / s) * b
            }
        }
        return try AlignedLinearEncoder(
            dimension: d, imageMean: imageMean, imageScale: imageScale, imageProjection: imageProjection,
            vocabulary: vocabulary, textMean: textMean, textProjection: textProjection, canonicalCorrelations: rho)
    }
}
