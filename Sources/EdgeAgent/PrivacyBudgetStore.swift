import FairwayCore
import FairwayRuntime
import Foundation
import GRDB

/// The agents' privacy budgets and releases in `<data_dir>/privacy.sqlite` (WAL, synchronous
/// FULL), per identity. A release is charged here, durably, **before** it is sent — with the
/// exact signed envelope that carries it — so a restarted agent never spends its budget twice
/// (I5) and resends an unacknowledged release byte for byte instead of drawing new noise
/// (which would be a second release). A receipt marks it acknowledged with its ledger index.
public final class PrivacyBudgetStore: Sendable {
    private let db: DatabasePool
    /// `TestBreak.spendBudgetUnpersisted`: charges are stored as if they spent nothing.
    private let forgetCharges: Bool

    /// A charged release whose receipt has not arrived.
    public struct Pending: Sendable, Hashable {
        public var sequence: UInt64
        /// The signed envelope carrying the contribution, byte for byte.
        public var sealed: [UInt8]
        /// When it was first sent (the edge refuses resends older than its replay window).
        public var sentAt: Timestamp

        public init(sequence: UInt64, sealed: [UInt8], sentAt: Timestamp) {
            self.sequence = sequence
            self.sealed = sealed
            self.sentAt = sentAt
        }
    }

    /// - Parameter breaks: test-only; `.spendBudgetUnpersisted` stores every charge as spending
    ///   nothing, so a restart forgets it (breaks I5).
    public init(directory: String, breaks: Set<TestBreak> = []) throws {
        forgetCharges = breaks.contains(.spendBudgetUnpersisted)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-privacy") { db in
            try db.create(table: "release") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("identity", .text).notNull().indexed()
                t.column("noise_multiplier", .double).notNull()
                t.column("count", .integer).notNull()
            }
        }
        migrator.registerMigration("v2-release-envelopes") { db in
            try db.alter(table: "release") { t in
                t.add(column: "sequence", .integer)
                t.add(column: "sealed", .blob)
                t.add(column: "sent_at_ms", .integer)
                // 0 pending, 1 acknowledged (leaf_index set), 2 abandoned (never recorded; budget still spent)
                t.add(column: "state", .integer).notNull().defaults(to: 1)
                t.add(column: "leaf_index", .integer)
            }
        }
        db = try FairwayDatabase.open(directory: directory, name: "privacy.sqlite", migrator: migrator)
    }

    /// The budget of `identity` with every release it was charged.
    public func budget(for identity: NodeID, epsilon: Double, delta: Double) throws -> PrivacyBudget {
        let charged = try db.read { db in
            try Row.fetchAll(db, sql: "SELECT noise_multiplier, count FROM release WHERE identity = ? ORDER BY seq", arguments: [identity.rawValue]).map {
                RDPAccountant.Mechanism(noiseMultiplier: $0["noise_multiplier"], count: $0["count"])
            }
        }
        return PrivacyBudget(epsilon: epsilon, delta: delta, charged: charged)
    }

    /// Charges a release to `budget` and makes it durable; throws `PrivacyBudget.Exhausted` (and
    /// stores nothing) if the budget cannot pay for it.
    public func charge(_ m: RDPAccountant.Mechanism, to budget: inout PrivacyBudget, identity: NodeID) async throws {
        try await charge(m, to: &budget, identity: identity, release: nil)
    }

    /// Charges release `sequence` carried by `sealed` (sent at `sentAt`) and stores it as pending.
    public func charge(_ m: RDPAccountant.Mechanism, to budget: inout PrivacyBudget, identity: NodeID, release: Pending?) async throws {
        var next = budget
        try next.charge(m)
        try await db.write { db in
            try db.execute(sql: "INSERT INTO release (identity, noise_multiplier, count, sequence, sealed, sent_at_ms, state) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [identity.rawValue, forgetCharges ? 0 : m.noiseMultiplier, forgetCharges ? 0 : m.count, release.map { Int64($0.sequence) },
                                       release.map { Data($0.sealed) }, release?.sentAt.unixMilliseconds, release == nil ? 1 : 0])
        }
        budget = next
    }

    /// Stores a release that spends no budget (modes without a DP guarantee), as pending.
    public func record(_ release: Pending, identity: NodeID) async throws {
        try await db.write { db in
            try db.execute(sql: "INSERT INTO release (identity, noise_multiplier, count, sequence, sealed, sent_at_ms, state) VALUES (?, 0, 0, ?, ?, ?, 0)",
                           arguments: [identity.rawValue, Int64(release.sequence), Data(release.sealed), release.sentAt.unixMilliseconds])
        }
    }

    /// The release of `identity` still waiting for its receipt, if any.
    public func pending(for identity: NodeID) throws -> Pending? {
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT sequence, sealed, sent_at_ms FROM release WHERE identity = ? AND state = 0 ORDER BY seq LIMIT 1",
                             arguments: [identity.rawValue]).map {
                Pending(sequence: UInt64($0["sequence"] as Int64), sealed: [UInt8]($0["sealed"] as Data), sentAt: Timestamp(unixMilliseconds: $0["sent_at_ms"]))
            }
        }
    }

    /// Releases of `identity` acknowledged or abandoned (the next sequence is this + 1).
    public func finished(for identity: NodeID) throws -> Int {
        try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM release WHERE identity = ? AND sequence IS NOT NULL AND state != 0", arguments: [identity.rawValue]) ?? 0 }
    }

    /// An acknowledged release: what was sent and where the ledger recorded it.
    public struct Acknowledged: Sendable, Hashable {
        public var sequence: UInt64
        public var sealed: [UInt8]
        public var leafIndex: UInt64
    }

    /// Every acknowledged release of `identity`, in order (what the agent was told is recorded).
    public func acknowledged(for identity: NodeID) throws -> [Acknowledged] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT sequence, sealed, leaf_index FROM release WHERE identity = ? AND state = 1 AND sequence IS NOT NULL ORDER BY seq",
                             arguments: [identity.rawValue]).map {
                Acknowledged(sequence: UInt64($0["sequence"] as Int64), sealed: [UInt8]($0["sealed"] as Data), leafIndex: UInt64($0["leaf_index"] as Int64))
            }
        }
    }

    /// Marks release `sequence` acknowledged at `leafIndex`.
    public func acknowledge(identity: NodeID, sequence: UInt64, leafIndex: UInt64) async throws {
        try await db.write { db in
            try db.execute(sql: "UPDATE release SET state = 1, leaf_index = ? WHERE identity = ? AND sequence = ?",
                           arguments: [Int64(leafIndex), identity.rawValue, Int64(sequence)])
        }
    }

    /// Gives up on release `sequence` (refused for good, or older than the edge's replay
    /// window): it stays charged.
    public func abandon(identity: NodeID, sequence: UInt64) async throws {
        try await db.write { db in
            try db.execute(sql: "UPDATE release SET state = 2 WHERE identity = ? AND sequence = ? AND state = 0", arguments: [identity.rawValue, Int64(sequence)])
        }
    }
}

extension PrivacyBudgetStore {
    /// Every identity with at least one release charged or recorded here, in first-release order
    /// (`fairwayctl privacy --data-dir`).
    public func identities() throws -> [NodeID] {
        try db.read { db in
            try String.fetchAll(db, sql: "SELECT identity FROM release GROUP BY identity ORDER BY MIN(seq)").map { try NodeID($0, field: "release.identity") }
        }
    }
}
