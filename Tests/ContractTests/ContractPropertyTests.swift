import ContractSolver
import FairwayCore
import XCTest

/// Issue 10, acceptance 2: properties of the `exact` scheme and the optimisers on seeded
/// instances like the paper's (`ContractInstanceGenerator`).
final class ContractPropertyTests: XCTestCase {
    /// Under minimum-cost rewards no ES gains by misreporting: in period 1 (reporting k′ and then
    /// telling the truth, or taking its best item of menu k′), in period 2 (another item of its
    /// menu), nor by taking an item it is not individually rational for.
    func testMisreportingNeverPaysUnderExact() {
        var rng = SeededGenerator(seed: 7)
        for seed in 0..<40 {
            let K = 2 + seed % 3
            let instance = ContractInstanceGenerator.instance(K: K, N: 6, alpha: 200, beta: [0, 0.5, 1][seed % 3], seed: UInt64(seed))
            func group() -> [Int] { (0..<K).map { _ in rng.nextIndex(below: 201) }.sorted() }
            let rounds = TrainingRounds(T1: group(), T2: (0..<K).map { _ in group() })
            guard let terms = MinimumCostRewards.rewards(instance, rounds) else { XCTFail("LP failed for seed \(seed)"); continue }
            func tol(_ x: Double) -> Double { 1e-7 * max(1, abs(x)) }
            for k in 0..<K {
                let truth = EdgeUtility.intertemporal(instance, terms, type: k, reports: k)
                XCTAssertGreaterThanOrEqual(EdgeUtility.period1(instance, terms, type: k, takes: k), -tol(0), "IR1 seed \(seed)")
                for r in 0..<K where r != k {
                    XCTAssertGreaterThanOrEqual(truth, EdgeUtility.intertemporal(instance, terms, type: k, reports: r) - tol(truth), "IIC seed \(seed) \(k)→\(r)")
                    var best = EdgeUtility.period1(instance, terms, type: k, takes: r)
                    for j in 0..<K {
                        best += instance.beta * instance.p2[k][j] * (0..<K).map { EdgeUtility.period2(instance, terms, type: j, takes: $0, menu: r) }.max()!
                    }
                    XCTAssertGreaterThanOrEqual(truth, best - tol(truth), "double deviation seed \(seed) \(k)→\(r)")
                }
            }
            for m in 0..<K {
                for j in 0..<K {
                    let own = EdgeUtility.period2(instance, terms, type: j, takes: j, menu: m)
                    XCTAssertGreaterThanOrEqual(own, -tol(0), "IR2 seed \(seed)")
                    for i in 0..<K { XCTAssertGreaterThanOrEqual(own, EdgeUtility.period2(instance, terms, type: j, takes: i, menu: m) - tol(own), "IC2 seed \(seed)") }
                }
            }
            // The cheapest such rewards: never dearer than eq. 19/24 when those are feasible.
            let paper = ContractEvaluation(instance, PaperRewards.terms(instance, rounds))
            if paper.feasible {
                XCTAssertLessThanOrEqual(CloudProfit.expectedPayment(instance, R1: terms.R1, R2: terms.R2), paper.expectedPayment * (1 + 1e-9), "seed \(seed)")
            }
        }
    }

    /// β = 0: the dynamic contract reduces to the static one — same T¹ and R¹ under `paper` and
    /// `exact`, and the same profit U¹ as the static baseline.
    func testBetaZeroReducesToStatic() {
        for seed in 0..<12 {
            let instance = ContractInstanceGenerator.instance(K: 2 + seed % 3, beta: 0, seed: UInt64(100 + seed))
            let s = StaticContract(instance)
            let paper = PaperOptimiser.optimise(instance)
            XCTAssertEqual(paper.terms.T1, s.terms.T1)
            XCTAssertEqual(paper.profit.total, s.oneStage.profit.total, accuracy: 1e-9 * abs(s.oneStage.profit.total))
            XCTAssertEqual(paper.profit.total, paper.profit.U1)
            XCTAssertTrue(paper.feasible, "eq. 24 without Φ is the static closed form, feasible at monotone T")
            let exact = ExactOptimiser.optimise(instance).evaluation!
            XCTAssertEqual(exact.profit.total, s.oneStage.profit.total, accuracy: 1e-6 * abs(s.oneStage.profit.total), "seed \(seed)")
            let atStatic = MinimumCostRewards.rewards(instance, TrainingRounds(T1: s.terms.T1, T2: s.terms.T2))!
            for k in 0..<instance.K { XCTAssertEqual(atStatic.R1[k], s.terms.R1[k], accuracy: 1e-7 * s.terms.R1[k], "seed \(seed)") }
            for m in 0..<instance.K { for j in 0..<instance.K { XCTAssertEqual(atStatic.R2[m][j], s.terms.R2[m][j], accuracy: 1e-7 * s.terms.R2[m][j]) } }
        }
    }

    /// The optimisers equal brute force over the same (small) integer grid: the paper's
    /// separable DP against a joint enumeration without the decomposition, the per-chain
    /// exhaustive search against the DP on the full grid, and the exact MILP against an LP at
    /// every monotone point of the grid.
    func testOptimisersEqualBruteForceOnSmallGrids() {
        for seed in 0..<6 {
            let instance = ContractInstanceGenerator.instance(K: 2, N: 12, beta: [0.5, 1][seed % 2], seed: UInt64(200 + seed))
            // Small grids, so that the optimum is not interior in the default instance: shrink α.
            var small = instance
            small.alpha = 60
            let grid = 6
            let dp = PaperOptimiser.optimise(small, maxRounds: grid)
            let joint = PaperOptimiser.jointBruteForce(small, maxRounds: grid)
            XCTAssertEqual(dp.profit.total, joint.profit, accuracy: 1e-9 * abs(joint.profit), "paper seed \(seed)")
            let exhaustive = PaperOptimiser.optimise(instance, method: .exhaustive)
            XCTAssertEqual(PaperOptimiser.optimise(instance).profit.total, exhaustive.profit.total, accuracy: 1e-9 * abs(exhaustive.profit.total))

            let exactGrid = 4
            let milp = ExactOptimiser.optimise(small, maxRounds: exactGrid).evaluation!
            let brute = ExactOptimiser.bruteForce(small, maxRounds: exactGrid).evaluation!
            XCTAssertEqual(milp.profit.total, brute.profit.total, accuracy: 1e-6 * max(1, abs(brute.profit.total)), "exact seed \(seed)")
        }
        // K = 3 on a tiny grid (C(5,3)^4 = 10^4 contracts).
        let k3 = ContractInstanceGenerator.instance(K: 3, N: 6, alpha: 40, beta: 0.5, seed: 300)
        let dp3 = PaperOptimiser.optimise(k3, maxRounds: 2)
        XCTAssertEqual(dp3.profit.total, PaperOptimiser.jointBruteForce(k3, maxRounds: 2).profit, accuracy: 1e-9 * abs(dp3.profit.total))
    }

    /// Lazily added chords give the same optimum as all chords at once.
    func testLazyChordsEqualFullChords() {
        for seed in 0..<4 {
            let instance = ContractInstanceGenerator.instance(K: 2 + seed % 2, N: [3, 12][seed % 2], beta: [0.5, 1][seed / 2], seed: UInt64(400 + seed))
            let lazy = ExactOptimiser.optimise(instance, lazyChords: true), full = ExactOptimiser.optimise(instance)
            XCTAssertEqual(lazy.status, .optimal)
            XCTAssertEqual(lazy.evaluation!.profit.total, full.evaluation!.profit.total, accuracy: 1e-6 * abs(full.evaluation!.profit.total), "seed \(seed)")
        }
    }

    /// Bad instances name the field.
    func testValidationNamesTheField() {
        let good = ContractInstanceGenerator.instance(K: 2, seed: 1)
        func field(_ change: (inout ContractInstance) -> Void) -> String? {
            var i = good
            change(&i)
            do { try i.validate() } catch let e as FairwayError { return e.field } catch { return "?" }
            return nil
        }
        XCTAssertNil(field { _ in })
        XCTAssertEqual(field { $0.theta1 = [20, 15] }, "theta1[1]")
        XCTAssertEqual(field { $0.p1 = [0.5, 0.6] }, "p1")
        XCTAssertEqual(field { $0.p2[1] = [1] }, "p2[1]")
        XCTAssertEqual(field { $0.N = 0 }, "N")
        XCTAssertEqual(field { $0.beta = -1 }, "beta")
    }

    /// Unit conversions of `meta.unit_conversions`.
    func testEnergyConstants() {
        XCTAssertEqual(AgentModuleQuality.aQ, 0.0368, accuracy: 1e-15)
        XCTAssertEqual(EdgeEnergy.perceiveJoules, 32.768, accuracy: 1e-9)
        XCTAssertEqual(EdgeEnergy.createJoulesPerRound, 49.152, accuracy: 1e-9)
        XCTAssertEqual(EdgeEnergy.dBmToWatts(30), 1, accuracy: 1e-15)
        // K2-01: σ = 1, 23 dBm, 2 Mbps.
        XCTAssertEqual(EdgeEnergy.fixedCost(sigma: 1, dBm: 23, mbps: 2), 40.74904925987551, accuracy: 1e-9)
        XCTAssertEqual(EdgeEnergy.costPerRound(sigma: 0.5), 24.576, accuracy: 1e-9)
    }
}
