import FairwayCore
import Foundation
import XCTest

/// `fairway-lab schedule --input` as a process, on every instance of
/// `Tests/Reference/token-scheduling.json`, matched to 1e-9 absolute.
final class LabScheduleTests: XCTestCase {
    /// `fairway-lab schedule` prints the reference's own result format.
    typealias Output = TokenSchedulingReference.Result

    let tolerance = 1e-9

    func reference() throws -> TokenSchedulingReference {
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/token-scheduling.json")
        return try JSONDecoder().decode(TokenSchedulingReference.self, from: Data(contentsOf: url))
    }

    func writeInput(_ object: [String: Any]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fairway-schedule-\(UUID().uuidString).json").path
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        return path
    }

    func schedule(_ object: [String: Any]) async throws -> (Int32, String, String) {
        let path = try writeInput(object)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await runTool("fairway-lab", ["schedule", "--input", path])
    }

    func assertClose(_ a: Double?, _ b: Double?, _ what: String) {
        switch (a, b) {
        case (nil, nil): break
        case let (x?, y?): XCTAssertEqual(x, y, accuracy: tolerance, what)
        default: XCTFail("\(what): got \(String(describing: a)), expected \(String(describing: b))")
        }
    }

    func testEveryReferenceInstanceThroughTheCommand() async throws {
        for instance in try reference().instances {
            for (name, expected) in [("proportional", instance.proposed_eq15), ("round-robin", instance.round_robin),
                                     ("max-min", instance.max_min)] {
                let (status, out, err) = try await schedule(["allocator": name, "V": instance.V, "v": instance.v,
                                                             "B": instance.B, "R": instance.R, "seed": 0])
                let label = "\(instance.id) \(name)"
                XCTAssertEqual(status, 0, "\(label): \(err)")
                let got = try JSONDecoder().decode(Output.self, from: Data(out.utf8))
                XCTAssertEqual(got.u.count, expected.u.count, label)
                XCTAssertEqual(got.r.count, expected.r.count, label)
                for (i, (x, y)) in zip(got.u, expected.u).enumerated() { XCTAssertEqual(x, y, accuracy: tolerance, "\(label) u[\(i)]") }
                for (i, (x, y)) in zip(got.r, expected.r).enumerated() { XCTAssertEqual(x, y, accuracy: tolerance, "\(label) r[\(i)]") }
                assertClose(got.jain, expected.jain, "\(label) jain")
                assertClose(got.gini, expected.gini, "\(label) gini")
            }
        }
    }

    func testBadInputNamesTheFieldAndExitsWith2() async throws {
        let cases: [([String: Any], String)] = [
            (["allocator": "fair", "V": 1, "v": [1], "B": [4]], "allocator"),
            (["allocator": "max-min", "V": -1, "v": [1], "B": [4]], "V"),
            (["allocator": "max-min", "V": 1, "v": [1, "x"], "B": [4, 4]], "v[1]"),
            (["allocator": "max-min", "V": 1, "v": [1], "B": [4], "R": [5]], "R[0]"),
            (["allocator": "random", "V": 1, "v": [1], "B": [4], "seed": -1], "seed"),
            (["allocator": "random", "v": [1], "B": [4]], "V"),
        ]
        for (input, field) in cases {
            let (status, out, err) = try await schedule(input)
            XCTAssertEqual(status, 2, "\(input)")
            XCTAssertTrue(out.isEmpty)
            XCTAssertTrue(err.contains(" \(field): "), "\(field) named in: \(err)")
        }
    }

    func testUndefinedIndicesPrintNull() async throws {
        let (status, out, _) = try await schedule(["allocator": "proportional", "V": 5, "v": [0, 0], "B": [4, 4]])
        XCTAssertEqual(status, 0)
        XCTAssertTrue(out.contains("\"jain\":null"), out)
        XCTAssertTrue(out.contains("\"gini\":null"), out)
    }
}
