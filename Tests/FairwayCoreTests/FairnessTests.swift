import FairwayCore
import XCTest

final class FairnessTests: XCTestCase {
    func testRewardRatesAreZeroForZeroValues() {
        XCTAssertEqual(Fairness.rewardRates(grants: [2, 3, 4], values: [1, 0, 2]), [2, 0, 2])
    }

    func testJainAndGiniOfKnownVectors() {
        XCTAssertEqual(Fairness.jain([1, 1, 1, 1])!, 1, accuracy: 1e-15)
        XCTAssertEqual(Fairness.gini([1, 1, 1, 1])!, 0, accuracy: 1e-15)
        // One agent has everything: J = 1/N, G = 1 − 1/N.
        XCTAssertEqual(Fairness.jain([0, 0, 0, 5])!, 0.25, accuracy: 1e-15)
        XCTAssertEqual(Fairness.gini([0, 0, 0, 5])!, 0.75, accuracy: 1e-15)
        XCTAssertEqual(Fairness.jain([1, 2, 3])!, 36.0 / 42.0, accuracy: 1e-15)
        XCTAssertEqual(Fairness.gini([3, 1, 2])!, 8.0 / 36.0, accuracy: 1e-15)
    }

    func testUndefinedIndicesAreNil() {
        XCTAssertNil(Fairness.jain([]))
        XCTAssertNil(Fairness.gini([]))
        XCTAssertNil(Fairness.jain([0, 0]))
        XCTAssertNil(Fairness.gini([0, 0]))
        XCTAssertNil(Fairness.giniPairwise([0, 0]))
    }

    func testJainSurvivesHugeRatesAndInfiniteOnesAreUndefined() {
        XCTAssertEqual(Fairness.jain([1e200, 1e200])!, 1, accuracy: 1e-15)
        XCTAssertEqual(Fairness.jain([1e308, 1e308, 0])!, 2.0 / 3.0, accuracy: 1e-15)
        let rates = Fairness.rewardRates(grants: [1, 1], values: [Double.leastNonzeroMagnitude, 1])
        XCTAssertEqual(rates[0], .infinity)
        XCTAssertNil(Fairness.jain(rates))
        XCTAssertNil(Fairness.gini(rates))
    }

    func testSortedGiniEqualsThePairwiseSum() {
        var rng = SeededGenerator(seed: 2)
        for _ in 0..<50 {
            let rates = (0..<(1 + rng.nextIndex(below: 60))).map { _ in
                rng.nextIndex(below: 4) == 0 ? 0 : rng.nextUnit() * 100
            }
            XCTAssertEqual(Fairness.gini(rates) ?? -1, Fairness.giniPairwise(rates) ?? -1, accuracy: 1e-12)
        }
    }

    func testLargeInputsUseTheRadixPathAndAgreeWithAComparisonSort() {
        var rng = SeededGenerator(seed: 4)
        // Rates with ties, zeros and a wide dynamic range, like u/v for Dirichlet values.
        let rates = (0..<20_000).map { i -> Double in
            switch i % 4 {
            case 0: 0
            case 1: 2.5
            default: rng.nextUnit() * Double(1 << rng.nextIndex(below: 40))
            }
        }
        let sorted = rates.sorted()
        let n = Double(rates.count)
        var weighted = 0.0
        for (i, r) in sorted.enumerated() { weighted += (2 * Double(i + 1) - n - 1) * r }
        let expected = weighted / (n * rates.reduce(0, +))
        XCTAssertEqual(Fairness.gini(rates)!, expected, accuracy: 1e-12)
    }

    func testGiniOfLargeInputsInEveryRadixPath() {
        var rng = SeededGenerator(seed: 6)
        let n = 30_000
        let shapes: [String: [Double]] = [
            // one top-16-bit group, every digit varying: the per-group LSD passes
            "one group": (0..<n).map { _ in 1 + rng.nextUnit() / 16 },
            // near-equal rates a few ulps apart, as eq. 15 produces: one LSD pass
            "near equal": (0..<n).map { _ in 18.4273876521209 * (1 + Double(rng.nextIndex(below: 5)) * 0x1p-52) },
            // many tiny groups: insertion sort
            "spread": (0..<n).map { _ in Double(1 << rng.nextIndex(below: 60)) * rng.nextUnit() },
        ]
        for (name, rates) in shapes {
            let sorted = rates.sorted()
            let count = Double(n)
            var weighted = 0.0
            for (i, r) in sorted.enumerated() { weighted += (2 * Double(i + 1) - count - 1) * r }
            let expected = weighted / (count * rates.reduce(0, +))
            XCTAssertEqual(Fairness.gini(rates)!, expected, accuracy: 1e-12, name)
        }
    }

    func testSampleStatistics() {
        var s = SampleStatistics()
        for x in [2.0, 4, 4, 4, 5, 5, 7, 9] { s.add(x) }
        XCTAssertEqual(s.mean, 5, accuracy: 1e-15)
        XCTAssertEqual(s.standardDeviation, (32.0 / 7).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(s.standardError, (32.0 / 7).squareRoot() / 8.0.squareRoot(), accuracy: 1e-12)
    }
}
