import FairwayCore
import Foundation
import XCTest

/// `Tests/Reference/fair-synergy.json` (independent exact solutions, see its `source`): every
/// allocation to 1e-9 absolute and every total utility to 1e-9 relative (issue 11, acceptance 1).
final class FairSynergyReferenceTests: XCTestCase {
    nonisolated(unsafe) static let document: [String: Any] = {
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/fair-synergy.json")
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    func doubles(_ v: Any?) -> [Double] { (v as! [Any]).map { ($0 as! NSNumber).doubleValue } }
    func number(_ v: Any?) -> Double { (v as! NSNumber).doubleValue }

    func assertAllocation(_ got: [Double], _ want: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, what, file: file, line: line)
        for (g, w) in zip(got, want) { XCTAssertEqual(g, w, accuracy: 1e-9, what, file: file, line: line) }
    }

    func assertTotal(_ got: Double, _ entry: [String: Any], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let want = number(entry["total_utility"])
        XCTAssertEqual(got, want, accuracy: 1e-9 * abs(want), what, file: file, line: line)
    }

    func testInferenceAllocatorsMatch() throws {
        let rti = Self.document["rti"] as! [[String: Any]]
        XCTAssertFalse(rti.isEmpty)
        for instance in rti {
            let name = instance["name"] as! String
            let p = InferenceAllocationProblem(rho0: doubles(instance["rho0"]), gamma: doubles(instance["gamma"]), budget: number(instance["P"]))
            try p.validate()
            let allocators = instance["allocators"] as! [String: Any]
            var rng = SeededGenerator(seed: 1)
            let mapping: [(String, CloudAllocator)] = [
                ("fairsynergy_exact", .fairSynergy), ("uniform", .uniform), ("num_waterfill_exact", .num), ("leximin_utility_NOT_IN_REPO", .leximin),
            ]
            for (key, allocator) in mapping {
                guard let want = allocators[key] as? [String: Any] else { XCTFail("\(name): no \(key)"); continue }
                let x = allocator.allocate(p, generator: &rng)
                assertAllocation(x, doubles(want["alloc"]), "\(name) \(key)")
                assertTotal(p.utilities(x).total, want, "\(name) \(key)")
            }
            let exact = allocators["fairsynergy_exact"] as! [String: Any]
            let lambda = try XCTUnwrap(FairSynergyInference.allocate(p).multiplier)
            XCTAssertEqual(lambda, number(exact["multiplier_lambda"]), accuracy: 1e-9 * number(exact["multiplier_lambda"]), "\(name) λ")
        }
    }

    func testTrainingAllocatorsMatch() throws {
        let dl = Self.document["dl"] as! [[String: Any]]
        XCTAssertFalse(dl.isEmpty)
        for instance in dl {
            let name = instance["name"] as! String
            let p = TrainingAllocationProblem(
                rho0: doubles(instance["rho0"]), alpha0: doubles(instance["alpha0"]), gammaRho: doubles(instance["g_rho"]),
                gammaAlpha: doubles(instance["g_alpha"]), computeBudget: number(instance["P"]), labellingBudget: number(instance["T"]))
            try p.validate()
            let allocators = instance["allocators"] as! [String: Any]
            XCTAssertEqual(p.jointlyConcave, allocators["jointly_concave_all_agents"] as? Bool, name)
            var cases: [(String, (rho: [Double], alpha: [Double]), Int?)] = []
            let onePass = AlternateConvexSearch.run(p, onePass: true)
            cases.append(("fairsynergy_onepass_exact", (onePass.rho, onePass.alpha), 1))
            let converged = AlternateConvexSearch.run(p)
            XCTAssertTrue(converged.converged, name)
            cases.append(("acs_converged_from_alpha0_NOT_IN_REPO", (converged.rho, converged.alpha), converged.iterations))
            let fromUniform = AlternateConvexSearch.run(p, startAlpha: UniformShares.shares(count: p.count, budget: p.labellingBudget))
            cases.append(("acs_converged_from_uniform_alpha_NOT_IN_REPO", (fromUniform.rho, fromUniform.alpha), fromUniform.iterations))
            var rng = SeededGenerator(seed: 1)
            cases.append(("uniform", CloudAllocator.uniform.allocate(p, generator: &rng), nil))
            cases.append(("num_waterfill_exact", CloudAllocator.num.allocate(p, generator: &rng), nil))
            for (key, got, iterations) in cases {
                guard let want = allocators[key] as? [String: Any] else { XCTFail("\(name): no \(key)"); continue }
                assertAllocation(got.rho, doubles(want["rho"]), "\(name) \(key) rho")
                assertAllocation(got.alpha, doubles(want["alpha"]), "\(name) \(key) alpha")
                assertTotal(p.utilities(rho: got.rho, alpha: got.alpha).total, want, "\(name) \(key)")
                if let iterations, let reference = want["iterations"] as? Int {
                    XCTAssertEqual(iterations, reference, "\(name) \(key) iterations")
                }
            }
            // `fair-synergy` in the cluster and in `fairway-lab allocate` is converged ACS from α = 0.
            var rng2 = SeededGenerator(seed: 1)
            let named = CloudAllocator.fairSynergy.allocate(p, generator: &rng2)
            XCTAssertEqual(named.rho, converged.rho, name)
        }
    }

    /// The reference's finding: converged ACS beats the public code's single alternation from
    /// the same start, and on a non-jointly-concave instance the start decides the partial optimum.
    func testConvergedAlternationBeatsOnePassAndStartsMatter() throws {
        let dl = Self.document["dl"] as! [[String: Any]]
        let instance = try XCTUnwrap(dl.first { $0["name"] as? String == "dl_rand_N5_s5001" })
        let p = TrainingAllocationProblem(
            rho0: doubles(instance["rho0"]), alpha0: doubles(instance["alpha0"]), gammaRho: doubles(instance["g_rho"]),
            gammaAlpha: doubles(instance["g_alpha"]), computeBudget: number(instance["P"]), labellingBudget: number(instance["T"]))
        let onePass = AlternateConvexSearch.run(p, onePass: true)
        let converged = AlternateConvexSearch.run(p)
        let multi = AlternateConvexSearch.multiStart(p)
        let u1 = p.utilities(rho: onePass.rho, alpha: onePass.alpha).total
        let u2 = p.utilities(rho: converged.rho, alpha: converged.alpha).total
        let u3 = p.utilities(rho: multi.rho, alpha: multi.alpha).total
        XCTAssertGreaterThan(u2, u1 * 1.05)
        XCTAssertGreaterThan(u3, u2 * 1.5, "multi-start finds the corner the α = 0 start misses")
        XCTAssertFalse(p.jointlyConcave)
        // ACS never lowers the objective along its trace.
        for (a, b) in zip(converged.trace, converged.trace.dropFirst()) { XCTAssertGreaterThanOrEqual(b, a - 1e-12) }
    }
}
