import FairwayCore
import XCTest

/// Properties every allocator must keep, on many seeded random problems, plus the closed-form
/// Round-Robin and Max–Min checked against literal token-by-token simulations.
final class AllocatorPropertyTests: XCTestCase {
    /// A random problem: some zero values, some full or fractional buckets, sometimes a fractional V.
    func randomProblem(_ rng: inout SeededGenerator) throws -> TokenAllocationProblem {
        let n = 1 + rng.nextIndex(below: 30)
        var v = [Double](), b = [Double](), r = [Double]()
        for _ in 0..<n {
            v.append(rng.nextIndex(below: 6) == 0 ? 0 : rng.nextUnit() * 10)
            let size = rng.nextIndex(below: 3) == 0 ? (rng.nextUnit() * 8).rounded() : rng.nextUnit() * 8
            b.append(size)
            switch rng.nextIndex(below: 4) {
            case 0: r.append(size)
            case 1: r.append(0)
            case 2: r.append(Double(rng.nextIndex(below: Int(size) + 1)))
            default: r.append(rng.nextUnit() * size)
            }
        }
        let total = rng.nextIndex(below: 2) == 0 ? Double(rng.nextIndex(below: 120)) : rng.nextUnit() * 120
        return try TokenAllocationProblem(totalTokens: total, values: v, bucketSizes: b, remaining: r)
    }

    /// Round-Robin exactly as `meta.round_robin` describes it, one token at a time.
    func literalRoundRobin(_ p: TokenAllocationProblem) -> [Double] {
        var u = [Int](repeating: 0, count: p.count), left = p.wholeTokens
        func hasRoom(_ i: Int) -> Bool { p.remaining[i] + Double(u[i]) + 1 <= p.bucketSizes[i] }
        while left > 0, (0..<p.count).contains(where: hasRoom) {
            for i in 0..<p.count where left > 0 && hasRoom(i) {
                u[i] += 1
                left -= 1
            }
        }
        return u.map(Double.init)
    }

    /// Max–Min exactly as `meta.max_min` describes it, one token at a time.
    func literalMaxMin(_ p: TokenAllocationProblem) -> [Double] {
        var u = [Int](repeating: 0, count: p.count), left = p.wholeTokens
        while left > 0 {
            var best: Int?
            for i in 0..<p.count where p.remaining[i] + Double(u[i]) + 1 <= p.bucketSizes[i] {
                if let b = best, p.remaining[b] + Double(u[b]) <= p.remaining[i] + Double(u[i]) { continue }
                best = i
            }
            guard let chosen = best else { break }
            u[chosen] += 1
            left -= 1
        }
        return u.map(Double.init)
    }

    func testEveryAllocatorKeepsTheQuotaAndTheBuckets() throws {
        var rng = SeededGenerator(seed: 42)
        for trial in 0..<400 {
            let p = try randomProblem(&rng)
            for kind in AllocatorKind.allCases {
                let u = kind.allocator.allocate(p, seed: UInt64(trial))
                XCTAssertEqual(u.count, p.count)
                let sum = u.reduce(0, +)
                XCTAssertLessThanOrEqual(sum, p.totalTokens * (1 + 1e-12), "\(kind) trial \(trial): Σu ≤ V")
                for n in 0..<p.count {
                    XCTAssertGreaterThanOrEqual(u[n], 0, "\(kind) trial \(trial) agent \(n)")
                    if kind.grantsWholeTokens { XCTAssertEqual(u[n], u[n].rounded(), "\(kind): whole tokens") }
                    if kind != .random {
                        XCTAssertLessThanOrEqual(u[n], p.bucketSizes[n] - p.remaining[n], "\(kind) trial \(trial) agent \(n): u ≤ B − R")
                    }
                }
                if kind == .random { XCTAssertEqual(sum, Double(p.wholeTokens), "random hands out ⌊V⌋ uncapped") }
            }
            let capped = RandomAllocator(respectsBuckets: true).allocate(p, seed: UInt64(trial))
            for n in 0..<p.count { XCTAssertLessThanOrEqual(p.remaining[n] + capped[n], p.bucketSizes[n]) }
            let room = (0..<p.count).map(p.wholeTokenRoom).reduce(0, +)
            XCTAssertEqual(capped.reduce(0, +), Double(min(room, p.wholeTokens)), "capped random fills what fits")
        }
    }

    func testClosedFormRoundRobinAndMaxMinEqualTheLiteralGreedyRules() throws {
        var rng = SeededGenerator(seed: 7)
        for trial in 0..<400 {
            let p = try randomProblem(&rng)
            XCTAssertEqual(RoundRobinAllocator().allocate(p), literalRoundRobin(p), "round-robin trial \(trial)")
            XCTAssertEqual(MaxMinAllocator().allocate(p), literalMaxMin(p), "max-min trial \(trial)")
        }
    }

    func testMaxMinBreaksHoldingTiesByFloatingPointHoldingThenIndex() throws {
        // 0.3 + 2 and 1.3 + 1 are the same double: a tie, so the lower index wins.
        let p = try TokenAllocationProblem(totalTokens: 4, values: [1, 1], bucketSizes: [4, 4], remaining: [1.3, 0.3])
        XCTAssertEqual(MaxMinAllocator().allocate(p), literalMaxMin(p))
        XCTAssertEqual(MaxMinAllocator().allocate(p), [2, 2])  // by f = R − ⌊R⌋ alone it would be [1, 3]
    }

    func testMaxMinEqualsRoundRobinWithEmptyEqualBuckets() throws {
        var rng = SeededGenerator(seed: 9)
        for _ in 0..<100 {
            let n = 1 + rng.nextIndex(below: 50)
            let p = try TokenAllocationProblem(totalTokens: Double(rng.nextIndex(below: 300)),
                                               values: (0..<n).map { _ in rng.nextUnit() },
                                               bucketSize: Double(rng.nextIndex(below: 6)))
            XCTAssertEqual(MaxMinAllocator().allocate(p), RoundRobinAllocator().allocate(p))
        }
    }

    func testFillingNeverGivesLessThanEq15AndEqualizesUncappedRates() throws {
        var rng = SeededGenerator(seed: 11)
        for trial in 0..<600 {
            let p = try randomProblem(&rng)
            let eq15 = ProportionalAllocator().allocate(p)
            let filled = ProportionalFillingAllocator().allocate(p)
            var uncappedRates: [Double] = []
            var activeRoom = 0.0
            for n in 0..<p.count {
                XCTAssertGreaterThanOrEqual(filled[n], eq15[n], "trial \(trial) agent \(n): filling ≥ eq. 15")
                guard p.values[n] > 0 else {
                    XCTAssertEqual(filled[n], 0, "no value, no tokens")
                    continue
                }
                activeRoom += p.room(n)
                if filled[n] < p.room(n) * (1 - 1e-12) { uncappedRates.append(filled[n] / p.values[n]) }
            }
            if let first = uncappedRates.first {
                for rate in uncappedRates { XCTAssertEqual(rate, first, accuracy: 1e-12 * first, "trial \(trial): equal rates") }
            }
            // Work-conserving: everything is handed out unless every bucket of a valued agent is full.
            let expected = min(p.totalTokens, activeRoom)
            XCTAssertEqual(filled.reduce(0, +), expected, accuracy: 1e-9 * max(1, expected), "trial \(trial): Σu")
        }
    }

    func testFillingRefinementAndSortingPathsAgree() throws {
        var rng = SeededGenerator(seed: 13)
        for trial in 0..<300 {
            let p = try randomProblem(&rng)
            let refined = ProportionalFillingAllocator().allocate(p)
            let sorted = ProportionalFillingAllocator(refinementRounds: 0).allocate(p)
            let oneRound = ProportionalFillingAllocator(refinementRounds: 1).allocate(p)
            for n in 0..<p.count {
                XCTAssertEqual(refined[n], sorted[n], accuracy: 1e-9 * max(1, refined[n]), "trial \(trial) agent \(n)")
                XCTAssertEqual(refined[n], oneRound[n], accuracy: 1e-9 * max(1, refined[n]), "trial \(trial) agent \(n)")
            }
        }
    }

    func testFillingInThePaperSetupSpendsTheWholeQuota() throws {
        var rng = SeededGenerator(seed: 3)
        let v = rng.nextDirichlet(alpha: 0.5, count: 500)
        let p = try TokenAllocationProblem(totalTokens: 1000, values: v, bucketSize: 4)
        let eq15 = ProportionalAllocator().allocate(p).reduce(0, +)
        let filled = ProportionalFillingAllocator().allocate(p).reduce(0, +)
        XCTAssertLessThan(eq15, 900, "eq. 15 leaves a large share unallocated")
        XCTAssertEqual(filled, 1000, accuracy: 1e-9)
    }

    func testEq15WithoutBindingCapsGivesEqualRates() throws {
        let p = try TokenAllocationProblem(totalTokens: 6, values: [1, 2, 3], bucketSize: 4)
        let r = Fairness.rewardRates(grants: ProportionalAllocator().allocate(p), values: p.values)
        XCTAssertEqual(Fairness.jain(r)!, 1, accuracy: 1e-15)
        XCTAssertEqual(Fairness.gini(r)!, 0, accuracy: 1e-15)
    }

    func testAllZeroValuesGrantNothingProportionally() throws {
        let p = try TokenAllocationProblem(totalTokens: 10, values: [0, 0], bucketSize: 4)
        XCTAssertEqual(ProportionalAllocator().allocate(p), [0, 0])
        XCTAssertEqual(ProportionalFillingAllocator().allocate(p), [0, 0])
        XCTAssertEqual(RoundRobinAllocator().allocate(p), [4, 4])
    }

    func testLargeRoundRobinAndMaxMinAreFast() throws {
        // N = 10^6, V = 2·10^6: closed forms, not 2·10^6 heap operations (this runs in a debug build).
        var rng = SeededGenerator(seed: 5)
        let n = 1_000_000
        let p = try TokenAllocationProblem(totalTokens: 2_000_000, values: (0..<n).map { _ in rng.nextUnit() },
                                           bucketSizes: [Double](repeating: 4, count: n),
                                           remaining: (0..<n).map { _ in Double(rng.nextIndex(below: 3)) })  // room ≈ 3·10^6 > V
        let rr = RoundRobinAllocator().allocate(p)
        let mm = MaxMinAllocator().allocate(p)
        XCTAssertEqual(rr.reduce(0, +), 2_000_000)
        XCTAssertEqual(mm.reduce(0, +), 2_000_000)
    }

    func testProblemRejectsBadNumbersNamingTheField() {
        XCTAssertEqual(field { _ = try TokenAllocationProblem(totalTokens: .nan, values: [1], bucketSize: 4) }, "V")
        XCTAssertEqual(field { _ = try TokenAllocationProblem(totalTokens: 1, values: [1, -1], bucketSize: 4) }, "v[1]")
        XCTAssertEqual(field { _ = try TokenAllocationProblem(totalTokens: 1, values: [1], bucketSizes: [.infinity]) }, "B[0]")
        XCTAssertEqual(field { _ = try TokenAllocationProblem(totalTokens: 1, values: [1], bucketSizes: [4], remaining: [5]) }, "R[0]")
        XCTAssertEqual(field { _ = try TokenAllocationProblem(totalTokens: 1, values: [1], bucketSizes: [4, 4]) }, "B")
        XCTAssertEqual(field { _ = try TokenAllocationProblem(totalTokens: 1, values: [1], bucketSizes: [4], remaining: []) }, "R")
        XCTAssertEqual(field { _ = try TokenAllocationProblem(totalTokens: 1e300, values: [1], bucketSize: 4) }, "V")
        XCTAssertThrowsError(try AllocatorKind(name: "fair")) { XCTAssertEqual(($0 as? ConfigError)?.field, "allocator") }
    }

    func testAllocatorNames() {
        XCTAssertEqual(AllocatorKind.allCases.map(\.rawValue),
                       ["proportional", "proportional-filling", "random", "round-robin", "max-min"])
        for kind in AllocatorKind.allCases { XCTAssertEqual(kind.allocator.kind, kind) }
    }

    func testRandomIsReproducibleFromItsSeed() throws {
        let p = try TokenAllocationProblem(totalTokens: 100, values: [1, 1, 1], bucketSize: 4)
        XCTAssertEqual(RandomAllocator().allocate(p, seed: 1), RandomAllocator().allocate(p, seed: 1))
        XCTAssertNotEqual(RandomAllocator().allocate(p, seed: 1), RandomAllocator().allocate(p, seed: 2))
    }
}
