import CoordinatorCore
import FairwayCore
import FairwayRuntime
import GRDB

/// Token scheduling's tables: accounts, leases, the next lease id, and each epoch's record
/// and grants (`fairwayctl epochs`).
enum TokenTables {
    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
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
    }

    static func write(_ d: TokenScheduling.Directive) -> DatabaseWrite {
        switch d {
        case .persistGrants(let record, let grants, let accounts):
            return { db in
                try db.execute(sql: "INSERT OR REPLACE INTO epoch_record (epoch, started_at_ms, total_tokens, granted, allocator, agents) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [Int64(record.epoch), record.startedAt.unixMilliseconds, Int64(record.totalTokens), Int64(record.granted),
                                           record.allocator, Int64(record.agents)])
                for (agent, tokens) in grants {
                    try db.execute(sql: "INSERT OR REPLACE INTO epoch_grant (epoch, agent, tokens) VALUES (?, ?, ?)",
                                   arguments: [Int64(record.epoch), agent.rawValue, Int64(tokens)])
                }
                try save(accounts: accounts, db)
            }
        case .persistTokens(let accounts, let leases, let next):
            return { db in
                try save(accounts: accounts, db)
                for l in leases {
                    try db.execute(sql: "INSERT OR REPLACE INTO token_lease (id, agent, edge, epoch, tokens, used, settled, written_off) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                   arguments: l.rowArguments + [l.writtenOff])
                }
                try db.execute(sql: "INSERT OR REPLACE INTO token_meta (id, next_lease_id) VALUES (1, ?)", arguments: [Int64(next)])
            }
        case .compact(let accounts, let removed):
            // The accounts' new settled_used and the removed rows together: never counted twice.
            return { db in
                try save(accounts: accounts, db)
                for id in removed { try db.execute(sql: "DELETE FROM token_lease WHERE id = ?", arguments: [Int64(id)]) }
            }
        }
    }

    private static func save(accounts: [TokenAccount], _ db: Database) throws {
        for a in accounts {
            try db.execute(sql: "INSERT OR REPLACE INTO token_account (agent, bucket_size, granted, settled_used) VALUES (?, ?, ?, ?)",
                           arguments: [a.agent.rawValue, Int64(a.bucketSize), Int64(a.granted), Int64(a.settledUsed)])
        }
    }

    /// The token book as last saved; refuses (throws) state that breaks its invariants.
    static func load(_ db: Database) throws -> TokenAccounts {
        let accounts = try Row.fetchAll(db, sql: "SELECT * FROM token_account").map { row in
            TokenAccount(agent: try StorageError.decoding(table: "token_account", row: "\(row["agent"] ?? "?")") { try NodeID(row["agent"], field: "token_account.agent") },
                         bucketSize: UInt64(row["bucket_size"] as Int64), granted: UInt64(row["granted"] as Int64),
                         settledUsed: UInt64(row["settled_used"] as Int64))
        }
        let leases = try Row.fetchAll(db, sql: "SELECT * FROM token_lease").map { row in
            var lease = try TokenLease(row: row, table: "token_lease")
            lease.writtenOff = row["written_off"]
            return lease
        }
        let next = try Int64.fetchOne(db, sql: "SELECT next_lease_id FROM token_meta WHERE id = 1") ?? 1
        do {
            return try TokenAccounts(accounts: accounts, leases: leases, nextLeaseID: UInt64(next))
        } catch {
            throw StorageError(table: "token_account", row: "", message: "stored token book breaks its invariants: \(error)")
        }
    }

    /// The most recent `limit` epochs, newest first.
    static func loadEpochs(_ db: Database, limit: Int) throws -> [EpochRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM epoch_record ORDER BY epoch DESC LIMIT ?", arguments: [limit]).map { row in
            EpochRecord(epoch: UInt64(row["epoch"] as Int64), startedAt: Timestamp(unixMilliseconds: row["started_at_ms"]),
                        totalTokens: UInt64(row["total_tokens"] as Int64), granted: UInt64(row["granted"] as Int64),
                        allocator: row["allocator"], agents: UInt32(row["agents"] as Int64))
        }
    }

    /// Grants of one epoch, by agent.
    static func loadGrants(_ db: Database, epoch: UInt64) throws -> [NodeID: UInt64] {
        var out: [NodeID: UInt64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT agent, tokens FROM epoch_grant WHERE epoch = ?", arguments: [Int64(epoch)]) {
            let agent: String = row["agent"]
            out[try StorageError.decoding(table: "epoch_grant", row: agent) { try NodeID(agent) }] = UInt64(row["tokens"] as Int64)
        }
        return out
    }
}
