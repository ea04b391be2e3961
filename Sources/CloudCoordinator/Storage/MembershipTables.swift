import CoordinatorCore
import FairwayCore
import FairwayRuntime
import Foundation
import GRDB

/// The member table (`member`): every node that joined, its state and last heartbeat.
enum MembershipTables {
    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-membership") { db in
            try db.create(table: "member", ifNotExists: true) { t in
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
        }
        migrator.registerMigration("v2-identity") { db in
            try db.alter(table: "member") { t in
                t.add(column: "name", .text).notNull().defaults(to: "")
                t.add(column: "public_key", .blob).notNull().defaults(to: Data())
            }
        }
    }

    static func write(_ d: Membership.Directive) -> DatabaseWrite? {
        guard case .persist(let m) = d else { return nil }
        return { db in
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

    /// Every stored member. A row that no longer decodes is a `StorageError`, not silently dropped.
    static func load(_ db: Database) throws -> [Member] {
        try Row.fetchAll(db, sql: "SELECT * FROM member").map { row in
            let id: String = row["id"]
            guard let role = NodeRole(rawValue: row["role"]), let state = MemberState(rawValue: row["state"]) else {
                throw StorageError(table: "member", row: id, message: "unknown role \(row["role"] ?? "?") or state \(row["state"] ?? "?")")
            }
            let via: String? = row["via"]
            return Member(id: try StorageError.decoding(table: "member", row: id) { try NodeID(id) },
                          role: role, address: row["address"], version: row["version"],
                          via: try StorageError.decoding(table: "member", row: id) { try via.map { try NodeID($0) } },
                          bucketSize: UInt32(row["bucket_size"] as Int64),
                          state: state, lastHeartbeat: Timestamp(unixMilliseconds: row["last_heartbeat_ms"]),
                          joinedAt: Timestamp(unixMilliseconds: row["joined_at_ms"]),
                          name: row["name"], publicKey: [UInt8](row["public_key"] as Data))
        }
    }
}
