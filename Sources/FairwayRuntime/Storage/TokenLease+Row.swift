import FairwayCore
import GRDB

/// How a `TokenLease` is stored: the coordinator's `token_lease` and the edge's `lease`
/// tables share these columns.
extension TokenLease {
    /// Creates a lease table named `table`.
    public static func createTable(_ table: String, in db: Database) throws {
        try db.create(table: table) { t in
            t.primaryKey("id", .integer)
            t.column("agent", .text).notNull()
            t.column("edge", .text).notNull()
            t.column("epoch", .integer).notNull()
            t.column("tokens", .integer).notNull()
            t.column("used", .integer).notNull()
            t.column("settled", .boolean).notNull()
        }
    }

    /// A stored row; `table` names the field in errors.
    public init(row: Row, table: String) throws {
        let id = UInt64(row["id"] as Int64)
        let (agent, edge) = try StorageError.decoding(table: table, row: "\(id)") {
            (try NodeID(row["agent"], field: "\(table).agent"), try NodeID(row["edge"], field: "\(table).edge"))
        }
        self.init(id: id, agent: agent, edge: edge, epoch: UInt64(row["epoch"] as Int64),
                  tokens: UInt64(row["tokens"] as Int64), used: UInt64(row["used"] as Int64), settled: row["settled"])
    }

    /// The column values in the order of `createTable`.
    public var rowArguments: StatementArguments {
        [Int64(id), agent.rawValue, edge.rawValue, Int64(epoch), Int64(tokens), Int64(used), settled]
    }
}
