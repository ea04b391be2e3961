import EdgeServerCore
import FairwayCore
import FairwayRuntime
import Foundation
import GRDB

/// The edge server's durable state in `<data_dir>/edge.sqlite` (WAL, synchronous FULL): the
/// token leases it holds, the ids of leases it retired, whether it is draining (`fairwayctl
/// drain`), and the replay journal. A debit commits
/// with its journal entry before the inference it pays for is acknowledged, so a kill -9 never
/// loses a served token.
public final class EdgeStore: Sendable {
    let db: DatabasePool
    /// The replay journal, in this database.
    public let journal: ReplayJournal

    public init(directory: String) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-leases") { db in
            try TokenLease.createTable("lease", in: db)
            try db.create(table: "retired_lease") { t in
                t.primaryKey("id", .integer)
            }
        }
        ReplayJournal.registerMigrations(&migrator)
        migrator.registerMigration("v2-drain") { db in
            try db.create(table: "drain") { t in
                t.primaryKey("id", .integer)  // one row, id 1
                t.column("draining", .boolean).notNull()
            }
        }
        db = try FairwayDatabase.open(directory: directory, name: "edge.sqlite", migrator: migrator)
        journal = ReplayJournal(database: db)
    }

    /// The database writes that make `directives` durable, in order (the others are effects).
    public static func writes(for directives: [EdgeInstance.Directive]) -> [DatabaseWrite] {
        directives.compactMap { d -> DatabaseWrite? in
            switch d {
            case .leases(.persist(let leases, let retired)): return write(leases, retired: retired)
            case .draining(let on): return { db in try db.execute(sql: "INSERT OR REPLACE INTO drain (id, draining) VALUES (1, ?)", arguments: [on]) }
            default: return nil
            }
        }
    }

    /// Upserts `leases`, drops held leases that were retired, records `retired`. The statements
    /// are prepared once per connection (`cachedStatement`): a debit runs in every admission's
    /// transaction, and compiling its SQL each time cost the committer more than executing it.
    private static func write(_ leases: [TokenLease], retired: Set<UInt64>) -> DatabaseWrite {
        { db in
            if !leases.isEmpty {
                // used and settled only move forward, whatever order writes land in.
                let upsert = try db.cachedStatement(sql: """
                    INSERT INTO lease (id, agent, edge, epoch, tokens, used, settled) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET used = MAX(used, excluded.used), settled = (settled OR excluded.settled)
                    """)
                for l in leases { try upsert.execute(arguments: l.rowArguments) }
            }
            for id in retired {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO retired_lease (id) VALUES (?)").execute(arguments: [Int64(id)])
                try db.cachedStatement(sql: "DELETE FROM lease WHERE id = ?").execute(arguments: [Int64(id)])
            }
        }
    }

    /// Whether the edge was draining when it stopped.
    public func draining() throws -> Bool {
        try db.read { try Bool.fetchOne($0, sql: "SELECT draining FROM drain WHERE id = 1") ?? false }
    }

    /// The lease book as last saved.
    public func load() throws -> EdgeLeases {
        try db.read { db in
            let leases = try Row.fetchAll(db, sql: "SELECT * FROM lease").map { row in
                try TokenLease(row: row, table: "lease")
            }
            let retired = try Int64.fetchAll(db, sql: "SELECT id FROM retired_lease").map { UInt64($0) }
            return EdgeLeases(leases: leases, retiredLeaseIDs: Set(retired))
        }
    }
}
