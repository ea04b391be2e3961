import CoordinatorCore
import FairwayCore
import FairwayRuntime
import GRDB

/// The epoch clock's row (`epoch`): the current epoch and when it started.
enum EpochTables {
    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        // Created by v1-membership in databases written before the tables were split by concern.
        migrator.registerMigration("v1-epoch") { db in
            try db.create(table: "epoch", ifNotExists: true) { t in
                t.primaryKey("id", .integer)
                t.column("epoch", .integer).notNull()
                t.column("started_at_ms", .integer).notNull()
            }
        }
    }

    static func write(_ d: EpochClock.Directive) -> DatabaseWrite? {
        guard case .persist(let epoch, let startedAt) = d else { return nil }
        return { db in
            try db.execute(sql: "INSERT INTO epoch (id, epoch, started_at_ms) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET epoch = excluded.epoch, started_at_ms = excluded.started_at_ms",
                           arguments: [Int64(epoch), startedAt.unixMilliseconds])
        }
    }

    static func load(_ db: Database) throws -> (epoch: UInt64, startedAt: Timestamp)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT epoch, started_at_ms FROM epoch WHERE id = 1") else { return nil }
        return (UInt64(row["epoch"] as Int64), Timestamp(unixMilliseconds: row["started_at_ms"]))
    }
}
