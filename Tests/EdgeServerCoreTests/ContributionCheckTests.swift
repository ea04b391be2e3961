import EdgeServerCore
import FairwayCore
import FairwayTestSupport
import FairwayWire
import XCTest

/// The edge validates a contribution before it forwards it: each refusal names the field and
/// nothing is forwarded.
final class ContributionCheckTests: XCTestCase {
    let agent = testKey(9).nodeID

    func contribution(dimension: Int = 16, count: Double = 40, mode: PrivacyMode = .multimodal, epsilon: Double = 1, delta: Double = 1e-6,
                      noiseMultiplier: Double = 3, prototypes: Int = 2) -> Contribution {
        let v = (0..<dimension).map { $0 == 0 ? 1.0 : 0 }
        return Contribution(prototypes: Array(repeating: Prototype(image: v, text: v, count: count), count: prototypes), mode: mode,
                            epsilon: epsilon, delta: delta, noiseMultiplier: noiseMultiplier, sequence: 1, records: 80)
    }

    func refusal(_ c: Contribution, _ settings: ContributionCheck.Settings = .init()) -> FairwayError? {
        do { try ContributionCheck(settings: settings).check(c, from: agent); return nil } catch { return error as? FairwayError }
    }

    func testAValidContributionPasses() {
        XCTAssertNil(refusal(contribution()))
        XCTAssertNil(refusal(contribution(mode: .none, epsilon: 0, delta: 0, noiseMultiplier: 0)))
    }

    func testEachViolationIsNamed() {
        XCTAssertEqual(refusal(contribution(dimension: 8))?.field, "contribution.prototypes[0].image")
        XCTAssertEqual(refusal(contribution(prototypes: 0))?.field, "contribution.prototypes")
        XCTAssertEqual(refusal(contribution(prototypes: 65))?.field, "contribution.prototypes")
        XCTAssertEqual(refusal(contribution(count: 1e7))?.field, "contribution.prototypes[0].count")
        XCTAssertEqual(refusal(contribution(epsilon: 11))?.field, "contribution.epsilon")
        XCTAssertEqual(refusal(contribution(epsilon: 0))?.field, "contribution.epsilon")
        XCTAssertEqual(refusal(contribution(delta: 0.01))?.field, "contribution.delta")
        XCTAssertEqual(refusal(contribution(noiseMultiplier: 0))?.field, "contribution.noise_multiplier")
        XCTAssertEqual(refusal(contribution(mode: .imageOnly, epsilon: 1, delta: 1e-6))?.field, "contribution.epsilon", "no guarantee may be claimed without one")
        var strict = ContributionCheck.Settings()
        strict.allowedModes = ["multimodal"]
        XCTAssertEqual(refusal(contribution(mode: .none, epsilon: 0, delta: 0, noiseMultiplier: 0), strict)?.field, "contribution.mode")
        var big = contribution()
        big.prototypes[1].text[3] = 500
        XCTAssertEqual(refusal(big)?.field, "contribution.prototypes[1].text")
    }

    func testTheWireRefusesNonFiniteAndRaggedPrototypes() throws {
        let key = testKey(9)
        var c = contribution()
        c.prototypes[0].image[2] = .nan
        let sealed = WireCodec.seal(Envelope(sender: key.nodeID, sentAt: Timestamp(unixMilliseconds: 1), payload: .contribution(c)), signedBy: key)
        XCTAssertThrowsError(try WireCodec.open(sealed)) { error in
            let e = (error as? WireCodec.DecodeFailure)?.error
            XCTAssertEqual(e?.field, "contribution.prototypes[0].image[2]")
        }
        var ragged = contribution()
        ragged.prototypes[1].text.removeLast()
        let sealed2 = WireCodec.seal(Envelope(sender: key.nodeID, sentAt: Timestamp(unixMilliseconds: 1), payload: .contribution(ragged)), signedBy: key)
        XCTAssertThrowsError(try WireCodec.open(sealed2)) { error in
            XCTAssertEqual((error as? WireCodec.DecodeFailure)?.error.field, "contribution.prototypes[1]")
        }
    }

    func testTheEdgeRefusesContributionsFromAgentsThatDidNotJoinIt() {
        var edge = EdgeInstance(key: testKey(2))
        edge.register(coordinator: testKey(1).nodeID, now: Timestamp(unixMilliseconds: 1))
        let env = Envelope(sender: agent, sentAt: Timestamp(unixMilliseconds: 1), payload: .contribution(contribution()))
        guard case .failure(let e) = edge.onAgentContribution(VerifiedRequest(env), now: Timestamp(unixMilliseconds: 1)) else { return XCTFail() }
        XCTAssertEqual(e.code, .unknownSender)
    }
}
