/// The paper's Round-Robin baseline (section V-A) with the reference's conventions: whole
/// tokens; sweeps over agents 0…N−1, repeated, each sweep starting at agent 0; an agent gets
/// one token at its turn iff R_n + u_n + 1 ≤ B_n and tokens remain; stops when ⌊V⌋ tokens
/// are given or no agent has room. Values are ignored.
///
/// Closed form instead of token-by-token simulation: with c_n the whole-token room of agent
/// n, k complete sweeps give min(c_n, k) to each agent, S(k) = Σ min(c_n, k) in total. The
/// largest k with S(k) ≤ ⌊V⌋ is found by binary search, and the tokens left over go, one
/// each, to the first agents (in index order) with c_n > k. O(N log V).
public struct RoundRobinAllocator: TokenAllocator {
    public init() {}

    public var kind: AllocatorKind { .roundRobin }

    public func allocate(_ problem: TokenAllocationProblem, using rng: inout SeededGenerator) -> [Double] {
        let n = problem.count
        let tokens = problem.wholeTokens
        let room = problem.wholeTokenRooms()
        var capacity = 0, most = 0
        for c in room {
            capacity += c
            most = max(most, c)
        }
        if capacity <= tokens { return room.map(Double.init) }

        // S(k) = Σ min(c_n, k); S(0) = 0 ≤ tokens < capacity = S(max c).
        func given(after sweeps: Int) -> Int {
            room.withUnsafeBufferPointer { c in
                var s = 0
                for x in c { s += min(x, sweeps) }
                return s
            }
        }
        var lo = 0, hi = most  // invariant: S(lo) ≤ tokens < S(hi)
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if given(after: mid) <= tokens { lo = mid } else { hi = mid }
        }
        var left = tokens - given(after: lo)
        var u = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var k = min(room[i], lo)
            if left > 0, room[i] > lo {
                k += 1
                left -= 1
            }
            u[i] = Double(k)
        }
        return u
    }
}
