import CoordinatorCore
import FairwayCore
import FairwayTestSupport
import FairwayWire
import XCTest

/// Contributions at the coordinator, by hand with manual time: valued against the catalog,
/// appended to the DAT ledger, deduplicated by (agent, message id), and turned into v_n and
/// grants at the epoch boundary.
final class ContributionValuationTests: XCTestCase {
    let cast = Cast()
    var t0: Timestamp { cast.t0 }
    let coordinatorKey = testKey(1), edgeKey = testKey(2), richKey = testKey(3), poorKey = testKey(4), strangerKey = testKey(5)

    /// A unit vector along axis `i` of a d = 8 space.
    func axis(_ i: Int) -> [Double] { (0..<8).map { $0 == i ? 1 : 0 } }

    func contribution(axes: [Int], count: Double = 60, sequence: UInt64 = 1) -> Contribution {
        Contribution(prototypes: axes.map { Prototype(image: axis($0), text: axis($0), count: count) }, mode: .multimodal,
                     epsilon: 1, delta: 1e-6, noiseMultiplier: 4, sequence: sequence, records: UInt32(count) * UInt32(axes.count))
    }

    func sealed(_ c: Contribution, by key: NodeKey, at t: Timestamp? = nil) -> [UInt8] {
        WireCodec.seal(Envelope(sender: key.nodeID, sentAt: t ?? t0, payload: .contribution(c)), signedBy: key)
    }

    func joined() -> CoordinatorInstance {
        var s = CoordinatorInstance.Settings()
        s.epochMilliseconds = 1000
        s.tokens.tokensPerEpoch = 100
        s.valuation.baseValue = 0  // the paper's rule: value only from contributions
        var c = CoordinatorInstance(settings: s, key: coordinatorKey, now: t0)
        _ = c.onRequest(cast.env(edgeKey.nodeID, .join(cast.edgeJoin(edgeKey))), now: t0)
        for k in [richKey, poorKey] {
            let (reply, _) = c.onRequest(cast.env(edgeKey.nodeID, .join(cast.agentJoin(k, via: edgeKey.nodeID, signedBucketSize: 1000))), now: t0)
            guard case .joinAccepted = reply else { XCTFail("\(reply)"); return c }
        }
        return c
    }

    func batch(_ entries: [[UInt8]]) -> Envelope { cast.env(edgeKey.nodeID, .contributionBatch(ContributionBatch(contributions: entries))) }

    func testNovelDataIsValuedHigherRecordedInTheLedgerAndGrantedMoreTokens() throws {
        var c = joined()
        // The rich agent discovers five clusters; the poor one contributes to one of them later.
        let rich = sealed(contribution(axes: [0, 1, 2, 3, 4]), by: richKey)
        var (reply, directives) = c.onRequest(batch([rich]), now: t0)
        guard case .contributionBatchAck(let r1) = reply, let richReceipt = r1.first else { return XCTFail("\(reply)") }
        XCTAssertEqual(richReceipt.leafIndex, 0)
        XCTAssertEqual(richReceipt.novelSamples, 5 * 50, "Γ = 50 novel samples per new cluster")
        XCTAssertEqual(richReceipt.normalSamples, 5 * 10)
        XCTAssertEqual(directives.effects.count, 1, "one durable leaf")
        guard case .ledger(.append(let record, let leaf, let hash, _, _)) = directives.effects.first else { return XCTFail("\(directives)") }
        XCTAssertEqual(record.provenance, rich, "the agent's signed envelope is the provenance, byte for byte")
        XCTAssertEqual(record.integrityHash, DatRecord.integrityHash(of: rich))
        XCTAssertEqual(MerkleTree.sha256().leafHash(leaf), hash)

        let poor = sealed(contribution(axes: [2]), by: poorKey)
        (reply, _) = c.onRequest(batch([poor]), now: t0)
        guard case .contributionBatchAck(let r2) = reply, let poorReceipt = r2.first else { return XCTFail("\(reply)") }
        XCTAssertEqual(poorReceipt.leafIndex, 1)
        XCTAssertEqual(poorReceipt.novelSamples, 0, "its cluster was already discovered")
        XCTAssertEqual(poorReceipt.normalSamples, 60)
        XCTAssertGreaterThan(richReceipt.agentValue, poorReceipt.agentValue)
        XCTAssertEqual(poorReceipt.agentValue, 0.5 * log1p(60), accuracy: 1e-12, "eq. 20: φ·ln(1 + |d|)")

        // A resend (same envelope) is answered with the recorded receipt and counts nothing.
        (reply, directives) = c.onRequest(batch([poor]), now: t0)
        guard case .contributionBatchAck(let r3) = reply else { return XCTFail("\(reply)") }
        XCTAssertEqual(r3.first?.leafIndex, 1)
        XCTAssertEqual(r3.first?.duplicate, true)
        XCTAssertTrue(directives.effects.isEmpty)
        XCTAssertEqual(c.ledger.size, 2)
        XCTAssertEqual(c.valuation.tallies[poorKey.nodeID]?.contributions, 1)

        // The epoch boundary grants from those values and signs a head over both leaves.
        let boundary = c.onTick(now: t0.adding(milliseconds: 1000))
        let grants = try XCTUnwrap(boundary.grants?.grants)
        XCTAssertGreaterThan(grants[richKey.nodeID] ?? 0, grants[poorKey.nodeID] ?? 0)
        XCTAssertGreaterThan(grants[poorKey.nodeID] ?? 0, 0)
        let heads = boundary.compactMap { if case .ledger(.signHead(let h)) = $0 { h } else { nil } }
        XCTAssertEqual(heads.map(\.treeSize), [2])
        var tree = MerkleTree.sha256()
        _ = tree.append(record.leafBytes)
        _ = tree.append(leafHash: c.ledger.tree.leafHashes[1])
        XCTAssertEqual(heads.first?.rootHash, tree.root(size: 2))
        XCTAssertTrue(c.onTick(now: t0.adding(milliseconds: 2000)).allSatisfy { if case .ledger = $0 { false } else { true } },
                      "no new head while the log did not grow")

        // Inclusion proofs verify against the head.
        guard case .ledgerProofReply(let proof) = c.onQuery(cast.env(strangerKey.nodeID, .ledgerProofRequest(LedgerProofRequest(index: 0)))) else { return XCTFail() }
        XCTAssertTrue(LedgerAudit.verifyInclusion(leaf: record.leafBytes, index: 0, size: 2, path: proof.inclusionPath, root: heads[0].rootHash))
        guard case .error(let e) = c.onQuery(cast.env(strangerKey.nodeID, .ledgerProofRequest(LedgerProofRequest(index: 2)))) else { return XCTFail() }
        XCTAssertEqual(e.field, "ledger_proof_request.index")
    }

    func testABatchWithAnyBadEntryIsRefusedWholeAndChangesNothing() {
        var c = joined()
        let good = sealed(contribution(axes: [0]), by: richKey)
        // An agent that never joined through this edge.
        let stranger = sealed(contribution(axes: [1]), by: strangerKey)
        var (reply, directives) = c.onRequest(batch([good, stranger]), now: t0)
        guard case .error(let e) = reply else { return XCTFail("\(reply)") }
        XCTAssertEqual(e.code, .unknownSender)
        XCTAssertEqual(e.field, "contribution_batch.contributions[1].sender")
        XCTAssertTrue(directives.isEmpty)
        XCTAssertEqual(c.ledger.size, 0)
        XCTAssertTrue(c.valuation.catalog.clusters.isEmpty, "the good entry's catalog match was rolled back too")
        // A forged entry: the edge altered the agent's signed bytes.
        var forged = good
        forged[forged.count / 2] ^= 1
        (reply, directives) = c.onRequest(batch([forged]), now: t0)
        guard case .error(let f) = reply else { return XCTFail("\(reply)") }
        XCTAssertTrue([.unauthenticated, .malformed].contains(f.code), "\(f)")
        XCTAssertTrue(f.field.hasPrefix("contribution_batch.contributions[0]"), f.field)
        XCTAssertTrue(directives.isEmpty)
        // Not a contribution.
        let join = WireCodec.seal(Envelope(sender: richKey.nodeID, sentAt: t0, payload: .heartbeat(Heartbeat(nodeID: richKey.nodeID))), signedBy: richKey)
        (reply, _) = c.onRequest(batch([join]), now: t0)
        guard case .error(let g) = reply else { return XCTFail("\(reply)") }
        XCTAssertEqual(g.code, .invalidField)
        // Only edges forward contributions.
        (reply, _) = c.onRequest(cast.env(richKey.nodeID, .contributionBatch(ContributionBatch(contributions: [good]))), now: t0)
        guard case .error(let h) = reply else { return XCTFail("\(reply)") }
        XCTAssertEqual(h.code, .unknownSender)
        XCTAssertEqual(c.ledger.size, 0)
    }

    func testTheCatalogIsRebuiltFromTheLedgerAfterARestart() {
        var c = joined()
        var records: [(DatRecord, Contribution)] = []
        for (key, axes) in [(richKey, [0, 1, 2]), (poorKey, [1])] {
            let contrib = contribution(axes: axes)
            let (_, directives) = c.onRequest(batch([sealed(contrib, by: key)]), now: t0)
            for case .ledger(.append(let r, _, _, _, _)) in directives { records.append((r, contrib)) }
        }
        let restored = CoordinatorInstance(settings: c.settings, identity: c.identity,
                                           restored: .init(members: Array(c.membership.members.values), ledger: c.ledger, contributions: records), now: t0)
        XCTAssertEqual(restored.valuation.catalog, c.valuation.catalog)
        XCTAssertEqual(restored.valuation.tallies, c.valuation.tallies)
        XCTAssertEqual(restored.valuation.value(of: richKey.nodeID), c.valuation.value(of: richKey.nodeID))
    }
}
