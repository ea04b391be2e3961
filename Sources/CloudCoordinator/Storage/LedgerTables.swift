import CoordinatorCore
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation
import GRDB

/// The DAT ledger's tables: one row per leaf (its exact bytes, its hash, the contribution it
/// records and the receipt given for it) and one per signed tree head.
enum LedgerTables {
    static func registerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-dat-ledger") { db in
            try db.create(table: "ledger_leaf") { t in
                t.primaryKey("leaf_index", .integer)
                t.column("leaf", .blob).notNull()
                t.column("leaf_hash", .blob).notNull()
                t.column("agent", .text).notNull()
                t.column("contribution_id", .blob).notNull()
                t.column("credit", .double).notNull()
                t.column("novel", .integer).notNull()
                t.column("normal", .integer).notNull()
                t.column("noise", .integer).notNull()
                t.column("agent_value", .double).notNull()
                t.column("tree_size", .integer).notNull()
                t.uniqueKey(["agent", "contribution_id"])
            }
            try db.create(table: "ledger_head") { t in
                t.primaryKey("tree_size", .integer)
                t.column("root_hash", .blob).notNull()
                t.column("timestamp_ms", .integer).notNull()
                t.column("epoch", .integer).notNull()
                t.column("signature", .blob).notNull()
                t.column("public_key", .blob).notNull()
            }
        }
    }

    /// `sign` signs a tree head with the coordinator's key (the pure instance holds no key).
    static func write(_ d: DATLedger.Directive, sign: @escaping @Sendable (SignedTreeHead) -> SignedTreeHead) -> DatabaseWrite {
        switch d {
        case .append(let record, let leaf, let hash, let id, let receipt):
            return { db in
                try db.execute(sql: """
                    INSERT INTO ledger_leaf (leaf_index, leaf, leaf_hash, agent, contribution_id, credit, novel, normal, noise, agent_value, tree_size)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [Int64(record.index), Data(leaf), Data(hash), record.agentID.rawValue, Data(id), receipt.credit, Int64(receipt.novelSamples),
                                     Int64(receipt.normalSamples), Int64(receipt.noiseSamples), receipt.agentValue, Int64(receipt.treeSize)])
            }
        case .signHead(let head):
            let h = sign(head)
            return { db in
                try db.execute(sql: "INSERT OR REPLACE INTO ledger_head (tree_size, root_hash, timestamp_ms, epoch, signature, public_key) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [Int64(h.treeSize), Data(h.rootHash), h.timestamp.unixMilliseconds, Int64(h.epoch), Data(h.signature), Data(h.publicKey)])
            }
        }
    }

    /// The ledger as stored, and its records with their contributions (for the catalog).
    /// A leaf whose bytes do not hash to its stored hash, or whose provenance does not open, is
    /// refused by index: the coordinator does not start on a tampered log.
    static func load(_ db: Database) throws -> (DATLedger, [(record: DatRecord, contribution: Contribution)]) {
        var hashes: [[UInt8]] = [], receipts: [DATLedger.ContributionKey: ContributionReceipt] = [:]
        var contributions: [(record: DatRecord, contribution: Contribution)] = []
        let tree = MerkleTree.sha256()
        for (expected, row) in try Row.fetchAll(db, sql: "SELECT * FROM ledger_leaf ORDER BY leaf_index").enumerated() {
            let index: Int64 = row["leaf_index"]
            guard index == Int64(expected) else { throw StorageError(table: "ledger_leaf", row: "\(expected)", message: "leaf \(expected) is missing (next stored index is \(index))") }
            let leaf: [UInt8] = [UInt8](row["leaf"] as Data)
            let hash: [UInt8] = [UInt8](row["leaf_hash"] as Data)
            guard tree.leafHash(leaf) == hash else { throw StorageError(table: "ledger_leaf", row: "\(index)", message: "leaf bytes do not hash to the stored leaf hash (tampered)") }
            let record = try StorageError.decoding(table: "ledger_leaf", row: "\(index)") { try DatRecord(leaf: leaf) }
            if record.kind == .payment {
                let id = [UInt8](row["contribution_id"] as Data)
                receipts[DATLedger.ContributionKey(agent: record.agentID, id: id)] = ContributionReceipt(
                    agentID: record.agentID, contributionID: id, leafIndex: UInt64(index), credit: record.credit, novelSamples: 0, normalSamples: 0,
                    noiseSamples: 0, agentValue: 0, treeSize: UInt64(row["tree_size"] as Int64))
                hashes.append(hash)
                continue
            }
            let opened: VerifiedEnvelope
            do throws(WireCodec.DecodeFailure) { opened = try WireCodec.open(record.provenance, archived: true) } catch {
                throw StorageError(table: "ledger_leaf", row: "\(index)", message: "provenance does not verify: \(error.error)")
            }
            guard case .contribution(let contribution) = opened.envelope.payload, opened.envelope.sender == record.agentID else {
                throw StorageError(table: "ledger_leaf", row: "\(index)", message: "provenance is not a contribution signed by \(record.agentID)")
            }
            let id = [UInt8](row["contribution_id"] as Data)
            receipts[DATLedger.ContributionKey(agent: record.agentID, id: id)] = ContributionReceipt(
                agentID: record.agentID, contributionID: id, leafIndex: UInt64(index), credit: row["credit"], novelSamples: UInt32(row["novel"] as Int64),
                normalSamples: UInt32(row["normal"] as Int64), noiseSamples: UInt32(row["noise"] as Int64), agentValue: row["agent_value"],
                treeSize: UInt64(row["tree_size"] as Int64))
            hashes.append(hash)
            contributions.append((record, contribution))
        }
        let lastHead = try Int64.fetchOne(db, sql: "SELECT MAX(tree_size) FROM ledger_head")
        return (DATLedger(leafHashes: hashes, receipts: receipts, lastHeadSize: lastHead.map(UInt64.init)), contributions)
    }

    /// Leaf bytes of [start, start + limit).
    static func leaves(_ db: Database, start: UInt64, limit: UInt32) throws -> [[UInt8]] {
        try Data.fetchAll(db, sql: "SELECT leaf FROM ledger_leaf WHERE leaf_index >= ? ORDER BY leaf_index LIMIT ?",
                          arguments: [Int64(clamping: start), Int64(limit)]).map { [UInt8]($0) }
    }

    static func leafCount(_ db: Database) throws -> UInt64 {
        UInt64(try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_leaf") ?? 0)
    }

    /// Every signed head, oldest first.
    static func heads(_ db: Database) throws -> [SignedTreeHead] {
        try Row.fetchAll(db, sql: "SELECT * FROM ledger_head ORDER BY tree_size").map { row in
            SignedTreeHead(treeSize: UInt64(row["tree_size"] as Int64), rootHash: [UInt8](row["root_hash"] as Data),
                           timestamp: Timestamp(unixMilliseconds: row["timestamp_ms"]), epoch: UInt64(row["epoch"] as Int64),
                           signature: [UInt8](row["signature"] as Data), publicKey: [UInt8](row["public_key"] as Data))
        }
    }
}
