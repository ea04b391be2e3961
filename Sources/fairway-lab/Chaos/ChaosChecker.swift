import FairwayCore
import FairwayWire
import Foundation
import GRDB

/// One invariant's verdict.
struct InvariantVerdict: Codable, Sendable, Hashable {
    /// `I1` … `I5`.
    var name: String
    var holds: Bool
    /// What was checked (counts), for the summary.
    var checked: String
    /// The first counterexample found (nil when it holds).
    var counterexample: String?
}

/// Checks invariants I1–I5 (`DESIGN.md`) over a chaos run's history and the durable state of
/// every node, after its processes stopped: the coordinator's `coordinator.sqlite` and each
/// agent process's `privacy.sqlite`, opened read-only with GRDB.
struct ChaosChecker {
    /// `<coordinator data dir>/coordinator.sqlite`.
    var coordinatorDatabase: String
    /// Each agent process's `privacy.sqlite`.
    var agentDatabases: [String]
    var history: [HistoryEvent]
    /// V, tokens per epoch (nil: only the epoch records' own totals are checked).
    var tokensPerEpoch: UInt64?
    /// Every agent identity's (ε, δ) budget.
    var budgetEpsilon: Double
    var budgetDelta: Double

    /// Opens an SQLite file read-only.
    /// - Throws: `ConfigError` naming the file when it is missing or not a database.
    static func open(_ path: String) throws -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: path) else { throw ConfigError(field: "checker", message: "\(path) does not exist") }
        var config = Configuration()
        config.readonly = true
        do { return try DatabaseQueue(path: path, configuration: config) } catch {
            throw ConfigError(field: "checker", message: "cannot open \(path) read-only: \(error)")
        }
    }

    /// A ledger leaf as stored.
    struct Leaf {
        var index: Int64
        var bytes: [UInt8]
        var storedHash: [UInt8]
        var agent: String
        var record: DatRecord?
        /// The contribution its provenance carries (contribution leaves).
        var contribution: Contribution?
    }

    /// The verdicts, I1 to I5.
    /// - Throws: `ConfigError` when a database cannot be opened or read (a harness error, not a verdict).
    func check() throws -> [InvariantVerdict] {
        let coordinator = try Self.open(coordinatorDatabase)
        let leaves: [Leaf] = try coordinator.read { db in
            try Row.fetchAll(db, sql: "SELECT leaf_index, leaf, leaf_hash, agent FROM ledger_leaf ORDER BY leaf_index").map { row in
                let bytes = [UInt8](row["leaf"] as Data)
                let record = try? DatRecord(leaf: bytes)
                var contribution: Contribution?
                if let record, record.kind == .contribution, let opened = try? WireCodec.open(record.provenance, archived: true),
                   case .contribution(let c) = opened.envelope.payload {
                    contribution = c
                }
                return Leaf(index: row["leaf_index"], bytes: bytes, storedHash: [UInt8](row["leaf_hash"] as Data), agent: row["agent"],
                            record: record, contribution: contribution)
            }
        }
        let heads: [SignedTreeHead] = try coordinator.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM ledger_head ORDER BY tree_size").map { row in
                SignedTreeHead(treeSize: UInt64(row["tree_size"] as Int64), rootHash: [UInt8](row["root_hash"] as Data),
                               timestamp: Timestamp(unixMilliseconds: row["timestamp_ms"]), epoch: UInt64(row["epoch"] as Int64),
                               signature: [UInt8](row["signature"] as Data), publicKey: [UInt8](row["public_key"] as Data))
            }
        }
        var agents: [String: DatabaseQueue] = [:]
        for path in agentDatabases where FileManager.default.fileExists(atPath: path) { agents[path] = try Self.open(path) }
        return [try i1(coordinator), try i2(leaves, agents), i3(leaves, heads), try i4(coordinator, leaves), try i5(leaves, agents)]
    }

    // MARK: I1

    /// Σ grants per epoch ≤ V; per agent used ≤ granted; per harness identity the coordinator's
    /// used tokens ≥ the tokens the history says its edges charged it in ok requests.
    func i1(_ db: DatabaseQueue) throws -> InvariantVerdict {
        var problems: [String] = []
        let epochs = try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.epoch AS epoch, r.total_tokens AS total, COALESCE((SELECT SUM(tokens) FROM epoch_grant g WHERE g.epoch = r.epoch), 0) AS granted
                FROM epoch_record r ORDER BY r.epoch
                """).map { (epoch: $0["epoch"] as Int64, total: $0["total"] as Int64, granted: $0["granted"] as Int64) }
        }
        for e in epochs {
            if e.granted > e.total { problems.append("epoch \(e.epoch): grants sum to \(e.granted) tokens > V = \(e.total)") }
            if let v = tokensPerEpoch, e.granted > Int64(v) { problems.append("epoch \(e.epoch): grants sum to \(e.granted) tokens > configured V = \(v)") }
        }
        let accounts = try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT a.agent AS agent, a.granted AS granted, a.settled_used + COALESCE((SELECT SUM(used) FROM token_lease l WHERE l.agent = a.agent), 0) AS used
                FROM token_account a ORDER BY a.agent
                """).map { (agent: $0["agent"] as String, granted: $0["granted"] as Int64, used: $0["used"] as Int64) }
        }
        var used: [String: Int64] = [:]
        for a in accounts {
            used[a.agent] = a.used
            if a.used > a.granted { problems.append("agent \(a.agent): coordinator records \(a.used) tokens used > \(a.granted) granted") }
        }
        var served: [String: Int64] = [:]
        for e in history where e.type == "ok" && e.f == "request" {
            if let agent = e.agent { served[agent, default: 0] += Int64(e.charged ?? 0) }
        }
        for (agent, s) in served.sorted(by: { $0.key < $1.key }) where s > (used[agent] ?? 0) {
            problems.append("agent \(agent): the history has \(s) tokens served ok at the edges, the coordinator's book only \(used[agent] ?? 0) used")
        }
        return InvariantVerdict(name: "I1", holds: problems.isEmpty,
                                checked: "\(epochs.count) epochs, \(accounts.count) token accounts, \(served.count) harness identities (\(served.values.reduce(0, +)) tokens served ok)",
                                counterexample: problems.first)
    }

    // MARK: I2

    /// Every acknowledged release in the agents' stores is in the ledger at its leaf index with
    /// the same sealed bytes; no contribution (agent, sequence) or envelope is recorded twice.
    func i2(_ leaves: [Leaf], _ agents: [String: DatabaseQueue]) throws -> InvariantVerdict {
        var problems: [String] = []
        var acknowledged = 0
        for (path, db) in agents.sorted(by: { $0.key < $1.key }) {
            let rows = try db.read { db in
                try Row.fetchAll(db, sql: "SELECT identity, sequence, sealed, leaf_index FROM release WHERE state = 1 AND sequence IS NOT NULL AND leaf_index IS NOT NULL ORDER BY seq")
                    .map { (identity: $0["identity"] as String, sequence: $0["sequence"] as Int64, sealed: [UInt8]($0["sealed"] as Data), leaf: $0["leaf_index"] as Int64) }
            }
            for r in rows {
                acknowledged += 1
                guard r.leaf >= 0, r.leaf < Int64(leaves.count), leaves[Int(r.leaf)].index == r.leaf else {
                    problems.append("release \(r.sequence) of \(r.identity) (\(path)) was acknowledged at leaf \(r.leaf), but the ledger has \(leaves.count) leaves: it was lost")
                    continue
                }
                let leaf = leaves[Int(r.leaf)]
                guard let record = leaf.record else { problems.append("leaf \(r.leaf) does not decode as a DAT record"); continue }
                if record.kind != .contribution || record.agentID.rawValue != r.identity || record.provenance != r.sealed {
                    problems.append("release \(r.sequence) of \(r.identity) (\(path)) was acknowledged at leaf \(r.leaf), but that leaf records "
                                    + "\(record.kind == .payment ? "a payment" : "another contribution") of \(record.agentID.rawValue)\(record.provenance == r.sealed ? "" : " (different sealed bytes)"): the acknowledged one was lost")
                }
            }
        }
        var seenSequence: [String: Int64] = [:], seenBytes: [[UInt8]: Int64] = [:]
        for leaf in leaves {
            guard let record = leaf.record, record.kind == .contribution else { continue }
            if let c = leaf.contribution {
                let key = "\(record.agentID.rawValue)#\(c.sequence)"
                if let first = seenSequence[key] { problems.append("contribution \(c.sequence) of \(record.agentID.rawValue) is recorded twice: leaves \(first) and \(leaf.index)") }
                seenSequence[key] = leaf.index
            }
            if let first = seenBytes[record.provenance] { problems.append("the same signed contribution is recorded twice: leaves \(first) and \(leaf.index)") }
            seenBytes[record.provenance] = leaf.index
        }
        return InvariantVerdict(name: "I2", holds: problems.isEmpty,
                                checked: "\(acknowledged) acknowledged releases in \(agents.count) agent stores, \(seenBytes.count) contribution leaves",
                                counterexample: problems.first)
    }

    // MARK: I3

    /// The leaves hash to their stored hashes and to every signed tree head (RFC 6962), the
    /// heads' signatures verify, and every (size, root) a client was shown during the run is a
    /// prefix of the final ledger.
    func i3(_ leaves: [Leaf], _ heads: [SignedTreeHead]) -> InvariantVerdict {
        var problems: [String] = []
        var tree = MerkleTree.sha256()
        for (i, leaf) in leaves.enumerated() {
            if leaf.index != Int64(i) { problems.append("leaf \(i) is missing (next stored index \(leaf.index))"); break }
            if tree.leafHash(leaf.bytes) != leaf.storedHash { problems.append("leaf \(i): bytes do not hash to the stored leaf hash") }
            _ = tree.append(leaf.bytes)
        }
        let report = LedgerAudit.verify(leaves: leaves.map(\.bytes), heads: heads)
        problems += report.problems.map { "ledger audit: \($0)" }
        var observed = 0
        for e in history where e.type == "ok" && e.f == "ledger-verify" {
            guard let size = e.tree_size, let root = e.root else { continue }
            observed += 1
            // Only the contiguous prefix of stored leaves is in `tree` (a gap ends it above).
            if size > UInt64(tree.size) {
                problems.append("at \(e.t_ms) ms a client saw a ledger of \(size) leaves; the final ledger has \(tree.size) contiguous leaves: leaves were lost")
            } else if hex(tree.root(size: Int(size))) != root {
                problems.append("at \(e.t_ms) ms a client saw root \(root.prefix(16))… of \(size) leaves; the final ledger's first \(size) leaves hash to \(hex(tree.root(size: Int(size))).prefix(16))…")
            }
            if e.verified == false { problems.append("at \(e.t_ms) ms `fairwayctl ledger verify` reported the ledger of \(size) leaves broken") }
        }
        return InvariantVerdict(name: "I3", holds: problems.isEmpty,
                                checked: "\(leaves.count) leaves, \(heads.count) signed tree heads, \(observed) roots seen by clients",
                                counterexample: problems.first)
    }

    // MARK: I4

    /// Each payment leaf matches an integrated delivery of its edge, round and period, and no
    /// (edge, round, period) is paid twice.
    func i4(_ db: DatabaseQueue, _ leaves: [Leaf]) throws -> InvariantVerdict {
        var problems: [String] = []
        let integrated: Set<String> = try db.read { db in
            var out: Set<String> = []
            for row in try Row.fetchAll(db, sql: "SELECT edge, round, p1_integrated, p2_integrated FROM contract_edge") {
                let edge: String = row["edge"], round: Int64 = row["round"]
                if (row["p1_integrated"] as Int64) != 0 { out.insert("\(edge)/\(round)/1") }
                if (row["p2_integrated"] as Int64) != 0 { out.insert("\(edge)/\(round)/2") }
            }
            return out
        }
        var paid: [String: Int64] = [:]
        for leaf in leaves {
            guard let record = leaf.record, record.kind == .payment else { continue }
            guard let c = record.contract else { problems.append("payment leaf \(leaf.index) has no contract"); continue }
            let key = "\(record.agentID.rawValue)/\(c.round)/\(c.period)"
            if let first = paid[key] {
                problems.append("edge \(record.agentID.rawValue) was paid twice for round \(c.round) period \(c.period): leaves \(first) and \(leaf.index)")
            }
            paid[key] = leaf.index
            if !integrated.contains(key) {
                problems.append("payment at leaf \(leaf.index) to edge \(record.agentID.rawValue) for round \(c.round) period \(c.period) (reward \(record.credit)), but that delivery was never integrated")
            }
        }
        return InvariantVerdict(name: "I4", holds: problems.isEmpty, checked: "\(paid.count) payments, \(integrated.count) integrated deliveries",
                                counterexample: problems.first)
    }

    // MARK: I5

    /// Per agent identity: ε recomputed (RDP accountant) from the noise multipliers of the
    /// contributions the ledger recorded for it ≤ its budget, and every recorded release is
    /// covered by a durable charge in the agent's own store (same sequence, a noise multiplier
    /// no larger than the release declared, count ≥ 1).
    func i5(_ leaves: [Leaf], _ agents: [String: DatabaseQueue]) throws -> InvariantVerdict {
        var problems: [String] = []
        var byAgent: [String: [(sequence: UInt64, z: Double, leaf: Int64)]] = [:]
        for leaf in leaves {
            guard let record = leaf.record, record.kind == .contribution, let c = leaf.contribution else { continue }
            byAgent[record.agentID.rawValue, default: []].append((c.sequence, c.noiseMultiplier, leaf.index))
        }
        for (agent, releases) in byAgent.sorted(by: { $0.key < $1.key }) {
            var a = RDPAccountant()
            for r in releases { a.compose(noiseMultiplier: r.z) }
            let eps = a.epsilon(delta: budgetDelta).epsilon
            if !(eps <= budgetEpsilon * (1 + 1e-9)) {
                problems.append("agent \(agent): its \(releases.count) recorded releases spend ε = \(String(format: "%.4f", eps)) at δ = \(budgetDelta) > budget \(budgetEpsilon)")
            }
        }
        var charges: [String: [Int64: (z: Double, count: Int64)]] = [:]
        for (_, db) in agents {
            try db.read { db in
                for row in try Row.fetchAll(db, sql: "SELECT identity, sequence, noise_multiplier, count FROM release WHERE sequence IS NOT NULL") {
                    charges[row["identity"] as String, default: [:]][row["sequence"] as Int64] = (row["noise_multiplier"], row["count"])
                }
            }
        }
        var covered = 0
        for (agent, releases) in byAgent.sorted(by: { $0.key < $1.key }) {
            guard let mine = charges[agent] else { continue }  // not one of the agent processes checked (e.g. a client identity)
            for r in releases {
                guard let charge = mine[Int64(r.sequence)] else {
                    problems.append("release \(r.sequence) of \(agent) is recorded at leaf \(r.leaf) but the agent's store has no charge for it")
                    continue
                }
                if charge.count < 1 || charge.z <= 0 || charge.z > r.z * (1 + 1e-9) {
                    problems.append("release \(r.sequence) of \(agent) (leaf \(r.leaf), noise multiplier \(r.z)) is not covered by its durable charge (noise multiplier \(charge.z), count \(charge.count))")
                } else {
                    covered += 1
                }
            }
        }
        return InvariantVerdict(name: "I5", holds: problems.isEmpty,
                                checked: "\(byAgent.count) contributing identities, \(byAgent.values.map(\.count).reduce(0, +)) recorded releases, \(covered) covered by durable charges",
                                counterexample: problems.first)
    }
}

/// Lower-case hex of `bytes`.
func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
