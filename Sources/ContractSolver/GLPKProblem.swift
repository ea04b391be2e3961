import CGLPK

/// A small linear or mixed-integer programme solved by GLPK (Debian's libglpk-dev, GLPK 5.0):
/// `glp_simplex` (presolver on, scaled, messages off) for LPs and `glp_intopt` (presolver on,
/// relative gap 0) for MILPs. (`glp_exact`, GLPK's rational simplex, was tried and rejected: it
/// reads the double data back with ~1e-11 relative error, worse than the floating simplex.)
///
/// Columns and rows are 0-based here (GLPK's are 1-based). Not thread-safe: one problem per task.
public final class GLPKProblem {
    public enum Status: String, Sendable {
        case optimal, infeasible, unbounded, timeLimit = "time-limit", failed
    }

    private let p: OpaquePointer
    public private(set) var columnCount: Int
    public private(set) var rowCount = 0

    /// An empty problem with `columns` free continuous columns and zero objective; minimises
    /// unless `maximise`.
    public init(columns: Int, maximise: Bool = false) {
        Self.silence
        p = glp_create_prob()
        glp_set_obj_dir(p, maximise ? GLP_MAX : GLP_MIN)
        columnCount = columns
        if columns > 0 { glp_add_cols(p, Int32(columns)) }
        for j in 0..<columns { glp_set_col_bnds(p, Int32(j + 1), GLP_FR, 0, 0) }
    }

    deinit { glp_delete_prob(p) }

    private static let silence: Void = { _ = glp_term_out(GLP_OFF) }()

    private static func boundType(_ lower: Double?, _ upper: Double?) -> (Int32, Double, Double) {
        switch (lower, upper) {
        case (nil, nil): (GLP_FR, 0, 0)
        case let (l?, nil): (GLP_LO, l, 0)
        case let (nil, u?): (GLP_UP, 0, u)
        case let (l?, u?): l == u ? (GLP_FX, l, u) : (GLP_DB, l, u)
        }
    }

    /// Appends `count` free continuous columns; returns the index of the first.
    @discardableResult
    public func addColumns(_ count: Int) -> Int {
        let first = columnCount
        guard count > 0 else { return first }
        glp_add_cols(p, Int32(count))
        for j in first..<first + count { glp_set_col_bnds(p, Int32(j + 1), GLP_FR, 0, 0) }
        columnCount += count
        return first
    }

    /// Bounds (nil = unbounded on that side) and integrality of column `j`.
    public func setColumn(_ j: Int, lower: Double?, upper: Double?, integer: Bool = false) {
        let (type, l, u) = Self.boundType(lower, upper)
        glp_set_col_bnds(p, Int32(j + 1), type, l, u)
        glp_set_col_kind(p, Int32(j + 1), integer ? GLP_IV : GLP_CV)
    }

    /// The objective: Σ coefficients[j]·x_j + constant (missing columns 0).
    public func setObjective(_ coefficients: [Int: Double], constant: Double = 0) {
        for j in 0..<columnCount { glp_set_obj_coef(p, Int32(j + 1), coefficients[j] ?? 0) }
        glp_set_obj_coef(p, 0, constant)
    }

    /// Adds the row lower ≤ Σ a_j·x_j ≤ upper; returns its index.
    @discardableResult
    public func addRow(_ coefficients: [(Int, Double)], lower: Double?, upper: Double?) -> Int {
        let i = Int(glp_add_rows(p, 1))
        rowCount += 1
        var merged: [Int: Double] = [:]
        for (j, a) in coefficients { merged[j, default: 0] += a }
        let entries = merged.filter { $0.value != 0 }.sorted { $0.key < $1.key }
        var ind: [Int32] = [0] + entries.map { Int32($0.key + 1) }
        var val: [Double] = [0] + entries.map(\.value)
        glp_set_mat_row(p, Int32(i), Int32(entries.count), &ind, &val)
        let (type, l, u) = Self.boundType(lower, upper)
        glp_set_row_bnds(p, Int32(i), type, l, u)
        return i - 1
    }

    /// Solves the LP relaxation (integrality ignored) to an optimal basic solution.
    public func solveLP() -> Status {
        var parm = glp_smcp()
        glp_init_smcp(&parm)
        parm.msg_lev = GLP_MSG_OFF
        parm.presolve = GLP_ON
        glp_scale_prob(p, GLP_SF_AUTO)
        let rc = glp_simplex(p, &parm)
        if rc == GLP_ENOPFS { return .infeasible }
        if rc == GLP_ENODFS { return .unbounded }
        guard rc == 0 else { return .failed }
        switch glp_get_status(p) {
        case GLP_OPT: break
        case GLP_NOFEAS: return .infeasible
        case GLP_UNBND: return .unbounded
        default: return .failed
        }
        return .optimal
    }

    /// Solves the MILP by branch and bound with a zero optimality gap; `timeLimitMilliseconds`
    /// (nil = none) stops it early with `.timeLimit` (the incumbent is then readable if any).
    public func solveMILP(timeLimitMilliseconds: Int? = nil) -> Status {
        var parm = glp_iocp()
        glp_init_iocp(&parm)
        parm.msg_lev = GLP_MSG_OFF
        parm.presolve = GLP_ON
        parm.mip_gap = 0
        if let t = timeLimitMilliseconds { parm.tm_lim = Int32(clamping: t) }
        glp_scale_prob(p, GLP_SF_AUTO)
        let rc = glp_intopt(p, &parm)
        if rc == GLP_ETMLIM { return glp_mip_status(p) == GLP_FEAS ? .timeLimit : .failed }
        if rc == GLP_ENOPFS || rc == GLP_ENOFEAS { return .infeasible }
        if rc == GLP_ENODFS { return .unbounded }
        guard rc == 0 else { return .failed }
        switch glp_mip_status(p) {
        case GLP_OPT: return .optimal
        case GLP_NOFEAS: return .infeasible
        default: return .failed
        }
    }

    /// Column j of the LP solution.
    public func value(_ j: Int) -> Double { glp_get_col_prim(p, Int32(j + 1)) }
    /// Column j of the MILP solution.
    public func mipValue(_ j: Int) -> Double { glp_mip_col_val(p, Int32(j + 1)) }
    /// The LP objective value (constant included).
    public var objective: Double { glp_get_obj_val(p) }
    /// The MILP objective value (constant included).
    public var mipObjective: Double { glp_mip_obj_val(p) }

    /// Restricts the problem to the optimal face of the LP just solved: every row whose dual
    /// value is not zero is fixed at the bound it is active at (complementary slackness with that
    /// dual characterises every optimal solution); the same for columns with a non-zero reduced
    /// cost. "Not zero": |dual| > `relativeZero` × the largest |objective coefficient|.
    public func restrictToOptimalFace(relativeZero: Double = 1e-9) {
        var scale = 0.0
        for j in 1...max(1, columnCount) where j <= columnCount { scale = max(scale, abs(glp_get_obj_coef(p, Int32(j)))) }
        let zero = relativeZero * max(scale, 1e-300)
        for i in 1...max(1, rowCount) where i <= rowCount {
            let dual = glp_get_row_dual(p, Int32(i))
            guard abs(dual) > zero else { continue }
            let stat = glp_get_row_stat(p, Int32(i))
            let bound = stat == GLP_NU ? glp_get_row_ub(p, Int32(i)) : stat == GLP_NL ? glp_get_row_lb(p, Int32(i)) : glp_get_row_prim(p, Int32(i))
            glp_set_row_bnds(p, Int32(i), GLP_FX, bound, bound)
        }
        for j in 1...max(1, columnCount) where j <= columnCount {
            let d = glp_get_col_dual(p, Int32(j))
            guard abs(d) > zero else { continue }
            let v = glp_get_col_prim(p, Int32(j))
            glp_set_col_bnds(p, Int32(j), GLP_FX, v, v)
        }
    }
}
