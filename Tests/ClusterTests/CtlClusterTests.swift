import FairwayControlJSON
import FairwayCore
import FairwayRuntime
import FairwayTestSupport
import Foundation
import XCTest

/// `fairwayctl`'s scripting verbs against real processes on loopback: each `--json` document
/// parses, and a failure exits non-zero naming the error code and the field.
final class CtlClusterTests: XCTestCase {
    static let dataset = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../data/uci-digits-8x8.csv").standardized.path

    func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("fairway-ctl-\(name)-\(UUID().uuidString.prefix(8))").path
    }

    func decode<T: Decodable>(_ type: T.Type, _ out: String, file: StaticString = #filePath, line: UInt = #line) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(out.utf8)) } catch {
            XCTFail("not a \(type) document: \(out)", file: file, line: line)
            throw error
        }
    }

    func testSubmitRequestGrantsPrivacyLedgerWatchAndTheReadVerbs() async throws {
        try await withProcessCluster("ctl", ["--edges", "1", "--agents", "2", "--epoch-ms", "500"]) { dir, url in
            let cluster = try LocalCluster.load(directory: dir)
            let edge = cluster.edgeURLs[0]
            await eventually(15, "4 alive nodes") { (await statusJSON(url))?.filter { $0.state == "alive" }.count == 4 }
            let key = temporary("agent") + ".key"
            let budget = temporary("budget")

            // submit: joins, releases block 1 (charged to the budget file first), prints the receipt.
            let submit = ["submit", "--edge", edge, "--key-file", key, "--data-path", Self.dataset, "--data-dir", budget,
                          "--epsilon", "1", "--delta", "1e-6", "--records-per-release", "50", "--json"]
            let (c1, o1, e1) = try await runTool("fairwayctl", submit)
            XCTAssertEqual(c1, 0, e1)
            let r1 = try decode(SubmitDocument.self, o1)
            XCTAssertTrue(r1.joined)
            XCTAssertEqual(r1.sequence, 1)
            XCTAssertEqual(r1.records, 50)
            XCTAssertFalse(r1.duplicate)
            XCTAssertEqual(r1.tree_size, r1.leaf_index + 1)
            // Again: already joined, the next block (from the budget file), the next leaf.
            let (c2, o2, e2) = try await runTool("fairwayctl", submit)
            XCTAssertEqual(c2, 0, e2)
            let r2 = try decode(SubmitDocument.self, o2)
            XCTAssertFalse(r2.joined)
            XCTAssertEqual(r2.sequence, 2)
            XCTAssertGreaterThan(r2.leaf_index, r1.leaf_index)
            XCTAssertEqual(r2.agent_id, r1.agent_id)
            // The table form.
            let (c3, o3, e3) = try await runTool("fairwayctl", submit.dropLast())
            XCTAssertEqual(c3, 0, e3)
            XCTAssertTrue(o3.contains("LEAF"), o3)

            // A bad data path: exit 2, the field named.
            let (bc, _, be) = try await runTool("fairwayctl", ["submit", "--edge", edge, "--key-file", key, "--data-path", "/nonexistent.csv"])
            XCTAssertEqual(bc, 2)
            XCTAssertTrue(be.contains("data.path"), be)

            // privacy: the agent's own budget file and the coordinator's ledger agree on 3 releases.
            let (pc, po, pe) = try await runTool("fairwayctl", ["privacy", "--coordinator", url, "--agent", r1.agent_id, "--data-dir", budget, "--json"])
            XCTAssertEqual(pc, 0, pe)
            let privacy = try decode(PrivacyDocument.self, po)
            XCTAssertEqual(privacy.local.map(\.releases), [3])
            XCTAssertEqual(privacy.coordinator.map(\.releases), [3])
            XCTAssertEqual(privacy.local.first?.agent_id, r1.agent_id)
            XCTAssertGreaterThan(privacy.local.first?.epsilon_spent ?? 0, 0)
            let (pnc, _, pne) = try await runTool("fairwayctl", ["privacy", "--coordinator", url])
            XCTAssertEqual(pnc, 2)
            XCTAssertTrue(pne.contains("--agent"), pne)

            // ledger export: JSON lines with each record's leaf index and hash; ours are there.
            let (lc, lo, le) = try await runTool("fairwayctl", ["ledger", "export", "--coordinator", url])
            XCTAssertEqual(lc, 0, le)
            let lines = try lo.split(separator: "\n").map { try JSONDecoder().decode(DatRecordLine.self, from: Data($0.utf8)) }
            let ours = lines.filter { $0.agent_id == r1.agent_id }.map(\.index)
            XCTAssertEqual(ours.count, 3)
            XCTAssertEqual(Array(ours.prefix(2)), [r1.leaf_index, r2.leaf_index])
            XCTAssertTrue(lines.allSatisfy { $0.leaf_hash.count == 64 })
            XCTAssertEqual(lines.map(\.index), (0..<UInt64(lines.count)).map { $0 })

            // request: once an epoch granted the identity tokens, one inference is charged.
            var served: InferenceDocument?
            await eventually(15, "an inference request served") {
                let (code, out, _) = try await runTool("fairwayctl", ["request", "--edge", edge, "--key-file", key, "--digit-row", "5",
                                                                      "--digits-file", Self.dataset, "--json"])
                guard code == 0 else { return false }
                served = try? JSONDecoder().decode(InferenceDocument.self, from: Data(out.utf8))
                return served != nil
            }
            XCTAssertEqual(served?.charged, 1)
            XCTAssertEqual(served?.agent_id, r1.agent_id)
            XCTAssertNotNil(served?.expected_label)
            let (fc, _, fe) = try await runTool("fairwayctl", ["request", "--edge", edge, "--key-file", key, "--features", "1,x"])
            XCTAssertEqual(fc, 2)
            XCTAssertTrue(fe.contains("--features[1]"), fe)

            // grants: per agent granted/used/remaining; ours used what it was charged.
            let (gc, go, ge) = try await runTool("fairwayctl", ["grants", "--coordinator", url, "--json"])
            XCTAssertEqual(gc, 0, ge)
            let grants = try decode(GrantsDocument.self, go)
            XCTAssertEqual(grants.agents.count, 3)
            let mine = grants.agents.first { $0.agent_id == r1.agent_id }
            XCTAssertGreaterThanOrEqual(mine?.granted ?? 0, 1)
            XCTAssertFalse(grants.epochs.isEmpty)
            XCTAssertEqual(grants.total_granted, grants.agents.reduce(0) { $0 + $1.granted })

            // watch: one JSON line per refresh, then exit 0.
            let (wc, wo, we) = try await runTool("fairwayctl", ["watch", "--coordinator", url, "--interval-ms", "100", "--count", "3", "--json"])
            XCTAssertEqual(wc, 0, we)
            struct Line: Decodable { var refresh: Int; var status: StatusDocument }
            let refreshes = try wo.split(separator: "\n").map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
            XCTAssertEqual(refreshes.map(\.refresh), [1, 2, 3])
            XCTAssertTrue(refreshes.allSatisfy { $0.status.nodes.count == 5 })
            let (tc, to, te) = try await runTool("fairwayctl", ["watch", "--coordinator", url, "--interval-ms", "50", "--count", "2"])
            XCTAssertEqual(tc, 0, te)
            XCTAssertEqual(to.components(separatedBy: "refresh ").count - 1, 2, to)
            let (xc, _, xe) = try await runTool("fairwayctl", ["watch", "--coordinator", url, "--interval-ms", "0"])
            XCTAssertEqual(xc, 2)
            XCTAssertTrue(xe.contains("--interval-ms"), xe)

            // contract show and cloud: one JSON object each.
            for verb in [["contract", "show"], ["cloud"]] {
                let (code, out, err) = try await runTool("fairwayctl", verb + ["--coordinator", url, "--json"])
                XCTAssertEqual(code, 0, err)
                XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], "\(verb): \(out)")
            }
        }
    }

    func testDrainRefusesJoinsHandsAgentsOverSurvivesARestartAndResumes() async throws {
        let admin = temporary("admin") + ".key"
        let (ic, io, ie) = try await runTool("fairwayctl", ["identity", "--key-file", admin, "--json"])
        XCTAssertEqual(ic, 0, ie)
        let adminID = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(io.utf8)) as? [String: Any])?["id"] as? String)
        try await withProcessCluster("drain", ["--edges", "2", "--agents", "4", "--edge-flags", "*:--admin-keys \(adminID)"]) { dir, url in
            var cluster = try LocalCluster.load(directory: dir)
            let edge1 = cluster.edgeURLs[0]
            await eventually(15, "7 alive nodes") { (await statusJSON(url))?.filter { $0.state == "alive" }.count == 7 }
            let nodes = await statusJSON(url) ?? []
            let edge1ID = try XCTUnwrap(nodes.named("edge-1")?.id)
            let edge2ID = try XCTUnwrap(nodes.named("edge-2")?.id)
            XCTAssertTrue(nodes.contains { $0.via == edge1ID }, "no agent on edge-1 to hand over")

            // Only an admin key may drain.
            let stranger = temporary("stranger") + ".key"
            _ = try await runTool("fairwayctl", ["identity", "--key-file", stranger])
            let (nc, _, ne) = try await runTool("fairwayctl", ["drain", "--url", edge1, "--key-file", stranger])
            XCTAssertEqual(nc, 2)
            XCTAssertTrue(ne.contains("not-admitted") && ne.contains("admin_keys"), ne)
            let (dc, dout, de) = try await runTool("fairwayctl", ["drain", "--url", edge1, "--key-file", admin, "--json"])
            XCTAssertEqual(dc, 0, de)
            let drained = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(dout.utf8)) as? [String: Any])
            XCTAssertEqual(drained["draining"] as? Bool, true)
            XCTAssertEqual(drained["edge_id"] as? String, edge1ID)

            // A new agent's join is refused with the documented code and field.
            func newAgentThroughEdge1() async throws -> (Int32, String) {
                let (code, _, err) = try await runTool("fairwayctl", ["request", "--edge", edge1, "--key-file", temporary("newcomer") + ".key"])
                return (code, err)
            }
            let (jc, je) = try await newAgentThroughEdge1()
            XCTAssertEqual(jc, 2)
            XCTAssertTrue(je.contains("unavailable") && je.contains("[field edge.draining]") && je.contains("draining"), je)

            // Edge-1's agents end up attached to edge-2.
            await eventually(15, "every agent via edge-2") {
                guard let nodes = await statusJSON(url) else { return false }
                let agents = nodes.filter { $0.role == "edge-agent" }
                return agents.count == 4 && agents.allSatisfy { $0.state == "alive" && $0.via == edge2ID }
            }
            // Edge-1's own view: it forgot them all.
            let edge1View = await statusJSON(url, extra: ["--url", edge1])
            XCTAssertEqual(edge1View?.filter { $0.role == "edge-agent" }.count, 0, "\(String(describing: edge1View))")

            // kill -9 and restart edge-1: still draining.
            try cluster.signal("edge-1", SIGKILL)
            let pid = try XCTUnwrap(cluster.processes.first { $0.name == "edge-1" }?.pid)
            await eventually(5, "edge-1 gone") { !ProcessSpawner.isAlive(pid) }
            try cluster.restart("edge-1")
            var afterRestart = ""
            await eventually(15, "restarted edge-1 refuses joins as draining") {
                let (code, err) = try await newAgentThroughEdge1()
                afterRestart = err
                return code == 2 && err.contains("[field edge.draining]")
            }
            XCTAssertTrue(afterRestart.contains("draining"), afterRestart)

            // resume: joins are accepted again (the newcomer holds no tokens yet, so the request
            // itself may be refused for tokens — but not for draining).
            let (rc, rout, re) = try await runTool("fairwayctl", ["resume", "--url", edge1, "--key-file", admin, "--json"])
            XCTAssertEqual(rc, 0, re)
            XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(rout.utf8)) as? [String: Any])?["draining"] as? Bool, false)
            await eventually(10, "a new agent joins through edge-1") {
                let (code, err) = try await newAgentThroughEdge1()
                return !err.contains("draining") && (code == 0 || err.contains("insufficient-tokens"))
            }
            await eventually(10, "the newcomer is attached to edge-1") {
                (await statusJSON(url))?.contains { $0.role == "edge-agent" && $0.via == edge1ID } ?? false
            }
        }
    }
}
