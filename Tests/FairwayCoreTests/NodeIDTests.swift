import FairwayCore
import XCTest

final class NodeIDTests: XCTestCase {
    func testAcceptsHexAndNames() throws {
        XCTAssertEqual(try NodeID("edge-1").rawValue, "edge-1")
        XCTAssertNoThrow(try NodeID(String(repeating: "a", count: 128)))
        XCTAssertNoThrow(try NodeID("agent-1f3a:0.x_y"))
    }

    func testRefusesEmptyTooLongAndOddCharactersNamingTheField() {
        for bad in ["", String(repeating: "a", count: 129), "a b", "é", "a/b", "a\u{0}"] {
            XCTAssertThrowsError(try NodeID(bad, field: "join.node_id"), "\(bad.debugDescription)") { error in
                XCTAssertEqual((error as? FairwayError)?.code, .invalidField)
                XCTAssertEqual((error as? FairwayError)?.field, "join.node_id")
            }
        }
    }
}
