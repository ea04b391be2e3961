/// The paper's Max–Min baseline (section V-A) with the reference's conventions: whole
/// tokens; each token goes to the agent with the smallest holding R_n + u_n among the agents
/// with room (R_n + u_n + 1 ≤ B_n), ties to the lowest index; stops when ⌊V⌋ tokens are given
/// or no agent has room. Values are ignored. With R = 0 and equal B it equals Round-Robin.
///
/// Closed form instead of a token-by-token heap: agent n's j-th token (j = 1…c_n, c_n its
/// whole-token room) is given at holding R_n + j − 1, and the greedy order is the merge of
/// these increasing per-agent sequences, i.e. all (holding, agent) pairs in sorted order.
/// Writing R_n = a_n + f_n (a_n = ⌊R_n⌋), a token at holding level L + f_n comes before every
/// token at level L + 1. So: find by binary search the largest whole level L such that the
/// tokens below it, E(L) = Σ clamp(L − a_n, 0, c_n), fit into ⌊V⌋; give those; hand the rest
/// out at level L in (holding, index) order, holdings computed as R_n + u_n exactly like the
/// greedy rule compares them. O(N log(max B)) plus a sort of the agents at level L.
public struct MaxMinAllocator: TokenAllocator {
    public init() {}

    public var kind: AllocatorKind { .maxMin }

    public func allocate(_ problem: TokenAllocationProblem, using rng: inout SeededGenerator) -> [Double] {
        let n = problem.count
        let tokens = problem.wholeTokens
        let room = problem.wholeTokenRooms()
        var base = [Int](repeating: 0, count: n)  // a_n = ⌊R_n⌋
        var capacity = 0, lo = Int.max, hi = Int.min
        problem.remaining.withUnsafeBufferPointer { r in
            for i in 0..<n {
                base[i] = Int(r[i].rounded(.down))
                capacity += room[i]
                lo = min(lo, base[i])
                hi = max(hi, base[i] + room[i])
            }
        }
        if capacity <= tokens { return room.map(Double.init) }

        // E(L) = Σ clamp(L − a_n, 0, c_n): tokens given at holding levels below L.
        func given(below level: Int) -> Int {
            room.withUnsafeBufferPointer { c in
                base.withUnsafeBufferPointer { a in
                    var s = 0
                    for i in 0..<c.count { s += min(max(level - a[i], 0), c[i]) }
                    return s
                }
            }
        }
        // Invariant: E(lo) = 0 ≤ tokens < capacity = E(hi).
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if given(below: mid) <= tokens { lo = mid } else { hi = mid }
        }
        var u = [Double](repeating: 0, count: n)
        var left = tokens
        for i in 0..<n {
            let k = min(max(lo - base[i], 0), room[i])
            u[i] = Double(k)
            left -= k
        }
        if left > 0 {
            // Agents still taking a token at level lo, ordered as the greedy rule would pick them.
            var next: [(holding: Double, agent: Int)] = []
            for i in 0..<n where base[i] <= lo && lo < base[i] + room[i] {
                next.append((problem.remaining[i] + u[i], i))
            }
            // Built in index order, so with whole-number R (equal holdings) it is already in order.
            let inOrder = zip(next, next.dropFirst()).allSatisfy { $0.holding <= $1.holding }
            if !inOrder {
                next.sort { $0.holding < $1.holding || ($0.holding == $1.holding && $0.agent < $1.agent) }
            }
            for entry in next.prefix(left) { u[entry.agent] += 1 }
        }
        return u
    }
}
