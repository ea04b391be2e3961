/// Wall-clock time as milliseconds since the Unix epoch.
///
/// Instances never read a clock: shells pass `now` in. Milliseconds survive
/// persistence and the wire unchanged.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var unixMilliseconds: Int64

    public init(unixMilliseconds: Int64) { self.unixMilliseconds = unixMilliseconds }

    public static let zero = Timestamp(unixMilliseconds: 0)

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.unixMilliseconds < b.unixMilliseconds }

    /// `self` advanced by `ms` milliseconds.
    public func adding(milliseconds ms: Int64) -> Timestamp {
        Timestamp(unixMilliseconds: unixMilliseconds &+ ms)
    }

    /// Milliseconds from `earlier` to `self` (negative if `earlier` is later).
    public func milliseconds(since earlier: Timestamp) -> Int64 {
        unixMilliseconds &- earlier.unixMilliseconds
    }

    /// `self` advanced by `duration` (whole milliseconds).
    public func adding(_ duration: Duration) -> Timestamp { adding(milliseconds: duration.milliseconds) }

    /// The time from `earlier` to `self`.
    public func duration(since earlier: Timestamp) -> Duration { .milliseconds(milliseconds(since: earlier)) }

    public var description: String { "\(unixMilliseconds)ms" }
}

extension Duration {
    /// Whole milliseconds in this duration.
    public var milliseconds: Int64 {
        let (s, attos) = components
        return s * 1000 + attos / 1_000_000_000_000_000
    }
}
