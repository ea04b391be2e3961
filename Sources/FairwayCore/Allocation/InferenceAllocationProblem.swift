/// Fair-Synergy's Problem 1, real-time inference (RTI): share the cloud's compute P among N
/// agents to maximise Σ_i (ρ⁰_i + ρ_i)^{γ_i} (eq. 3) subject to Σ ρ ≤ P, ρ ≥ 0.
public struct InferenceAllocationProblem: Sendable, Equatable {
    /// ρ⁰_i ≥ 0: each agent's own compute, in the unit of P.
    public var rho0: [Double]
    /// γ_i ∈ [0, 1]: each agent's elasticity of accuracy in compute (task hardness).
    public var gamma: [Double]
    /// P ≥ 0: the cloud's compute to share.
    public var budget: Double

    public init(rho0: [Double], gamma: [Double], budget: Double) {
        self.rho0 = rho0
        self.gamma = gamma
        self.budget = budget
    }

    public var count: Int { rho0.count }

    /// Throws `invalidField` naming the first bad field.
    public func validate() throws {
        try AllocationCheck.budget(budget, "P")
        try AllocationCheck.sameCount(gamma, rho0.count, "gamma", "rho0")
        try AllocationCheck.offsets(rho0, "rho0")
        try AllocationCheck.exponents(gamma, "gamma")
    }

    /// Eq. 3 for every agent at `rho`.
    public func utilities(_ rho: [Double]) -> UtilityReport {
        UtilityReport(rho.indices.map { CobbDouglasUtility.inference(rho0: rho0[$0], gamma: gamma[$0], rho: rho[$0]) })
    }
}

/// Fair-Synergy's Problem 2, distributed learning (DL): share compute P and labelling T to
/// maximise Σ_i (ρ⁰_i + ρ_i)^{γ^ρ_i} (α⁰_i + α_i)^{γ^α_i} (eq. 7) subject to Σ ρ ≤ P, Σ α ≤ T.
/// Biconcave; jointly concave for agent i only when γ^ρ_i + γ^α_i ≤ 1.
public struct TrainingAllocationProblem: Sendable, Equatable {
    /// ρ⁰_i ≥ 0: each agent's own compute, in the unit of P.
    public var rho0: [Double]
    /// α⁰_i ≥ 0: each agent's own labelled data, in the unit of T.
    public var alpha0: [Double]
    /// γ^ρ_i ∈ [0, 1]: elasticity of accuracy in compute (model complexity).
    public var gammaRho: [Double]
    /// γ^α_i ∈ [0, 1]: elasticity of accuracy in labelled data (data complexity).
    public var gammaAlpha: [Double]
    /// P ≥ 0: the cloud's training compute.
    public var computeBudget: Double
    /// T ≥ 0: the cloud's labelling budget.
    public var labellingBudget: Double

    public init(rho0: [Double], alpha0: [Double], gammaRho: [Double], gammaAlpha: [Double], computeBudget: Double, labellingBudget: Double) {
        self.rho0 = rho0
        self.alpha0 = alpha0
        self.gammaRho = gammaRho
        self.gammaAlpha = gammaAlpha
        self.computeBudget = computeBudget
        self.labellingBudget = labellingBudget
    }

    public var count: Int { rho0.count }

    /// True when every agent's utility is jointly concave (γ^ρ + γ^α ≤ 1), so alternate convex
    /// search reaches the global optimum from any start.
    public var jointlyConcave: Bool { rho0.indices.allSatisfy { gammaRho[$0] + gammaAlpha[$0] <= 1 } }

    public func validate() throws {
        try AllocationCheck.budget(computeBudget, "P")
        try AllocationCheck.budget(labellingBudget, "T")
        let n = rho0.count
        try AllocationCheck.sameCount(alpha0, n, "alpha0", "rho0")
        try AllocationCheck.sameCount(gammaRho, n, "g_rho", "rho0")
        try AllocationCheck.sameCount(gammaAlpha, n, "g_alpha", "rho0")
        try AllocationCheck.offsets(rho0, "rho0")
        try AllocationCheck.offsets(alpha0, "alpha0")
        try AllocationCheck.exponents(gammaRho, "g_rho")
        try AllocationCheck.exponents(gammaAlpha, "g_alpha")
    }

    /// Eq. 7 for every agent at (rho, alpha).
    public func utilities(rho: [Double], alpha: [Double]) -> UtilityReport {
        UtilityReport(rho.indices.map {
            CobbDouglasUtility.training(rho0: rho0[$0], alpha0: alpha0[$0], gammaRho: gammaRho[$0], gammaAlpha: gammaAlpha[$0], rho: rho[$0], alpha: alpha[$0])
        })
    }
}

enum AllocationCheck {
    static func budget(_ x: Double, _ field: String) throws {
        guard x.isFinite, x >= 0 else { throw FairwayError(.invalidField, "must be a finite number ≥ 0 (got \(x))", field: field) }
    }

    static func sameCount(_ xs: [Double], _ n: Int, _ field: String, _ other: String) throws {
        guard xs.count == n else { throw FairwayError(.invalidField, "has \(xs.count) entries but \(other) has \(n)", field: field) }
    }

    static func offsets(_ xs: [Double], _ field: String) throws {
        for (i, x) in xs.enumerated() where !(x.isFinite && x >= 0) {
            throw FairwayError(.invalidField, "must be a finite number ≥ 0 (got \(x))", field: "\(field)[\(i)]")
        }
    }

    static func exponents(_ xs: [Double], _ field: String) throws {
        for (i, x) in xs.enumerated() where !(x >= 0 && x <= 1) {
            throw FairwayError(.invalidField, "must lie in [0, 1]: above 1 the utility is not concave (got \(x))", field: "\(field)[\(i)]")
        }
    }
}
