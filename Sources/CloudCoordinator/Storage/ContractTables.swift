import CoordinatorCore
import FairwayCore
import FairwayRuntime
import Foundation
import GRDB

/// The contract room's tables: the current round (one row), each ES's record per round (its
/// choice, integration and payment per period, and the integrated module's bytes until
/// settlement), upload chunks as they arrive (so an upload resumes after a restart), and the
/// integrated module (newest version).
enum ContractTables {
    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7-contracts") { db in
            try db.create(table: "contract_round") { t in
                t.primaryKey("id", .integer)
                t.column("round", .integer).notNull()
                t.column("period", .integer).notNull()
                t.column("opens_epoch", .integer).notNull()
                t.column("deadline_epoch", .integer).notNull()
            }
            try db.create(table: "contract_edge") { t in
                t.column("edge", .text).notNull()
                t.column("round", .integer).notNull()
                for p in 1...2 {
                    t.column("p\(p)_choice", .integer).notNull()
                    t.column("p\(p)_integrated", .integer).notNull()
                    t.column("p\(p)_accuracy", .double).notNull()
                    t.column("p\(p)_samples", .integer).notNull()
                    t.column("p\(p)_digest", .blob).notNull()
                    t.column("p\(p)_module", .blob).notNull()
                    t.column("p\(p)_paid", .double).notNull()
                }
                t.primaryKey(["edge", "round"])
            }
            try db.create(table: "contract_chunk") { t in
                t.column("edge", .text).notNull()
                t.column("chunk_index", .integer).notNull()
                t.column("round", .integer).notNull()
                t.column("period", .integer).notNull()
                t.column("chunk_count", .integer).notNull()
                t.column("digest", .blob).notNull()
                t.column("samples", .integer).notNull()
                t.column("bytes", .blob).notNull()
                t.primaryKey(["edge", "chunk_index"])
            }
            try db.create(table: "contract_module") { t in
                t.primaryKey("version", .integer)
                t.column("bytes", .blob).notNull()
                t.column("digest", .blob).notNull()
                t.column("accuracy", .double).notNull()
            }
        }
    }

    static func write(_ d: Contracts.Directive) -> DatabaseWrite? {
        switch d {
        case .persistRound(let r):
            return { db in
                try db.execute(sql: "INSERT OR REPLACE INTO contract_round (id, round, period, opens_epoch, deadline_epoch) VALUES (1, ?, ?, ?, ?)",
                               arguments: [Int64(r.round), Int64(r.period), Int64(r.opensEpoch), Int64(r.deadlineEpoch)])
            }
        case .persistEdge(let e):
            return { db in
                var columns = ["edge", "round"], values: [(any DatabaseValueConvertible)?] = [e.edge.rawValue, Int64(e.round)]
                for p in 1...2 {
                    let d = e.periods[p - 1]
                    columns += ["p\(p)_choice", "p\(p)_integrated", "p\(p)_accuracy", "p\(p)_samples", "p\(p)_digest", "p\(p)_module", "p\(p)_paid"]
                    values += [Int64(d.choice.code), d.integrated ? 1 : 0, d.accuracy, Int64(clamping: d.samples), Data(d.moduleDigest), Data(d.module), d.paid]
                }
                try db.execute(sql: "INSERT OR REPLACE INTO contract_edge (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                               arguments: StatementArguments(values))
            }
        case .persistChunk(let edge, let u):
            guard let chunk = u.chunks.last else { return nil }
            return { db in
                try db.execute(sql: """
                    INSERT OR REPLACE INTO contract_chunk (edge, chunk_index, round, period, chunk_count, digest, samples, bytes)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [edge.rawValue, Int64(u.chunks.count - 1), Int64(u.round), Int64(u.period), Int64(u.chunkCount), Data(u.moduleDigest),
                                     Int64(clamping: u.samples), Data(chunk)])
            }
        case .clearChunks(let edge):
            return { db in try db.execute(sql: "DELETE FROM contract_chunk WHERE edge = ?", arguments: [edge.rawValue]) }
        case .persistModule(let m):
            return { db in
                try db.execute(sql: "INSERT OR REPLACE INTO contract_module (version, bytes, digest, accuracy) VALUES (?, ?, ?, ?)",
                               arguments: [Int64(m.version), Data(m.bytes), Data(m.digest), m.accuracy])
                try db.execute(sql: "DELETE FROM contract_module WHERE version < ?", arguments: [Int64(m.version)])
            }
        case .pay:
            return nil  // recorded as a DAT-ledger leaf by the router (`.ledger(.append)`)
        }
    }

    static func load(_ db: Database) throws -> Contracts.Restored {
        var restored = Contracts.Restored()
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM contract_round WHERE id = 1") {
            restored.round = Contracts.RoundState(round: UInt64(row["round"] as Int64), period: UInt32(row["period"] as Int64),
                                                  opensEpoch: UInt64(row["opens_epoch"] as Int64), deadlineEpoch: UInt64(row["deadline_epoch"] as Int64))
        }
        for row in try Row.fetchAll(db, sql: "SELECT * FROM contract_edge") {
            let id: String = row["edge"]
            let edge = try StorageError.decoding(table: "contract_edge", row: id) { try NodeID(id, field: "edge") }
            var e = Contracts.EdgeRecord(edge: edge, round: UInt64(row["round"] as Int64))
            for p in 1...2 {
                var d = Contracts.Delivery()
                guard let choice = ContractChoice(code: Int32(clamping: row["p\(p)_choice"] as Int64)) else {
                    throw StorageError(table: "contract_edge", row: id, message: "p\(p)_choice is not a choice code")
                }
                d.choice = choice
                d.integrated = (row["p\(p)_integrated"] as Int64) != 0
                d.accuracy = row["p\(p)_accuracy"]
                d.samples = UInt64(clamping: row["p\(p)_samples"] as Int64)
                d.moduleDigest = [UInt8](row["p\(p)_digest"] as Data)
                d.module = [UInt8](row["p\(p)_module"] as Data)
                d.paid = row["p\(p)_paid"]
                e.periods[p - 1] = d
                restored.totalPaid += d.paid
            }
            restored.edges.append(e)
        }
        for row in try Row.fetchAll(db, sql: "SELECT * FROM contract_chunk ORDER BY edge, chunk_index") {
            let id: String = row["edge"]
            let edge = try StorageError.decoding(table: "contract_chunk", row: id) { try NodeID(id, field: "edge") }
            var u = restored.uploads[edge] ?? Contracts.PartialUpload(
                round: UInt64(row["round"] as Int64), period: UInt32(row["period"] as Int64), chunkCount: UInt32(row["chunk_count"] as Int64),
                moduleDigest: [UInt8](row["digest"] as Data), samples: UInt64(clamping: row["samples"] as Int64))
            guard Int64(u.chunks.count) == row["chunk_index"] as Int64 else {
                throw StorageError(table: "contract_chunk", row: id, message: "chunk \(u.chunks.count) is missing")
            }
            u.chunks.append([UInt8](row["bytes"] as Data))
            restored.uploads[edge] = u
        }
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM contract_module ORDER BY version DESC LIMIT 1") {
            restored.module = Contracts.GlobalModule(version: UInt64(row["version"] as Int64), bytes: [UInt8](row["bytes"] as Data),
                                                     digest: [UInt8](row["digest"] as Data), accuracy: row["accuracy"])
        }
        return restored
    }
}
