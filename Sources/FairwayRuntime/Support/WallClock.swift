import FairwayCore
import Foundation

/// The only place that reads the wall clock; shells pass its value to instances.
public enum WallClock {
    public static func now() -> Timestamp {
        Timestamp(unixMilliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
    }
}

extension Duration {
    /// Whole milliseconds in this duration.
    public var milliseconds: Int64 {
        let (s, attos) = components
        return s * 1000 + attos / 1_000_000_000_000_000
    }
}
