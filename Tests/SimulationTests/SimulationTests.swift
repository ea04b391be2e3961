import FairwayCore
import Foundation
import FairwaySimulation
import XCTest

/// The deterministic simulation runs clean on correct code, replays a seed bit for bit, and
/// its checker catches each deliberately broken behaviour it can reach.
final class SimulationTests: XCTestCase {
    /// The contract plan and modules, built once from the repository's digits.
    private static let contracts: SimulationContracts = {
        let csv = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../data/uci-digits-8x8.csv").standardized
        return try! SimulationContracts.make(records: DigitsCSV.parse(String(contentsOf: csv, encoding: .utf8)))
    }()

    private func run(_ s: SimulationSettings) -> SimulationResult { Simulation(settings: s, contracts: Self.contracts).run() }

    private func settings(seed: UInt64, steps: Int, breaks: Set<TestBreak> = []) -> SimulationSettings {
        var s = SimulationSettings()
        s.seed = seed
        s.steps = steps
        s.breaks = breaks
        return s
    }

    func testCorrectClusterHoldsEveryInvariantAcrossSeeds() {
        for seed in UInt64(1)...4 {
            let result = run(settings(seed: seed, steps: 30_000))
            XCTAssertNil(result.violation, "seed \(seed): \(result.violation.map { "\($0.invariant): \($0.message)" } ?? "")\n" + result.trace.joined(separator: "\n"))
            XCTAssertEqual(result.steps, 30_000)
            // The run really exercised the cluster: faults, service, contributions.
            XCTAssertGreaterThan(result.stats.crashes, 0, "seed \(seed)")
            XCTAssertGreaterThan(result.stats.inferencesServed, 0, "seed \(seed)")
            XCTAssertGreaterThan(result.stats.contributionsAcknowledged, 0, "seed \(seed)")
            XCTAssertGreaterThan(result.checks["I1", default: 0], 0)
            XCTAssertGreaterThan(result.checks["I3", default: 0], 0)
            XCTAssertGreaterThan(result.checks["I4", default: 0], 0, "seed \(seed): contract payments were checked")
            XCTAssertGreaterThan(result.checks["I5", default: 0], 0)
        }
    }

    func testSameSeedReplaysTheSameRun() {
        let a = run(settings(seed: 42, steps: 8_000))
        let b = run(settings(seed: 42, steps: 8_000))
        XCTAssertEqual(a, b)
        let c = run(settings(seed: 43, steps: 8_000))
        XCTAssertNotEqual(a.stats, c.stats)
    }

    private func assertCaught(_ b: TestBreak, _ invariant: String, file: StaticString = #filePath, line: UInt = #line) {
        for seed in UInt64(1)...5 {
            let result = run(settings(seed: seed, steps: 60_000, breaks: [b]))
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
    func testPayBeforeIntegrationIsCaught() { assertCaught(.payBeforeIntegration, "I4") }

    /// The checker is not vacuous on its own: a run that lost no state would also pass without
    /// faults, and the same seed with faults off still serves and records.
    func testWithoutFaultsEverythingIsServedAndNothingIsReplayed() {
        var s = settings(seed: 7, steps: 20_000)
        s.crashRate = 0
        s.crashInHandlerRate = 0
        s.partitionRate = 0
        s.lossRate = 0
        s.duplicateRate = 0
        let result = run(s)
        XCTAssertNil(result.violation)
        XCTAssertEqual(result.stats.crashes, 0)
        XCTAssertEqual(result.stats.lost, 0)
        XCTAssertGreaterThan(result.stats.inferencesServed, 100)
        XCTAssertGreaterThan(result.stats.contributionsAcknowledged, 0)
    }
}
