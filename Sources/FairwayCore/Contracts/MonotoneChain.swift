/// Maximising a separable objective Σ_i f_i(t_i) over integer tuples 0 ≤ t_0 ≤ t_1 ≤ … ≤ t_n−1 ≤ maxT
/// (one "chain": period 1, or one period-2 menu). Ties are broken towards the lexicographically
/// smallest tuple within 1e-12 relative (the reference's convention).
public enum MonotoneChain {
    /// Relative tolerance under which two chain values count as tied.
    public static let tieTolerance = 1e-12

    /// Exact dynamic programme, O(n·(maxT+1)): V_i(t) = max(f_i(t) + V_i+1(t), V_i(t+1)) is the
    /// best value of the suffix i… with t_i ≥ t; the tuple is rebuilt front to back taking the
    /// smallest t that reaches V_i(lower bound). `f[i][t]` is f_i(t).
    public static func maximise(_ f: [[Double]], maxT: Int) -> (tuple: [Int], value: Double) {
        let n = f.count
        guard n > 0 else { return ([], 0) }
        let width = maxT + 1
        var V = [Double](repeating: 0, count: (n + 1) * width)
        for i in stride(from: n - 1, through: 0, by: -1) {
            let row = i * width, next = (i + 1) * width
            var best = -Double.infinity
            for t in stride(from: maxT, through: 0, by: -1) {
                best = max(best, f[i][t] + V[next + t])
                V[row + t] = best
            }
        }
        let value = V[0]
        let tol = tieTolerance * max(1, abs(value))
        var tuple: [Int] = []
        var lo = 0
        for i in 0..<n {
            let target = V[i * width + lo], next = (i + 1) * width
            var pick = lo
            for t in lo...maxT where f[i][t] + V[next + t] >= target - tol {
                pick = t
                break
            }
            tuple.append(pick)
            lo = pick
        }
        return (tuple, value)
    }

    /// The same by enumerating every monotone tuple (C(maxT+n, n) of them: 20 301 for n = 2 and
    /// maxT = 200, 1 373 701 for n = 3): the brute force the dynamic programme is checked against.
    public static func exhaustive(_ f: [[Double]], maxT: Int) -> (tuple: [Int], value: Double, evaluated: Int) {
        let n = f.count
        guard n > 0 else { return ([], 0, 1) }
        var best = -Double.infinity, bestTuple: [Int] = []
        var tuple = [Int](repeating: 0, count: n)
        var evaluated = 0
        func visit(_ i: Int, _ lo: Int, _ partial: Double) {
            if i == n {
                evaluated += 1
                if partial > best + tieTolerance * max(1, abs(best.isFinite ? best : partial)) || !best.isFinite {
                    best = partial
                    bestTuple = tuple
                }
                return
            }
            for t in lo...maxT {
                tuple[i] = t
                visit(i + 1, t, partial + f[i][t])
            }
        }
        visit(0, 0, 0)
        return (bestTuple, best, evaluated)
    }

    /// Every monotone tuple of length n over 0…maxT, in lexicographic order.
    public static func allTuples(length n: Int, maxT: Int) -> [[Int]] {
        var out: [[Int]] = []
        var tuple = [Int](repeating: 0, count: n)
        func visit(_ i: Int, _ lo: Int) {
            if i == n { out.append(tuple); return }
            for t in lo...maxT {
                tuple[i] = t
                visit(i + 1, t)
            }
        }
        visit(0, 0)
        return out
    }
}
