import FairwayCore
import Foundation
import XCTest

/// Properties of the exact Fair-Synergy solvers on many seeded random instances, including the
/// edge cases the issue names (ρ⁰ = 0, γ near 0 or 1, P = 0, N = 1) — issue 11, acceptance 2.
final class FairSynergyPropertyTests: XCTestCase {
    func randomInference(_ rng: inout SeededGenerator) -> InferenceAllocationProblem {
        let n = 1 + rng.nextIndex(below: 40)
        var rho0 = [Double](), gamma = [Double]()
        for _ in 0..<n {
            rho0.append(rng.nextIndex(below: 5) == 0 ? 0 : rng.nextUnit() * (rng.nextIndex(below: 2) == 0 ? 0.1 : 3))
            switch rng.nextIndex(below: 6) {
            case 0: gamma.append(1e-9 + rng.nextUnit() * 1e-3)   // near 0
            case 1: gamma.append(1 - 1e-6 * (0.5 + rng.nextUnit()))  // near 1
            default: gamma.append(0.01 + 0.98 * rng.nextUnit())
            }
        }
        let budget: Double = switch rng.nextIndex(below: 8) {
        case 0: 0
        case 1: rng.nextUnit() * 1e-6
        default: rng.nextUnit() * Double(n) * (rng.nextIndex(below: 2) == 0 ? 1 : 50)
        }
        return InferenceAllocationProblem(rho0: rho0, gamma: gamma, budget: budget)
    }

    /// Marginal utility of agent i at x.
    func marginal(_ p: InferenceAllocationProblem, _ i: Int, _ x: Double) -> Double {
        p.gamma[i] * pow(p.rho0[i] + x, p.gamma[i] - 1)
    }

    func testKKTConditionsHoldAndBudgetIsSpent() throws {
        var rng = SeededGenerator(seed: 11)
        for trial in 0..<2000 {
            let p = randomInference(&rng)
            try p.validate()
            let s = FairSynergyInference.allocate(p)
            let sum = s.x.reduce(0, +)
            XCTAssertTrue(s.x.allSatisfy { $0 >= 0 && $0.isFinite }, "trial \(trial)")
            if p.budget == 0 {
                XCTAssertEqual(sum, 0, "trial \(trial)")
                continue
            }
            XCTAssertEqual(sum, p.budget, accuracy: 1e-12 * max(1, p.budget), "trial \(trial): Σρ = P")
            let lambda = try XCTUnwrap(s.multiplier, "trial \(trial)")
            for i in 0..<p.count {
                let m = marginal(p, i, s.x[i])
                if s.x[i] > 0 {
                    // Stationarity: every funded agent sits at the multiplier (relative, since
                    // γ near 1 makes the marginal very flat and γ near 0 very steep).
                    XCTAssertEqual(m, lambda, accuracy: 1e-6 * lambda, "trial \(trial) agent \(i) stationarity")
                } else if p.rho0[i] == 0 {
                    // ρ⁰ = 0 has an infinite marginal at 0, so its exact share is positive; it
                    // may only be 0 where that share underflows a Double (γ near 1, λ > γ).
                    let exact = exp(log(p.gamma[i] / lambda) / (1 - p.gamma[i]))
                    XCTAssertLessThan(exact, 1e-300, "trial \(trial) agent \(i): unfunded with ρ⁰ = 0")
                } else {
                    // Complementary slackness: an unfunded agent's marginal at 0 is at most λ.
                    XCTAssertLessThanOrEqual(marginal(p, i, 0), lambda * (1 + 1e-6), "trial \(trial) agent \(i) slackness")
                }
            }
        }
    }

    func testExactIsNeverBelowAnyBaseline() throws {
        var rng = SeededGenerator(seed: 12)
        for trial in 0..<1000 {
            let p = randomInference(&rng)
            let best = p.utilities(FairSynergyInference.allocate(p).x).total
            var g = SeededGenerator(seed: UInt64(trial))
            for a in CloudAllocator.inference where a != .fairSynergy {
                let x = a.allocate(p, generator: &g)
                XCTAssertEqual(x.reduce(0, +), p.budget, accuracy: 1e-9 * max(1, p.budget), "trial \(trial) \(a) spends P")
                let u = p.utilities(x).total
                XCTAssertGreaterThanOrEqual(best, u - 1e-9 * max(1, abs(u)), "trial \(trial): fair-synergy below \(a)")
            }
        }
    }

    /// A random perturbation that keeps Σρ = P never improves the exact optimum.
    func testNoFeasiblePerturbationImproves() {
        var rng = SeededGenerator(seed: 13)
        for trial in 0..<300 {
            let p = randomInference(&rng)
            guard p.budget > 0, p.count > 1 else { continue }
            let x = FairSynergyInference.allocate(p).x
            let best = p.utilities(x).total
            for _ in 0..<20 {
                let i = rng.nextIndex(below: p.count), j = rng.nextIndex(below: p.count)
                guard i != j else { continue }
                let delta = min(x[i], p.budget * 1e-3) * rng.nextUnit()
                var y = x
                y[i] -= delta
                y[j] += delta
                XCTAssertLessThanOrEqual(p.utilities(y).total, best + 1e-12 * max(1, best), "trial \(trial)")
            }
        }
    }

    func testEdgeCases() throws {
        // N = 1 takes everything; P = 0 gives nothing.
        XCTAssertEqual(FairSynergyInference.allocate(.init(rho0: [0.3], gamma: [0.5], budget: 2)).x, [2])
        XCTAssertEqual(FairSynergyInference.allocate(.init(rho0: [0.3, 0], gamma: [0.5, 0.2], budget: 0)).x, [0, 0])
        // ρ⁰ = 0: infinite marginal at 0, so every such agent gets a share.
        let zero = FairSynergyInference.allocate(.init(rho0: [0, 0, 5], gamma: [0.5, 0.5, 0.5], budget: 1)).x
        XCTAssertGreaterThan(zero[0], 0)
        XCTAssertEqual(zero[0], zero[1], accuracy: 1e-15)
        XCTAssertEqual(zero[2], 0)
        // γ = 1 (linear) next to concave agents: it takes what they leave at λ = 1.
        let linear = FairSynergyInference.allocate(.init(rho0: [0, 1], gamma: [0.5, 1], budget: 3)).x
        XCTAssertEqual(linear[0], 0.25, accuracy: 1e-12) // 0.5·x^{-1/2} = 1 at x = 1/4
        XCTAssertEqual(linear[1], 2.75, accuracy: 1e-12)
        // γ = 0: indifferent, gets nothing; all indifferent: split equally.
        XCTAssertEqual(FairSynergyInference.allocate(.init(rho0: [1, 1], gamma: [0, 0.5], budget: 1)).x, [0, 1])
        XCTAssertEqual(FairSynergyInference.allocate(.init(rho0: [1, 1], gamma: [0, 0], budget: 1)).x, [0.5, 0.5])
        // Equal γ: Fair-Synergy is NUM's water-filling.
        let p = InferenceAllocationProblem(rho0: [0.1, 0.4, 2], gamma: [0.3, 0.3, 0.3], budget: 1)
        let fs = FairSynergyInference.allocate(p).x, num = NUMWaterFilling.shares(offsets: p.rho0, budget: 1).x
        for (a, b) in zip(fs, num) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        // Bad input names the field.
        XCTAssertThrowsError(try InferenceAllocationProblem(rho0: [0.1], gamma: [1.5], budget: 1).validate()) {
            XCTAssertEqual(($0 as? FairwayError)?.field, "gamma[0]")
        }
        XCTAssertThrowsError(try InferenceAllocationProblem(rho0: [0.1], gamma: [0.5], budget: -1).validate()) {
            XCTAssertEqual(($0 as? FairwayError)?.field, "P")
        }
    }

    /// The paper's comparative statics (eqs. 5–6): more local compute → less cloud compute;
    /// harder queries (larger γ, equal ρ⁰) → more cloud compute.
    func testComparativeStatics() {
        let base = FairSynergyInference.allocate(.init(rho0: [0.1, 0.1], gamma: [0.5, 0.5], budget: 1)).x
        let richer = FairSynergyInference.allocate(.init(rho0: [0.3, 0.1], gamma: [0.5, 0.5], budget: 1)).x
        XCTAssertLessThan(richer[0], base[0])
        let harder = FairSynergyInference.allocate(.init(rho0: [0.1, 0.1], gamma: [0.7, 0.5], budget: 1)).x
        XCTAssertGreaterThan(harder[0], base[0])
    }

    func randomTraining(_ rng: inout SeededGenerator) -> TrainingAllocationProblem {
        let n = 1 + rng.nextIndex(below: 12)
        func list(_ f: () -> Double) -> [Double] { (0..<n).map { _ in f() } }
        return TrainingAllocationProblem(
            rho0: list { rng.nextUnit() / 10 }, alpha0: list { rng.nextUnit() / 10 },
            gammaRho: list { rng.nextUnit() }, gammaAlpha: list { rng.nextUnit() },
            computeBudget: rng.nextUnit() * Double(n), labellingBudget: rng.nextUnit() * Double(n))
    }

    func testTrainingAllocatorsSpendBothBudgetsAndACSBeatsBaselines() throws {
        var rng = SeededGenerator(seed: 14)
        for trial in 0..<300 {
            let p = randomTraining(&rng)
            try p.validate()
            var g = SeededGenerator(seed: UInt64(trial))
            var totals: [CloudAllocator: Double] = [:]
            for a in CloudAllocator.training {
                let (rho, alpha) = a.allocate(p, generator: &g)
                XCTAssertEqual(rho.reduce(0, +), p.computeBudget, accuracy: 1e-9 * max(1, p.computeBudget), "trial \(trial) \(a) Σρ")
                XCTAssertEqual(alpha.reduce(0, +), p.labellingBudget, accuracy: 1e-9 * max(1, p.labellingBudget), "trial \(trial) \(a) Σα")
                XCTAssertTrue((rho + alpha).allSatisfy { $0 >= 0 }, "trial \(trial) \(a)")
                totals[a] = p.utilities(rho: rho, alpha: alpha).total
            }
            let acs = totals[.fairSynergy]!, one = totals[.fairSynergyOnePass]!, multi = totals[.fairSynergyMultiStart]!
            XCTAssertGreaterThanOrEqual(acs, one - 1e-12 * max(1, one), "trial \(trial): converged ≥ one pass from the same start")
            XCTAssertGreaterThanOrEqual(multi, acs - 1e-12 * max(1, acs), "trial \(trial): multi-start ≥ its α = 0 start")
            if p.jointlyConcave {
                // Jointly concave: converged ACS is the global optimum, so no baseline beats it.
                for (a, u) in totals { XCTAssertGreaterThanOrEqual(acs, u - 1e-7 * max(1, u), "trial \(trial): ACS below \(a)") }
            }
        }
    }

    func testLeximinLevelsTheWorstOff() {
        let p = InferenceAllocationProblem(rho0: [0.01, 0.2, 0.05], gamma: [0.3, 0.6, 0.9], budget: 1.2)
        let (x, level) = LeximinShares.inference(p)
        let u = p.utilities(x).utilities
        for v in u { XCTAssertEqual(v, level!, accuracy: 1e-12) }
        // DL leximin: funded agents end at a common utility.
        let q = TrainingAllocationProblem(rho0: [0.01, 0.2], alpha0: [0.02, 0.3], gammaRho: [0.4, 0.5], gammaAlpha: [0.3, 0.6],
                                          computeBudget: 1, labellingBudget: 1)
        let (rho, alpha) = LeximinShares.training(q)
        let v = q.utilities(rho: rho, alpha: alpha).utilities
        XCTAssertEqual(v[0], v[1], accuracy: 1e-9)
    }

    func testDRFIsMaxMinWithDemands() {
        // One resource, demands 1 − ρ⁰ = 0.1 and 0.9, P = 1: the small demand is met, the rest
        // goes to the other agent; nothing is left over.
        let x = DominantResourceFairness.inference(.init(rho0: [0.9, 0.1], gamma: [0.5, 0.5], budget: 1))
        XCTAssertEqual(x[0], 0.1, accuracy: 1e-12)
        XCTAssertEqual(x[1], 0.9, accuracy: 1e-12)
        // Demands above the fair share: equal split.
        let y = DominantResourceFairness.inference(.init(rho0: [0.0, 0.1], gamma: [0.5, 0.5], budget: 1))
        XCTAssertEqual(y[0], 0.5, accuracy: 1e-12)
        // Two resources: dominant shares equalise.
        let z = DominantResourceFairness.allocate(demands: [[1, 0.1], [0.1, 1]], budgets: [1, 1])
        XCTAssertEqual(z[0][0], z[1][1], accuracy: 1e-9)
    }
}
