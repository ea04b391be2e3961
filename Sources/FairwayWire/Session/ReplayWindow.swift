/// A sliding window over a session's message counters (RFC 6479, as WireGuard keeps one):
/// counters may arrive out of order within `size` of the highest one seen, each at most once.
///
/// Invariants: a counter more than `size - 1` below the highest seen is `tooOld`; a counter in
/// the window is `seen` once `mark`ed; memory is `size` bits whatever the traffic. The window
/// is marked only after the message authenticated, so forged counters move nothing.
public struct ReplayWindow: Sendable, Equatable {
    /// Counters remembered below the highest one seen.
    public static let size: UInt64 = 2048
    private static let words = Int(size / 64)

    /// Highest counter marked, plus one (0: none yet).
    public private(set) var top: UInt64 = 0
    private var bits = [UInt64](repeating: 0, count: words)

    public init() {}

    public enum Verdict: Sendable, Equatable {
        case fresh
        case seen
        case tooOld
    }

    /// Classifies `counter` without changing anything.
    public func check(_ counter: UInt64) -> Verdict {
        if counter >= top { return .fresh }
        if top - counter > Self.size { return .tooOld }
        return isSet(counter) ? .seen : .fresh
    }

    /// Marks `counter` as received; returns what `check` said before the mark (only `fresh`
    /// marks anything).
    @discardableResult
    public mutating func mark(_ counter: UInt64) -> Verdict {
        let verdict = check(counter)
        guard verdict == .fresh else { return verdict }
        if counter >= top {
            let advance = counter - top + 1
            if advance >= Self.size {
                bits = [UInt64](repeating: 0, count: Self.words)
            } else {
                var c = top
                while c <= counter { clear(c); c += 1 }
            }
            top = counter + 1
        }
        set(counter)
        return .fresh
    }

    private func isSet(_ c: UInt64) -> Bool {
        let i = Int(c % Self.size)
        return bits[i / 64] & (1 << UInt64(i % 64)) != 0
    }

    private mutating func set(_ c: UInt64) {
        let i = Int(c % Self.size)
        bits[i / 64] |= 1 << UInt64(i % 64)
    }

    private mutating func clear(_ c: UInt64) {
        let i = Int(c % Self.size)
        bits[i / 64] &= ~(1 << UInt64(i % 64))
    }
}
