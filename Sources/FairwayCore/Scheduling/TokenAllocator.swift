/// A token-scheduling policy: turns one epoch's values and bucket states into grants.
///
/// `allocate` returns u, one grant per agent in tokens, in agent order. Every allocator
/// guarantees u_n ≥ 0 and Σ u_n ≤ V (the fractional ones up to floating-point rounding,
/// a relative 1e-12 or so); all but the paper's `random` baseline also guarantee
/// u_n ≤ B_n − R_n. Allocators are pure: randomness comes in through `rng`, which the
/// deterministic ones never touch.
public protocol TokenAllocator: Sendable {
    /// Which policy this is.
    var kind: AllocatorKind { get }
    /// Grants u_n in tokens for every agent of `problem`.
    func allocate(_ problem: TokenAllocationProblem, using rng: inout SeededGenerator) -> [Double]
}

extension TokenAllocator {
    /// Grants for a deterministic allocator, or a random one seeded with `seed`.
    public func allocate(_ problem: TokenAllocationProblem, seed: UInt64 = 0) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        return allocate(problem, using: &rng)
    }
}
