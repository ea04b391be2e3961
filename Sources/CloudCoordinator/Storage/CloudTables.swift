import CoordinatorCore
import FairwayCore
import FairwayRuntime
import Foundation
import GRDB

/// Cloud allocation's table (`cloud_share`): one row per edge per epoch — the report the
/// allocation used (JSON), the shares, and the offloads used. The latest epoch is the allocation
/// in force after a restart.
enum CloudTables {
    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v8-cloud-share") { db in
            try db.create(table: "cloud_share") { t in
                t.column("epoch", .integer).notNull()
                t.column("edge", .text).notNull()
                t.column("allocator", .text).notNull()
                t.column("reported", .text).notNull()
                t.column("inference_rps", .double).notNull()
                t.column("inference_quota", .integer).notNull()
                t.column("inference_used", .integer).notNull()
                t.column("training_steps", .double).notNull()
                t.column("labels", .integer).notNull()
                t.primaryKey(["epoch", "edge"])
            }
            // An epoch with no reporting edge still records that it allocated (to nobody).
            try db.create(table: "cloud_epoch") { t in
                t.primaryKey("epoch", .integer)
                t.column("allocator", .text).notNull()
            }
        }
    }

    static func write(_ d: CloudAllocation.Directive) -> DatabaseWrite {
        switch d {
        case .persist(let record):
            let rows = record.rows.map { r in
                (r, String(decoding: (try? JSONEncoder().encode(r.reported)) ?? Data("{}".utf8), as: UTF8.self))
            }
            return { db in
                try db.execute(sql: "INSERT OR REPLACE INTO cloud_epoch (epoch, allocator) VALUES (?, ?)", arguments: [Int64(record.epoch), record.allocator])
                for (r, reported) in rows {
                    try db.execute(sql: """
                        INSERT OR REPLACE INTO cloud_share (epoch, edge, allocator, reported, inference_rps, inference_quota, inference_used, training_steps, labels)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [Int64(record.epoch), r.edge.rawValue, record.allocator, reported, r.share.inferenceRPS,
                                         Int64(r.share.inferenceQuota), Int64(r.share.inferenceUsed), r.share.trainingSteps, Int64(r.share.labels)])
                }
            }
        case .persistUsage(let epoch, let edge, let used):
            return { db in
                try db.execute(sql: "UPDATE cloud_share SET inference_used = ? WHERE epoch = ? AND edge = ?",
                               arguments: [Int64(used), Int64(epoch), edge.rawValue])
            }
        }
    }

    /// The allocation of the latest recorded epoch.
    static func load(_ db: Database) throws -> CloudAllocationRecord? {
        guard let head = try Row.fetchOne(db, sql: "SELECT epoch, allocator FROM cloud_epoch ORDER BY epoch DESC LIMIT 1") else { return nil }
        let epoch: Int64 = head["epoch"]
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM cloud_share WHERE epoch = ? ORDER BY edge", arguments: [epoch]).map { row in
            let reported = try JSONDecoder().decode(EdgeResources.self, from: Data((row["reported"] as String).utf8))
            let share = CloudShare(epoch: UInt64(epoch), inferenceRPS: row["inference_rps"], inferenceQuota: UInt64(row["inference_quota"] as Int64),
                                   inferenceUsed: UInt64(row["inference_used"] as Int64), trainingSteps: row["training_steps"],
                                   labels: UInt64(row["labels"] as Int64))
            return CloudAllocationRecord.Row(edge: try NodeID(row["edge"] as String, field: "cloud_share.edge"), reported: reported, share: share)
        }
        return CloudAllocationRecord(epoch: UInt64(epoch), allocator: head["allocator"], rows: rows)
    }
}
