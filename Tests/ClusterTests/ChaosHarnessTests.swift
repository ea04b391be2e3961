import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 14 (chaos): `fairway-lab chaos` as a process, short (18 s of faults, about 30 s in
/// all): a clean run ends with every invariant holding and exit 0; each deliberate break
/// (`--break`) makes the invariant it breaks fail, exit 1. As root (CI) every node runs in its
/// own network namespace with partitions; otherwise the same runs go on loopback
/// (`--no-netns`) rather than being skipped.
final class ChaosHarnessTests: XCTestCase {
    struct Line: Decodable {
        var invariants: [String: Bool]
        var counterexamples: [String: String]
        var operations: [String: Counts]
        var faults: [String: Int]
        var netns: Bool
        struct Counts: Decodable { var ok, fail, unknown: Int }
    }

    private func chaos(_ extra: [String], file: StaticString = #filePath, line: UInt = #line) async throws -> (status: Int32, line: Line, err: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fairway-chaos-test-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let netns = getuid() == 0 ? [] : ["--no-netns"]
        let (status, out, err) = try await runTool("fairway-lab", ["chaos", "--duration", "18", "--seed", "1", "--dir", dir, "--json"] + netns + extra,
                                                   timeout: .seconds(150))
        XCTAssertNotEqual(status, 2, "harness error:\n\(err)", file: file, line: line)
        let last = try XCTUnwrap(out.split(separator: "\n").last, "no output; stderr:\n\(err)", file: file, line: line)
        let parsed = try JSONDecoder().decode(Line.self, from: Data(last.utf8))
        XCTAssertEqual(parsed.netns, getuid() == 0, file: file, line: line)
        return (status, parsed, err)
    }

    func testCleanRunHoldsEveryInvariant() async throws {
        let r = try await chaos([])
        XCTAssertEqual(r.status, 0, "\(r.line.counterexamples)\n\(r.err)")
        XCTAssertEqual(r.line.invariants, ["I1": true, "I2": true, "I3": true, "I4": true, "I5": true])
        XCTAssertGreaterThan(r.line.faults.values.reduce(0, +), 0, "faults were injected")
        XCTAssertGreaterThan(r.line.operations["request"]?.ok ?? 0, 0, "clients were served")
        XCTAssertGreaterThan(r.line.operations["status"]?.ok ?? 0, 0)
        XCTAssertGreaterThan(r.line.operations["ledger-verify"]?.ok ?? 0, 0)
    }

    func testSettleLeaseTwiceBreaksI1() async throws {
        let r = try await chaos(["--break", "settle-lease-twice"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.line.invariants["I1"], false, "\(r.line.counterexamples)")
    }

    func testAckBeforeDurableBreaksI2() async throws {
        let r = try await chaos(["--break", "ack-before-durable"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.line.invariants["I2"], false, "\(r.line.counterexamples)")
        XCTAssertGreaterThan(r.line.faults["kill"] ?? 0, 0)
    }

    func testPayBeforeIntegrationBreaksI4() async throws {
        let r = try await chaos(["--break", "pay-before-integration"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.line.invariants["I4"], false, "\(r.line.counterexamples)")
    }

    func testSpendBudgetUnpersistedBreaksI5() async throws {
        let r = try await chaos(["--break", "spend-budget-unpersisted"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.line.invariants["I5"], false, "\(r.line.counterexamples)")
    }

    func testBadArgumentsAreRefusedClearly() async throws {
        let (status, _, err) = try await runTool("fairway-lab", ["chaos", "--break", "no-such-break"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(err.contains("no-such-break"), err)
        let (s2, _, e2) = try await runTool("fairway-lab", ["chaos", "--duration", "1"])
        XCTAssertNotEqual(s2, 0)
        XCTAssertTrue(e2.contains("--duration"), e2)
        let (s3, _, e3) = try await runTool("fairway-lab", ["chaos", "--compose", "--no-netns"])
        XCTAssertNotEqual(s3, 0)
        XCTAssertTrue(e3.contains("--compose and --no-netns"), e3)
    }

    /// `--compose` without a reachable Docker engine (DOCKER_HOST points nowhere; `make
    /// compose-test` runs the real compose chaos) is a harness error (2) that says what is
    /// missing.
    func testComposeWithoutAnEngineIsAHarnessError() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fairway-chaos-noengine-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (status, _, err) = try await runTool("fairway-lab", ["chaos", "--compose", "--duration", "5", "--dir", dir],
                                                 environment: ["DOCKER_HOST": "unix:///nonexistent/fairway-test-docker.sock"])
        XCTAssertEqual(status, 2, err)
        XCTAssertTrue(err.contains("Docker engine is not running") || err.contains("no docker CLI"), err)
    }
}
