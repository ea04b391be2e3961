/// Fair-Synergy for real-time inference (Problem 1, eqs. 3–4): the exact optimum by
/// water-filling on the KKT multiplier, where the paper calls CVXPY.
public enum FairSynergyInference {
    /// ρ with Σ ρ = P (P > 0) maximising Σ (ρ⁰_i + ρ_i)^{γ_i}, and the multiplier λ.
    public static func allocate(_ problem: InferenceAllocationProblem) -> PowerWaterFilling.Solution {
        PowerWaterFilling.solve(
            weights: [Double](repeating: 1, count: problem.count), offsets: problem.rho0,
            exponents: problem.gamma, budget: problem.budget)
    }
}
