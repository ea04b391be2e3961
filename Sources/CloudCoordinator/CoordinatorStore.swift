import FairwayCore
import FairwayRuntime
import Foundation
import GRDB

/// The coordinator's durable state: member table and current epoch, in
/// `<data_dir>/coordinator.sqlite` (WAL, synchronous FULL).
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

    public func saveEpoch(_ epoch: UInt64, startedAt: Timestamp) async throws {
        try await db.write { db in
            try db.execute(sql: "INSERT INTO epoch (id, epoch, started_at_ms) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET epoch = excluded.epoch, started_at_ms = excluded.started_at_ms",
                           arguments: [Int64(epoch), startedAt.unixMilliseconds])
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
