/// Eq. 15 of the paper, exactly as printed:
///
///     u_n = min(v_n / Σ_k v_k · V, B_n − R_n)   if R_n < B_n,   else 0.
///
/// The sum runs over all agents (full buckets and v = 0 included); grants are fractional
/// tokens; when a cap binds, the excess is **not** redistributed, so Σu can fall well short
/// of V (about a quarter of V in the paper's setup). Without binding caps every agent gets
/// the same reward rate V/Σv, so Jain = 1 and Gini = 0 trivially. If Σv = 0 nothing is
/// granted (eq. 15 is 0/0 there). Computed as v_n · (V/Σv), within an ulp of the printed
/// order of operations. O(N).
public struct ProportionalAllocator: TokenAllocator {
    public init() {}

    public var kind: AllocatorKind { .proportional }

    public func allocate(_ problem: TokenAllocationProblem, using rng: inout SeededGenerator) -> [Double] {
        let n = problem.count
        let total = Self.sum(problem.values)
        guard total > 0 else { return [Double](repeating: 0, count: n) }
        let scale = problem.totalTokens / total  // V/Σv, the common reward rate before caps
        return [Double](unsafeUninitializedCapacity: n) { u, count in
            problem.values.withUnsafeBufferPointer { v in
                problem.bucketSizes.withUnsafeBufferPointer { b in
                    problem.remaining.withUnsafeBufferPointer { r in
                        for i in 0..<n {
                            let share = min(v[i] * scale, b[i] - r[i])
                            u[i] = r[i] < b[i] ? share : 0
                        }
                    }
                }
            }
            count = n
        }
    }

    /// Σv with four accumulators (as exact as sequential summation, faster).
    static func sum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { v in
            var a = 0.0, b = 0.0, c = 0.0, d = 0.0
            var i = 0
            while i + 3 < v.count {
                a += v[i]
                b += v[i + 1]
                c += v[i + 2]
                d += v[i + 3]
                i += 4
            }
            while i < v.count {
                a += v[i]
                i += 1
            }
            return (a + b) + (c + d)
        }
    }
}
