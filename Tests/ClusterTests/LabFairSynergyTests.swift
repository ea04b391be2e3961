import FairwayTestSupport
import Foundation
import XCTest

/// `fairway-lab experiment fair-synergy` and `fairway-lab bench allocate` as processes, small:
/// they run, write what they promise, and rank the exact optimum first where it must be.
final class LabFairSynergyTests: XCTestCase {
    func testExperimentWritesEveryFigureAndTheExactRTIOptimumLeadsUncapped() async throws {
        let out = temporaryDirectory() + "/fs"
        let (code, _, err) = try await runTool("fairway-lab", ["experiment", "fair-synergy", "--out", out, "--instances", "12", "--seeds", "2"], timeout: .seconds(300))
        XCTAssertEqual(code, 0, err)
        XCTAssertTrue(err.contains("100%"), "progress on stderr")
        for file in ["results.md", "fig4-summary.csv", "fig4-gains.csv", "fig5.csv", "fig6.csv", "fig4-rti-uncapped.svg", "fig4-rti-capped.svg", "fig5-dl-uncapped.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(out)/\(file)"), file)
        }
        // Fig. 4 RTI, uncapped: the exact optimum's mean is at least every baseline's.
        let rows = try String(contentsOfFile: "\(out)/fig4-summary.csv", encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        let rti = rows.filter { $0[0] == "RTI" && $0[1] == "uncapped" }
        let fs = try XCTUnwrap(rti.first { $0[2] == "fair-synergy" }.flatMap { Double($0[4]) })
        XCTAssertEqual(Set(rti.map { $0[2] }), ["fair-synergy", "uniform", "random", "num", "drf", "leximin"])
        for r in rti { XCTAssertGreaterThanOrEqual(fs, Double(r[4])! - 1e-12, r[2]) }
    }

    func testBenchAllocateRunsAndReportsTheTargets() async throws {
        let (code, out, err) = try await runTool("fairway-lab", ["bench", "allocate", "--quick"], timeout: .seconds(300))
        XCTAssertEqual(code, 0, err)
        XCTAssertTrue(out.contains("RTI"), out)
        XCTAssertTrue(out.contains("≤ 1 ms") || out.contains("<= 1 ms") || out.contains("1 ms"), out)
    }
}
