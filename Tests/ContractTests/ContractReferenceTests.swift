import ContractSolver
import FairwayCore
import XCTest

/// Issue 10, acceptance 1, on the library: every instance and counterexample of
/// `Tests/Reference/contracts.json` (the command runs the same code; see LabContractTests).
final class ContractReferenceTests: XCTestCase {
    func assertClose(_ got: Double, _ want: Double, _ rel: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got, want, accuracy: rel * max(1, abs(want)), what, file: file, line: line)
    }

    func assertRewards(_ terms: ContractTerms, _ want: [String: Any], _ rel: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let R1 = want["R1"] as! [Double], R2 = want["R2"] as! [[Double]]
        for (k, r) in R1.enumerated() { assertClose(terms.R1[k], r, rel, "\(what) R1[\(k)]", file: file, line: line) }
        for (m, row) in R2.enumerated() {
            for (j, r) in row.enumerated() { assertClose(terms.R2[m][j], r, rel, "\(what) R2[\(m)][\(j)]", file: file, line: line) }
        }
    }

    func assertVerdicts(_ constraints: ContractConstraints, _ want: [String: Any], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        for name in ContractConstraints.allFamilies {
            let ref = want[name] as! [String: Any]
            let got = constraints[name]!
            XCTAssertEqual(got.count, ref["n"] as? Int, "\(what) \(name) n", file: file, line: line)
            XCTAssertEqual(got.violated, ref["n_violated"] as? Int, "\(what) \(name) n_violated (min slack \(got.minSlack ?? .nan) vs \(ref["min_slack"]!))", file: file, line: line)
        }
    }

    /// With T given: eq. 19/24 rewards to 1e-9 relative with the same verdicts; minimum-cost
    /// rewards = lp_joint (the reference's LP values are good to ~1e-7, so 1e-6 relative).
    func testGivenRoundsMatchEq1924AndLPJoint() {
        let cases = ContractReference.instances.map { ($0, $0["given_T"] as! [String: Any], $0["id"] as! String) }
            + ContractReference.counterexamples.map { ($0, $0, $0["id"] as! String) }
        for (entry, given, id) in cases {
            let instance = ContractReference.instance(entry)
            XCTAssertNoThrow(try instance.validate(), id)
            let rounds = ContractReference.rounds(given)
            let paperRef = given["eq19_24"] as! [String: Any]
            let paper = ContractEvaluation(instance, PaperRewards.terms(instance, rounds))
            assertRewards(paper.terms, paperRef, 1e-9, "\(id) paper")
            assertVerdicts(paper.constraints, paperRef["constraints"] as! [String: Any], "\(id) paper")
            assertClose(paper.profit.total, (paperRef["profit"] as! [String: Any])["total"] as! Double, 1e-9, "\(id) paper profit")
            XCTAssertEqual(paper.feasible, (paperRef["constraints"] as! [String: Any])["_all_paper_constraints_ok"] as? Bool, "\(id) paper feasible")

            let lpRef = given["lp_joint"] as! [String: Any]
            guard let exact = MinimumCostRewards.evaluate(instance, rounds) else { XCTFail("\(id): LP failed"); continue }
            assertRewards(exact.terms, lpRef, 1e-6, "\(id) exact")
            assertVerdicts(exact.constraints, lpRef["constraints"] as! [String: Any], "\(id) exact")
            assertClose(exact.expectedPayment, lpRef["expected_payment"] as! Double, 1e-6, "\(id) exact payment")
            XCTAssertTrue(exact.feasible, id)
        }
    }

    /// The counterexamples: eq. 24 violates IR of eq. 20 (CX1) and the upward IIC (CX2); the
    /// minimum-cost rewards satisfy both.
    func testCounterexamplesShowEq24Infeasible() {
        for entry in ContractReference.counterexamples {
            let instance = ContractReference.instance(entry)
            let paper = ContractEvaluation(instance, PaperRewards.terms(instance, ContractReference.rounds(entry)))
            XCTAssertFalse(paper.feasible, entry["id"] as! String)
            let exact = MinimumCostRewards.evaluate(instance, ContractReference.rounds(entry))!
            XCTAssertTrue(exact.feasible, entry["id"] as! String)
        }
        let cx1 = ContractReference.counterexamples[0], cx2 = ContractReference.counterexamples[1]
        let i1 = ContractReference.instance(cx1), i2 = ContractReference.instance(cx2)
        XCTAssertEqual(ContractConstraints(i1, PaperRewards.terms(i1, ContractReference.rounds(cx1)))["IR1_eq20"]!.violated, 1)
        XCTAssertEqual(ContractConstraints(i2, PaperRewards.terms(i2, ContractReference.rounds(cx2)))["IIC_eq21"]!.violated, 1)
    }

    /// Without T: the eq. 19/24 optimum equals the reference's exhaustive search (1e-9), by the
    /// dynamic programme and by enumerating every monotone tuple of every chain.
    func testPaperOptimumMatchesExhaustiveReference() {
        for entry in ContractReference.instances {
            let id = entry["id"] as! String
            let instance = ContractReference.instance(entry)
            let ref = (entry["optimum"] as! [String: Any])["eq19_24_exhaustive"] as! [String: Any]
            let want = (ref["profit"] as! [String: Any])["total"] as! Double
            let dp = PaperOptimiser.optimise(instance)
            assertClose(dp.profit.total, want, 1e-9, "\(id) paper optimum (DP)")
            XCTAssertEqual(dp.terms.T1, ref["T1"] as! [Int], "\(id) T1")
            XCTAssertEqual(dp.terms.T2, ref["T2"] as! [[Int]], "\(id) T2")
            assertVerdicts(dp.constraints, ref["constraints"] as! [String: Any], "\(id) paper optimum")
            if instance.K == 2 {
                let brute = PaperOptimiser.optimise(instance, method: .exhaustive)
                assertClose(brute.profit.total, want, 1e-9, "\(id) paper optimum (exhaustive)")
            }
        }
    }

    /// Without T: the exact MILP's profit (recomputed by the LP) equals lp_joint_milp (1e-6) and
    /// satisfies every paper constraint (slack ≥ −1e-7).
    func testExactOptimumMatchesMILPReference() {
        for entry in ContractReference.instances {
            let id = entry["id"] as! String
            let instance = ContractReference.instance(entry)
            let ref = (entry["optimum"] as! [String: Any])["lp_joint_milp"] as! [String: Any]
            let result = ExactOptimiser.optimise(instance)
            XCTAssertEqual(result.status, .optimal, id)
            guard let exact = result.evaluation else { XCTFail(id); continue }
            assertClose(exact.profit.total, (ref["profit"] as! [String: Any])["total"] as! Double, 1e-6, "\(id) exact optimum")
            for name in ContractConstraints.paperFamilies {
                XCTAssertGreaterThanOrEqual(exact.constraints[name]!.minSlack!, -1e-7, "\(id) \(name)")
            }
            XCTAssertTrue(exact.feasible, id)
        }
    }

    /// The static baselines: β = 0 optimum (U¹ only) and the static contract twice at the instance β.
    func testStaticBaselinesMatchReference() {
        for entry in ContractReference.instances {
            let id = entry["id"] as! String
            let instance = ContractReference.instance(entry)
            let ref = entry["static"] as! [String: Any]
            let s = StaticContract(instance)
            let beta0 = ref["static_beta0"] as! [String: Any]
            assertClose(s.oneStage.profit.total, beta0["profit"] as! Double, 1e-9, "\(id) static β=0")
            XCTAssertEqual(s.terms.T1, beta0["T1"] as! [Int], id)
            let twice = ref["static_twice_evaluated_at_beta"] as! [String: Any]
            assertClose(s.twice.profit.total, (twice["profit"] as! [String: Any])["total"] as! Double, 1e-9, "\(id) static twice")
            XCTAssertEqual(s.terms.T2, twice["T2"] as! [[Int]], id)
            assertVerdicts(s.twice.constraints, twice["constraints"] as! [String: Any], "\(id) static twice")
        }
    }

    /// The random scheme: our seeded draws (not numpy's) have the reference's mean profit within
    /// sampling error (4 standard errors of the difference of two 1000-draw means).
    func testRandomContractMeansAgreeWithinSamplingError() {
        for entry in ContractReference.instances {
            let id = entry["id"] as! String
            let instance = ContractReference.instance(entry)
            let ref = entry["random_contract"] as! [String: Any]
            let draws = RandomContract.draws(K: instance.K, count: ref["n_draws"] as! Int, seed: 20250101)
            let paper = RandomContract.paper(instance, draws: draws)
            let paperRef = ref["eq19_24"] as! [String: Any]
            let se = (paperRef["std_profit"] as! Double) * (2.0 / Double(draws.count)).squareRoot()
            XCTAssertEqual(paper.meanProfit, paperRef["mean_profit"] as! Double, accuracy: 4 * se, "\(id) random paper")
            let exact = ExactOptimiser.random(instance, draws: draws)
            let exactRef = ref["lp_joint"] as! [String: Any]
            let seExact = (exactRef["std_profit"] as! Double) * (2.0 / Double(exact.priced)).squareRoot()
            XCTAssertEqual(exact.meanProfit, exactRef["mean_profit"] as! Double, accuracy: 4 * seExact, "\(id) random exact")
        }
    }
}
