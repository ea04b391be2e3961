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

    /// The database, for callers that commit `writes(for:sign:)` themselves (the ledger bench);
    /// the coordinator's own writes go through its `CommitLoop`.
    public var writer: any DatabaseWriter { db }

    public init(directory: String) throws {
        var migrator = DatabaseMigrator()
        MembershipTables.registerMigrations(&migrator)
        EpochTables.registerMigrations(&migrator)
        TokenTables.registerMigrations(&migrator)
        LedgerTables.registerMigrations(&migrator)
        ContractTables.registerMigrations(&migrator)
        CloudTables.registerMigrations(&migrator)
        ReplayJournal.registerMigrations(&migrator)
        db = try FairwayDatabase.open(directory: directory, name: "coordinator.sqlite", migrator: migrator)
        journal = ReplayJournal(database: db)
    }

    /// The database writes that make `directives` durable, in order (the others are effects).
    /// - Parameter sign: signs the ledger's tree heads with the coordinator's key.
    public static func writes(for directives: [CoordinatorInstance.Directive], sign: @escaping @Sendable (SignedTreeHead) -> SignedTreeHead) -> [DatabaseWrite] {
        directives.compactMap { d in
            switch d {
            case .membership(let m): MembershipTables.write(m)
            case .epoch(let e): EpochTables.write(e)
            case .tokens(let t): TokenTables.write(t)
            case .ledger(let l): LedgerTables.write(l, sign: sign)
            case .contracts(let c): ContractTables.write(c)
            case .cloud(let c): CloudTables.write(c)
            case .wake, .log: nil
            }
        }
    }

    /// Everything the instance restarts from.
    public func load() throws -> CoordinatorInstance.Restored {
        try db.read { db in
            let (ledger, contributions) = try LedgerTables.load(db)
            var restored = CoordinatorInstance.Restored(members: try MembershipTables.load(db), epoch: try EpochTables.load(db), tokens: try TokenTables.load(db),
                                                ledger: ledger, contributions: contributions, contracts: try ContractTables.load(db))
            restored.cloud = try CloudTables.load(db)
            return restored
        }
    }

    /// Leaf bytes [start, start + limit), the ledger size and every signed head.
    public func loadLedger(start: UInt64, limit: UInt32) throws -> LedgerReply {
        try db.read { db in
            LedgerReply(treeSize: try LedgerTables.leafCount(db), leaves: try LedgerTables.leaves(db, start: start, limit: limit), heads: try LedgerTables.heads(db))
        }
    }

    /// The bytes of leaf `index`, if stored.
    public func loadLeaf(_ index: UInt64) throws -> [UInt8]? {
        try db.read { try LedgerTables.leaves($0, start: index, limit: 1).first }
    }

    /// The most recent `limit` epochs, newest first.
    public func loadEpochs(limit: Int) throws -> [EpochRecord] { try db.read { try TokenTables.loadEpochs($0, limit: limit) } }

    /// Grants of one epoch, by agent.
    public func loadGrants(epoch: UInt64) throws -> [NodeID: UInt64] { try db.read { try TokenTables.loadGrants($0, epoch: epoch) } }

    /// Every stored member.
    public func loadMembers() throws -> [Member] { try db.read { try MembershipTables.load($0) } }
}
