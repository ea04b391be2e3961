import FairwayCore
import FairwayRuntime
import Foundation
import GRDB

/// The edge server's durable state in `<data_dir>/edge.sqlite` (WAL, synchronous FULL): the
/// token leases it holds and the ids of leases it retired. A debit is written here before the
/// inference it pays for is acknowledged, so a kill -9 never loses a served token.
public final class EdgeStore: Sendable {
    private let db: DatabasePool
    private let commits: GroupCommit
    /// The replay journal, in this database: an admission's debit and its journal entry
    /// commit in one transaction.
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
        db = try FairwayDatabase.open(directory: directory, name: "edge.sqlite", migrator: migrator)
        commits = GroupCommit(db)
        journal = ReplayJournal(database: db, commits: commits)
    }

    /// Writes `leases` (upsert), drops held leases that were retired, records `retired`: one transaction.
    public func save(_ leases: [TokenLease], retired: Set<UInt64>) async throws {
        try await commits.write(Self.writes(leases, retired: retired))
    }

    /// The debits of one admission, to commit with its journal entry (`RequestServer.Outcome`).
    public func debitWrites(_ leases: [TokenLease]) -> @Sendable (Database) throws -> Void {
        Self.writes(leases, retired: [])
    }

    private static func writes(_ leases: [TokenLease], retired: Set<UInt64>) -> @Sendable (Database) throws -> Void {
        { db in
            for l in leases {
                // used and settled only move forward, whatever order concurrent writes land in.
                try db.execute(sql: """
                    INSERT INTO lease (id, agent, edge, epoch, tokens, used, settled) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET used = MAX(used, excluded.used), settled = (settled OR excluded.settled)
                    """,
                               arguments: l.rowArguments)
            }
            for id in retired {
                try db.execute(sql: "INSERT OR IGNORE INTO retired_lease (id) VALUES (?)", arguments: [Int64(id)])
                try db.execute(sql: "DELETE FROM lease WHERE id = ?", arguments: [Int64(id)])
            }
        }
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
