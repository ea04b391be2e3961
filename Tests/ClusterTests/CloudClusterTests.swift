import FairwayControlJSON
import FairwayCore
import FairwayRuntime
import FairwayTestSupport
import Foundation
import XCTest

/// Issue 11, acceptance 3, with real processes: three saturated edge servers of different own
/// capacity receive Fair-Synergy shares of the cloud's inference capacity every epoch (the
/// poorest edge the most, eq. 5); they offload only within their shares — the coordinator's
/// count never exceeds an epoch's quota and offloads beyond it are refused — and an edge that
/// restarts reporting less capacity gets a larger share from the next epoch on.
final class CloudClusterTests: XCTestCase {
    let cloudRPS = 12.0

    func cloud(_ url: String) async -> CloudDocument? {
        guard let (code, out, _) = try? await runTool("fairwayctl", ["cloud", "--coordinator", url, "--json", "--timeout-ms", "1000"]), code == 0 else { return nil }
        return try? JSONDecoder().decode(CloudDocument.self, from: Data(out.utf8))
    }

    func testEdgesGetSharesEachEpochOffloadWithinThemAndReportedResourcesMoveThem() async throws {
        let args = ["--edges", "3", "--agents", "6", "--epoch-ms", "1000", "--inference-rate", "10", "--bucket-size", "1000",
                    "--tokens-per-epoch", "6000", "--heartbeat-interval-ms", "300",
                    "--coordinator-flags=--cloud-inference-rps \(cloudRPS)",
                    "--edge-flags=1:--cloud-inference-rps 2", "--edge-flags=2:--cloud-inference-rps 5", "--edge-flags=3:--cloud-inference-rps 8"]
        try await withProcessCluster("cloud", args) { dir, url in
            var cluster = try LocalCluster.load(directory: dir)
            await eventually(30, "3 edges alive") { (await statusJSON(url))?.filter { $0.role == "edge-server" && $0.state == "alive" }.count == 3 }
            let status = await statusJSON(url)
            let names = Dictionary(uniqueKeysWithValues: try XCTUnwrap(status).filter { $0.role == "edge-server" }.map { ($0.id, $0.name) })

            // Shares for all three edges, the whole capacity spent, the poorest edge first.
            var doc: CloudDocument?
            await eventually(30, "shares for three reporting edges") {
                doc = await self.cloud(url)
                return doc.map { d in d.epoch > 0 && d.edges.count == 3 && d.edges.allSatisfy { $0.share_epoch == d.epoch } } ?? false
            }
            var first = try XCTUnwrap(doc)
            func byName(_ d: CloudDocument) -> [String: CloudDocument.Edge] {
                Dictionary(uniqueKeysWithValues: d.edges.map { (names[$0.edge_id] ?? $0.edge_id, $0) })
            }
            var rows = byName(first)
            XCTAssertEqual(first.edges.reduce(0) { $0 + $1.inference_rps }, cloudRPS, accuracy: 1e-9, "Σρ = P")
            XCTAssertGreaterThan(rows["edge-1"]!.inference_rps, rows["edge-2"]!.inference_rps, "less own capacity, more cloud (eq. 5)")
            XCTAssertGreaterThan(rows["edge-2"]!.inference_rps, rows["edge-3"]!.inference_rps)
            // Equal default γ: the exact solution is NUM's water level (ρ⁰ + ρ equal for all funded edges).
            let levels = first.edges.map { $0.local_inference_rps + $0.inference_rps }
            XCTAssertEqual(levels.max()! - levels.min()!, 0, accuracy: 1e-9, "water-filling level")
            for e in first.edges { XCTAssertEqual(e.inference_quota, UInt64((e.inference_rps * 1.0 + 1e-9).rounded(.down)), "quota = ⌊rps × 1 s⌋") }

            // Several epochs: a new allocation each epoch; the coordinator's count never exceeds
            // an epoch's quota, while demand (20 requests/s per edge) exceeds every edge's capacity.
            var epochs: Set<UInt64> = []
            let until = ContinuousClock.now + .seconds(6)
            while ContinuousClock.now < until {
                if let d = await cloud(url) {
                    epochs.insert(d.epoch)
                    for e in d.edges { XCTAssertLessThanOrEqual(e.inference_used, e.inference_quota, "epoch \(d.epoch) \(names[e.edge_id] ?? "")") }
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            XCTAssertGreaterThanOrEqual(epochs.count, 4, "shares recomputed every epoch: saw \(epochs.sorted())")
            let later = await cloud(url)
            rows = byName(try XCTUnwrap(later))
            XCTAssertGreaterThan(rows["edge-1"]!.offloaded_total, 0, "edge-1 offloads within its share")
            // Beyond it the edge refuses itself once it knows its share is used up; it asks (and
            // the coordinator refuses) only while its view is stale. The agents see the refusals.

            // The agents saw cloud answers and capacity refusals with a retry-after.
            let usage = try JSONDecoder().decode([UsageRow].self, from: Data(contentsOf: URL(fileURLWithPath: "\(dir)/data/agents/usage.json")))
            XCTAssertGreaterThan(usage.reduce(0) { $0 + $1.usage.servedByCloud }, 0, "some inference answered by the cloud")
            XCTAssertGreaterThan(usage.reduce(0) { $0 + $1.usage.capacityRefused }, 0, "some refused beyond the share: edge and share saturated")
            XCTAssertTrue(usage.contains { $0.usage.lastRefusal.contains("cloud") || $0.usage.lastRefusal.contains("saturated") }, usage.map(\.usage.lastRefusal).joined(separator: " | "))

            // edge-3 restarts with 1 request/s of its own: from the next epoch its share grows.
            let current = await cloud(url)
            first = try XCTUnwrap(current)
            let before = try XCTUnwrap(byName(first)["edge-3"]).inference_rps
            try cluster.signal("edge-3", SIGKILL)
            try await Task.sleep(for: .milliseconds(200))
            try cluster.restart("edge-3", extraArguments: ["--cloud-inference-rps", "1"])
            await eventually(30, "edge-3's new report allocated") {
                doc = await self.cloud(url)
                return doc.map { d in byName(d)["edge-3"].map { $0.local_inference_rps == 1 && $0.share_epoch == d.epoch } ?? false } ?? false
            }
            let after = try XCTUnwrap(doc)
            XCTAssertGreaterThan(after.epoch, first.epoch)
            rows = byName(after)
            XCTAssertGreaterThan(rows["edge-3"]!.inference_rps, before + 3, "edge-3: \(before) → \(rows["edge-3"]!.inference_rps) requests/s")
            XCTAssertGreaterThan(rows["edge-3"]!.inference_rps, rows["edge-2"]!.inference_rps)
            XCTAssertEqual(after.edges.reduce(0) { $0 + $1.inference_rps }, cloudRPS, accuracy: 1e-9)
        }
    }
}
