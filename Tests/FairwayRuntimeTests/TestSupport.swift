import CloudCoordinator
import EdgeAgent
import EdgeServer
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation
import Logging
import XCTest

func temporaryDirectory(_ name: String = #function) -> String {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("fairway-tests-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

let quietLogger: Logger = {
    var l = Logger(label: "test")
    l.logLevel = .critical
    return l
}()

/// Polls `condition` every 50 ms until it holds or `seconds` pass.
func eventually(_ seconds: Double = 10, _ what: String, file: StaticString = #filePath, line: UInt = #line,
                _ condition: () async throws -> Bool) async {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try? await Task.sleep(for: .milliseconds(50))
    }
    XCTFail("timed out after \(seconds)s waiting for: \(what)", file: file, line: line)
}

/// A fixed key for test `n` (same every run).
func testKey(_ n: UInt8) -> NodeKey { try! NodeKey(privateKey: [UInt8](repeating: n, count: NodeKey.privateKeyLength)) }

/// A client speaking as `key` (default: a fresh identity) to `url`.
func client(_ url: String, key: NodeKey = NodeKey(), timeoutMs: Int64 = 2000) throws -> RequestClient {
    var t = TransportSettings()
    t.requestTimeoutMilliseconds = timeoutMs
    return try RequestClient(url: url, identity: key, settings: t)
}

func status(_ c: RequestClient) async throws -> [NodeStatus] {
    guard case .statusReply(let s) = try await c.call(.statusRequest) else { throw FairwayError(.malformed, "no status") }
    return s.nodes
}

/// Runs a service in a task; `stop()` cancels it and waits.
final class Running: @unchecked Sendable {
    let task: Task<Void, Never>
    init(_ run: @escaping @Sendable () async throws -> Void) {
        task = Task { try? await run() }
    }
    func stop() async {
        task.cancel()
        await task.value
    }
}
