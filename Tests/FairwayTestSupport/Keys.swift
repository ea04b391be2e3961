import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation
import Logging

/// A fixed key for test `n` (same every run).
public func testKey(_ n: UInt8) -> NodeKey { try! NodeKey(privateKey: [UInt8](repeating: n, count: NodeKey.privateKeyLength)) }

/// A logger that stays quiet unless something is critical.
public let quietLogger: Logger = {
    var l = Logger(label: "test")
    l.logLevel = ProcessInfo.processInfo.environment["FAIRWAY_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
    return l
}()

/// A client speaking as `key` (default: a fresh identity) to `url`.
public func client(_ url: String, key: NodeKey = NodeKey(), timeoutMs: Int64 = 2000) throws -> RequestClient {
    var t = TransportSettings()
    t.requestTimeoutMilliseconds = timeoutMs
    return try RequestClient(url: url, identity: key, settings: t)
}

/// The nodes a node reports in its status.
public func status(_ c: RequestClient) async throws -> [NodeStatus] {
    guard case .statusReply(let s) = try await c.call(.statusRequest) else { throw FairwayError(.malformed, "no status") }
    return s.nodes
}

/// Runs a service in a task; `stop()` cancels it and waits.
public final class Running: @unchecked Sendable {
    let task: Task<Void, Never>
    public init(_ run: @escaping @Sendable () async throws -> Void) {
        task = Task { try? await run() }
    }
    public func stop() async {
        task.cancel()
        await task.value
    }
}
