/// Exact sampling of the discrete Gaussian N_Z(0, σ²) on the integers, as Canonne, Kamath &
/// Steinke (NeurIPS 2020, Algorithms 1–3) give it and OpenDP uses it: only integer and rational
/// arithmetic and uniform integers from the generator, so no floating-point rounding of a
/// sampled value can leak anything (Mironov 2012's attack on textbook Laplace/Gaussian samplers).
///
/// σ² is a rational `numerator / denominator` (both positive, kept small enough that the
/// 128-bit intermediates cannot overflow: σ² ≤ 2^30, i.e. σ ≤ 32768 grid steps). The discrete Gaussian with parameter σ²
/// satisfies ρ-zCDP with ρ = Δ²/(2σ²) for integer-valued queries of L2 sensitivity Δ, the same
/// Rényi bound as the continuous Gaussian (CKS 2020, Thm 4), so `RDPAccountant` accounts for it.
public struct DiscreteGaussian: Sendable, Hashable {
    /// σ² = numerator / denominator.
    public let numerator: UInt128
    public let denominator: UInt128

    /// The largest σ² the sampler accepts (its 128-bit intermediates stay in range).
    public static let maximumVariance: Double = 0x1p30

    /// - Parameter variance: σ² > 0, rounded up to a multiple of 2^-20 (never less noise).
    public init(variance: Double) {
        precondition(variance.isFinite && variance > 0 && variance <= Self.maximumVariance, "σ² must be in (0, 2^30], got \(variance)")
        let scale: Double = 0x1p20
        numerator = UInt128((variance * scale).rounded(.up))
        denominator = UInt128(scale)
    }

    /// One sample.
    public func sample<G: RandomNumberGenerator>(using g: inout G) -> Int64 {
        // t = ⌊σ⌋ + 1; candidates from the discrete Laplace with scale t, accepted with
        // probability exp(−(|c| − σ²/t)² / (2σ²)) (CKS Alg. 3).
        let t = (numerator / denominator).squareRootFloor + 1
        while true {
            let c = Self.discreteLaplace(scale: t, using: &g)
            // bias = (|c|·t·den − num)² / (2·num·t²·den), as a fraction.
            let magnitude = UInt128(c.magnitude)
            let a = magnitude * t * denominator
            let diff = a > numerator ? a - numerator : numerator - a
            let biasNumerator = diff * diff
            let biasDenominator = 2 * numerator * t * t * denominator
            if Self.bernoulliExp(biasNumerator, biasDenominator, using: &g) { return c }
        }
    }

    // MARK: CKS 2020, Algorithm 1 and 2

    /// Bernoulli(n/d).
    static func bernoulli<G: RandomNumberGenerator>(_ n: UInt128, _ d: UInt128, using g: inout G) -> Bool {
        UInt128.random(in: 0..<d, using: &g) < n
    }

    /// Bernoulli(exp(−n/d)) for 0 ≤ n/d ≤ 1.
    static func bernoulliExp1<G: RandomNumberGenerator>(_ n: UInt128, _ d: UInt128, using g: inout G) -> Bool {
        var k: UInt128 = 1
        while bernoulli(n, d * k, using: &g) { k += 1 }
        return k % 2 == 1
    }

    /// Bernoulli(exp(−n/d)) for n/d ≥ 0.
    static func bernoulliExp<G: RandomNumberGenerator>(_ n: UInt128, _ d: UInt128, using g: inout G) -> Bool {
        var n = n
        while n > d {
            guard bernoulliExp1(1, 1, using: &g) else { return false }
            n -= d
        }
        return bernoulliExp1(n, d, using: &g)
    }

    /// Geometric: the number of failures before success with p = 1 − exp(−1/t) (CKS Alg. 2, "fast").
    static func geometricExp<G: RandomNumberGenerator>(scale t: UInt128, using g: inout G) -> UInt128 {
        var u: UInt128
        repeat { u = UInt128.random(in: 0..<t, using: &g) } while !bernoulliExp(u, t, using: &g)
        var v: UInt128 = 0
        while bernoulliExp1(1, 1, using: &g) { v += 1 }
        return v * t + u
    }

    /// The discrete Laplace with scale t: P(x) ∝ exp(−|x|/t).
    static func discreteLaplace<G: RandomNumberGenerator>(scale t: UInt128, using g: inout G) -> Int64 {
        while true {
            let negative = bernoulli(1, 2, using: &g)
            let magnitude = geometricExp(scale: t, using: &g)
            if negative && magnitude == 0 { continue }
            return negative ? -Int64(magnitude) : Int64(magnitude)
        }
    }
}

extension UInt128 {
    /// ⌊√self⌋ (Newton's method on integers).
    var squareRootFloor: UInt128 {
        guard self > 1 else { return self }
        var x = UInt128(Double(self).squareRoot())
        while x * x > self { x -= 1 }
        while (x + 1) * (x + 1) <= self { x += 1 }
        return x
    }
}
