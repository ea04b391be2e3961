import FairwayCore
import Foundation
import XCTest

/// `Tests/Reference/gaussian-mechanism.json` (ground truth computed outside this project):
/// σ for (ε, δ)-DP, analytic and classical, to 1e-9 relative; the classical σ refused exactly
/// where it is not private.
final class GaussianMechanismTests: XCTestCase {
    struct Reference: Decodable {
        struct Vector: Decodable {
            var epsilon, delta, l2_sensitivity, sigma_classical, sigma_analytic, exact_delta_at_sigma_classical: Double
            var classical_sigma_actually_satisfies_eps_delta: Bool
        }
        var vectors: [Vector]
        var classical_formula_failure_threshold: [String: AnyThreshold]
    }

    /// The thresholds object mixes a note (text) with numbers.
    enum AnyThreshold: Decodable {
        case number(Double), text(String)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .text(try c.decode(String.self)) }
        }
    }

    func reference() throws -> Reference {
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/gaussian-mechanism.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    func testSigmasMatchTheReferenceAndTheClassicalOneIsRefusedWhereNotPrivate() throws {
        for v in try reference().vectors {
            let what = "ε=\(v.epsilon) δ=\(v.delta) Δ=\(v.l2_sensitivity)"
            let analytic = try GaussianMechanism.sigma(epsilon: v.epsilon, delta: v.delta, sensitivity: v.l2_sensitivity)
            XCTAssertEqual(analytic, v.sigma_analytic, accuracy: 1e-9 * v.sigma_analytic, "analytic \(what)")
            XCTAssertGreaterThanOrEqual(analytic, v.sigma_analytic * (1 - 1e-12), "never less noise than the exact minimum: \(what)")
            XCTAssertEqual(GaussianMechanism.classicalSigma(epsilon: v.epsilon, delta: v.delta, sensitivity: v.l2_sensitivity),
                           v.sigma_classical, accuracy: 1e-9 * v.sigma_classical, "classical formula \(what)")
            XCTAssertEqual(GaussianMechanism.exactDelta(sigma: v.sigma_classical, epsilon: v.epsilon, sensitivity: v.l2_sensitivity),
                           v.exact_delta_at_sigma_classical, accuracy: 1e-9 * v.exact_delta_at_sigma_classical, "exact δ \(what)")
            let classical = Result { try GaussianMechanism.sigma(epsilon: v.epsilon, delta: v.delta, sensitivity: v.l2_sensitivity, calibration: .classical) }
            switch (classical, v.classical_sigma_actually_satisfies_eps_delta) {
            case (.success(let s), true): XCTAssertEqual(s, v.sigma_classical, accuracy: 1e-9 * v.sigma_classical, what)
            case (.failure, false): break
            case (.success, false): XCTFail("classical σ accepted where it is not (ε, δ)-DP: \(what)")
            case (.failure(let e), true): XCTFail("classical σ refused where it is private: \(what): \(e)")
            }
        }
    }

    /// The paper's eq. 21 stops being private at the reference's thresholds: refused just above,
    /// accepted just below.
    func testTheClassicalFormulaFailsAboveTheReferenceThresholds() throws {
        for (key, value) in try reference().classical_formula_failure_threshold {
            guard case .number(let threshold) = value, key.hasPrefix("delta=") , let delta = Double(key.dropFirst(6)) else { continue }
            XCTAssertNoThrow(try GaussianMechanism.sigma(epsilon: threshold * 0.999, delta: delta, sensitivity: 1, calibration: .classical), key)
            XCTAssertThrowsError(try GaussianMechanism.sigma(epsilon: threshold * 1.001, delta: delta, sensitivity: 1, calibration: .classical), key) {
                XCTAssertTrue("\($0)".contains("not ("), "\($0)")
            }
            // The analytic σ exists at every ε, and is private by construction.
            let s = try GaussianMechanism.sigma(epsilon: threshold * 1.001, delta: delta, sensitivity: 1)
            XCTAssertLessThanOrEqual(GaussianMechanism.exactDelta(sigma: s, epsilon: threshold * 1.001, sensitivity: 1), delta)
        }
    }

    func testOutOfRangeParametersAreRefusedByName() {
        for (e, d, s, field) in [(0.0, 1e-5, 1.0, "epsilon"), (1, 0, 1, "delta"), (1, 1, 1, "delta"), (1, 1e-5, -1, "sensitivity"), (.nan, 1e-5, 1, "epsilon")] {
            XCTAssertThrowsError(try GaussianMechanism.sigma(epsilon: e, delta: d, sensitivity: s)) {
                XCTAssertEqual(($0 as? GaussianMechanism.Refusal)?.field, field)
            }
        }
    }
}
