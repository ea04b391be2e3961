import CloudCoordinator
import CoordinatorCore
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation
import GRDB

/// Part (c) of `bench valuation`: DAT-ledger appends through the coordinator's own code against
/// raw SQLite inserts of the same rows, in the same run, with the same durability.
///
/// Ledger path, per append: `DATLedger.append` (leaf bytes, SHA-256 leaf hash, Merkle append,
/// receipt) → `CoordinatorStore.writes(for:)` → one write transaction on `coordinator.sqlite`
/// (WAL, synchronous FULL, as the coordinator opens it). Raw path: the same rows, computed
/// beforehand, inserted by one `INSERT` per transaction into a table of the same schema in a
/// database opened the same way. `batch` appends share one transaction on both sides (the
/// commit loop batches concurrent requests the same way). Runs alternate ledger/raw so that
/// disk and CPU drift hit both.
struct LedgerAppendBench {
    var appends: Int
    var batch: Int
    var repeats: Int

    struct Result: Codable {
        var appends, batch: Int
        var ledgerAppendsPerSecond: Double
        var rawInsertsPerSecond: Double
        /// ledger / raw; the target is ≥ 0.5.
        var ratio: Double
        var provenanceBytes: Int
    }

    func run(progress: (Int) -> Void) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fairway-ledger-bench-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        // One realistic contribution: 10 prototypes of d = 16, signed by its agent.
        let agents = (0..<8).map { _ in NodeKey() }
        let edge = NodeKey().nodeID
        var g = SeededGenerator(seed: 7)
        let provenance: [[UInt8]] = agents.map { key in
            let prototypes = (0..<10).map { _ in
                Prototype(image: (0..<16).map { _ in g.nextStandardNormal() / 4 }, text: (0..<16).map { _ in g.nextStandardNormal() / 4 },
                          count: Double(g.next() % 50))
            }
            let c = Contribution(prototypes: prototypes, mode: .multimodal, epsilon: 1, delta: 1e-6, noiseMultiplier: 3.9, sequence: 1, records: 100)
            return WireCodec.seal(Envelope(sender: key.nodeID, sentAt: Timestamp(unixMilliseconds: 1), payload: .contribution(c)), signedBy: key)
        }
        func record(_ i: Int) -> (DatRecord, DATLedger.ContributionKey) {
            let p = provenance[i % agents.count]
            let r = DatRecord(index: 0, agentID: agents[i % agents.count].nodeID, credit: 1.5, agentValue: Double(i), novelSamples: 10, normalSamples: 0,
                              noiseSamples: 0, integrityHash: DatRecord.integrityHash(of: p), provenance: p, edgeID: edge, epoch: 1,
                              recordedAt: Timestamp(unixMilliseconds: 1_700_000_000_000 + Int64(i)))
            var id = [UInt8](repeating: 0, count: 16)
            withUnsafeBytes(of: UInt64(i).bigEndian) { id.replaceSubrange(8..<16, with: $0) }
            return (r, DATLedger.ContributionKey(agent: r.agentID, id: id))
        }
        let sign: @Sendable (SignedTreeHead) -> SignedTreeHead = { $0 }

        var ledgerTimes: [Double] = [], rawTimes: [Double] = []
        let clock = ContinuousClock()
        for run in 0...repeats {
            // Ledger, through the coordinator's code.
            let store = try CoordinatorStore(directory: "\(scratch)/ledger-\(run)")
            var ledger = DATLedger()
            let inputs = (0..<appends).map(record)
            let ledgerTime = try clock.measure {
                var i = 0
                while i < appends {
                    let end = min(appends, i + batch)
                    var directives: [CoordinatorInstance.Directive] = []
                    for j in i..<end {
                        let (r, key) = inputs[j]
                        let (_, _, d) = ledger.append(r, key: key) { index, size in
                            ContributionReceipt(agentID: key.agent, contributionID: key.id, leafIndex: index, credit: r.credit, novelSamples: r.novelSamples,
                                                normalSamples: r.normalSamples, noiseSamples: r.noiseSamples, agentValue: r.agentValue, treeSize: size)
                        }
                        directives.append(.ledger(d))
                    }
                    let writes = CoordinatorStore.writes(for: directives, sign: sign)
                    try store.writer.write { db in for w in writes { try w(db) } }
                    i = end
                }
            }

            // Raw inserts of the same rows (precomputed), same schema, same pragmas.
            var migrator = DatabaseMigrator()
            migrator.registerMigration("raw") { db in
                try db.execute(sql: """
                    CREATE TABLE raw_leaf (leaf_index INTEGER PRIMARY KEY, leaf BLOB NOT NULL, leaf_hash BLOB NOT NULL, agent TEXT NOT NULL,
                    contribution_id BLOB NOT NULL, credit DOUBLE NOT NULL, novel INTEGER NOT NULL, normal INTEGER NOT NULL, noise INTEGER NOT NULL,
                    agent_value DOUBLE NOT NULL, tree_size INTEGER NOT NULL, UNIQUE (agent, contribution_id))
                    """)
            }
            let raw = try FairwayDatabase.open(directory: "\(scratch)/raw-\(run)", name: "raw.sqlite", migrator: migrator)
            let tree = MerkleTree.sha256()
            let rows: [StatementArguments] = inputs.enumerated().map { i, input in
                var r = input.0
                r.index = UInt64(i)
                let leaf = r.leafBytes
                return [Int64(i), Data(leaf), Data(tree.leafHash(leaf)), r.agentID.rawValue, Data(input.1.id), r.credit, Int64(10), Int64(0), Int64(0),
                        r.agentValue, Int64(i + 1)]
            }
            let rawTime = try clock.measure {
                var i = 0
                while i < appends {
                    let end = min(appends, i + batch)
                    try raw.write { db in
                        for j in i..<end {
                            try db.execute(sql: """
                                INSERT INTO raw_leaf (leaf_index, leaf, leaf_hash, agent, contribution_id, credit, novel, normal, noise, agent_value, tree_size)
                                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                                """, arguments: rows[j])
                        }
                    }
                    i = end
                }
            }
            if run > 0 {
                ledgerTimes.append(Double(ledgerTime.components.seconds) + Double(ledgerTime.components.attoseconds) / 1e18)
                rawTimes.append(Double(rawTime.components.seconds) + Double(rawTime.components.attoseconds) / 1e18)
            }
            progress(run)
        }
        let l = median(ledgerTimes), r = median(rawTimes)
        return Result(appends: appends, batch: batch, ledgerAppendsPerSecond: Double(appends) / l, rawInsertsPerSecond: Double(appends) / r,
                      ratio: r / l, provenanceBytes: provenance[0].count)
    }

    func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
