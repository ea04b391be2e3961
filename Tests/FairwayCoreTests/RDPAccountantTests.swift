import FairwayCore
import Foundation
import XCTest

/// `Tests/Reference/privacy-accounting.json` (Google's dp-accounting 0.6.0): RDP ε of
/// compositions of Gaussian mechanisms with the library's orders and conversion.
final class RDPAccountantTests: XCTestCase {
    struct Reference: Decodable {
        struct Mechanism: Decodable { var noise_multiplier: Double; var count: Int }
        struct Case: Decodable {
            var id: String
            var mechanisms: [Mechanism]
            var delta, rdp_epsilon, rdp_optimal_order, exact_epsilon: Double
        }
        struct DeltaQuery: Decodable {
            var id: String
            var mechanisms: [Mechanism]
            var epsilon, rdp_delta, rdp_optimal_order: Double
        }
        struct Meta: Decodable { struct RDP: Decodable { var orders: [Double] }; var rdp: RDP }
        var meta: Meta
        var cases: [Case]
        var delta_queries: [DeltaQuery]
    }

    func reference() throws -> Reference {
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/privacy-accounting.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    func accountant(_ mechanisms: [Reference.Mechanism]) -> RDPAccountant {
        var a = RDPAccountant()
        for m in mechanisms { a.compose(noiseMultiplier: m.noise_multiplier, count: m.count) }
        return a
    }

    func testTheDefaultOrdersAreDpAccountingsOwn() throws {
        XCTAssertEqual(RDPAccountant.defaultOrders, try reference().meta.rdp.orders)
        XCTAssertEqual(RDPAccountant.defaultOrders.count, 156)
    }

    func testEpsilonsMatchDpAccountingAndNeverUndercutTheExactValue() throws {
        for c in try reference().cases {
            let (epsilon, order) = accountant(c.mechanisms).epsilon(delta: c.delta)
            XCTAssertEqual(epsilon, c.rdp_epsilon, accuracy: 1e-9 * c.rdp_epsilon, c.id)
            XCTAssertEqual(order, c.rdp_optimal_order, c.id)
            XCTAssertGreaterThanOrEqual(epsilon, c.exact_epsilon * (1 - 1e-9), "\(c.id): RDP is an upper bound on the exact ε")
        }
    }

    func testDeltasMatchDpAccounting() throws {
        for q in try reference().delta_queries {
            let (delta, order) = accountant(q.mechanisms).delta(epsilon: q.epsilon)
            XCTAssertEqual(delta, q.rdp_delta, accuracy: 1e-9 * q.rdp_delta, q.id)
            XCTAssertEqual(order, q.rdp_optimal_order, q.id)
        }
    }

    /// Found by the deterministic simulation: a stored release without DP noise (z = 0,
    /// count 0) composed as ∞, so an identity's restored budget refused every later release.
    func testZeroReleasesComposeNothing() {
        var a = RDPAccountant()
        a.compose(noiseMultiplier: 2, count: 1)
        let before = a.epsilon(delta: 1e-5).epsilon
        a.compose(noiseMultiplier: 0, count: 0)
        XCTAssertEqual(a.epsilon(delta: 1e-5).epsilon, before)
        a.compose(noiseMultiplier: 0, count: 1)
        XCTAssertEqual(a.epsilon(delta: 1e-5).epsilon, .infinity, "one release without noise is no privacy at all")
    }
}
