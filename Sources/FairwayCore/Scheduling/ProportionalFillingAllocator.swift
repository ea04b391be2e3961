/// Eq. 15 made work-conserving by water-filling.
///
/// Every agent with value and room gets u_n = min(λ·v_n, B_n − R_n) for the one rate λ at
/// which Σu = V; if even λ = ∞ (every such bucket full) leaves tokens over, they stay
/// unallocated. Agents with v_n = 0 or a full bucket get nothing, as in eq. 15.
///
/// Guarantees (tested):
/// - never less than eq. 15 to anyone: eq. 15 is the same formula with λ₀ = V/Σ_all v and
///   λ ≥ V/Σ_active v ≥ λ₀, since capping only frees tokens for the rest; the final grant
///   is also clamped to at least eq. 15's, so the guarantee survives last-ulp rounding;
/// - equal reward rates u_n/v_n = λ among the agents whose bucket is not filled;
/// - Σu = min(V, Σ_active (B_n − R_n)) up to rounding, and u_n ≤ B_n − R_n.
///
/// Finding λ: start from λ = V/Σ_active v, fill every agent whose saturation rate
/// (B_n − R_n)/v_n is ≤ λ, recompute λ from what is left, repeat until nobody new fills.
/// λ only grows, so this reaches the water level, typically in a handful of O(N) rounds;
/// after 32 rounds the rest is finished by sorting the remaining agents by saturation rate
/// and filling them in that order, so the worst case stays O(N log N).
public struct ProportionalFillingAllocator: TokenAllocator {
    /// O(N) refinement rounds before the rest is finished by sorting (0 = sort at once).
    /// Both paths give the same grants up to rounding.
    public var refinementRounds: Int

    public init(refinementRounds: Int = 32) {
        self.refinementRounds = max(0, refinementRounds)
    }

    public var kind: AllocatorKind { .proportionalFilling }

    public func allocate(_ problem: TokenAllocationProblem, using rng: inout SeededGenerator) -> [Double] {
        let eq15 = ProportionalAllocator().allocate(problem, using: &rng)
        let V = problem.totalTokens
        // The agents still open, compacted in place each round: index, value, room.
        var agents: [Int] = [], values: [Double] = [], rooms: [Double] = []
        agents.reserveCapacity(problem.count)
        values.reserveCapacity(problem.count)
        rooms.reserveCapacity(problem.count)
        var openValue = 0.0
        for i in 0..<problem.count where problem.values[i] > 0 {
            let room = problem.room(i)
            if room > 0 {
                agents.append(i)
                values.append(problem.values[i])
                rooms.append(room)
                openValue += problem.values[i]
            }
        }
        var u = eq15
        var granted = 0.0  // tokens given to the agents filled so far
        var open = agents.count
        var rounds = 0
        while open > 0 {
            let budget = max(0, V - granted)
            if rounds == refinementRounds {
                finishBySorting(Array(agents[..<open]), v: problem.values, problem: problem, budget: budget, eq15: eq15, into: &u)
                return u
            }
            rounds += 1
            let lambda = budget / openValue
            var kept = 0, keptValue = 0.0
            agents.withUnsafeMutableBufferPointer { a in
                values.withUnsafeMutableBufferPointer { v in
                    rooms.withUnsafeMutableBufferPointer { r in
                        u.withUnsafeMutableBufferPointer { u in
                            for j in 0..<open {
                                if r[j] <= lambda * v[j] {
                                    u[a[j]] = r[j]
                                    granted += r[j]
                                } else {
                                    a[kept] = a[j]
                                    v[kept] = v[j]
                                    r[kept] = r[j]
                                    keptValue += v[j]
                                    kept += 1
                                }
                            }
                        }
                    }
                }
            }
            if kept == open {
                for j in 0..<open {
                    let i = agents[j]
                    u[i] = max(eq15[i], min(lambda * values[j], rooms[j]))
                }
                return u
            }
            open = kept
            openValue = keptValue
        }
        return u  // every valued agent's bucket is full; the rest of V stays unallocated
    }

    /// The sorted water-fill: agents by saturation rate, each filled while the budget spread
    /// over the rest would still reach its rate.
    private func finishBySorting(_ agents: [Int], v: [Double], problem: TokenAllocationProblem, budget: Double,
                                 eq15: [Double], into u: inout [Double]) {
        let order = agents.sorted {
            let a = problem.room($0) / v[$0], b = problem.room($1) / v[$1]
            return a < b || (a == b && $0 < $1)
        }
        var valueFrom = [Double](repeating: 0, count: order.count + 1)
        for k in stride(from: order.count - 1, through: 0, by: -1) { valueFrom[k] = valueFrom[k + 1] + v[order[k]] }
        var granted = 0.0, k = 0
        while k < order.count, problem.room(order[k]) <= (budget - granted) / valueFrom[k] * v[order[k]] {
            u[order[k]] = problem.room(order[k])
            granted += u[order[k]]
            k += 1
        }
        guard k < order.count else { return }
        let lambda = max(0, budget - granted) / valueFrom[k]
        for i in order[k...] { u[i] = max(eq15[i], min(lambda * v[i], problem.room(i))) }
    }
}
