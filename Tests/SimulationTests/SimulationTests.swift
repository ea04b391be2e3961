import FairwayCore
import FairwaySimulation
import XCTest

/// The deterministic simulation runs clean on correct code, replays a seed bit for bit, and
/// its checker catches each deliberately broken behaviour it can reach.
final class SimulationTests: XCTestCase {
    private func settings(seed: UInt64, steps: Int, breaks: Set<TestBreak> = []) -> SimulationSettings {
        var s = SimulationSettings()
        s.seed = seed
        s.steps = steps
        s.breaks = breaks
        return s
    }

    func testCorrectClusterHoldsEveryInvariantAcrossSeeds() {
        for seed in UInt64(1)...4 {
            let result = Simulation(settings: settings(seed: seed, steps: 30_000)).run()
            XCTAssertNil(result.violation, "seed \(seed): \(result.violation.map { "\($0.invariant): \($0.message)" } ?? "")\n" + result.trace.joined(separator: "\n"))
            XCTAssertEqual(result.steps, 30_000)
            // The run really exercised the cluster: faults, service, contributions.
            XCTAssertGreaterThan(result.stats.crashes, 0, "seed \(seed)")
            XCTAssertGreaterThan(result.stats.inferencesServed, 0, "seed \(seed)")
            XCTAssertGreaterThan(result.stats.contributionsAcknowledged, 0, "seed \(seed)")
            XCTAssertGreaterThan(result.checks["I1", default: 0], 0)
            XCTAssertGreaterThan(result.checks["I3", default: 0], 0)
        }
    }

    func testSameSeedReplaysTheSameRun() {
        let a = Simulation(settings: settings(seed: 42, steps: 8_000)).run()
        let b = Simulation(settings: settings(seed: 42, steps: 8_000)).run()
        XCTAssertEqual(a, b)
        let c = Simulation(settings: settings(seed: 43, steps: 8_000)).run()
        XCTAssertNotEqual(a.stats, c.stats)
    }

    private func assertCaught(_ b: TestBreak, _ invariant: String, file: StaticString = #filePath, line: UInt = #line) {
        for seed in UInt64(1)...5 {
            let result = Simulation(settings: settings(seed: seed, steps: 60_000, breaks: [b])).run()
            if let v = result.violation {
                XCTAssertEqual(v.invariant, invariant, "\(b.rawValue) seed \(seed): \(v.message)", file: file, line: line)
                XCTAssertFalse(result.trace.isEmpty, file: file, line: line)
                return
            }
        }
        XCTFail("\(b.rawValue) was not caught in 5 seeds × 60 000 steps", file: file, line: line)
    }

    func testAckBeforeDurableIsCaught() { assertCaught(.ackBeforeDurable, "I2") }
    func testSettleLeaseTwiceIsCaught() { assertCaught(.settleLeaseTwice, "I1") }
    func testSpendBudgetUnpersistedIsCaught() { assertCaught(.spendBudgetUnpersisted, "I5") }
}
