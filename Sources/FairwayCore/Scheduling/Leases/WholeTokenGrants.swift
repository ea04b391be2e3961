/// Turns an allocator's fractional grants into whole tokens that can be leased.
///
/// For every agent, g_n = min(room_n, ⌊u_n + 10⁻⁹⌋), with g_n = 0 when u_n is NaN, infinite or
/// negative. The 10⁻⁹ slack keeps a grant such as 2.9999999999 (3 minus rounding noise) at 3.
/// If Σg still exceeds `totalTokens` (an allocator's floating-point overshoot, Σu a relative
/// 10⁻¹² or so above V), tokens are then taken back one at a time from the largest g_n (ties:
/// the highest index) until Σg ≤ `totalTokens`.
///
/// Guarantees, for every input:
/// - Σ g_n ≤ `totalTokens`, exactly (integer arithmetic, no overflow);
/// - g_n ≤ room_n;
/// - g_n ≤ u_n + 10⁻⁹: never more than the fractional grant, so whole-token grants keep every
///   guarantee the allocator gave (Σ ≤ V, u_n ≤ B_n − R_n).
///
/// When Σu ≤ `totalTokens` (and there are fewer than 10⁹ agents) nothing is taken back, and every
/// agent loses less than one token to rounding: g_n > min(room_n, u_n) − 1. Taking back only
/// ever removes the overshoot Σ⌊…⌋ − `totalTokens`, nothing more.
public enum WholeTokenGrants {
    /// The slack added before rounding down, in tokens.
    public static let slack: Double = 1e-9

    /// Whole-token grants g for fractional grants `u` (tokens, one per agent, in agent order).
    ///
    /// - Parameters:
    ///   - u: fractional grants from `TokenAllocator.allocate`.
    ///   - totalTokens: V, the whole tokens available this epoch.
    ///   - room: B_n − R_n, the whole tokens each agent's bucket can still take; one entry per
    ///     agent (a precondition: `room.count == u.count`).
    /// - Returns: g, one whole-token grant per agent, in agent order.
    public static func round(_ u: [Double], totalTokens: UInt64, room: [UInt64]) -> [UInt64] {
        precondition(room.count == u.count, "WholeTokenGrants.round: \(room.count) rooms for \(u.count) grants")
        var g = [UInt64](repeating: 0, count: u.count)
        for n in u.indices {
            g[n] = min(room[n], floorOf(u[n]))
        }
        if !fits(g, cappedAt: nil, within: totalTokens) { takeBack(&g, downTo: totalTokens) }
        return g
    }

    /// ⌊x + slack⌋ as a whole number of tokens; 0 for NaN, ±∞ and negative x, saturating at
    /// `UInt64.max` (the caller caps it at the room anyway).
    static func floorOf(_ x: Double) -> UInt64 {
        guard x.isFinite, x >= 0 else { return 0 }
        let f = (x + slack).rounded(.down)
        guard f < 18_446_744_073_709_551_616.0 else { return .max }  // 2^64
        return UInt64(f)
    }

    /// Σ min(g_n, level), or nil if the sum does not fit in a `UInt64` (then it certainly
    /// exceeds any limit). `level` nil means no cap.
    static func sum(_ g: [UInt64], cappedAt level: UInt64?) -> UInt64? {
        var total: UInt64 = 0
        for x in g {
            let (s, overflow) = total.addingReportingOverflow(level.map { min(x, $0) } ?? x)
            if overflow { return nil }
            total = s
        }
        return total
    }

    /// Whether Σ min(g_n, level) ≤ limit.
    static func fits(_ g: [UInt64], cappedAt level: UInt64?, within limit: UInt64) -> Bool {
        guard let s = sum(g, cappedAt: level) else { return false }
        return s <= limit
    }

    /// Takes tokens back from the largest grants (ties: highest index), one at a time in effect,
    /// until Σg = `limit`. Requires Σg > `limit`.
    ///
    /// Taking one token at a time from the largest grant only ever lowers a common ceiling: the
    /// state is always min(g_n, c) with the highest-indexed grants at c lowered to c − 1. So the
    /// result is found directly: the largest level t with Σ min(g_n, t) ≤ `limit` (binary search),
    /// every grant capped at t + 1, and the last Σ min(g_n, t + 1) − `limit` of the grants at
    /// t + 1 (highest indices) lowered to t. O(N log max g).
    static func takeBack(_ g: inout [UInt64], downTo limit: UInt64) {
        // Invariant: low fits, high does not. Level 0 fits (Σ = 0); max g does not (Σg > limit).
        var low: UInt64 = 0
        var high = g.max() ?? 0
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if fits(g, cappedAt: mid, within: limit) { low = mid } else { high = mid }
        }
        let level = high  // = low + 1
        // Σ min(g_n, level) = Σ min(g_n, low) + k, k = #{n : g_n ≥ level}; it exceeds the limit,
        // so excess = k − (limit − Σ min(g_n, low)) is in 1...k (computed without overflow).
        let spare = limit - (sum(g, cappedAt: low) ?? limit)
        let atLevel = UInt64(g.lazy.filter { $0 >= level }.count)
        var excess = atLevel - spare
        for n in g.indices { g[n] = min(g[n], level) }
        var n = g.count
        while excess > 0, n > 0 {
            n -= 1
            if g[n] == level {
                g[n] -= 1
                excess -= 1
            }
        }
    }
}
