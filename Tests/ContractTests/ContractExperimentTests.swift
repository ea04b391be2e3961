import ContractSolver
import FairwayCore
import XCTest

/// Claims `fairway-lab experiment contracts` (Figs. 9, 10 of paper 4) relies on.
final class ContractExperimentTests: XCTestCase {
    /// The exact optimum bounds every feasible contract on its grid: the closed forms when they are
    /// feasible, and the static contract run twice (β = 0 rounds and rewards, evaluated at β) when
    /// it happens to satisfy IIC. Where either is infeasible it may earn more — not checked. The
    /// seeds are chosen so that both feasible cases occur (the test is not vacuous).
    func testExactBoundsEveryFeasibleBaseline() {
        var paperFeasible = 0, twiceFeasible = 0
        for seed in 0..<24 {
            let instance = ContractInstanceGenerator.instance(K: 2, N: 6, alpha: 200, beta: seed % 2 == 0 ? 0.5 : 1, seed: UInt64(seed))
            guard let exact = ExactOptimiser.optimise(instance).evaluation else { XCTFail("no exact optimum for seed \(seed)"); continue }
            XCTAssertTrue(exact.feasible, "seed \(seed)")
            let tol = 1e-6 * max(1, abs(exact.profit.total))
            let paper = PaperOptimiser.optimise(instance)
            if paper.feasible {
                paperFeasible += 1
                XCTAssertGreaterThanOrEqual(exact.profit.total, paper.profit.total - tol, "paper, seed \(seed)")
            }
            let twice = StaticContract(instance).twice
            if twice.feasible {
                twiceFeasible += 1
                XCTAssertGreaterThanOrEqual(exact.profit.total, twice.profit.total - tol, "static twice, seed \(seed)")
            }
            // One stage: the static profit is U¹ alone; the dynamic contract adds a profitable period 2 here.
            XCTAssertGreaterThan(exact.profit.total, StaticContract(instance).oneStage.profit.total, "one stage, seed \(seed)")
        }
        XCTAssertGreaterThan(paperFeasible, 0)
        XCTAssertGreaterThan(twiceFeasible, 0)
    }

    /// Fig. 10's N axis: constraints are per ES and every term of eq. 12 but σ·E_C is ×N, so the
    /// optimal rounds do not depend on N and profit + σ·E_C·(1 + β) is proportional to N — for the
    /// exact optimum (set A of contracts.json, β = 1, where eq. 24 is infeasible) and for the
    /// closed forms.
    func testProfitIsAffineInN() {
        func instance(_ N: Double) -> ContractInstance {
            ContractInstance(K: 2, N: N, beta: 1, alpha: 200, sigma: 1, E_C: 22, c: EdgeEnergy.costPerRound(sigma: 1),
                             E: EdgeEnergy.fixedCost(sigma: 1, dBm: 23, mbps: 2), theta1: [16, 22], theta2: [17, 23],
                             p1: [0.45, 0.55], p2: [[0.7, 0.3], [0.25, 0.75]])
        }
        let small = instance(3), large = instance(18)
        guard let e3 = ExactOptimiser.optimise(small).evaluation, let e18 = ExactOptimiser.optimise(large).evaluation else {
            return XCTFail("no exact optimum")
        }
        XCTAssertEqual(e3.terms.T1, e18.terms.T1)
        XCTAssertEqual(e3.terms.T2, e18.terms.T2)
        let fixed = small.integrationCost * 2
        XCTAssertEqual((e18.profit.total + fixed) / 18, (e3.profit.total + fixed) / 3, accuracy: 1e-9 * abs(e3.profit.total))
        XCTAssertEqual(e3.profit.total, 519.8580313481655 / 12 * 3 + fixed * (3.0 / 12 - 1), accuracy: 1e-6) // reference K2-09 at N = 12
        let p3 = PaperOptimiser.optimise(small), p18 = PaperOptimiser.optimise(large)
        XCTAssertFalse(p3.feasible)
        XCTAssertEqual((p18.profit.total + fixed) / 18, (p3.profit.total + fixed) / 3, accuracy: 1e-9 * abs(p3.profit.total))
    }
}
