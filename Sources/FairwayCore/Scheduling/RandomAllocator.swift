/// The paper's Random baseline (section V-A): ⌊V⌋ whole tokens, each given independently to
/// a uniformly chosen agent — a uniform multinomial draw, **without bucket limits** by
/// default, as the paper and the reference define it (so u_n may exceed B_n − R_n; a bucket
/// refilled with such a grant simply discards the excess).
///
/// With `respectsBuckets` each token instead goes to a uniformly chosen agent among those
/// that still have room (R_n + u_n + 1 ≤ B_n), until ⌊V⌋ tokens are given or none has room.
///
/// The stream comes from `SeededGenerator`, so a seed reproduces the grants exactly, but they
/// cannot match numpy's `rng.multinomial` draws value for value — only in distribution.
/// O(N + V).
public struct RandomAllocator: TokenAllocator {
    /// Cap each agent at its bucket room (not the paper's baseline).
    public var respectsBuckets: Bool

    public init(respectsBuckets: Bool = false) {
        self.respectsBuckets = respectsBuckets
    }

    public var kind: AllocatorKind { .random }

    public func allocate(_ problem: TokenAllocationProblem, using rng: inout SeededGenerator) -> [Double] {
        let n = problem.count
        var counts = [Int](repeating: 0, count: n)
        guard n > 0 else { return [] }
        let tokens = problem.wholeTokens
        if respectsBuckets {
            var open = [Int](), room = [Int](repeating: 0, count: n)
            for i in 0..<n {
                room[i] = problem.wholeTokenRoom(i)
                if room[i] > 0 { open.append(i) }
            }
            var given = 0
            while given < tokens, !open.isEmpty {
                let slot = rng.nextIndex(below: open.count)
                let agent = open[slot]
                counts[agent] += 1
                given += 1
                if counts[agent] == room[agent] {
                    open.swapAt(slot, open.count - 1)
                    open.removeLast()
                }
            }
        } else {
            counts.withUnsafeMutableBufferPointer { c in
                for _ in 0..<tokens { c[rng.nextIndex(below: n)] += 1 }
            }
        }
        return counts.map(Double.init)
    }
}
