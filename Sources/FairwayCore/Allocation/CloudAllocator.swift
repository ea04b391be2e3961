/// Every allocator of the Fair-Synergy paper's comparison (§IV), by the names
/// `fairway-lab allocate` prints.
public enum CloudAllocator: String, Sendable, CaseIterable, Codable {
    /// RTI: the exact optimum of Problem 1. DL: converged ACS from α = 0 (the code's start).
    case fairSynergy = "fair-synergy"
    /// DL only: the single ρ-step-then-α-step of the paper's public code.
    case fairSynergyOnePass = "fair-synergy-one-pass"
    /// DL only, beyond the paper: converged ACS from many starts, best kept.
    case fairSynergyMultiStart = "fair-synergy-multistart"
    case uniform
    case random
    case num
    case drf
    case leximin

    /// The allocators that apply to the inference (one-resource) problem.
    public static let inference: [CloudAllocator] = [.fairSynergy, .uniform, .random, .num, .drf, .leximin]
    /// The allocators that apply to the training (two-resource) problem.
    public static let training: [CloudAllocator] = allCases

    /// RTI allocation by this allocator (one-pass and multi-start coincide with the exact
    /// optimum there). `generator` feeds `random` only.
    public func allocate(_ p: InferenceAllocationProblem, generator: inout SeededGenerator) -> [Double] {
        switch self {
        case .fairSynergy, .fairSynergyOnePass, .fairSynergyMultiStart: FairSynergyInference.allocate(p).x
        case .uniform: UniformShares.shares(count: p.count, budget: p.budget)
        case .random: RandomShares.shares(count: p.count, budget: p.budget, generator: &generator)
        case .num: NUMWaterFilling.shares(offsets: p.rho0, budget: p.budget).x
        case .drf: DominantResourceFairness.inference(p)
        case .leximin: LeximinShares.inference(p).x
        }
    }

    /// DL allocation (ρ, α) by this allocator.
    public func allocate(_ p: TrainingAllocationProblem, generator: inout SeededGenerator) -> (rho: [Double], alpha: [Double]) {
        switch self {
        case .fairSynergy:
            let r = AlternateConvexSearch.run(p)
            return (r.rho, r.alpha)
        case .fairSynergyOnePass:
            let r = AlternateConvexSearch.run(p, onePass: true)
            return (r.rho, r.alpha)
        case .fairSynergyMultiStart:
            let r = AlternateConvexSearch.multiStart(p)
            return (r.rho, r.alpha)
        case .uniform:
            return (UniformShares.shares(count: p.count, budget: p.computeBudget), UniformShares.shares(count: p.count, budget: p.labellingBudget))
        case .random:
            let rho = RandomShares.shares(count: p.count, budget: p.computeBudget, generator: &generator)
            return (rho, RandomShares.shares(count: p.count, budget: p.labellingBudget, generator: &generator))
        case .num:
            return (NUMWaterFilling.shares(offsets: p.rho0, budget: p.computeBudget).x, NUMWaterFilling.shares(offsets: p.alpha0, budget: p.labellingBudget).x)
        case .drf:
            return DominantResourceFairness.training(p)
        case .leximin:
            return LeximinShares.training(p)
        }
    }
}
