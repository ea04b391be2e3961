import CloudCoordinator
import CoordinatorCore
import FairwayCore
import FairwayTestSupport
import GRDB
import XCTest

/// The cloud allocation's durable record: what the coordinator commits at a boundary and per
/// offload is what a restarted coordinator resumes with (the latest epoch, with its use).
final class CloudTablesTests: XCTestCase {
    func testAllocationAndUseSurviveARestart() throws {
        let dir = temporaryDirectory()
        let e1 = NodeID(unchecked: "edge-1"), e2 = NodeID(unchecked: "edge-2")
        let reported = EdgeResources(inferenceRPS: 2, trainingSteps: 5, labelledSamples: 100, shardSamples: 400,
                                     gammaInference: 0.3, gammaCompute: 0.25, gammaLabels: 0.4, gammaPoints: 3)
        func record(_ epoch: UInt64, _ rps: Double) -> CloudAllocationRecord {
            CloudAllocationRecord(epoch: epoch, allocator: "fair-synergy", rows: [
                .init(edge: e1, reported: reported, share: CloudShare(epoch: epoch, inferenceRPS: rps, inferenceQuota: UInt64(rps), trainingSteps: 6.5, labels: 120)),
                .init(edge: e2, reported: reported, share: CloudShare(epoch: epoch, inferenceRPS: 12 - rps, inferenceQuota: UInt64(12 - rps), trainingSteps: 3.5, labels: 80)),
            ])
        }
        do {
            let store = try CoordinatorStore(directory: dir)
            let directives: [CoordinatorInstance.Directive] = [
                .cloud(.persist(record(4, 7))), .cloud(.persist(record(5, 8))),
                .cloud(.persistUsage(epoch: 5, edge: e1, used: 3)), .cloud(.persistUsage(epoch: 4, edge: e2, used: 1)),
            ]
            let writes = CoordinatorStore.writes(for: directives) { $0 }
            try store.writer.write { db in for w in writes { try w(db) } }
        }
        let restored = try XCTUnwrap(try CoordinatorStore(directory: dir).load().cloud)
        var want = record(5, 8)
        want.rows[0].share.inferenceUsed = 3
        XCTAssertEqual(restored, want, "the latest epoch's allocation, with its use")
        var room = CloudAllocation(settings: CloudAllocation.Settings(), restored: restored)
        XCTAssertEqual(room.share(for: e1)?.inferenceRemaining, 5)
        XCTAssertNoThrow(try room.onOffload(CloudInferenceRequest(requestID: [1], agentID: e1, cost: 1, features: []), from: e1,
                                            now: Timestamp(unixMilliseconds: 1), nextEpochAt: Timestamp(unixMilliseconds: 2)))
    }
}
