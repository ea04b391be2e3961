import FairwayControlJSON
import FairwayCore
import FairwayRuntime
import FairwayTestSupport
import Foundation
import XCTest

/// Issue 10, acceptance 3, with real processes: both contract periods with edge servers of
/// different types; each picks its own item, trains, uploads and is paid once after
/// integration; `kill -9` of the coordinator between integration and settlement neither loses
/// nor repeats a payment; an edge killed before delivering is not paid; agents' inference
/// answers come from the integrated module and their observed accuracy is above the bar.
final class ContractClusterTests: XCTestCase {
    static let dataset = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../data/uci-digits-8x8.csv").standardized.path
    let epochMilliseconds = 1000
    let periodEpochs = 6

    func contract(_ url: String) async -> ContractDocument? {
        guard let (code, out, _) = try? await runTool("fairwayctl", ["contract", "show", "--coordinator", url, "--json", "--timeout-ms", "1000"]),
              code == 0 else { return nil }
        return try? JSONDecoder().decode(ContractDocument.self, from: Data(out.utf8))
    }

    func payments(_ url: String) async throws -> [DatRecordLine] {
        let (code, out, err) = try await runTool("fairwayctl", ["ledger", "export", "--coordinator", url])
        XCTAssertEqual(code, 0, err)
        return try out.split(separator: "\n").map { try JSONDecoder().decode(DatRecordLine.self, from: Data($0.utf8)) }.filter { $0.kind == "payment" }
    }

    func testTwoPeriodsPaidOnceAcrossCoordinatorCrashAndTheModuleAnswersAgents() async throws {
        let d = Self.dataset
        // edge-1: type 0 then 0; edge-2: type 1 then 1; edge-3: type 1 then 0; edge-4 takes an
        // item but its uplink is slow and it is killed before it delivers.
        let types = [(0, 0), (1, 1), (1, 0), (0, 1)]
        var args = ["--edges", "4", "--agents", "2", "--epoch-ms", "\(epochMilliseconds)", "--inference-rate", "20", "--bucket-size", "50",
                    "--tokens-per-epoch", "400",
                    "--coordinator-flags=--contracts-period-epochs \(periodEpochs) --contracts-start-epoch 2 --contracts-data-path \(d)",
                    "--edge-flags=*:--contract-data-path \(d) --contract-shards 4 --contract-poll-ms 200",
                    "--edge-flags=4:--contract-upload-delay-ms 600000"]
        for (i, t) in types.enumerated() {
            args.append("--edge-flags=\(i + 1):--contract-shard \(i) --contract-type1 \(t.0) --contract-type2 \(t.1)")
        }
        try await withProcessCluster("contracts", args + ["--agent-group", "askers:1:--workload-inputs \(d)"]) { dir, url in
            var cluster = try LocalCluster.load(directory: dir)
            await eventually(20, "4 edges alive") { (await statusJSON(url))?.filter { $0.role == "edge-server" && $0.state == "alive" }.count == 4 }
            let status = await statusJSON(url)
            let edges = try XCTUnwrap(status).filter { $0.role == "edge-server" }.sorted { $0.name < $1.name }
            guard edges.count == 4 else { return XCTFail("expected 4 edges, got \(edges.count)") }
            let ids = edges.map(\.id)

            // Period 1: the three live edges integrate; edge-4 has chosen but not delivered.
            var doc = try await wait(url, "three integrations and edge-4's choice in period 1") { doc in
                let rows = Dictionary(uniqueKeysWithValues: doc.edges.map { ($0.edge_id, $0) })
                return doc.round == 1 && doc.period == 1 && ids.prefix(3).allSatisfy { rows[$0]?.integrated1 == true } && rows[ids[3]]?.period1_item != nil
            }
            let rows1 = Dictionary(uniqueKeysWithValues: doc.edges.map { ($0.edge_id, $0) })
            for (i, t) in types.enumerated() {
                XCTAssertEqual(rows1[ids[i]]?.period1_item, t.0, "edge-\(i + 1) of period-1 type \(t.0) takes item \(t.0) (intertemporal IC)")
            }
            XCTAssertTrue(doc.edges.allSatisfy { $0.paid1 == 0 }, "nobody is paid before the deadline")
            try cluster.signal("edge-4", SIGKILL)

            // kill -9 the coordinator between integration and settlement, and restart it.
            try cluster.signal("coordinator", SIGKILL)
            try await Task.sleep(for: .milliseconds(300))
            try cluster.restart("coordinator")

            doc = try await wait(url, "period 1 settled", seconds: 40) { $0.round == 1 && $0.period == 2 }
            let paid1 = Dictionary(uniqueKeysWithValues: doc.edges.map { ($0.edge_id, $0.paid1) })
            for i in 0..<3 {
                XCTAssertEqual(try XCTUnwrap(paid1[ids[i]]), doc.R1[types[i].0], accuracy: 1e-9, "edge-\(i + 1) paid R1 of its item")
            }
            XCTAssertEqual(paid1[ids[3]] ?? 0, 0, "edge-4 did not deliver: not paid")
            XCTAssertGreaterThanOrEqual(doc.module_version, 1)
            XCTAssertGreaterThanOrEqual(doc.module_accuracy, 0.8)

            // Period 2, then its settlement.
            doc = try await wait(url, "period 2 settled", seconds: 60) { $0.round >= 2 }
            let ledger = try await payments(url)
            let period1 = ledger.filter { $0.contract_round == 1 && $0.contract_period == 1 }
            let period2 = ledger.filter { $0.contract_round == 1 && $0.contract_period == 2 }
            XCTAssertEqual(Set(period1.map(\.agent_id)), Set(ids.prefix(3)), "each live edge paid exactly once for period 1")
            XCTAssertEqual(period1.count, 3, "no payment repeated across the coordinator's crash")
            XCTAssertEqual(period2.count, 3, "each live edge paid exactly once for period 2")
            for p in period2 {
                let i = try XCTUnwrap(ids.firstIndex(of: p.agent_id))
                XCTAssertEqual(p.contract_item.map(Int.init), types[i].1, "edge-\(i + 1) of period-2 type \(types[i].1) took item \(types[i].1)")
                XCTAssertEqual(p.credit, doc.R2[types[i].0][types[i].1], accuracy: 1e-9)
            }
            let (vcode, vout, _) = try await runTool("fairwayctl", ["ledger", "verify", "--coordinator", url])
            XCTAssertEqual(vcode, 0, vout)

            // Agents' answers come from the integrated module, right at least as often as the bar.
            let usagePath = (dir as NSString).appendingPathComponent("data/askers/usage.json")
            await eventually(20, "the askers saw predictions of an integrated module") {
                guard let data = FileManager.default.contents(atPath: usagePath),
                      let rows = try? JSONDecoder().decode([UsageRow].self, from: data), let u = rows.first?.usage else { return false }
                return u.predictions >= 20 && u.moduleVersion >= 1
            }
            let rows = try JSONDecoder().decode([UsageRow].self, from: try XCTUnwrap(FileManager.default.contents(atPath: usagePath)))
            let usage = try XCTUnwrap(rows.first?.usage)
            XCTAssertGreaterThanOrEqual(usage.observedAccuracy, 0.8, "observed accuracy \(usage.observedAccuracy) over \(usage.predictions) answers")
            await (try LocalCluster.load(directory: dir)).down(grace: .seconds(2))
        }
    }

    func wait(_ url: String, _ what: String, seconds: Double = 30, _ condition: @escaping (ContractDocument) -> Bool) async throws -> ContractDocument {
        var last: ContractDocument?
        await eventually(seconds, what, poll: .milliseconds(200)) {
            guard let doc = await contract(url) else { return false }
            last = doc
            return condition(doc)
        }
        return try XCTUnwrap(last)
    }
}
