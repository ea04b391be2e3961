import CoordinatorCore
import FairwayCore
import FairwayWire
import XCTest

/// The coordinator's cloud allocation room without sockets: shares from reports at a boundary,
/// quotas enforced, refusals that change nothing, idempotent offloads, reports that move shares.
final class CloudAllocationRoomTests: XCTestCase {
    let e1 = NodeID(unchecked: "edge-1"), e2 = NodeID(unchecked: "edge-2"), e3 = NodeID(unchecked: "edge-3")
    let now = Timestamp(unixMilliseconds: 1_000_000)

    func resources(_ rps: Double, labelled: UInt64 = 100, shard: UInt64 = 400, gamma: Double = 0.3) -> EdgeResources {
        EdgeResources(inferenceRPS: rps, trainingSteps: 5, labelledSamples: labelled, shardSamples: shard,
                      gammaInference: gamma, gammaCompute: gamma, gammaLabels: gamma)
    }

    func room(_ rps: Double = 12) -> CloudAllocation {
        var s = CloudAllocation.Settings()
        s.inferenceRPS = rps
        return CloudAllocation(settings: s)
    }

    func testSharesAreTheExactWaterLevelAndOnlyForReportingLiveEdges() throws {
        var r = room()
        r.onReport(resources(2), from: e1)
        r.onReport(resources(5), from: e2)
        r.onReport(resources(8), from: e3)
        let d = r.onEpochBoundary(epoch: 7, liveEdges: [e1, e2, e3, NodeID(unchecked: "edge-silent")], epochMilliseconds: 1000)
        guard case .persist(let record) = try XCTUnwrap(d.first) else { return XCTFail("expected persist") }
        XCTAssertEqual(record.epoch, 7)
        XCTAssertEqual(record.rows.map(\.edge), [e1, e2, e3], "edges without a report get no share")
        XCTAssertEqual(record.rows.map(\.share.inferenceRPS)[0], 7, accuracy: 1e-9)
        XCTAssertEqual(record.rows.map(\.share.inferenceRPS)[1], 4, accuracy: 1e-9)
        XCTAssertEqual(record.rows.map(\.share.inferenceRPS)[2], 1, accuracy: 1e-9)
        XCTAssertEqual(record.rows.map(\.share.inferenceQuota), [7, 4, 1])
        // DL: Σ labels ≤ T, never beyond an edge's unlabelled rest; Σ steps = the budget.
        XCTAssertLessThanOrEqual(record.rows.reduce(0) { $0 + $1.share.labels }, 200)
        XCTAssertEqual(record.rows.reduce(0) { $0 + $1.share.trainingSteps }, 10, accuracy: 1e-9)
        XCTAssertEqual(r.share(for: e1)?.inferenceQuota, 7)
    }

    func testQuotaEnforcedRefusalChangesNothingAndResendsCountOnce() throws {
        var r = room()
        r.onReport(resources(8), from: e1)
        r.onReport(resources(8), from: e2)
        _ = r.onEpochBoundary(epoch: 3, liveEdges: [e1, e2], epochMilliseconds: 500)  // 6 rps × 0.5 s = quota 3
        XCTAssertEqual(r.share(for: e1)?.inferenceQuota, 3)
        func offload(_ id: UInt8) -> CloudInferenceRequest { CloudInferenceRequest(requestID: [id], agentID: NodeID(unchecked: "a"), cost: 1, features: []) }
        for i in 0..<3 {
            let (remaining, epoch, d) = try r.onOffload(offload(UInt8(i)), from: e1, now: now, nextEpochAt: now.adding(milliseconds: 300))
            XCTAssertEqual(remaining, UInt64(2 - i))
            XCTAssertEqual(epoch, 3)
            XCTAssertEqual(d, [.persistUsage(epoch: 3, edge: e1, used: UInt64(i + 1))])
        }
        // A resend of a served request: answered again, not counted.
        let again = try r.onOffload(offload(1), from: e1, now: now, nextEpochAt: now.adding(milliseconds: 300))
        XCTAssertTrue(again.directives.isEmpty)
        // Beyond the quota: refused with the reason and a retry-after until the next epoch.
        let before = r.share(for: e1)
        XCTAssertThrowsError(try r.onOffload(offload(9), from: e1, now: now, nextEpochAt: now.adding(milliseconds: 300))) { error in
            let e = error as! FairwayError
            XCTAssertEqual(e.code, .capacityExhausted)
            XCTAssertEqual(e.retryAfterMilliseconds, 300)
            XCTAssertTrue(e.message.contains("3 of 3"), e.message)
        }
        XCTAssertEqual(r.share(for: e1), before, "a refusal changes no share")
        XCTAssertEqual(r.refused[e1], 1)
        // The other edge's quota is its own.
        XCTAssertNoThrow(try r.onOffload(offload(1), from: e2, now: now, nextEpochAt: now))
        // An edge with no share yet is refused too.
        XCTAssertThrowsError(try r.onOffload(offload(1), from: e3, now: now, nextEpochAt: now.adding(milliseconds: 300)))
        // The next epoch resets use.
        _ = r.onEpochBoundary(epoch: 4, liveEdges: [e1, e2], epochMilliseconds: 500)
        XCTAssertEqual(r.share(for: e1)?.inferenceUsed, 0)
        XCTAssertNoThrow(try r.onOffload(offload(1), from: e1, now: now, nextEpochAt: now))
    }

    func testAChangedReportMovesTheShareAtTheNextBoundaryOnly() {
        var r = room()
        r.onReport(resources(2), from: e1)
        r.onReport(resources(8), from: e2)
        _ = r.onEpochBoundary(epoch: 1, liveEdges: [e1, e2], epochMilliseconds: 1000)
        let before = r.share(for: e2)!.inferenceRPS
        r.onReport(resources(0.5), from: e2)
        XCTAssertEqual(r.share(for: e2)!.inferenceRPS, before, "a report changes nothing before the boundary")
        _ = r.onEpochBoundary(epoch: 2, liveEdges: [e1, e2], epochMilliseconds: 1000)
        XCTAssertGreaterThan(r.share(for: e2)!.inferenceRPS, before + 3)
        // A harder task (larger γ) at equal capacity draws more (eq. 6).
        r.onReport(resources(2, gamma: 0.8), from: e1)
        r.onReport(resources(2, gamma: 0.3), from: e2)
        _ = r.onEpochBoundary(epoch: 3, liveEdges: [e1, e2], epochMilliseconds: 1000)
        XCTAssertGreaterThan(r.share(for: e1)!.inferenceRPS, r.share(for: e2)!.inferenceRPS)
        // A dead edge's report no longer counts.
        r.onEdgeGone(e2)
        _ = r.onEpochBoundary(epoch: 4, liveEdges: [e1, e2], epochMilliseconds: 1000)
        XCTAssertEqual(r.share(for: e1)!.inferenceRPS, 12, accuracy: 1e-9)
        XCTAssertNil(r.share(for: e2))
    }

    func testTheChosenAllocatorIsUsed() {
        var s = CloudAllocation.Settings()
        s.inferenceRPS = 12
        s.allocator = .uniform
        var r = CloudAllocation(settings: s)
        r.onReport(resources(2), from: e1)
        r.onReport(resources(8), from: e2)
        _ = r.onEpochBoundary(epoch: 1, liveEdges: [e1, e2], epochMilliseconds: 1000)
        XCTAssertEqual(r.share(for: e1)!.inferenceRPS, 6, accuracy: 1e-12)
        XCTAssertEqual(r.status(epoch: 1, names: [e1: "edge-1"]).allocator, "uniform")
        XCTAssertEqual(r.status(epoch: 1, names: [e1: "edge-1"]).edges.first?.name, "edge-1")
    }
}
