import Foundation
import XCTest

/// A fresh directory under the system's temporary directory, removed when the value is
/// released (unless `FAIRWAY_KEEP_TEST_DIRS` is set, to inspect a failure).
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(_ name: String = #function) {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("fairway-\(name.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `path/component`.
    public func callAsFunction(_ component: String) -> String { (path as NSString).appendingPathComponent(component) }

    deinit {
        if ProcessInfo.processInfo.environment["FAIRWAY_KEEP_TEST_DIRS"] == nil { try? FileManager.default.removeItem(atPath: path) }
    }
}

extension XCTestCase {
    /// A fresh directory for this test, removed when the test ends (kept if
    /// `FAIRWAY_KEEP_TEST_DIRS` is set, to inspect a failure).
    public func temporaryDirectory(_ name: String = #function) -> String {
        let dir = TemporaryDirectory(name)
        addTeardownBlock { withExtendedLifetime(dir) {} }
        return dir.path
    }
}
