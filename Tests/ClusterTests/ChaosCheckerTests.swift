import CloudCoordinator
import EdgeAgent
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation
import GRDB
import XCTest

/// Issue 14 (chaos): the checker of `fairway-lab chaos`, run as `fairway-lab chaos --check DIR`
/// over small run directories built by hand with the daemons' own store types (a real
/// `coordinator.sqlite` and agent `privacy.sqlite`) and a hand-written history. A consistent
/// directory passes every invariant; each kind of violation fails exactly the invariant it breaks.
final class ChaosCheckerTests: XCTestCase {
    struct Line: Decodable {
        var invariants: [String: Bool]
        var counterexamples: [String: String]
    }

    /// A small consistent run: agent A's two acknowledged releases at leaves 0 and 1, a payment
    /// for edge E's integrated delivery at leaf 2, a signed head over the three, one epoch of
    /// grants, a harness identity C served 15 tokens that the coordinator's book shows used.
    struct Run {
        var dir: String
        var agent = NodeKey(), client = NodeKey(), edge = NodeKey(), coordinatorKey = NodeKey()
        var sealed: [[UInt8]] = []
        var leaves: [[UInt8]] = []

        var coordinatorDB: String { "\(dir)/data/coordinator/coordinator.sqlite" }
        var agentDir: String { "\(dir)/data/agents-1" }

        init(budgetEpsilon: Double = 8, spendUnpersisted: Bool = false) async throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("fairway-chaos-check-\(UUID().uuidString.prefix(8))").path
            try DataDirectory.ensure("\(dir)/data/coordinator")
            try DataDirectory.ensure(agentDir)
            let now = WallClock.now()
            for seq in 1...2 {
                let c = Contribution(prototypes: [], mode: .multimodal, epsilon: 1, delta: 1e-6, noiseMultiplier: 3, sequence: UInt64(seq), records: 20)
                sealed.append(WireCodec.seal(Envelope(sender: agent.nodeID, sentAt: now, payload: .contribution(c)), signedBy: agent))
            }
            for (i, s) in sealed.enumerated() {
                leaves.append(DatRecord(index: UInt64(i), agentID: agent.nodeID, credit: 1, agentValue: 1, novelSamples: 1, normalSamples: 0, noiseSamples: 0,
                                        integrityHash: DatRecord.integrityHash(of: s), provenance: s, edgeID: edge.nodeID, epoch: 1, recordedAt: now).leafBytes)
            }
            var payment = DatRecord(index: 2, agentID: edge.nodeID, credit: 10, agentValue: 0, novelSamples: 0, normalSamples: 0, noiseSamples: 0,
                                    integrityHash: [UInt8](repeating: 7, count: 32), provenance: [], edgeID: edge.nodeID, epoch: 3, recordedAt: now)
            payment.kind = .payment
            payment.contract = .init(round: 1, period: 1, item: 0, accuracy: 0.9)
            leaves.append(payment.leafBytes)

            let store = try CoordinatorStore(directory: "\(dir)/data/coordinator")
            var tree = MerkleTree.sha256()
            for l in leaves { _ = tree.append(l) }
            let head = SignedTreeHead(treeSize: 3, rootHash: tree.root(size: 3), timestamp: now, epoch: 3).signed(by: coordinatorKey)
            let (leaves, agentID, edgeID, clientID) = (leaves, agent.nodeID, edge.nodeID, client.nodeID)
            try await store.writer.write { db in
                for (i, l) in leaves.enumerated() {
                    try db.execute(sql: """
                        INSERT INTO ledger_leaf (leaf_index, leaf, leaf_hash, agent, contribution_id, credit, novel, normal, noise, agent_value, tree_size)
                        VALUES (?, ?, ?, ?, ?, 1, 1, 0, 0, 1, ?)
                        """, arguments: [i, Data(l), Data(MerkleTree.sha256().leafHash(l)), i < 2 ? agentID.rawValue : edgeID.rawValue, Data([UInt8(i)]), i + 1])
                }
                try db.execute(sql: "INSERT INTO ledger_head (tree_size, root_hash, timestamp_ms, epoch, signature, public_key) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [3, Data(head.rootHash), now.unixMilliseconds, 3, Data(head.signature), Data(head.publicKey)])
                try db.execute(sql: "INSERT INTO epoch_record (epoch, started_at_ms, total_tokens, granted, allocator, agents) VALUES (1, 0, 100, 60, 'value', 2)")
                try db.execute(sql: "INSERT INTO epoch_grant (epoch, agent, tokens) VALUES (1, ?, 30), (1, ?, 30)", arguments: [agentID.rawValue, clientID.rawValue])
                try db.execute(sql: "INSERT INTO token_account (agent, bucket_size, granted, settled_used) VALUES (?, 40, 30, 10)", arguments: [clientID.rawValue])
                try db.execute(sql: "INSERT INTO token_lease (id, agent, edge, epoch, tokens, used, settled, written_off) VALUES (1, ?, ?, 1, 10, 5, 0, 0)",
                               arguments: [clientID.rawValue, edgeID.rawValue])
                var columns = "edge, round", values = "?, 1"
                for p in 1...2 {
                    columns += ", p\(p)_choice, p\(p)_integrated, p\(p)_accuracy, p\(p)_samples, p\(p)_digest, p\(p)_module, p\(p)_paid"
                    values += p == 1 ? ", 0, 1, 0.9, 100, x'00', x'', 10" : ", -1, 0, 0, 0, x'', x'', 0"
                }
                try db.execute(sql: "INSERT INTO contract_edge (\(columns)) VALUES (\(values))", arguments: [edgeID.rawValue])
            }

            let privacy = try PrivacyBudgetStore(directory: agentDir, breaks: spendUnpersisted ? [.spendBudgetUnpersisted] : [])
            var budget = try privacy.budget(for: agent.nodeID, epsilon: 8, delta: 1e-5)
            for (i, s) in sealed.enumerated() {
                try await privacy.charge(RDPAccountant.Mechanism(noiseMultiplier: 3, count: 1), to: &budget, identity: agent.nodeID,
                                         release: .init(sequence: UInt64(i + 1), sealed: s, sentAt: now))
                try await privacy.acknowledge(identity: agent.nodeID, sequence: UInt64(i + 1), leafIndex: UInt64(i))
            }
            let parameters = """
                {"seed": 1, "duration_s": 1, "edges": 1, "agents": 1, "agent_processes": 1, "netns": false, "breaks": [],
                 "tokens_per_epoch": 100, "budget_epsilon": \(budgetEpsilon), "budget_delta": 1e-05, "edge_urls": {"edge-1": "tcp://127.0.0.1:1"}}
                """
            try Data(parameters.utf8).write(to: URL(fileURLWithPath: "\(dir)/chaos.json"))
            try writeHistory(served: 15, seenSize: 3, seenRoot: tree.root(size: 3))
        }

        /// history.jsonl: one ok request of `served` tokens by the client identity, one ledger read.
        func writeHistory(served: UInt64, seenSize: UInt64, seenRoot: [UInt8]) throws {
            let root = seenRoot.map { String(format: "%02x", $0) }.joined()
            let lines = [
                #"{"op":0,"type":"invoke","process":"client-1","f":"request","t_ms":10,"edge":"tcp://127.0.0.1:1"}"#,
                #"{"op":0,"type":"ok","process":"client-1","f":"request","t_ms":20,"edge":"tcp://127.0.0.1:1","agent":"\#(client.nodeID.rawValue)","charged":\#(served)}"#,
                #"{"op":1,"type":"invoke","process":"ledger","f":"ledger-verify","t_ms":30}"#,
                #"{"op":1,"type":"ok","process":"ledger","f":"ledger-verify","t_ms":40,"tree_size":\#(seenSize),"root":"\#(root)","verified":true}"#,
            ]
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: "\(dir)/history.jsonl"))
        }

        func sql(_ path: String, _ statement: String, _ arguments: StatementArguments = []) throws {
            let q = try DatabaseQueue(path: path)
            try q.write { try $0.execute(sql: statement, arguments: arguments) }
        }

        func check(file: StaticString = #filePath, line: UInt = #line) async throws -> (status: Int32, line: Line) {
            let (status, out, err) = try await runTool("fairway-lab", ["chaos", "--check", dir, "--json"])
            XCTAssertNotEqual(status, 2, "harness error: \(err)", file: file, line: line)
            let last = try XCTUnwrap(out.split(separator: "\n").last, "no output; stderr:\n\(err)", file: file, line: line)
            return (status, try JSONDecoder().decode(Line.self, from: Data(last.utf8)))
        }

        func remove() { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// Only `name` fails (with a counterexample), the others hold, and the exit status is 1.
    func assertOnlyFails(_ name: String, _ r: (status: Int32, line: Line), file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 1, file: file, line: line)
        for (n, holds) in r.line.invariants {
            XCTAssertEqual(holds, n != name, "\(n): \(r.line.counterexamples[n] ?? "holds")", file: file, line: line)
        }
        XCTAssertNotNil(r.line.counterexamples[name], file: file, line: line)
    }

    func testConsistentRunPassesEveryInvariant() async throws {
        let run = try await Run()
        defer { run.remove() }
        let r = try await run.check()
        XCTAssertEqual(r.status, 0, "\(r.line.counterexamples)")
        XCTAssertEqual(r.line.invariants, ["I1": true, "I2": true, "I3": true, "I4": true, "I5": true])
    }

    func testI1FailsWhenTheEdgesServedMoreThanTheBookShowsUsed() async throws {
        let run = try await Run()
        defer { run.remove() }
        var tree = MerkleTree.sha256()
        for l in run.leaves { _ = tree.append(l) }
        try run.writeHistory(served: 16, seenSize: 3, seenRoot: tree.root(size: 3))  // the book has 10 settled + 5 on the lease
        assertOnlyFails("I1", try await run.check())
    }

    func testI1FailsWhenAnEpochGrantsMoreThanV() async throws {
        let run = try await Run()
        defer { run.remove() }
        try run.sql(run.coordinatorDB, "UPDATE epoch_grant SET tokens = 80 WHERE agent = ?", [run.agent.nodeID.rawValue])
        assertOnlyFails("I1", try await run.check())
    }

    func testI2FailsWhenAnAcknowledgedReleaseIsNotInTheLedger() async throws {
        let run = try await Run()
        defer { run.remove() }
        try run.sql("\(run.agentDir)/privacy.sqlite", "UPDATE release SET leaf_index = 7 WHERE sequence = 2")
        let r = try await run.check()
        assertOnlyFails("I2", r)
        XCTAssertTrue(r.line.counterexamples["I2"]?.contains("leaf 7") == true, "\(r.line.counterexamples)")
    }

    func testI2FailsWhenAContributionIsRecordedTwice() async throws {
        let run = try await Run()
        defer { run.remove() }
        // Leaf 1 records release 1 again (a replay counted twice), its tree head re-signed so I3 holds.
        let now = WallClock.now()
        let again = DatRecord(index: 1, agentID: run.agent.nodeID, credit: 1, agentValue: 1, novelSamples: 1, normalSamples: 0, noiseSamples: 0,
                              integrityHash: DatRecord.integrityHash(of: run.sealed[0]), provenance: run.sealed[0], edgeID: run.edge.nodeID, epoch: 1, recordedAt: now).leafBytes
        var leaves = run.leaves
        leaves[1] = again
        try resign(run, leaves)
        let r = try await run.check()
        XCTAssertFalse(r.line.invariants["I2"] ?? true)
        XCTAssertTrue(r.line.counterexamples["I2"]?.contains("twice") == true || r.line.counterexamples["I2"]?.contains("lost") == true, "\(r.line.counterexamples)")
        XCTAssertTrue(r.line.invariants["I3"] ?? false, "\(r.line.counterexamples)")
    }

    func testI3FailsWhenALeafIsChangedUnderASignedHead() async throws {
        let run = try await Run()
        defer { run.remove() }
        var changed = run.leaves[2]
        changed[changed.count - 1] ^= 1
        try run.sql(run.coordinatorDB, "UPDATE ledger_leaf SET leaf = ?, leaf_hash = ? WHERE leaf_index = 2",
                    [Data(changed), Data(MerkleTree.sha256().leafHash(changed))])
        let r = try await run.check()
        XCTAssertFalse(r.line.invariants["I3"] ?? true)
        XCTAssertEqual(r.status, 1)
    }

    func testI3FailsWhenAClientSawARootTheFinalLedgerDoesNotHave() async throws {
        let run = try await Run()
        defer { run.remove() }
        try run.writeHistory(served: 15, seenSize: 2, seenRoot: [UInt8](repeating: 9, count: 32))
        assertOnlyFails("I3", try await run.check())
    }

    /// A crash lost a middle leaf (the `ack-before-durable` break, found by the compose chaos run):
    /// a client saw the whole ledger before. I3 fails with a counterexample; the checker does
    /// not trap computing a root beyond the contiguous prefix.
    func testI3FailsWhenALeafIsMissingAndAClientSawTheWholeLedger() async throws {
        let run = try await Run()
        defer { run.remove() }
        var tree = MerkleTree.sha256()
        for leaf in run.leaves { _ = tree.append(leaf) }
        try run.writeHistory(served: 15, seenSize: UInt64(run.leaves.count), seenRoot: tree.root(size: run.leaves.count))
        try run.sql(run.coordinatorDB, "DELETE FROM ledger_leaf WHERE leaf_index = 1")
        let r = try await run.check()
        XCTAssertEqual(r.status, 1)
        XCTAssertFalse(r.line.invariants["I3"] ?? true)
        XCTAssertTrue(r.line.counterexamples["I3"]?.contains("missing") == true || r.line.counterexamples["I3"]?.contains("lost") == true, "\(r.line.counterexamples)")
    }

    func testI4FailsWhenAPaymentHasNoIntegratedDelivery() async throws {
        let run = try await Run()
        defer { run.remove() }
        try run.sql(run.coordinatorDB, "UPDATE contract_edge SET p1_integrated = 0")
        assertOnlyFails("I4", try await run.check())
    }

    func testI4FailsWhenADeliveryIsPaidTwice() async throws {
        let run = try await Run()
        defer { run.remove() }
        var leaves = run.leaves
        var second = try DatRecord(leaf: leaves[2])
        second.index = 3
        leaves.append(second.leafBytes)
        try resign(run, leaves)
        let r = try await run.check()
        assertOnlyFails("I4", r)
        XCTAssertTrue(r.line.counterexamples["I4"]?.contains("twice") == true, "\(r.line.counterexamples)")
    }

    func testI5FailsWhenTheRecordedReleasesExceedTheBudget() async throws {
        let run = try await Run(budgetEpsilon: 0.5)
        defer { run.remove() }
        assertOnlyFails("I5", try await run.check())
    }

    func testI5FailsWhenAReleaseHasNoDurableCharge() async throws {
        let run = try await Run(spendUnpersisted: true)
        defer { run.remove() }
        let r = try await run.check()
        assertOnlyFails("I5", r)
        XCTAssertTrue(r.line.counterexamples["I5"]?.contains("durable charge") == true, "\(r.line.counterexamples)")
    }

    func testAMissingRunDirectoryIsAHarnessError() async throws {
        let (status, _, err) = try await runTool("fairway-lab", ["chaos", "--check", "/nonexistent/fairway-chaos", "--json"])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(err.contains("chaos.json"), err)
    }

    /// Replaces the ledger with `leaves` and one head over all of them, signed by the same key.
    private func resign(_ run: Run, _ leaves: [[UInt8]]) throws {
        var tree = MerkleTree.sha256()
        for l in leaves { _ = tree.append(l) }
        let head = SignedTreeHead(treeSize: UInt64(leaves.count), rootHash: tree.root(size: leaves.count), timestamp: WallClock.now(), epoch: 3)
            .signed(by: run.coordinatorKey)
        let q = try DatabaseQueue(path: run.coordinatorDB)
        try q.write { db in
            try db.execute(sql: "DELETE FROM ledger_leaf")
            try db.execute(sql: "DELETE FROM ledger_head")
            for (i, l) in leaves.enumerated() {
                let record = try DatRecord(leaf: l)
                try db.execute(sql: """
                    INSERT INTO ledger_leaf (leaf_index, leaf, leaf_hash, agent, contribution_id, credit, novel, normal, noise, agent_value, tree_size)
                    VALUES (?, ?, ?, ?, ?, 1, 1, 0, 0, 1, ?)
                    """, arguments: [i, Data(l), Data(MerkleTree.sha256().leafHash(l)), record.agentID.rawValue, Data([UInt8(i)]), i + 1])
            }
            try db.execute(sql: "INSERT INTO ledger_head (tree_size, root_hash, timestamp_ms, epoch, signature, public_key) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [leaves.count, Data(head.rootHash), head.timestamp.unixMilliseconds, 3, Data(head.signature), Data(head.publicKey)])
        }
        var history = MerkleTree.sha256()
        for l in leaves { _ = history.append(l) }
        try run.writeHistory(served: 15, seenSize: UInt64(leaves.count), seenRoot: history.root(size: leaves.count))
    }
}
