/// One agent's token bucket: `size` B_n and `remaining` R_n, in tokens (AI quota).
///
/// Invariant: 0 ≤ remaining ≤ size, both finite. A refill never raises `remaining` above
/// `size` (the excess is discarded and reported); a consumption never takes it below 0
/// (a request costing more than is left is refused whole). There is no clock inside:
/// refills happen when the caller applies an epoch's grant.
public struct TokenBucket: Sendable, Hashable {
    /// B_n: the most tokens the bucket can hold.
    public private(set) var size: Double
    /// R_n: tokens left to spend.
    public private(set) var remaining: Double

    /// A bucket of `size` tokens holding `remaining` (default: empty).
    ///
    /// - Throws: `FairwayError(.invalidField)` with field `size` or `remaining` if a value is
    ///   NaN, infinite or negative, or `remaining` exceeds `size`.
    public init(size: Double, remaining: Double = 0) throws {
        try Self.check(size, "size")
        try Self.check(remaining, "remaining")
        guard remaining <= size else {
            throw FairwayError(.invalidField, "remaining \(remaining) exceeds the bucket size \(size)", field: "remaining")
        }
        self.size = size
        self.remaining = remaining
    }

    /// B_n − R_n: tokens the bucket can still take.
    public var room: Double { size - remaining }

    /// Adds up to `tokens`, never beyond `size`.
    ///
    /// - Returns: the tokens actually added (`min(tokens, room)`); the rest is discarded.
    /// - Throws: `FairwayError(.invalidField)` with field `tokens` on NaN, ∞ or a negative amount.
    @discardableResult
    public mutating func refill(_ tokens: Double) throws -> Double {
        try Self.check(tokens, "tokens")
        let added = min(tokens, room)
        remaining = min(size, remaining + added)
        return added
    }

    /// Spends `cost` tokens if the bucket holds that many; otherwise changes nothing.
    ///
    /// - Returns: true if admitted (and debited), false if refused for lack of tokens.
    /// - Throws: `FairwayError(.invalidField)` with field `cost` on NaN, ∞ or a negative cost.
    public mutating func consume(_ cost: Double) throws -> Bool {
        try Self.check(cost, "cost")
        guard cost <= remaining else { return false }
        remaining = max(0, remaining - cost)
        return true
    }

    /// Changes the bucket size (a new subscription tier); `remaining` is cut to the new size.
    ///
    /// - Throws: `FairwayError(.invalidField)` with field `size` on NaN, ∞ or a negative size.
    public mutating func resize(to newSize: Double) throws {
        try Self.check(newSize, "size")
        size = newSize
        remaining = min(remaining, newSize)
    }

    private static func check(_ x: Double, _ field: String) throws {
        guard x.isFinite else { throw FairwayError(.invalidField, "must be a finite number of tokens, got \(x)", field: field) }
        guard x >= 0 else { throw FairwayError(.invalidField, "must not be negative, got \(x)", field: field) }
    }
}
