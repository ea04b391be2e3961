#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A dense row-major matrix of `Double`s: the few operations CCA training needs.
struct Matrix: Sendable, Hashable {
    let rows: Int
    let columns: Int
    /// Row-major: element (i, j) at `i * columns + j`.
    var values: [Double]

    init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns)
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    init(zeros rows: Int, _ columns: Int) {
        self.init(rows: rows, columns: columns, values: [Double](repeating: 0, count: rows * columns))
    }

    static func identity(_ n: Int) -> Matrix {
        var m = Matrix(zeros: n, n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    subscript(i: Int, j: Int) -> Double {
        get { values[i * columns + j] }
        set { values[i * columns + j] = newValue }
    }

    var transposed: Matrix {
        var t = Matrix(zeros: columns, rows)
        for i in 0..<rows { for j in 0..<columns { t[j, i] = self[i, j] } }
        return t
    }

    static func * (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.columns == b.rows, "matrix product \(a.rows)×\(a.columns) · \(b.rows)×\(b.columns)")
        var c = Matrix(zeros: a.rows, b.columns)
        a.values.withUnsafeBufferPointer { av in
            b.values.withUnsafeBufferPointer { bv in
                c.values.withUnsafeMutableBufferPointer { cv in
                    for i in 0..<a.rows {
                        for k in 0..<a.columns {
                            let x = av[i * a.columns + k]
                            if x == 0 { continue }
                            for j in 0..<b.columns { cv[i * b.columns + j] += x * bv[k * b.columns + j] }
                        }
                    }
                }
            }
        }
        return c
    }

    /// `selfᵀ · other / divisor`: the cross-covariance of two centred data matrices (rows = samples).
    func crossProduct(_ other: Matrix, dividedBy divisor: Double) -> Matrix {
        var c = transposed * other
        for i in c.values.indices { c.values[i] /= divisor }
        return c
    }

    func column(_ j: Int) -> [Double] { (0..<rows).map { self[$0, j] } }
}

/// Eigen-decomposition of a real symmetric matrix by the cyclic Jacobi method.
///
/// A = V · diag(λ) · Vᵀ with V orthogonal. Eigenvalues are sorted in decreasing order (ties keep
/// Jacobi's order); each eigenvector (a column of V) has its largest-magnitude component positive
/// (the first such on ties), so the result is a deterministic function of A. Accuracy: sweeps stop
/// when the off-diagonal sum of squares falls below 1e-30 × ‖A‖²_F, or after 100 sweeps.
struct SymmetricEigen: Sendable {
    /// λ₁ ≥ λ₂ ≥ … ≥ λₙ.
    let values: [Double]
    /// Column k is the unit eigenvector of `values[k]`.
    let vectors: Matrix

    init(_ a: Matrix) {
        precondition(a.rows == a.columns, "eigen-decomposition of a non-square \(a.rows)×\(a.columns) matrix")
        let n = a.rows
        var m = a
        // symmetrise exactly, so rounding in the caller cannot bias the result
        for i in 0..<n { for j in (i + 1)..<max(i + 1, n) {
            let s = 0.5 * (m[i, j] + m[j, i]); m[i, j] = s; m[j, i] = s
        } }
        var v = Matrix.identity(n)
        let total = m.values.reduce(0) { $0 + $1 * $1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in 0..<n where i != j { off += m[i, j] * m[i, j] } }
            if off <= 1e-30 * total || off == 0 { break }
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) {
                    let apq = m[p, q]
                    if apq == 0 { continue }
                    // rotation angle that zeroes m[p, q] (Golub & Van Loan, Algorithm 8.4.1)
                    let tau = (m[q, q] - m[p, p]) / (2 * apq)
                    let t = (tau >= 0 ? 1.0 : -1.0) / (abs(tau) + (1 + tau * tau).squareRoot())
                    let c = 1 / (1 + t * t).squareRoot()
                    let s = t * c
                    for k in 0..<n {
                        let mkp = m[k, p], mkq = m[k, q]
                        m[k, p] = c * mkp - s * mkq
                        m[k, q] = s * mkp + c * mkq
                    }
                    for k in 0..<n {
                        let mpk = m[p, k], mqk = m[q, k]
                        m[p, k] = c * mpk - s * mqk
                        m[q, k] = s * mpk + c * mqk
                    }
                    for k in 0..<n {
                        let vkp = v[k, p], vkq = v[k, q]
                        v[k, p] = c * vkp - s * vkq
                        v[k, q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { m[$0, $0] > m[$1, $1] || (m[$0, $0] == m[$1, $1] && $0 < $1) }
        var vectors = Matrix(zeros: n, n)
        for (k, source) in order.enumerated() {
            var largest = 0
            for i in 0..<n where abs(v[i, source]) > abs(v[largest, source]) { largest = i }
            let sign = v[largest, source] < 0 ? -1.0 : 1.0
            for i in 0..<n { vectors[i, k] = sign * v[i, source] }
        }
        self.values = order.map { m[$0, $0] }
        self.vectors = vectors
    }

    /// f(A) = V · diag(f(λ)) · Vᵀ, e.g. A^(-1/2) with f = 1/√λ.
    func function(_ f: (Double) -> Double) -> Matrix {
        let n = values.count
        var out = Matrix(zeros: n, n)
        for k in 0..<n {
            let fk = f(values[k])
            for i in 0..<n {
                let vik = vectors[i, k] * fk
                if vik == 0 { continue }
                for j in 0..<n { out[i, j] += vik * vectors[j, k] }
            }
        }
        return out
    }
}
