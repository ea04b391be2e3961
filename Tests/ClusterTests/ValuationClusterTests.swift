import EdgeAgent
import FairwayControlJSON
import FairwayCore
import FairwayRuntime
import FairwayTestSupport
import FairwayWire
import Foundation
import XCTest

/// Issue 9, acceptance 5, with real processes on loopback: DP contributions flow agent → edge →
/// coordinator; values and DAT records appear; kill -9 of the coordinator loses no acknowledged
/// contribution; a replayed contribution is not counted twice; `fairwayctl ledger verify`
/// passes (and names a tampered row); the agent with more novel data is granted more tokens.
final class ValuationClusterTests: XCTestCase {
    static let dataset = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../data/uci-digits-8x8.csv").standardized.path
    let epochMilliseconds = 1000
    let releases = 3

    /// The rich agent holds every digit; the poor one only 1s: it can discover one cluster at most.
    var groups: [String] {
        let common = "--data-path \(Self.dataset) --contribute-releases \(releases) --contribute-interval-ms 200 --privacy-epsilon 4 --privacy-budget-epsilon 30"
        return ["--agent-group", "rich:1:\(common) --data-records-per-release 300",
                "--agent-group", "poor:1:\(common) --data-labels 1 --data-records-per-release 40"]
    }

    func valuation(_ url: String) async -> ValuationDocument? {
        guard let (code, out, _) = try? await runTool("fairwayctl", ["valuation", "--coordinator", url, "--json", "--timeout-ms", "1000"]), code == 0 else { return nil }
        return try? JSONDecoder().decode(ValuationDocument.self, from: Data(out.utf8))
    }

    func ledgerLines(_ url: String) async throws -> [DatRecordLine] {
        let (code, out, err) = try await runTool("fairwayctl", ["ledger", "export", "--coordinator", url])
        XCTAssertEqual(code, 0, err)
        return try out.split(separator: "\n").map { try JSONDecoder().decode(DatRecordLine.self, from: Data($0.utf8)) }
    }

    func testContributionsAreValuedLedgeredDurableDeduplicatedAndNoveltyEarnsTokens() async throws {
        try await withProcessCluster("valuation", ["--edges", "1", "--agents", "0", "--epoch-ms", "\(epochMilliseconds)", "--tokens-per-epoch", "100",
                                                   "--bucket-size", "100000"] + groups) { dir, url in
            var cluster = try LocalCluster.load(directory: dir)
            await eventually(30, "both agents' first contributions valued") {
                guard let v = await valuation(url) else { return false }
                return v.agents.count == 2 && v.agents.allSatisfy { $0.contributions >= 1 }
            }
            // kill -9 the coordinator mid-stream, then restart it on its data directory.
            try cluster.signal("coordinator", SIGKILL)
            try await Task.sleep(for: .milliseconds(700))
            try cluster.restart("coordinator")
            await eventually(40, "every release acknowledged") {
                guard let v = await valuation(url) else { return false }
                return v.agents.count == 2 && v.agents.allSatisfy { $0.contributions == UInt64(releases) }
            }
            let records = try await ledgerLines(url)
            XCTAssertEqual(records.count, 2 * releases, "each release recorded exactly once")
            XCTAssertEqual(records.map(\.index), (0..<UInt64(records.count)).map { $0 })

            // No acknowledged contribution was lost: every receipt an agent stored names a leaf
            // that holds exactly the envelope the agent sent.
            var acknowledged: [(agent: NodeID, sealed: [UInt8], leaf: UInt64)] = []
            var acknowledgedGroups: [NodeID: String] = [:]
            for group in ["rich", "poor"] {
                let data = (dir as NSString).appendingPathComponent("data/\(group)")
                let store = try PrivacyBudgetStore(directory: data)
                let identity = try XCTUnwrap(AgentIdentities.load(directory: data, count: 1, prefix: group).first)
                let acks = try store.acknowledged(for: identity.id)
                XCTAssertEqual(acks.count, releases, "\(group) stored a receipt for every release")
                acknowledged += acks.map { (identity.id, $0.sealed, $0.leafIndex) }
                acknowledgedGroups[identity.id] = group
            }
            for a in acknowledged {
                let record = try XCTUnwrap(records.first { $0.index == a.leaf }, "leaf \(a.leaf) is missing")
                XCTAssertEqual(record.agent_id, a.agent.rawValue)
                XCTAssertEqual(record.provenance, Data(a.sealed).base64EncodedString(), "leaf \(a.leaf) holds what the agent sent")
            }

            // A replayed contribution (the exact bytes, through the edge) is not counted again.
            let replay = try XCTUnwrap(acknowledged.first)
            let edgeURL = cluster.edgeURLs[0]
            let client = try RequestClient(url: edgeURL, identity: NodeKey(), settings: TransportSettings())
            defer { client.close() }
            let opened = try WireCodec.open(replay.sealed)
            // Someone else cannot even send it: a session carries only its own peer's envelopes.
            do {
                _ = try await client.callSealed(replay.sealed, messageID: opened.envelope.messageID)
                XCTFail("another identity's contribution was accepted in a stranger's session")
            } catch let e as FairwayError {
                XCTAssertEqual(e.code, .unauthenticated, "\(e)")
            }
            // The agent itself resending it is answered from the idempotency record, not counted.
            let group = acknowledgedGroups[replay.agent]!
            let agentKey = try XCTUnwrap(AgentIdentities.load(directory: (dir as NSString).appendingPathComponent("data/\(group)"), count: 1, prefix: group).first).key
            let again = try await client.callSealed(replay.sealed, messageID: opened.envelope.messageID, as: agentKey)
            guard case .contributionReceipt(let receipt) = again.envelope.payload else { return XCTFail("\(again.envelope.payload)") }
            XCTAssertEqual(receipt.leafIndex, replay.leaf)
            let afterReplay = try await ledgerLines(url)
            XCTAssertEqual(afterReplay.count, records.count, "a replay appends nothing")
            let maybeValues = await valuation(url)
            let values = try XCTUnwrap(maybeValues)
            XCTAssertTrue(values.agents.allSatisfy { $0.contributions == UInt64(releases) })

            // Anyone can verify the ledger: every leaf, signed head and consistency proof.
            // Heads are signed once per epoch: wait until one covers the newest record (its proof
            // is checked against a signed head), then verify everything.
            await eventually(10, "a signed head covers every record") {
                guard let (pc, pout, _) = try? await runTool("fairwayctl", ["ledger", "proof", "--coordinator", url, "--index", "\(records.count - 1)", "--json"]),
                      pc == 0, pout.contains("\"root_signed\":true") else { return false }
                guard let (code, out, _) = try? await runTool("fairwayctl", ["ledger", "verify", "--coordinator", url, "--json"]), code == 0,
                      let doc = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] else { return false }
                return (doc["ok"] as? Bool) == true
            }
            let (proofCode, proofOut, proofErr) = try await runTool("fairwayctl", ["ledger", "proof", "--coordinator", url, "--index", "1", "--json"])
            XCTAssertEqual(proofCode, 0, proofErr)
            XCTAssertTrue(proofOut.contains("\"verified\":true"), proofOut)
            XCTAssertTrue(proofOut.contains("\"root_signed\":true"), "checked against a signed tree head: \(proofOut)")
            // A record no signed head covers is not called verified.
            let (beyondCode, _, beyondErr) = try await runTool("fairwayctl", ["ledger", "proof", "--coordinator", url, "--index", "1000000"])
            XCTAssertNotEqual(beyondCode, 0)
            XCTAssertTrue(beyondErr.contains("not under a signed tree head"), beyondErr)

            // Novelty earns tokens: the rich agent's value and cumulative grants exceed the poor one's.
            let richID = try XCTUnwrap(AgentIdentities.load(directory: (dir as NSString).appendingPathComponent("data/rich"), count: 1, prefix: "rich").first).id
            let rich = try XCTUnwrap(values.agents.first { $0.agent_id == richID.rawValue })
            let poor = try XCTUnwrap(values.agents.first { $0.agent_id != richID.rawValue })
            XCTAssertGreaterThan(rich.value, poor.value)
            XCTAssertGreaterThan(rich.novel_samples, poor.novel_samples)
            // Compared from now on, when both are valued: cumulative grants also hold the epochs in
            // which only one agent's first release had been valued (it got every token then), and
            // which one that was depends on timing.
            func granted() async -> (rich: UInt64, poor: UInt64)? {
                guard let nodes = await statusJSON(url) else { return nil }
                return (nodes.first { $0.id == rich.agent_id }?.tokens_granted ?? 0, nodes.first { $0.id == poor.agent_id }?.tokens_granted ?? 0)
            }
            var start: (rich: UInt64, poor: UInt64)?
            await eventually(10, "the agents' grants so far") {
                start = await granted()
                return start != nil
            }
            let from = try XCTUnwrap(start)
            var grants: (rich: UInt64, poor: UInt64) = (0, 0)
            await eventually(20, "grants from the values, over at least 3 epochs") {
                guard let now = await granted() else { return false }
                grants = (now.rich > from.rich ? now.rich - from.rich : 0, now.poor > from.poor ? now.poor - from.poor : 0)
                return grants.rich + grants.poor >= 300 && grants.rich > grants.poor
            }
            XCTAssertGreaterThan(grants.rich, grants.poor, "more novel data, more tokens per epoch once both are valued")

            // Tampering with a stored row is detected and named by index: the running coordinator
            // still serves its signed heads and proofs from the tree it built.
            let db = (dir as NSString).appendingPathComponent("data/coordinator/coordinator.sqlite")
            try tamper(db, index: 2)
            let (badCode, badOut, _) = try await runTool("fairwayctl", ["ledger", "verify", "--coordinator", url])
            XCTAssertEqual(badCode, 1, badOut)
            XCTAssertTrue(badOut.contains("leaf 2:"), badOut)
            // And a restarted coordinator refuses the tampered log, naming the row.
            try cluster.signal("coordinator", SIGKILL)
            try await Task.sleep(for: .milliseconds(300))
            try cluster.restart("coordinator")
            try await Task.sleep(for: .seconds(2))
            let log = (try? String(contentsOfFile: (dir as NSString).appendingPathComponent("logs/coordinator.log"), encoding: .utf8)) ?? ""
            XCTAssertTrue(log.contains("ledger_leaf") && log.contains("tampered"), "the coordinator names the tampered row:\n\(log.suffix(800))")
            await (try LocalCluster.load(directory: dir)).down(grace: .seconds(2))
        }
    }

    /// Flips one byte of leaf `index`'s stored bytes (keeping its stored hash).
    func tamper(_ path: String, index: Int) throws {
        let (code, _, err) = try runSync("/usr/bin/env", ["python3", "-c", """
            import sqlite3,sys
            c=sqlite3.connect(sys.argv[1]); row=c.execute('SELECT leaf FROM ledger_leaf WHERE leaf_index=?',(int(sys.argv[2]),)).fetchone()
            b=bytearray(row[0]); b[len(b)//2]^=1
            c.execute('UPDATE ledger_leaf SET leaf=? WHERE leaf_index=?',(bytes(b),int(sys.argv[2]))); c.commit()
            """, path, "\(index)"])
        XCTAssertEqual(code, 0, err)
    }

    func runSync(_ tool: String, _ args: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, "", String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }
}
