@testable import FairwayCore
import XCTest

final class RadixSortTests: XCTestCase {
    func testRadixSortEqualsTheStandardSortInEveryPath() {
        var rng = SeededGenerator(seed: 10)
        let n = 30_000
        let inputs: [String: [Double]] = [
            "one group": (0..<n).map { _ in 1 + rng.nextUnit() / 16 },
            "near equal": (0..<n).map { _ in 18.4273876521209 * (1 + Double(rng.nextIndex(below: 5)) * 0x1p-52) },
            "spread": (0..<n).map { _ in Double(1 << rng.nextIndex(below: 60)) * rng.nextUnit() },
            "with zeros": (0..<n).map { i in i % 3 == 0 ? (i % 2 == 0 ? 0.0 : -0.0) : rng.nextUnit() },
            "equal": [Double](repeating: 2.5, count: n),
            "huge": (0..<n).map { _ in Double.greatestFiniteMagnitude * rng.nextUnit() },
        ]
        for (name, values) in inputs {
            let got = Fairness.sortedNonNegative(values)
            XCTAssertEqual(got.count, values.count, name)
            XCTAssertTrue(zip(got, values.sorted()).allSatisfy { $0 == $1 }, name)
        }
    }
}
