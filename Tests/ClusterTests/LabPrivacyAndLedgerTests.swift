import FairwayCore
import FairwayTestSupport
import Foundation
import XCTest

/// `fairway-lab dp-sigma`, `dp-account` and `merkle` as processes, on the reference vectors in
/// `Tests/Reference/` (issue 9, acceptance 1 and 2 through the commands).
final class LabPrivacyAndLedgerTests: XCTestCase {
    func referenceJSON(_ name: String) throws -> [String: Any] {
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/\(name)")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    func output(_ args: [String], input: Any? = nil) async throws -> (Int32, [String: Any]?, String) {
        var args = args
        var path: String?
        if let input {
            path = temporaryDirectory() + "/input.json"
            try JSONSerialization.data(withJSONObject: input).write(to: URL(fileURLWithPath: path!))
            args += ["--input", path!]
        }
        let (code, out, err) = try await runTool("fairway-lab", args)
        return (code, try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], err)
    }

    func testDPSigmaMatchesTheGaussianReferenceAndRefusesTheClassicalFormulaWhereItIsNotPrivate() async throws {
        for v in try referenceJSON("gaussian-mechanism.json")["vectors"] as! [[String: Any]] {
            let e = v["epsilon"] as! Double, d = v["delta"] as! Double, s = v["l2_sensitivity"] as! Double
            let base = ["dp-sigma", "--epsilon", "\(e)", "--delta", "\(d)", "--sensitivity", "\(s)"]
            let (code, json, err) = try await output(base + ["--mechanism", "analytic"])
            XCTAssertEqual(code, 0, err)
            let expected = v["sigma_analytic"] as! Double
            XCTAssertEqual(json?["sigma"] as? Double ?? .nan, expected, accuracy: 1e-9 * expected, "analytic ε=\(e)")
            let (ccode, cjson, cerr) = try await output(base + ["--mechanism", "classical"])
            if v["classical_sigma_actually_satisfies_eps_delta"] as! Bool {
                let sc = v["sigma_classical"] as! Double
                XCTAssertEqual(ccode, 0, cerr)
                XCTAssertEqual(cjson?["sigma"] as? Double ?? .nan, sc, accuracy: 1e-9 * sc, "classical ε=\(e)")
            } else {
                XCTAssertEqual(ccode, 2, "classical σ printed where it is not private (ε=\(e))")
                XCTAssertTrue(cerr.contains("not ("), cerr)
            }
        }
    }

    func testDPAccountMatchesDpAccounting() async throws {
        for c in try referenceJSON("privacy-accounting.json")["cases"] as! [[String: Any]] {
            let (code, json, err) = try await output(["dp-account"], input: ["mechanisms": c["mechanisms"]!, "delta": c["delta"]!])
            XCTAssertEqual(code, 0, err)
            let expected = c["rdp_epsilon"] as! Double
            XCTAssertEqual(json?["rdp_epsilon"] as? Double ?? .nan, expected, accuracy: 1e-6 * expected, c["id"] as! String)
        }
        let (code, _, err) = try await output(["dp-account"], input: ["mechanisms": [["noise_multiplier": -1, "count": 1]], "delta": 1e-5])
        XCTAssertEqual(code, 2)
        XCTAssertTrue(err.contains("mechanisms[0].noise_multiplier"), err)
    }

    func testMerkleReproducesThePublishedTree() async throws {
        let tree = try referenceJSON("merkle-log.json")["published_tree"] as! [String: Any]
        let leaves = (tree["leaves"] as! [[String: Any]]).map { $0["data"] as! String }
        let inclusion = (tree["inclusion"] as! [[String: Any]]).map { ["index": $0["index"]!, "size": $0["size"]!] }
        let consistency = (tree["consistency"] as! [[String: Any]]).map { ["size1": $0["size1"]!, "size2": $0["size2"]!] }
        let (code, json, err) = try await output(["merkle"], input: ["leaves": leaves, "inclusion": inclusion, "consistency": consistency])
        XCTAssertEqual(code, 0, err)
        let roots = json?["roots"] as? [String: String] ?? [:]
        for r in tree["roots"] as! [[String: Any]] { XCTAssertEqual(roots["\(r["size"]!)"], r["root"] as? String, "root \(r["size"]!)") }
        XCTAssertEqual(roots.count, leaves.count + 1)
        let paths = json?["inclusion"] as? [[String: Any]] ?? []
        for (got, want) in zip(paths, tree["inclusion"] as! [[String: Any]]) {
            XCTAssertEqual(got["path"] as? [String], want["proof"] as? [String], "PATH(\(want["index"]!), \(want["size"]!))")
        }
        let proofs = json?["consistency"] as? [[String: Any]] ?? []
        for (got, want) in zip(proofs, tree["consistency"] as! [[String: Any]]) {
            XCTAssertEqual(got["proof"] as? [String], want["proof"] as? [String], "PROOF(\(want["size1"]!), \(want["size2"]!))")
        }
        XCTAssertEqual(paths.count, inclusion.count)
        XCTAssertEqual(proofs.count, consistency.count)
        let (bad, _, badErr) = try await output(["merkle"], input: ["leaves": ["zz"]])
        XCTAssertEqual(bad, 2)
        XCTAssertTrue(badErr.contains("leaves[0]"), badErr)
    }
}
