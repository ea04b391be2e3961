import FairwayCore
import Foundation
import XCTest

/// Issue 9, acceptance 3 (the noise and the clipping): the discrete Gaussian has the right
/// mean and variance and passes a Kolmogorov–Smirnov test against its exact distribution at a
/// fixed seed; snapped releases are exact grid multiples; clipping bounds every norm, so a sum
/// of clipped embeddings moves by at most C when one record is added or removed.
final class DPNoiseTests: XCTestCase {
    let samples = 20_000

    func testDiscreteGaussianMeanVarianceAndKSAgainstTheExactDistribution() {
        for variance in [0.7, 4.0, 100.0, 10_000.0] {
            var g = SeededGenerator(seed: UInt64(variance * 1000))
            let d = DiscreteGaussian(variance: variance)
            let xs = (0..<samples).map { _ in d.sample(using: &g) }
            let sigma = variance.squareRoot()
            let mean = Double(xs.reduce(0, +)) / Double(samples)
            let second = xs.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples)
            // The exact distribution: P(x) ∝ exp(−x²/(2σ²)) over the integers.
            let support = Int64((12 * sigma).rounded(.up)) + 1
            let weights = (-support...support).map { exp(-Double($0 * $0) / (2 * variance)) }
            let total = weights.reduce(0, +)
            let exactVariance = zip(-support...support, weights).reduce(0.0) { $0 + Double($1.0 * $1.0) * $1.1 } / total
            XCTAssertEqual(mean, 0, accuracy: 5 * sigma / Double(samples).squareRoot(), "mean, σ² = \(variance)")
            XCTAssertEqual(second / exactVariance, 1, accuracy: 5 * (2 / Double(samples)).squareRoot(), "variance, σ² = \(variance)")
            if variance >= 4 { XCTAssertEqual(exactVariance / variance, 1, accuracy: 1e-6, "the discrete variance is σ² for σ ≥ 2") }
            // KS: the largest gap between the empirical and the exact CDF, below the 1 % critical value.
            let counts = Dictionary(grouping: xs, by: { $0 }).mapValues(\.count)
            var empirical = 0.0, exact = 0.0, gap = 0.0
            for (x, w) in zip(-support...support, weights) {
                empirical += Double(counts[x] ?? 0) / Double(samples)
                exact += w / total
                gap = max(gap, abs(empirical - exact))
            }
            XCTAssertLessThan(gap, 1.63 / Double(samples).squareRoot(), "KS statistic, σ² = \(variance)")
        }
    }

    func testSnappedReleasesAreExactGridMultiplesWithTheRightNoise() {
        var g = SeededGenerator(seed: 7)
        let mechanism = SnappedGaussian(sigma: 0.3)
        XCTAssertEqual(mechanism.grid, exp2(log2(mechanism.grid).rounded()), "a power of two")
        XCTAssertGreaterThanOrEqual(mechanism.sigma / mechanism.grid, SnappedGaussian.stepsPerSigma)
        let value = 0.123456789
        let out = (0..<samples).map { _ in mechanism.release([value], using: &g)[0] }
        for x in out.prefix(100) { XCTAssertEqual((x / mechanism.grid).rounded(), x / mechanism.grid, "exact multiple of the grid") }
        let mean = out.reduce(0, +) / Double(samples)
        let variance = out.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples - 1)
        XCTAssertEqual(mean, value, accuracy: 5 * 0.3 / Double(samples).squareRoot())
        XCTAssertEqual(variance / (0.3 * 0.3), 1, accuracy: 5 * (2 / Double(samples)).squareRoot())
        XCTAssertEqual(mechanism.sensitivity(1, dimensions: 64), 1 + 8 * mechanism.grid / 2)
    }

    func testClippingBoundsEveryNormAndSoTheSensitivityOfASum() {
        var g = SeededGenerator(seed: 11)
        let bound = 1.0
        for trial in 0..<2_000 {
            let d = Int.random(in: 1...64, using: &g)
            let scale = [1e-6, 0.5, 1, 1 + 1e-15, 3, 1e6, 1e150][trial % 7]
            let x = (0..<d).map { _ in Double.random(in: -1...1, using: &g) * scale }
            let clipped = L2Clipping.clip(x, to: bound)
            XCTAssertLessThanOrEqual(L2Clipping.norm(clipped), bound, "trial \(trial)")
            if L2Clipping.norm(x) <= bound { XCTAssertEqual(clipped, x, "within the bound: unchanged") }
        }
        // Add-or-remove-one: the sum of clipped embeddings moves by at most the bound.
        for _ in 0..<200 {
            let n = Int.random(in: 0...20, using: &g)
            let data = (0..<n).map { _ in (0..<16).map { _ in Double.random(in: -5...5, using: &g) } }
            let extra = (0..<16).map { _ in Double.random(in: -5...5, using: &g) }
            func sum(_ rows: [[Double]]) -> [Double] {
                rows.map { L2Clipping.clip($0, to: bound) }.reduce([Double](repeating: 0, count: 16)) { zip($0, $1).map(+) }
            }
            let moved = zip(sum(data + [extra]), sum(data)).map(-)
            XCTAssertLessThanOrEqual(L2Clipping.norm(moved), bound * (1 + 1e-12))
        }
    }
}
