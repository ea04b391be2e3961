import FairwayTestSupport
import Foundation
import XCTest

/// `fairway-lab allocate` as a process on `Tests/Reference/fair-synergy.json` (issue 11,
/// acceptance 1 through the command), and its answer to bad input.
final class LabAllocateTests: XCTestCase {
    let referencePath = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Reference/fair-synergy.json").path

    func testEveryReferenceAllocationMatches() async throws {
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: referencePath))) as! [String: Any]
        let (code, out, err) = try await runTool("fairway-lab", ["allocate", "--input", referencePath], timeout: .seconds(60))
        XCTAssertEqual(code, 0, err)
        let got = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let names = [
            "fairsynergy_exact": "fair-synergy", "uniform": "uniform", "num_waterfill_exact": "num",
            "leximin_utility_NOT_IN_REPO": "leximin", "fairsynergy_onepass_exact": "fair-synergy-one-pass",
            "acs_converged_from_alpha0_NOT_IN_REPO": "fair-synergy", "acs_converged_from_uniform_alpha_NOT_IN_REPO": "fair-synergy-from-uniform",
        ]
        var compared = 0
        for (kind, fields) in [("rti", ["alloc"]), ("dl", ["rho", "alpha"])] {
            let want = reference[kind] as! [[String: Any]], have = try XCTUnwrap(got[kind] as? [[String: Any]])
            XCTAssertEqual(have.count, want.count, kind)
            for (w, h) in zip(want, have) {
                XCTAssertEqual(h["name"] as? String, w["name"] as? String)
                let wa = w["allocators"] as! [String: Any], ha = try XCTUnwrap(h["allocators"] as? [String: [String: Any]])
                for a in ["fair-synergy", "uniform", "random", "num", "drf", "leximin"] { XCTAssertNotNil(ha[a], "\(kind) \(a) missing") }
                if kind == "dl" { XCTAssertNotNil(ha["fair-synergy-one-pass"]) }
                for (refName, ourName) in names {
                    guard let r = wa[refName] as? [String: Any] else { continue }
                    let o = try XCTUnwrap(ha[ourName], ourName)
                    for f in fields {
                        let rv = (r[f] as! [NSNumber]).map(\.doubleValue), ov = try XCTUnwrap(o[f] as? [NSNumber]).map(\.doubleValue)
                        XCTAssertEqual(rv.count, ov.count)
                        for (a, b) in zip(rv, ov) { XCTAssertEqual(a, b, accuracy: 1e-9, "\(w["name"]!) \(refName) \(f)") }
                    }
                    let ru = (r["total_utility"] as! NSNumber).doubleValue, ou = try XCTUnwrap(o["total_utility"] as? NSNumber).doubleValue
                    XCTAssertEqual(ou, ru, accuracy: 1e-9 * abs(ru), "\(w["name"]!) \(refName) total")
                    compared += 1
                }
            }
        }
        XCTAssertEqual(compared, 26)
    }

    func testBadInputNamesTheField() async throws {
        let path = temporaryDirectory() + "/bad.json"
        try Data(#"{"rti":[{"name":"x","P":1,"rho0":[0.1,0.2],"gamma":[0.5,1.7]}]}"#.utf8).write(to: URL(fileURLWithPath: path))
        let (code, _, err) = try await runTool("fairway-lab", ["allocate", "--input", path], timeout: .seconds(30))
        XCTAssertEqual(code, 2)
        XCTAssertTrue(err.contains("rti[0].gamma[1]"), err)
        try Data(#"{"dl":[{"P":1,"T":1,"rho0":[0.1],"alpha0":[0.1,0.2],"g_rho":[0.5],"g_alpha":[0.5]}]}"#.utf8).write(to: URL(fileURLWithPath: path))
        let (code2, _, err2) = try await runTool("fairway-lab", ["allocate", "--input", path], timeout: .seconds(30))
        XCTAssertEqual(code2, 2)
        XCTAssertTrue(err2.contains("dl[0].alpha0"), err2)
    }
}
