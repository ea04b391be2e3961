import FairwayCore
import FairwayRuntime
import Foundation
import GRDB

/// The coordinator's durable state in `<data_dir>/coordinator.sqlite` (WAL, synchronous FULL):
/// member table, current epoch, epoch history with grants, token accounts and leases.
public final class CoordinatorStore: Sendable {
    private let db: DatabasePool

    public init(directory: String) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-membership") { db in
            try db.create(table: "member") { t in
                t.primaryKey("id", .text)
                t.column("role", .text).notNull()
                t.column("address", .text).notNull()
                t.column("version", .text).notNull()
                t.column("via", .text)
                t.column("bucket_size", .integer).notNull()
                t.column("state", .text).notNull()
                t.column("last_heartbeat_ms", .integer).notNull()
                t.column("joined_at_ms", .integer).notNull()
            }
            try db.create(table: "epoch") { t in
                t.primaryKey("id", .integer)
                t.column("epoch", .integer).notNull()
                t.column("started_at_ms", .integer).notNull()
            }
        }
        migrator.registerMigration("v2-identity") { db in
            try db.alter(table: "member") { t in
                t.add(column: "name", .text).notNull().defaults(to: "")
                t.add(column: "public_key", .blob).notNull().defaults(to: Data())
            }
        }
        migrator.registerMigration("v3-tokens") { db in
            try db.create(table: "token_account") { t in
                t.primaryKey("agent", .text)
                t.column("bucket_size", .integer).notNull()
                t.column("granted", .integer).notNull()
            }
            try TokenLease.createTable("token_lease", in: db)
            try db.create(table: "token_meta") { t in
                t.primaryKey("id", .integer)
                t.column("next_lease_id", .integer).notNull()
            }
            try db.create(table: "epoch_record") { t in
                t.primaryKey("epoch", .integer)
                t.column("started_at_ms", .integer).notNull()
                t.column("total_tokens", .integer).notNull()
                t.column("granted", .integer).notNull()
                t.column("allocator", .text).notNull()
                t.column("agents", .integer).notNull()
            }
            try db.create(table: "epoch_grant") { t in
                t.column("epoch", .integer).notNull()
                t.column("agent", .text).notNull()
                t.column("tokens", .integer).notNull()
                t.primaryKey(["epoch", "agent"])
            }
        }
        migrator.registerMigration("v4-lease-compaction") { db in
            try db.alter(table: "token_account") { t in
                t.add(column: "settled_used", .integer).notNull().defaults(to: 0)
            }
        }
        migrator.registerMigration("v5-lease-write-off") { db in
            try db.alter(table: "token_lease") { t in
                t.add(column: "written_off", .boolean).notNull().defaults(to: false)
            }
        }
        db = try FairwayDatabase.open(directory: directory, name: "coordinator.sqlite", migrator: migrator)
    }

    public func save(_ m: Member) async throws {
        try await db.write { db in
            try db.execute(sql: """
                INSERT INTO member (id, role, address, version, via, bucket_size, state, last_heartbeat_ms, joined_at_ms, name, public_key)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET role = excluded.role, address = excluded.address, version = excluded.version,
                  via = excluded.via, bucket_size = excluded.bucket_size, state = excluded.state,
                  last_heartbeat_ms = excluded.last_heartbeat_ms, name = excluded.name, public_key = excluded.public_key
                """, arguments: [m.id.rawValue, m.role.rawValue, m.address, m.version, m.via?.rawValue,
                                 Int64(m.bucketSize), m.state.rawValue, m.lastHeartbeat.unixMilliseconds, m.joinedAt.unixMilliseconds,
                                 m.name, Data(m.publicKey)])
        }
    }

    /// The new epoch, its record and grants, and the accounts they changed: one transaction.
    public func saveEpoch(_ record: EpochRecord, grants: [NodeID: UInt64], accounts: [TokenAccount]) async throws {
        try await db.write { db in
            try db.execute(sql: "INSERT INTO epoch (id, epoch, started_at_ms) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET epoch = excluded.epoch, started_at_ms = excluded.started_at_ms",
                           arguments: [Int64(record.epoch), record.startedAt.unixMilliseconds])
            try db.execute(sql: "INSERT OR REPLACE INTO epoch_record (epoch, started_at_ms, total_tokens, granted, allocator, agents) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [Int64(record.epoch), record.startedAt.unixMilliseconds, Int64(record.totalTokens), Int64(record.granted),
                                       record.allocator, Int64(record.agents)])
            for (agent, tokens) in grants {
                try db.execute(sql: "INSERT OR REPLACE INTO epoch_grant (epoch, agent, tokens) VALUES (?, ?, ?)",
                               arguments: [Int64(record.epoch), agent.rawValue, Int64(tokens)])
            }
            try Self.save(accounts: accounts, db)
        }
    }

    /// Token accounts and leases that changed, and the next lease id: one transaction.
    public func saveTokens(accounts: [TokenAccount], leases: [TokenLease], nextLeaseID: UInt64) async throws {
        try await db.write { db in
            try Self.save(accounts: accounts, db)
            for l in leases {
                try db.execute(sql: "INSERT OR REPLACE INTO token_lease (id, agent, edge, epoch, tokens, used, settled, written_off) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               arguments: l.rowArguments + [l.writtenOff])
            }
            try db.execute(sql: "INSERT OR REPLACE INTO token_meta (id, next_lease_id) VALUES (1, ?)", arguments: [Int64(nextLeaseID)])
        }
    }

    private static func save(accounts: [TokenAccount], _ db: Database) throws {
        for a in accounts {
            try db.execute(sql: "INSERT OR REPLACE INTO token_account (agent, bucket_size, granted, settled_used) VALUES (?, ?, ?, ?)",
                           arguments: [a.agent.rawValue, Int64(a.bucketSize), Int64(a.granted), Int64(a.settledUsed)])
        }
    }

    /// Settled leases folded into their accounts: the accounts' new `settled_used` and the
    /// removed lease rows, in one transaction (so the fold is never counted twice).
    public func compactTokens(accounts: [TokenAccount], removedLeases: [UInt64]) async throws {
        try await db.write { db in
            try Self.save(accounts: accounts, db)
            for id in removedLeases {
                try db.execute(sql: "DELETE FROM token_lease WHERE id = ?", arguments: [Int64(id)])
            }
        }
    }

    /// The token book as last saved; refuses (throws) state that breaks its invariants.
    public func loadTokens() throws -> TokenAccounts {
        try db.read { db in
            let accounts = try Row.fetchAll(db, sql: "SELECT * FROM token_account").map { row in
                TokenAccount(agent: try NodeID(row["agent"], field: "token_account.agent"),
                             bucketSize: UInt64(row["bucket_size"] as Int64), granted: UInt64(row["granted"] as Int64),
                             settledUsed: UInt64(row["settled_used"] as Int64))
            }
            let leases = try Row.fetchAll(db, sql: "SELECT * FROM token_lease").map { row in
                var lease = try TokenLease(row: row, table: "token_lease")
                lease.writtenOff = row["written_off"]
                return lease
            }
            let next = try Int64.fetchOne(db, sql: "SELECT next_lease_id FROM token_meta WHERE id = 1") ?? 1
            return try TokenAccounts(accounts: accounts, leases: leases, nextLeaseID: UInt64(next))
        }
    }

    /// The most recent `limit` epochs, newest first.
    public func loadEpochs(limit: Int) throws -> [EpochRecord] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM epoch_record ORDER BY epoch DESC LIMIT ?", arguments: [limit]).map { row in
                EpochRecord(epoch: UInt64(row["epoch"] as Int64), startedAt: Timestamp(unixMilliseconds: row["started_at_ms"]),
                            totalTokens: UInt64(row["total_tokens"] as Int64), granted: UInt64(row["granted"] as Int64),
                            allocator: row["allocator"], agents: UInt32(row["agents"] as Int64))
            }
        }
    }

    /// Grants of one epoch, by agent.
    public func loadGrants(epoch: UInt64) throws -> [NodeID: UInt64] {
        try db.read { db in
            var out: [NodeID: UInt64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT agent, tokens FROM epoch_grant WHERE epoch = ?", arguments: [Int64(epoch)]) {
                out[try NodeID(row["agent"])] = UInt64(row["tokens"] as Int64)
            }
            return out
        }
    }

    /// Every stored member. Rows that no longer decode are reported, not silently dropped.
    public func loadMembers() throws -> [Member] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM member").map { row in
                let id: String = row["id"]
                guard let role = NodeRole(rawValue: row["role"]), let state = MemberState(rawValue: row["state"]) else {
                    throw ConfigError(field: "member[\(id)]", message: "stored member has an unknown role or state")
                }
                let via: String? = row["via"]
                return Member(id: try NodeID(id), role: role, address: row["address"], version: row["version"],
                              via: try via.map { try NodeID($0) }, bucketSize: UInt32(row["bucket_size"] as Int64),
                              state: state, lastHeartbeat: Timestamp(unixMilliseconds: row["last_heartbeat_ms"]),
                              joinedAt: Timestamp(unixMilliseconds: row["joined_at_ms"]),
                              name: row["name"], publicKey: [UInt8](row["public_key"] as Data))
            }
        }
    }

    public func loadEpoch() throws -> (UInt64, Timestamp)? {
        try db.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT epoch, started_at_ms FROM epoch WHERE id = 1") else { return nil }
            return (UInt64(row["epoch"] as Int64), Timestamp(unixMilliseconds: row["started_at_ms"]))
        }
    }
}
