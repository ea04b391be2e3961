import ArgumentParser
import FairwayCore
import Foundation

extension FairwayLab.Experiment {
    /// Paper 3 (Fair-Synergy), Figs. 4–6: every allocator on random instances (N = 5), against N,
    /// and NUM vs Fair-Synergy on three agents, with the paper's uncapped utility and capped at 1.
    struct FairSynergy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fair-synergy",
            abstract: "Fair-Synergy vs the baselines (Figs. 4, 5, 6 of paper 3), uncapped and capped at 1.",
            discussion: """
            Instances are drawn like the reference's (fair-synergy.json "generator" fields) from SeededGenerator: \
            RTI P = sum of N uniforms, rho0 = uniform/10, gamma = uniform; DL T, P = sums of N uniforms, alpha0, rho0 = \
            uniform/100, g_alpha, g_rho = uniform. Fig. 4: --instances instances per setting, N = 5, distribution of the \
            mean per-agent utility per allocator and the gain of fair-synergy over each baseline; DL also counts where \
            converged ACS beats the public code's one pass and where multi-start beats ACS from alpha = 0. Fig. 5: \
            N in {1, 2, 3, 5, 10, 20, 30, 50, 75, 100}, P = 0.5 N (and T = 0.5 N), --seeds instances per N, mean ± std. \
            Fig. 6: three agents, rho0 = (0.05, 0.1, 0.2), P = 1, gamma = 0.3 for all vs (0.3, 0.6, 0.9); DL with \
            alpha0 = (0.2, 0.1, 0.05), T = 1, g_rho = g_alpha = gamma. Every utility is reported uncapped (eqs. 3, 7, \
            as the paper) and capped at 1 (min(1, u) per agent). Writes CSV, SVG plots and results.md into --out; \
            progress on stderr.
            """)

        @Option(help: "Directory for CSV, SVG and markdown (created if missing).") var out: String
        @Option(help: "Fig. 4: random instances per setting (RTI and DL).") var instances = 1000
        @Option(help: "Fig. 5: seeded instances per N.") var seeds = 100
        @Option(help: "Base seed of every instance (see results.md for the offsets).") var seed: UInt64 = 2025

        func validate() throws {
            guard instances > 0, seeds > 0 else { throw ValidationError("--instances and --seeds must be positive") }
        }

        func run() throws {
            let e = FairSynergyExperiment(instances: instances, seeds: seeds, seed: seed)
            let progress = Progress(total: e.work, label: "instances (Fig. 4 RTI, DL; Fig. 5 RTI, DL; Fig. 6)")
            let clock = ContinuousClock()
            var result: FairSynergyExperiment.Result!
            let elapsed = clock.measure {
                result = e.run(stage: { FileHandle.standardError.write(Data(("\n" + $0 + "\n").utf8)) }, progress: { progress.update($0) })
            }
            progress.finish()
            let report = FairSynergyReport(experiment: e, result: result, elapsed: elapsed)
            let files = report.files()
            let url = try ExperimentSupport.writeFiles(files, to: out)
            print("wrote \(files.keys.sorted().joined(separator: ", ")) to \(url.path) (\(elapsed))")
            print(report.headline())
        }
    }
}

/// The instance generators of the reference fair-synergy.json, on `SeededGenerator`.
enum FairSynergyGenerators {
    /// RTI: P = Σ of N uniforms, ρ⁰ = U/10, γ = U, drawn in that order; `budget` replaces P (the
    /// draws are still made, so a seed gives the same agents with any budget).
    static func inference(agents n: Int, seed: UInt64, budget: Double? = nil) -> InferenceAllocationProblem {
        var g = SeededGenerator(seed: seed)
        var p = 0.0
        for _ in 0..<n { p += g.nextUnit() }
        let rho0 = (0..<n).map { _ in g.nextUnit() / 10 }
        let gamma = (0..<n).map { _ in g.nextUnit() }
        return InferenceAllocationProblem(rho0: rho0, gamma: gamma, budget: budget ?? p)
    }

    /// DL: T = Σ U, P = Σ U, α⁰ = U/100, ρ⁰ = U/100, γ^α = U, γ^ρ = U (the reference's order).
    static func training(agents n: Int, seed: UInt64, compute: Double? = nil, labelling: Double? = nil) -> TrainingAllocationProblem {
        var g = SeededGenerator(seed: seed)
        var t = 0.0, p = 0.0
        for _ in 0..<n { t += g.nextUnit() }
        for _ in 0..<n { p += g.nextUnit() }
        let alpha0 = (0..<n).map { _ in g.nextUnit() / 100 }
        let rho0 = (0..<n).map { _ in g.nextUnit() / 100 }
        let gammaAlpha = (0..<n).map { _ in g.nextUnit() }
        let gammaRho = (0..<n).map { _ in g.nextUnit() }
        return TrainingAllocationProblem(rho0: rho0, alpha0: alpha0, gammaRho: gammaRho, gammaAlpha: gammaAlpha,
                                         computeBudget: compute ?? p, labellingBudget: labelling ?? t)
    }

    /// The seed of the `random` allocator's generator for an instance seed.
    static func allocatorSeed(_ instanceSeed: UInt64) -> UInt64 { instanceSeed ^ 0x5DEE_CE66_D1CE_F00D }
}

/// The computations of `fairway-lab experiment fair-synergy`.
struct FairSynergyExperiment {
    var instances: Int
    var seeds: Int
    var seed: UInt64

    static let fig4Agents = 5
    static let fig5Agents = [1, 2, 3, 5, 10, 20, 30, 50, 75, 100]
    /// Fig. 5: P = ρ·N and T = α·N with ρ = α = this.
    static let fig5PerAgent = 0.5
    /// Seed offsets: Fig. 4 RTI instance k has seed + k, DL seed + dlOffset + k; Fig. 5 instance j at
    /// N has seed + fig5Offset (+ dlOffset for DL) + 1000·N + j.
    static let dlOffset: UInt64 = 1_000_000
    static let fig5Offset: UInt64 = 10_000_000
    /// "a beats b" when a > b·(1 + this).
    static let beatTolerance = 1e-9

    enum Setting: String, CaseIterable { case rti = "RTI", dl = "DL" }

    static func allocators(_ s: Setting) -> [CloudAllocator] {
        s == .rti ? CloudAllocator.inference
            : [.fairSynergy, .fairSynergyOnePass, .fairSynergyMultiStart, .uniform, .random, .num, .drf, .leximin]
    }

    /// One allocator's result on one instance.
    struct Outcome {
        var mean: Double
        var meanCapped: Double
        var minimum: Double
        /// Agents whose uncapped utility exceeds 1.
        var above1: Int
        var utilities: [Double]

        init(_ r: UtilityReport) {
            let n = Double(max(1, r.utilities.count))
            mean = r.total / n
            meanCapped = r.totalCapped / n
            minimum = r.minimum
            above1 = r.utilities.filter { $0 > 1 }.count
            utilities = r.utilities
        }

        func value(capped: Bool) -> Double { capped ? meanCapped : mean }
    }

    /// DL only: what alternate convex search did.
    struct ACSInfo {
        var iterations: Int
        var converged: Bool
        var multiStartIterations: Int
        var multiStartConverged: Bool
        var jointlyConcave: Bool
    }

    struct InstanceResult {
        var seed: UInt64
        var agents: Int
        var compute: Double
        var labelling: Double?
        var outcomes: [CloudAllocator: Outcome]
        var acs: ACSInfo?
        /// RTI only: the mean per-agent capped utility at the capped optimum (`CappedInferenceOptimum`).
        var cappedOptimum: Double? = nil
    }

    struct Fig5Point {
        var agents: Int
        var rti: [InstanceResult]
        var dl: [InstanceResult]
    }

    /// Fig. 6: one allocator's allocation in one case.
    struct Fig6Row {
        var allocator: CloudAllocator
        var rho: [Double]
        var alpha: [Double]?
        var report: UtilityReport
    }

    struct Fig6Case {
        var setting: Setting
        var name: String
        var rho0: [Double]
        var alpha0: [Double]?
        var gammaRho: [Double]
        var gammaAlpha: [Double]?
        var compute: Double
        var labelling: Double?
        var rows: [Fig6Row]
    }

    struct Result {
        var fig4RTI: [InstanceResult] = []
        var fig4DL: [InstanceResult] = []
        var fig5: [Fig5Point] = []
        var fig6: [Fig6Case] = []
        var fig6Budgets: [Fig6Budget] = []
    }

    /// Fig. 6's heterogeneous RTI case at another P: totals of fair-synergy and NUM, and the capped optimum.
    struct Fig6Budget {
        var budget: Double
        var fairSynergy: UtilityReport
        var num: UtilityReport
        var cappedOptimum: UtilityReport
        var fairSynergyRho: [Double]
    }

    static let fig6BudgetSweep: [Double] = [0.25, 0.5, 1, 2, 3, 5]

    static let fig6Rho0 = [0.05, 0.1, 0.2]
    static let fig6Alpha0 = [0.2, 0.1, 0.05]
    static let fig6Cases: [(name: String, gamma: [Double])] = [
        ("uniform γ = 0.3", [0.3, 0.3, 0.3]),
        ("heterogeneous γ = (0.3, 0.6, 0.9)", [0.3, 0.6, 0.9]),
    ]

    var work: Int { 2 * instances + 2 * Self.fig5Agents.count * seeds + 1 }

    static func evaluate(_ p: InferenceAllocationProblem, seed: UInt64) -> InstanceResult {
        var g = SeededGenerator(seed: FairSynergyGenerators.allocatorSeed(seed))
        var outcomes: [CloudAllocator: Outcome] = [:]
        for a in allocators(.rti) { outcomes[a] = Outcome(p.utilities(a.allocate(p, generator: &g))) }
        let capped = p.utilities(CappedInferenceOptimum.allocate(p)).totalCapped / Double(max(1, p.count))
        return InstanceResult(seed: seed, agents: p.count, compute: p.budget, labelling: nil, outcomes: outcomes, acs: nil, cappedOptimum: capped)
    }

    static func evaluate(_ p: TrainingAllocationProblem, seed: UInt64) -> InstanceResult {
        var g = SeededGenerator(seed: FairSynergyGenerators.allocatorSeed(seed))
        var outcomes: [CloudAllocator: Outcome] = [:]
        let converged = AlternateConvexSearch.run(p)
        let onePass = AlternateConvexSearch.run(p, onePass: true)
        let multi = AlternateConvexSearch.multiStart(p)
        outcomes[.fairSynergy] = Outcome(p.utilities(rho: converged.rho, alpha: converged.alpha))
        outcomes[.fairSynergyOnePass] = Outcome(p.utilities(rho: onePass.rho, alpha: onePass.alpha))
        outcomes[.fairSynergyMultiStart] = Outcome(p.utilities(rho: multi.rho, alpha: multi.alpha))
        for a in allocators(.dl) where outcomes[a] == nil {
            let (rho, alpha) = a.allocate(p, generator: &g)
            outcomes[a] = Outcome(p.utilities(rho: rho, alpha: alpha))
        }
        let info = ACSInfo(iterations: converged.iterations, converged: converged.converged, multiStartIterations: multi.iterations,
                           multiStartConverged: multi.converged, jointlyConcave: p.jointlyConcave)
        return InstanceResult(seed: seed, agents: p.count, compute: p.computeBudget, labelling: p.labellingBudget, outcomes: outcomes, acs: info)
    }

    func run(stage: (String) -> Void, progress: (Int) -> Void) -> Result {
        var result = Result()
        var done = 0
        func step() { done += 1; progress(done) }
        let n4 = Self.fig4Agents
        stage("Fig. 4 RTI: \(instances) instances, N = \(n4)")
        for k in 0..<instances {
            let s = seed &+ UInt64(k)
            result.fig4RTI.append(Self.evaluate(FairSynergyGenerators.inference(agents: n4, seed: s), seed: s))
            step()
        }
        stage("Fig. 4 DL: \(instances) instances, N = \(n4) (ACS converged, one pass, multi-start)")
        for k in 0..<instances {
            let s = seed &+ Self.dlOffset &+ UInt64(k)
            result.fig4DL.append(Self.evaluate(FairSynergyGenerators.training(agents: n4, seed: s), seed: s))
            step()
        }
        for n in Self.fig5Agents {
            stage("Fig. 5 N = \(n): \(seeds) RTI and \(seeds) DL instances, P = T = \(ExperimentFormat.short(Self.fig5PerAgent * Double(n)))")
            var point = Fig5Point(agents: n, rti: [], dl: [])
            let budget = Self.fig5PerAgent * Double(n)
            for j in 0..<seeds {
                let s = seed &+ Self.fig5Offset &+ UInt64(1000 * n + j)
                point.rti.append(Self.evaluate(FairSynergyGenerators.inference(agents: n, seed: s, budget: budget), seed: s))
                step()
            }
            for j in 0..<seeds {
                let s = seed &+ Self.fig5Offset &+ Self.dlOffset &+ UInt64(1000 * n + j)
                point.dl.append(Self.evaluate(FairSynergyGenerators.training(agents: n, seed: s, compute: budget, labelling: budget), seed: s))
                step()
            }
            result.fig5.append(point)
        }
        stage("Fig. 6: three agents, NUM vs Fair-Synergy")
        result.fig6 = Self.fig6(seed: seed)
        result.fig6Budgets = Self.fig6BudgetSweep.map { budget in
            let p = InferenceAllocationProblem(rho0: Self.fig6Rho0, gamma: Self.fig6Cases[1].gamma, budget: budget)
            let fs = FairSynergyInference.allocate(p).x
            return Fig6Budget(budget: budget, fairSynergy: p.utilities(fs), num: p.utilities(NUMWaterFilling.shares(offsets: p.rho0, budget: budget).x),
                              cappedOptimum: p.utilities(CappedInferenceOptimum.allocate(p)), fairSynergyRho: fs)
        }
        step()
        return result
    }

    static func fig6(seed: UInt64) -> [Fig6Case] {
        var cases: [Fig6Case] = []
        for (name, gamma) in fig6Cases {
            let p = InferenceAllocationProblem(rho0: fig6Rho0, gamma: gamma, budget: 1)
            var g = SeededGenerator(seed: seed)
            let rows = allocators(.rti).map { a in
                let x = a.allocate(p, generator: &g)
                return Fig6Row(allocator: a, rho: x, alpha: nil, report: p.utilities(x))
            }
            cases.append(Fig6Case(setting: .rti, name: name, rho0: p.rho0, alpha0: nil, gammaRho: gamma, gammaAlpha: nil,
                                  compute: 1, labelling: nil, rows: rows))
        }
        for (name, gamma) in fig6Cases {
            let p = TrainingAllocationProblem(rho0: fig6Rho0, alpha0: fig6Alpha0, gammaRho: gamma, gammaAlpha: gamma,
                                              computeBudget: 1, labellingBudget: 1)
            var g = SeededGenerator(seed: seed)
            let rows = allocators(.dl).map { a in
                let (rho, alpha) = a.allocate(p, generator: &g)
                return Fig6Row(allocator: a, rho: rho, alpha: alpha, report: p.utilities(rho: rho, alpha: alpha))
            }
            cases.append(Fig6Case(setting: .dl, name: name, rho0: p.rho0, alpha0: p.alpha0, gammaRho: gamma, gammaAlpha: gamma,
                                  compute: 1, labelling: 1, rows: rows))
        }
        return cases
    }
}

/// A reference for the capped evaluation, not an allocator of the paper: the exact maximiser of
/// Σ min(1, (ρ⁰_i + ρ_i)^{γ_i}) s.t. Σ ρ ≤ P (RTI). min(1, ·) of a concave increasing function is
/// concave and reaches 1 at ρ_i = 1 − ρ⁰_i, so the optimum is Fair-Synergy's water-filling with the
/// upper bounds ρ_i ≤ max(0, 1 − ρ⁰_i): ρ_i(λ) = min(c_i, max(0, (γ_i/λ)^{1/(1−γ_i)} − ρ⁰_i)), λ by
/// bisection on ln λ. Budget left when every agent is at accuracy 1 is not used (it adds nothing).
enum CappedInferenceOptimum {
    static func allocate(_ p: InferenceAllocationProblem) -> [Double] {
        let n = p.count
        let caps = p.rho0.indices.map { p.gamma[$0] > 0 ? max(0, 1 - p.rho0[$0]) : 0 }
        if caps.reduce(0, +) <= p.budget { return caps }
        // γ = 1 is linear (marginal 1): treated as γ just below 1, whose demand jumps from 0 to the cap at λ = 1.
        let g = p.gamma.map { min($0, 1 - 1e-12) }
        func demand(_ s: Double, _ x: inout [Double]) -> Double {
            var total = 0.0
            for i in 0..<n where caps[i] > 0 {
                let want = exp((log(g[i]) + s) / (1 - g[i])) - p.rho0[i]
                x[i] = min(caps[i], max(0, want.isNaN ? caps[i] : want))
                total += x[i]
            }
            return total
        }
        var x = [Double](repeating: 0, count: n)
        var lo = -60.0, hi = 60.0  // s = −ln λ; demand is nondecreasing in s
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if mid <= lo || mid >= hi { break }
            if demand(mid, &x) > p.budget { hi = mid } else { lo = mid }
        }
        _ = demand(lo, &x)
        // Spend what the bisection leaves (≤ one level step) on agents below their cap, in order.
        var rest = p.budget - x.reduce(0, +)
        for i in 0..<n where rest > 0 && x[i] < caps[i] {
            let add = min(rest, caps[i] - x[i])
            x[i] += add
            rest -= add
        }
        return x
    }
}
