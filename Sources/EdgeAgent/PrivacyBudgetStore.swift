import FairwayCore
import FairwayRuntime
import GRDB

/// The agents' privacy budgets in `<data_dir>/privacy.sqlite` (WAL, synchronous FULL): every
/// release charged, per identity. A release is charged here, durably, before it is sent, so a
/// restarted agent can never spend its budget twice (I5).
public final class PrivacyBudgetStore: Sendable {
    private let db: DatabasePool

    public init(directory: String) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-privacy") { db in
            try db.create(table: "release") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("identity", .text).notNull().indexed()
                t.column("noise_multiplier", .double).notNull()
                t.column("count", .integer).notNull()
            }
        }
        db = try FairwayDatabase.open(directory: directory, name: "privacy.sqlite", migrator: migrator)
    }

    /// The budget of `identity` with every release it was charged.
    public func budget(for identity: NodeID, epsilon: Double, delta: Double) throws -> PrivacyBudget {
        let charged = try db.read { db in
            try Row.fetchAll(db, sql: "SELECT noise_multiplier, count FROM release WHERE identity = ? ORDER BY seq", arguments: [identity.rawValue]).map {
                RDPAccountant.Mechanism(noiseMultiplier: $0["noise_multiplier"], count: $0["count"])
            }
        }
        return PrivacyBudget(epsilon: epsilon, delta: delta, charged: charged)
    }

    /// Charges a release to `budget` and makes it durable; throws `PrivacyBudget.Exhausted` (and
    /// stores nothing) if the budget cannot pay for it.
    public func charge(_ m: RDPAccountant.Mechanism, to budget: inout PrivacyBudget, identity: NodeID) async throws {
        var next = budget
        try next.charge(m)
        try await db.write { db in
            try db.execute(sql: "INSERT INTO release (identity, noise_multiplier, count) VALUES (?, ?, ?)",
                           arguments: [identity.rawValue, m.noiseMultiplier, m.count])
        }
        budget = next
    }
}
