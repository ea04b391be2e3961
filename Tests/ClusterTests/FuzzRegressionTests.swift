import Foundation
import XCTest

/// Replays the seed corpus and every input a fuzzing run ever crashed on
/// (Tests/Fuzz/regressions) through the fuzz target's properties.
final class FuzzRegressionTests: XCTestCase {
    func testRegressionInputsReplayWithoutACrash() async throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/regressions").path
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        XCTAssertGreaterThanOrEqual(files.count, 10)
        let (code, out, err) = try await runTool("fairway-fuzz", [dir])
        XCTAssertEqual(code, 0, err)
        XCTAssertTrue(out.contains("replayed \(files.count) inputs without a crash"), out)
    }
}
