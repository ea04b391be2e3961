#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Gaussian mechanism on real vectors without floating-point leaks: the true value is
/// rounded to a grid of step `grid` (a power of two), integer discrete Gaussian noise
/// (`DiscreteGaussian`) in grid steps is added, and the result is the exact multiple of the
/// grid, so the released double carries nothing but value + noise.
///
/// The grid is σ / 2^12 rounded down to a power of two (4096–8192 steps per σ), fine enough
/// that the rounding of the true value costs nothing measurable. Rounding moves each
/// coordinate by at most grid/2, so the L2 sensitivity of the rounded query is at most
/// Δ + √d·grid/2 (`sensitivity(_:dimensions:)`), and σ must be calibrated for that.
public struct SnappedGaussian: Sendable, Hashable {
    /// Noise standard deviation, in the value's units.
    public let sigma: Double
    /// Grid step, a power of two.
    public let grid: Double
    let noise: DiscreteGaussian

    /// Steps of the grid per σ, at least.
    public static let stepsPerSigma: Double = 0x1p12

    public init(sigma: Double) {
        precondition(sigma.isFinite && sigma > 0, "σ must be finite and > 0")
        self.sigma = sigma
        self.grid = exp2((log2(sigma / Self.stepsPerSigma)).rounded(.down))
        let steps = sigma / grid
        self.noise = DiscreteGaussian(variance: steps * steps)
    }

    /// The L2 sensitivity of a query of sensitivity `delta` once rounded to the grid.
    public func sensitivity(_ delta: Double, dimensions d: Int) -> Double {
        delta + Double(d).squareRoot() * grid / 2
    }

    /// `values` rounded to the grid, plus noise; every output is an exact multiple of `grid`.
    public func release<G: RandomNumberGenerator>(_ values: [Double], using g: inout G) -> [Double] {
        values.map { v in
            let steps = (v / grid).rounded() + Double(noise.sample(using: &g))
            return steps * grid
        }
    }

    /// One noisy count, rounded to an integer (post-processing, so still private).
    public func releaseCount<G: RandomNumberGenerator>(_ count: Int, using g: inout G) -> Int64 {
        Int64(release([Double(count)], using: &g)[0].rounded())
    }
}
