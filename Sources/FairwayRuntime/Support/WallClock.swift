import FairwayCore
import Foundation

/// Where a shell gets `now` and how it waits: the system clock in daemons, a manual clock in
/// in-process tests (`FairwayTestSupport.ManualClock`). Instances never read a clock.
public protocol NodeClock: Sendable {
    /// The current wall-clock time.
    func now() -> Timestamp
    /// Waits until `deadline` (or throws `CancellationError` when the task is cancelled).
    func sleep(until deadline: Timestamp) async throws
}

/// The system's wall clock.
public struct SystemClock: NodeClock {
    public init() {}
    public func now() -> Timestamp { WallClock.now() }
    public func sleep(until deadline: Timestamp) async throws {
        let ms = deadline.milliseconds(since: now())
        if ms > 0 { try await Task.sleep(for: .milliseconds(ms)) } else { try Task.checkCancellation() }
    }
}

/// Reads the system's wall clock (through `SystemClock` in shells).
public enum WallClock {
    public static func now() -> Timestamp {
        Timestamp(unixMilliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
    }
}
