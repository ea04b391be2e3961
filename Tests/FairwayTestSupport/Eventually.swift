import Foundation
import XCTest

/// Polls `condition` every `poll` until it holds or `seconds` pass; fails the test on timeout.
/// Returns how long it took (nil on timeout).
@discardableResult
public func eventually(_ seconds: Double = 10, _ what: String, poll: Duration = .milliseconds(50),
                       file: StaticString = #filePath, line: UInt = #line,
                       _ condition: () async throws -> Bool) async -> Duration? {
    let start = ContinuousClock.now
    let deadline = start + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return ContinuousClock.now - start }
        try? await Task.sleep(for: poll)
    }
    XCTFail("timed out after \(seconds)s waiting for: \(what)", file: file, line: line)
    return nil
}
