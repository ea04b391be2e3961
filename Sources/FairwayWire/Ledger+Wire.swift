import Crypto
import FairwayCore
import Foundation
import SwiftProtobuf

/// Largest leaf accepted from the wire, bytes (a DAT record with its provenance).
let maxLeafBytes = 1 << 20
/// Most records in one ledger reply.
public let maxLedgerPage: UInt32 = 1000

private func hash32(_ d: Data, field: String) throws -> [UInt8] {
    guard d.count == 32 else { throw FairwayError(.invalidField, "must be 32 bytes, got \(d.count)", field: field) }
    return [UInt8](d)
}

private func hashes(_ ds: [Data], field: String) throws -> [[UInt8]] {
    guard ds.count <= 64 else { throw FairwayError(.invalidField, "at most 64 hashes, got \(ds.count)", field: field) }
    return try ds.enumerated().map { try hash32($1, field: "\(field)[\($0)]") }
}

extension DatRecord {
    /// The leaf: this record serialised (deterministically) as `fairway.v1.DatRecord`.
    public var leafBytes: [UInt8] {
        var w = Fairway_V1_DatRecord()
        w.index = index
        w.agentID = agentID.rawValue
        w.credit = credit
        w.agentValue = agentValue
        w.novelSamples = novelSamples
        w.normalSamples = normalSamples
        w.noiseSamples = noiseSamples
        w.integrityHash = Data(integrityHash)
        w.provenance = Data(provenance)
        w.edgeID = edgeID.rawValue
        w.epoch = epoch
        w.recordedAtUnixMs = recordedAt.unixMilliseconds
        w.kind = kind.rawValue
        if let c = contract {
            w.contractRound = c.round
            w.contractPeriod = c.period
            w.contractItem = c.item
            w.moduleAccuracy = c.accuracy
        }
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return try! w.serializedBytes(options: options)
    }

    /// Parses a leaf; throws with the field at fault.
    public init(leaf: [UInt8], field: String = "leaf") throws {
        guard leaf.count <= maxLeafBytes else { throw FairwayError(.invalidField, "leaf is \(leaf.count) bytes, limit \(maxLeafBytes)", field: field) }
        let w: Fairway_V1_DatRecord
        do { w = try Fairway_V1_DatRecord(serializedBytes: leaf) } catch {
            throw FairwayError(.malformed, "not a fairway.v1.DatRecord: \(error)", field: field)
        }
        self.init(index: w.index, agentID: try NodeID(w.agentID, field: "\(field).agent_id"), credit: w.credit, agentValue: w.agentValue,
                  novelSamples: w.novelSamples, normalSamples: w.normalSamples, noiseSamples: w.noiseSamples,
                  integrityHash: [UInt8](w.integrityHash), provenance: [UInt8](w.provenance), edgeID: try NodeID(w.edgeID, field: "\(field).edge_id"),
                  epoch: w.epoch, recordedAt: Timestamp(unixMilliseconds: w.recordedAtUnixMs))
        guard let kind = Kind(rawValue: w.kind) else {
            throw FairwayError(.invalidField, "kind must be 0 (contribution) or 1 (payment), got \(w.kind)", field: "\(field).kind")
        }
        self.kind = kind
        if kind == .payment {
            guard w.moduleAccuracy.isFinite, w.credit.isFinite else { throw FairwayError(.invalidField, "payment values must be finite", field: "\(field).credit") }
            contract = ContractPayment(round: w.contractRound, period: w.contractPeriod, item: w.contractItem, accuracy: w.moduleAccuracy)
        }
    }

    /// SHA-256 of a provenance envelope: the integrity hash of its metadata pointer.
    public static func integrityHash(of provenance: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: provenance)) }
}

extension SignedTreeHead {
    /// Signs this head with `key` (sets `signature` and `publicKey`).
    public func signed(by key: NodeKey) -> SignedTreeHead {
        var h = self
        h.publicKey = key.publicKey
        h.signature = key.sign(signedBytes)
        return h
    }

    /// Whether the signature verifies under `publicKey`.
    public var signatureIsValid: Bool {
        publicKey.count == NodeKey.publicKeyLength && signature.count == NodeKey.signatureLength
            && NodeKey.isValid(signature: signature, over: signedBytes, publicKey: publicKey)
    }

    init(wire w: Fairway_V1_SignedTreeHead, field: String) throws {
        self.init(treeSize: w.treeSize, rootHash: try hash32(w.rootHash, field: "\(field).root_hash"), timestamp: Timestamp(unixMilliseconds: w.timestampUnixMs),
                  epoch: w.epoch, signature: [UInt8](w.signature), publicKey: [UInt8](w.publicKey))
    }

    var wire: Fairway_V1_SignedTreeHead {
        var w = Fairway_V1_SignedTreeHead()
        w.treeSize = treeSize
        w.rootHash = Data(rootHash)
        w.timestampUnixMs = timestamp.unixMilliseconds
        w.epoch = epoch
        w.signature = Data(signature)
        w.publicKey = Data(publicKey)
        return w
    }
}

extension LedgerReply {
    init(wire w: Fairway_V1_LedgerReply) throws {
        guard w.leaves.count <= Int(maxLedgerPage) else {
            throw FairwayError(.invalidField, "at most \(maxLedgerPage) leaves, got \(w.leaves.count)", field: "ledger_reply.leaves")
        }
        try checkedCount(w.heads.count, field: "ledger_reply.heads")
        self.init(treeSize: w.treeSize, leaves: w.leaves.map { [UInt8]($0) },
                  heads: try w.heads.enumerated().map { try SignedTreeHead(wire: $1, field: "ledger_reply.heads[\($0)]") })
    }

    var wire: Fairway_V1_LedgerReply {
        var w = Fairway_V1_LedgerReply()
        w.treeSize = treeSize
        w.leaves = leaves.map { Data($0) }
        w.heads = heads.map(\.wire)
        return w
    }
}

extension LedgerProofRequest {
    init(wire w: Fairway_V1_LedgerProofRequest) {
        self.init(index: w.index, treeSize: w.treeSize, firstSize: w.firstSize)
    }

    var wire: Fairway_V1_LedgerProofRequest {
        var w = Fairway_V1_LedgerProofRequest()
        w.index = index
        w.treeSize = treeSize
        w.firstSize = firstSize
        return w
    }
}

extension LedgerProofReply {
    init(wire w: Fairway_V1_LedgerProofReply) throws {
        self.init(index: w.index, treeSize: w.treeSize, leaf: [UInt8](w.leaf), rootHash: try hash32(w.rootHash, field: "ledger_proof_reply.root_hash"),
                  inclusionPath: try hashes(w.inclusionPath, field: "ledger_proof_reply.inclusion_path"), firstSize: w.firstSize,
                  consistencyProof: try hashes(w.consistencyProof, field: "ledger_proof_reply.consistency_proof"))
    }

    var wire: Fairway_V1_LedgerProofReply {
        var w = Fairway_V1_LedgerProofReply()
        w.index = index
        w.treeSize = treeSize
        w.leaf = Data(leaf)
        w.rootHash = Data(rootHash)
        w.inclusionPath = inclusionPath.map { Data($0) }
        w.firstSize = firstSize
        w.consistencyProof = consistencyProof.map { Data($0) }
        return w
    }
}
