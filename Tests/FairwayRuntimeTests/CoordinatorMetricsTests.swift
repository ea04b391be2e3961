@testable import CloudCoordinator
@testable import CoordinatorCore
import FairwayCore
import FairwayRuntime
import XCTest

/// Issue 13: what the coordinator exports from a committed batch's directives: an epoch's
/// duration from committed start to committed start, grants, contract payments (count and
/// amount), and cloud shares per edge (0 once an edge leaves the allocation).
final class CoordinatorMetricsTests: XCTestCase {
    func testCommittedDirectivesBecomeEpochTokenPaymentAndShareMetrics() {
        let node = "coordinator-metrics-\(UInt32.random(in: 0...UInt32.max))"
        let metrics = CoordinatorMetrics(node: node, restoredEpochStart: Timestamp(unixMilliseconds: 10_000))
        let e1 = NodeID(unchecked: "fw-edge-1"), e2 = NodeID(unchecked: "fw-edge-2")
        let resources = EdgeResources(inferenceRPS: 4, trainingSteps: 5, labelledSamples: 10, shardSamples: 100,
                                      gammaInference: 0.3, gammaCompute: 0.3, gammaLabels: 0.3)
        func row(_ edge: NodeID, _ rps: Double) -> CloudAllocationRecord.Row {
            .init(edge: edge, reported: resources, share: CloudShare(epoch: 7, inferenceRPS: rps, trainingSteps: 2.5, labels: 40))
        }
        let payment = Contracts.Payment(edge: e1, round: 1, period: 2, item: 0, reward: 2.5, accuracy: 0.9, moduleDigest: [])
        metrics.committed([
            .epoch(.persist(epoch: 7, startedAt: Timestamp(unixMilliseconds: 12_500))),
            .tokens(.persistGrants(EpochRecord(epoch: 7, startedAt: Timestamp(unixMilliseconds: 12_500), totalTokens: 10, granted: 9,
                                               allocator: "proportional", agents: 3), grants: [:], accounts: [])),
            .cloud(.persist(CloudAllocationRecord(epoch: 7, allocator: "fair-synergy", rows: [row(e1, 13), row(e2, 7)]))),
            .contracts(.pay(payment)),
        ])
        metrics.committed([
            .cloud(.persist(CloudAllocationRecord(epoch: 8, allocator: "fair-synergy", rows: [row(e1, 20)]))),
            .contracts(.pay(payment)),
        ])
        let text = String(decoding: FairwayMetrics.exposition(), as: UTF8.self)
        func has(_ line: String) { XCTAssertTrue(text.contains(line + "\n"), "missing \(line) in:\n\(text)") }
        has("fairway_epoch{node=\"\(node)\"} 7.0")
        has("fairway_epochs_completed_total{node=\"\(node)\"} 1")
        has("fairway_epoch_duration_seconds_sum{node=\"\(node)\"} 2.5")
        has("fairway_epoch_duration_seconds_bucket{node=\"\(node)\",le=\"2.5\"} 1")
        has("fairway_epoch_duration_seconds_bucket{node=\"\(node)\",le=\"1.0\"} 0")
        has("fairway_tokens_granted_total{node=\"\(node)\"} 9")
        has("fairway_contract_payments_total{node=\"\(node)\"} 2")
        has("fairway_contract_rewards_total{node=\"\(node)\"} 5.0")
        has("fairway_cloud_share_inference_requests_per_second{node=\"\(node)\",edge=\"fw-edge-1\"} 20.0")
        has("fairway_cloud_share_inference_requests_per_second{node=\"\(node)\",edge=\"fw-edge-2\"} 0.0")
        has("fairway_cloud_share_labels{node=\"\(node)\",edge=\"fw-edge-1\"} 40.0")
    }
}
