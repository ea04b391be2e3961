import FairwayCore
import FairwayTestSupport
import Foundation
import XCTest

/// `fairway-lab contract` as a process on every instance and counterexample of
/// `Tests/Reference/contracts.json` (issue 10, acceptance 1 through the command).
final class LabContractTests: XCTestCase {
    func reference() throws -> [String: Any] {
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/contracts.json")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    func contract(_ input: [String: Any]) async throws -> (Int32, [String: Any]?, String) {
        let path = temporaryDirectory() + "/instance-\(UUID().uuidString.prefix(8)).json"
        try JSONSerialization.data(withJSONObject: input).write(to: URL(fileURLWithPath: path))
        let (code, out, err) = try await runTool("fairway-lab", ["contract", "--input", path], timeout: .seconds(120))
        return (code, try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], err)
    }

    func close(_ got: Any?, _ want: Any?, _ rel: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let g = (got as? NSNumber)?.doubleValue ?? .nan, w = (want as! NSNumber).doubleValue
        XCTAssertEqual(g, w, accuracy: rel * max(1, abs(w)), what, file: file, line: line)
    }

    func rewards(_ got: [String: Any], _ want: [String: Any], _ rel: Double, _ what: String) {
        for (k, r) in (want["R1"] as! [Any]).enumerated() { close((got["R1"] as? [Any])?[k], r, rel, "\(what) R1[\(k)]") }
        for (m, row) in (want["R2"] as! [[Any]]).enumerated() {
            for (j, r) in row.enumerated() { close(((got["R2"] as? [[Any]])?[m])?[j], r, rel, "\(what) R2[\(m)][\(j)]") }
        }
    }

    func verdicts(_ got: [String: Any], _ want: [String: Any], _ what: String) {
        let g = got["constraints"] as? [String: [String: Any]] ?? [:], w = want["constraints"] as! [String: Any]
        for (name, ref) in w {
            guard let ref = ref as? [String: Any] else { continue }
            XCTAssertEqual(g[name]?["n_violated"] as? Int, ref["n_violated"] as? Int, "\(what) \(name)")
        }
        XCTAssertEqual(got["feasible"] as? Bool, w["_all_paper_constraints_ok"] as? Bool, "\(what) feasible")
    }

    func testGivenRoundsPaperAndExactMatchTheReference() async throws {
        let doc = try reference()
        var cases: [([String: Any], [String: Any], String)] = []
        for entry in doc["instances"] as! [[String: Any]] {
            let given = entry["given_T"] as! [String: Any]
            var input = entry
            input["T1"] = given["T1"]
            input["T2"] = given["T2"]
            cases.append((input, given, entry["id"] as! String))
        }
        for entry in doc["counterexamples"] as! [[String: Any]] { cases.append((entry, entry, entry["id"] as! String)) }
        for (input, given, id) in cases {
            let (code, json, err) = try await contract(input)
            XCTAssertEqual(code, 0, "\(id): \(err)")
            let paper = json?["paper"] as? [String: Any] ?? [:], exact = json?["exact"] as? [String: Any] ?? [:]
            XCTAssertEqual(paper["T1"] as? [Int], input["T1"] as? [Int], id)
            rewards(paper, given["eq19_24"] as! [String: Any], 1e-9, "\(id) paper")
            verdicts(paper, given["eq19_24"] as! [String: Any], "\(id) paper")
            rewards(exact, given["lp_joint"] as! [String: Any], 1e-6, "\(id) exact")
            verdicts(exact, given["lp_joint"] as! [String: Any], "\(id) exact")
            XCTAssertNotNil(json?["static"], id)
        }
    }

    func testOptimumPaperAndExactMatchTheReference() async throws {
        for entry in try reference()["instances"] as! [[String: Any]] {
            let id = entry["id"] as! String
            let optimum = entry["optimum"] as! [String: Any]
            let (code, json, err) = try await contract(entry)
            XCTAssertEqual(code, 0, "\(id): \(err)")
            let paper = json?["paper"] as? [String: Any] ?? [:], exact = json?["exact"] as? [String: Any] ?? [:]
            let paperRef = optimum["eq19_24_exhaustive"] as! [String: Any], exactRef = optimum["lp_joint_milp"] as! [String: Any]
            close((paper["profit"] as? [String: Any])?["total"], (paperRef["profit"] as! [String: Any])["total"], 1e-9, "\(id) paper total")
            close((exact["profit"] as? [String: Any])?["total"], (exactRef["profit"] as! [String: Any])["total"], 1e-6, "\(id) exact total")
            let constraints = exact["constraints"] as? [String: [String: Any]] ?? [:]
            for family in ["IR1_eq20", "IR2_eq13", "IC2_eq14", "IIC_eq21"] {
                XCTAssertGreaterThanOrEqual((constraints[family]?["min_slack"] as? NSNumber)?.doubleValue ?? -.infinity, -1e-7, "\(id) \(family)")
            }
            XCTAssertNotNil(constraints["R1_monotone_thm3"], "diagnostic families reported")
            XCTAssertEqual(exact["feasible"] as? Bool, true, id)
            let staticRef = (entry["static"] as! [String: Any])["static_beta0"] as! [String: Any]
            close(((json?["static"] as? [String: Any])?["profit"] as? [String: Any])?["total"], staticRef["profit"], 1e-9, "\(id) static")
        }
    }

    func testBadInputNamesTheFieldAndExitsTwo() async throws {
        let good = (try reference()["instances"] as! [[String: Any]])[0]
        for (field, value, expected) in [("theta1", [22.0, 16.0] as Any, "theta1[1]"), ("p1", [0.5, 0.6] as Any, "p1"),
                                         ("K", "two" as Any, "K"), ("T1", [1, -1] as Any, "T1[1]")] {
            var input = good
            input[field] = value
            if field == "T1" { input["T2"] = [[0, 0], [0, 0]] }
            let (code, _, err) = try await contract(input)
            XCTAssertEqual(code, 2, field)
            XCTAssertTrue(err.contains("\(expected):"), err)
        }
        var missing = good
        missing.removeValue(forKey: "E")
        let (code, _, err) = try await contract(missing)
        XCTAssertEqual(code, 2)
        XCTAssertTrue(err.contains("E: missing"), err)
    }
}
