import FairwayControlJSON
import FairwayRuntime
import FairwayTestSupport
import Foundation
import XCTest

/// Where `swift build` put the executables (next to the test bundle).
let binDirectory = ProcessSpawner.ownDirectory()

func executable(_ name: String) throws -> String {
    let path = (binDirectory as NSString).appendingPathComponent(name)
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw MissingExecutable("\(path) is missing: run `swift build` before `swift test` (make test does)")
    }
    return path
}

struct MissingExecutable: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Runs a tool to completion without blocking the cooperative pool; returns (exit status, stdout, stderr).
func runTool(_ tool: String, _ args: [String], timeout: Duration = .seconds(60), environment: [String: String] = [:]) async throws -> (Int32, String, String) {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("fairway-tool-\(UUID().uuidString)").path
    defer {
        try? FileManager.default.removeItem(atPath: base + ".out")
        try? FileManager.default.removeItem(atPath: base + ".err")
    }
    let pid = try ProcessSpawner.spawn(try executable(tool), args, logPath: base + ".out", errorPath: base + ".err", environment: environment)
    let killer = Task {
        try await Task.sleep(for: timeout)
        kill(pid, SIGKILL)
    }
    let status = await ProcessSpawner.waitForExit(pid)
    killer.cancel()
    let out = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
    return (status, out, err)
}

/// `fairwayctl --coordinator URL status --json`, parsed; nil if it failed.
func statusJSON(_ url: String, extra: [String] = []) async -> [StatusDocument.Node]? {
    guard let (code, out, _) = try? await runTool("fairwayctl", ["status", "--coordinator", url, "--json", "--timeout-ms", "1000"] + extra), code == 0 else { return nil }
    return try? JSONDecoder().decode(StatusDocument.self, from: Data(out.utf8)).nodes
}

/// Starts real daemon processes with `fairwayctl cluster up <arguments>` in a fresh directory and
/// runs `body` with the directory and the coordinator URL it printed. Afterwards (also when
/// `body` throws or returns after a failure) every process the cluster still has (cluster.json
/// holds the current pids) is stopped.
func withProcessCluster(_ name: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line,
                        _ body: (_ dir: String, _ url: String) async throws -> Void) async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fairway-\(name)-\(UUID().uuidString.prefix(8))").path
    let (code, out, err) = try await runTool("fairwayctl", ["cluster", "up", "--dir", dir, "--bin-dir", binDirectory, "--wait-s", "0"] + arguments)
    XCTAssertEqual(code, 0, err, file: file, line: line)
    // Whatever the body did (returned after an XCTFail, threw), no process outlives the test.
    do {
        try await body(dir, out.trimmingCharacters(in: .whitespacesAndNewlines))
    } catch {
        await (try? LocalCluster.load(directory: dir))?.down(grace: .seconds(2))
        throw error
    }
    await (try? LocalCluster.load(directory: dir))?.down(grace: .seconds(2))
}
