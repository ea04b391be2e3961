/// One epoch's token-scheduling input: the quota to hand out and every agent's value and bucket.
///
/// Units: `totalTokens` (V), `bucketSizes` (B_n) and `remaining` (R_n) are tokens (AI quota);
/// `values` (v_n) are DAT data values (dimensionless, only their ratios matter).
///
/// Invariants, checked once by `init`: the three arrays have the same length; every number is
/// finite, non-negative and at most 2^53 (the largest whole number a `Double` holds exactly);
/// `R_n ≤ B_n` for every agent (a bucket never holds more than its size).
public struct TokenAllocationProblem: Sendable, Hashable {
    /// V: tokens available this epoch.
    public let totalTokens: Double
    /// v_n: the agents' data values.
    public let values: [Double]
    /// B_n: bucket sizes in tokens (the subscription tier).
    public let bucketSizes: [Double]
    /// R_n: tokens still in each bucket when the epoch starts.
    public let remaining: [Double]

    /// The largest magnitude accepted for V, v_n, B_n and R_n: 2^53.
    public static let largestAcceptedNumber: Double = 9_007_199_254_740_992

    /// Validates and stores one epoch's input.
    ///
    /// - Throws: `FairwayError(.invalidField)` naming the offending field (`V`, `v[i]`, `B[i]`,
    ///   `R[i]`, or `B` / `R` for a length mismatch).
    public init(totalTokens: Double, values: [Double], bucketSizes: [Double], remaining: [Double]) throws {
        try Self.check(totalTokens, field: "V")
        guard bucketSizes.count == values.count else {
            throw FairwayError(.invalidField, "B has \(bucketSizes.count) entries but v has \(values.count)", field: "B")
        }
        guard remaining.count == values.count else {
            throw FairwayError(.invalidField, "R has \(remaining.count) entries but v has \(values.count)", field: "R")
        }
        for i in values.indices {
            try Self.check(values[i], field: "v[\(i)]")
            try Self.check(bucketSizes[i], field: "B[\(i)]")
            try Self.check(remaining[i], field: "R[\(i)]")
            guard remaining[i] <= bucketSizes[i] else {
                throw FairwayError(.invalidField, "remaining tokens \(remaining[i]) exceed the bucket size \(bucketSizes[i])", field: "R[\(i)]")
            }
        }
        self.totalTokens = totalTokens
        self.values = values
        self.bucketSizes = bucketSizes
        self.remaining = remaining
    }

    /// All buckets empty (R_n = 0), the start of every round in the paper's setup.
    public init(totalTokens: Double, values: [Double], bucketSizes: [Double]) throws {
        try self.init(totalTokens: totalTokens, values: values, bucketSizes: bucketSizes,
                      remaining: [Double](repeating: 0, count: values.count))
    }

    /// The same bucket size B for every agent, buckets empty.
    public init(totalTokens: Double, values: [Double], bucketSize: Double) throws {
        try self.init(totalTokens: totalTokens, values: values,
                      bucketSizes: [Double](repeating: bucketSize, count: values.count))
    }

    /// N: the number of agents.
    public var count: Int { values.count }

    /// B_n − R_n: the room left in agent n's bucket, in (possibly fractional) tokens.
    public func room(_ n: Int) -> Double { max(0, bucketSizes[n] - remaining[n]) }

    /// ⌊V⌋: the whole tokens the integer allocators hand out.
    public var wholeTokens: Int { Int(totalTokens.rounded(.down)) }

    /// The whole tokens agent n can still take: the largest k with R_n + k ≤ B_n, evaluated
    /// exactly as the reference does (`R_n + u_n + 1 <= B_n` before each token), capped at ⌊V⌋
    /// because no agent can receive more than that.
    public func wholeTokenRoom(_ n: Int) -> Int {
        let r = remaining[n], b = bucketSizes[n]
        let cap = wholeTokens
        func fits(_ held: Int) -> Bool { r + Double(held) + 1 <= b }
        var k = min(cap, Int(max(0, (b - r).rounded(.down))))
        while k > 0, !fits(k - 1) { k -= 1 }
        while k < cap, fits(k) { k += 1 }
        return k
    }

    /// `wholeTokenRoom(n)` for every agent, with a fast path for whole-number B_n and R_n.
    public func wholeTokenRooms() -> [Int] {
        let n = count, cap = wholeTokens
        return [Int](unsafeUninitializedCapacity: n) { out, filled in
            bucketSizes.withUnsafeBufferPointer { b in
                remaining.withUnsafeBufferPointer { r in
                    for i in 0..<n {
                        let room = b[i] - r[i]
                        if b[i] == b[i].rounded(.down), r[i] == r[i].rounded(.down) {
                            out[i] = min(cap, Int(room))  // exact: whole numbers ≤ 2^53
                        } else {
                            out[i] = wholeTokenRoom(i)
                        }
                    }
                }
            }
            filled = n
        }
    }

    static func check(_ x: Double, field: String) throws {
        guard x.isFinite else { throw FairwayError(.invalidField, "must be a finite number, got \(x)", field: field) }
        guard x >= 0 else { throw FairwayError(.invalidField, "must not be negative, got \(x)", field: field) }
        guard x <= largestAcceptedNumber else {
            throw FairwayError(.invalidField, "must be at most 2^53, got \(x)", field: field)
        }
    }
}
