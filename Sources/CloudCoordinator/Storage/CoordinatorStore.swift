import CoordinatorCore
import FairwayCore
import FairwayRuntime
import GRDB

/// The coordinator's durable state in `<data_dir>/coordinator.sqlite` (WAL, synchronous FULL):
/// one file of tables and migrations per concern (`MembershipTables`, `EpochTables`,
/// `TokenTables`) and the replay journal, so a batch's effects and its journal entries commit
/// in one transaction.
public final class CoordinatorStore: Sendable {
    let db: DatabasePool
    /// The replay journal, in this database.
    public let journal: ReplayJournal

    public init(directory: String) throws {
        var migrator = DatabaseMigrator()
        MembershipTables.registerMigrations(&migrator)
        EpochTables.registerMigrations(&migrator)
        TokenTables.registerMigrations(&migrator)
        ReplayJournal.registerMigrations(&migrator)
        db = try FairwayDatabase.open(directory: directory, name: "coordinator.sqlite", migrator: migrator)
        journal = ReplayJournal(database: db)
    }

    /// The database writes that make `directives` durable, in order (the others are effects).
    public static func writes(for directives: [CoordinatorInstance.Directive]) -> [DatabaseWrite] {
        directives.compactMap { d in
            switch d {
            case .membership(let m): MembershipTables.write(m)
            case .epoch(let e): EpochTables.write(e)
            case .tokens(let t): TokenTables.write(t)
            case .wake, .log: nil
            }
        }
    }

    /// Everything the instance restarts from.
    public func load() throws -> CoordinatorInstance.Restored {
        try db.read { db in
            CoordinatorInstance.Restored(members: try MembershipTables.load(db), epoch: try EpochTables.load(db), tokens: try TokenTables.load(db))
        }
    }

    /// The most recent `limit` epochs, newest first.
    public func loadEpochs(limit: Int) throws -> [EpochRecord] { try db.read { try TokenTables.loadEpochs($0, limit: limit) } }

    /// Grants of one epoch, by agent.
    public func loadGrants(epoch: UInt64) throws -> [NodeID: UInt64] { try db.read { try TokenTables.loadGrants($0, epoch: epoch) } }

    /// Every stored member.
    public func loadMembers() throws -> [Member] { try db.read { try MembershipTables.load($0) } }
}
