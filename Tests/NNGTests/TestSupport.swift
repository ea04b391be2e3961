import Foundation
import NNG
import Synchronization
import XCTest

struct TestDeadlineExceeded: Error, CustomStringConvertible {
    let seconds: Double
    var description: String { "test step exceeded its \(seconds) s bound" }
}

/// Runs `body` with a hard upper bound; throws `TestDeadlineExceeded` if it takes longer.
/// (All NNG operations have their own deadlines, so cancellation always ends `body`.)
func withDeadline<T: Sendable>(
    _ seconds: Double,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TestDeadlineExceeded(seconds: seconds)
        }
        return value
    }
}

/// Asserts that `body` throws an `NNGError` satisfying `predicate`; returns the error.
@discardableResult
func assertThrowsNNG<T>(
    _ body: () async throws -> T,
    _ predicate: (NNGError) -> Bool,
    _ message: String = "",
    file: StaticString = #filePath,
    line: UInt = #line
) async -> NNGError? {
    do {
        _ = try await body()
        XCTFail("expected NNGError, got success. \(message)", file: file, line: line)
        return nil
    } catch let error as NNGError {
        XCTAssertTrue(predicate(error), "unexpected NNGError \(error). \(message)", file: file, line: line)
        return error
    } catch {
        XCTFail("expected NNGError, got \(error). \(message)", file: file, line: line)
        return nil
    }
}

/// Fast options for tests: short timeouts and reconnect backoff.
func testOptions(
    timeout: Duration = .seconds(3),
    maxMessageBytes: Int = 1 << 20
) -> SocketOptions {
    var o = SocketOptions()
    o.sendTimeout = timeout
    o.receiveTimeout = timeout
    o.maxMessageBytes = maxMessageBytes
    o.reconnectMin = .milliseconds(20)
    o.reconnectMax = .milliseconds(200)
    o.requestResend = .milliseconds(300)
    o.surveyTime = .milliseconds(500)
    return o
}

/// A unique ipc:// URL under /tmp, with the path for cleanup.
func uniqueIPC() -> (url: String, path: String) {
    let path = "/tmp/nng-test-\(getpid())-\(UUID().uuidString.prefix(8)).ipc"
    return ("ipc://" + path, path)
}

func uniqueInproc() -> String {
    "inproc://nng-test-\(UUID().uuidString)"
}

/// Listens `rep` on an ephemeral TCP port and returns the dialable URL.
func listenTCP(_ socket: NNG.Socket) throws -> String {
    guard let port = try socket.listenReturningPort("tcp://127.0.0.1:0") else {
        throw NNGError(code: 0, operation: "no bound port")
    }
    return "tcp://127.0.0.1:\(port)"
}

/// Serves REP requests on `contexts` workers: reply = transform(request). Returns the
/// worker task; it ends when the socket/contexts are closed.
func serveREP(
    _ rep: NNG.Socket,
    workers: Int = 1,
    delay: Duration = .zero,
    transform: @escaping @Sendable ([UInt8]) -> [UInt8] = { $0 }
) throws -> Task<Void, Never> {
    let contexts = try (0..<workers).map { _ in try rep.openContext() }
    return Task {
        await withTaskGroup(of: Void.self) { group in
            for ctx in contexts {
                group.addTask {
                    while !Task.isCancelled {
                        do {
                            let m = try await ctx.receive(timeout: .milliseconds(500))
                            if delay > .zero { try? await Task.sleep(for: delay) }
                            try await ctx.send(transform(m.bytes), timeout: .seconds(2))
                        } catch let e as NNGError where e.isTimeout {
                            continue
                        } catch {
                            return
                        }
                    }
                }
            }
        }
    }
}

/// A one-way flag shared between tasks.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
