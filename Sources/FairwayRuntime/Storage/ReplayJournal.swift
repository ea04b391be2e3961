import FairwayCore
import FairwayWire
import Foundation
import GRDB

/// The durable half of replay protection: the replies to state-changing requests, kept for as
/// long as the replay window lasts, in the role's own database (`coordinator.sqlite`,
/// `edge.sqlite`).
///
/// A request's journal entry (`entry`) commits in the **same transaction** as the request's
/// effect (`CommitLoop`): after a crash both are there or both are absent, so a resend is never
/// handled twice. A `RequestServer` consults the journal for the kinds it was told change
/// state, after its in-memory `ReplayGuard` and before the handler; after a restart, a resent
/// or replayed request inside the window gets the original reply; outside the window the guard
/// refuses it as stale. Together they close the restart gap the in-memory guard leaves.
public final class ReplayJournal: Sendable {
    private let db: DatabasePool

    /// The journal in a role's database, whose migrator ran `registerMigrations`.
    public init(database: DatabasePool) {
        self.db = database
    }

    /// Adds the journal's table to a role's migrator.
    public static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-replay") { db in
            try db.create(table: "handled") { t in
                t.column("sender", .text).notNull()
                t.column("message_id", .blob).notNull()
                t.column("sent_at_ms", .integer).notNull()
                t.column("digest", .blob).notNull()
                t.column("reply", .blob).notNull()
                t.primaryKey(["sender", "message_id"])
            }
            try db.create(index: "handled_by_time", on: "handled", columns: ["sent_at_ms"])
        }
    }

    /// The stored (digest, reply) of a handled request, if any.
    public func lookup(sender: NodeID, messageID: MessageID) async throws -> (digest: [UInt8], reply: [UInt8])? {
        try await db.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT digest, reply FROM handled WHERE sender = ? AND message_id = ?",
                                             arguments: [sender.rawValue, Data(messageID.bytes)]) else { return nil }
            return ([UInt8](row["digest"] as Data), [UInt8](row["reply"] as Data))
        }
    }

    /// The write that records the reply to a handled request; commit it with the request's effect.
    /// Its statement is prepared once per connection (`cachedStatement`): it runs for every
    /// durable request.
    public static func entry(sender: NodeID, messageID: MessageID, sentAt: Timestamp, digest: [UInt8], reply: [UInt8]) -> DatabaseWrite {
        { db in
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO handled (sender, message_id, sent_at_ms, digest, reply) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [sender.rawValue, Data(messageID.bytes), sentAt.unixMilliseconds, Data(digest), Data(reply)])
        }
    }

    /// Drops entries sent before `cutoff` (requests that old are refused as stale anyway).
    @discardableResult
    public func prune(sentBefore cutoff: Timestamp) async throws -> Int {
        try await db.write { db in
            try db.execute(sql: "DELETE FROM handled WHERE sent_at_ms < ?", arguments: [cutoff.unixMilliseconds])
            return db.changesCount
        }
    }

    /// The latest `sent_at` of any entry, or nil if the journal is empty. Read once at start: a
    /// request sent after it cannot be in the journal unless this process put it there.
    public func newestSentAt() throws -> Timestamp? {
        try db.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(sent_at_ms) FROM handled").map { Timestamp(unixMilliseconds: $0) }
        }
    }

    /// Number of entries (for tests and status).
    public func count() throws -> Int {
        try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM handled") ?? 0 }
    }
}
