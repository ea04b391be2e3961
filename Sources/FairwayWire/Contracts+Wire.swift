import FairwayCore
import Foundation

// Wire mapping of the contract messages (`proto/fairway/v1/contracts.proto`, issue 10).
// Everything from the wire is checked here, so role cores see finite numbers, bounded lists,
// consistent chunk positions and well-formed menus only.

private func finite(_ v: Double, field: String) throws -> Double {
    guard v.isFinite else { throw FairwayError(.invalidField, "must be a finite number, got \(v)", field: field) }
    return v
}

private func finiteList(_ v: [Double], max: Int, field: String) throws -> [Double] {
    guard v.count <= max else { throw FairwayError(.invalidField, "at most \(max) values, got \(v.count)", field: field) }
    if let i = v.firstIndex(where: { !$0.isFinite }) {
        throw FairwayError(.invalidField, "value \(i) is not finite (\(v[i]))", field: "\(field)[\(i)]")
    }
    return v
}

private func checkedPeriod(_ p: UInt32, field: String) throws -> UInt32 {
    guard p <= 2 else { throw FairwayError(.invalidField, "period must be 1 or 2 (0 = none), got \(p)", field: field) }
    return p
}

private func checkedChoice(_ code: Int32, field: String) throws -> ContractChoice {
    guard let c = ContractChoice(code: code) else {
        throw FairwayError(.invalidField, "must be -1 (none), -2 (declined) or an item index ≥ 0, got \(code)", field: field)
    }
    return c
}

private func checkedDigest(_ d: Data, field: String) throws -> [UInt8] {
    guard d.count == ContractLimits.digestLength else {
        throw FairwayError(.invalidField, "module digest must be \(ContractLimits.digestLength) bytes (SHA-256), got \(d.count)", field: field)
    }
    return [UInt8](d)
}

/// Checks a chunk's position and size: 1 ≤ count ≤ 65536, index < count, chunk ≤ 256 KiB.
private func checkedChunk(index: UInt32, count: UInt32, bytes: Data, field: String) throws -> [UInt8] {
    guard count >= 1, count <= ContractLimits.maxChunks else {
        throw FairwayError(.invalidField, "chunk count must be 1 to \(ContractLimits.maxChunks), got \(count)", field: "\(field).chunk_count")
    }
    guard index < count else {
        throw FairwayError(.invalidField, "chunk index \(index) is not below the chunk count \(count)", field: "\(field).chunk_index")
    }
    guard bytes.count <= ContractLimits.maxChunkBytes else {
        throw FairwayError(.invalidField, "a chunk is at most \(ContractLimits.maxChunkBytes) bytes, got \(bytes.count)", field: "\(field).chunk")
    }
    return [UInt8](bytes)
}

func moduleRequestChunk(_ w: Fairway_V1_ModuleRequest) throws -> UInt32 {
    guard w.chunkIndex < ContractLimits.maxChunks else {
        throw FairwayError(.invalidField, "chunk index must be below \(ContractLimits.maxChunks), got \(w.chunkIndex)", field: "module_request.chunk_index")
    }
    return w.chunkIndex
}

extension ContractItem {
    init(wire w: Fairway_V1_ContractItem, field: String) throws {
        self.init(index: w.index, rounds: w.rounds, reward: try finite(w.reward, field: "\(field).reward"))
    }

    var wire: Fairway_V1_ContractItem {
        var w = Fairway_V1_ContractItem()
        w.index = index
        w.rounds = rounds
        w.reward = reward
        return w
    }
}

extension ContractOffer {
    init(wire w: Fairway_V1_ContractOffer) throws {
        guard w.items.count <= ContractLimits.maxTypes else {
            throw FairwayError(.invalidField, "a menu has at most \(ContractLimits.maxTypes) items, got \(w.items.count)", field: "contract_offer.items")
        }
        let items = try w.items.enumerated().map { try ContractItem(wire: $1, field: "contract_offer.items[\($0)]") }
        let period1Item: Int?
        switch w.period1Item {
        case -1: period1Item = nil
        case 0...: period1Item = Int(w.period1Item)
        default:
            throw FairwayError(.invalidField, "must be -1 (none) or an item index ≥ 0, got \(w.period1Item)", field: "contract_offer.period1_item")
        }
        self.init(round: w.round, period: try checkedPeriod(w.period, field: "contract_offer.period"), opensEpoch: w.opensEpoch, deadlineEpoch: w.deadlineEpoch,
                  items: items, thetas: try finiteList(w.thetas, max: ContractLimits.maxTypes, field: "contract_offer.thetas"),
                  costPerRound: try finite(w.costPerRound, field: "contract_offer.cost_per_round"),
                  fixedCost: try finite(w.fixedCost, field: "contract_offer.fixed_cost"),
                  selected: try checkedChoice(w.selected, field: "contract_offer.selected"), nextChunk: w.nextChunk, integrated: w.integrated,
                  accuracy: try finite(w.accuracy, field: "contract_offer.accuracy"),
                  qualityBar: try finite(w.qualityBar, field: "contract_offer.quality_bar"), period1Item: period1Item)
        beta = try finite(w.beta, field: "contract_offer.beta")
        let k = w.nextThetas.count
        nextThetas = try finiteList(w.nextThetas, max: ContractLimits.maxTypes, field: "contract_offer.next_thetas")
        guard w.nextItems.count == k * k, w.transition.count == k * k else {
            throw FairwayError(.invalidField, "next_items and transition need K×K = \(k * k) entries for \(k) next thetas, got \(w.nextItems.count) and \(w.transition.count)",
                               field: "contract_offer.next_items")
        }
        let next = try w.nextItems.enumerated().map { try ContractItem(wire: $1, field: "contract_offer.next_items[\($0)]") }
        let p = try finiteList(w.transition, max: ContractLimits.maxTypes * ContractLimits.maxTypes, field: "contract_offer.transition")
        nextMenus = (0..<k).map { Array(next[($0 * k)..<(($0 + 1) * k)]) }
        transition = (0..<k).map { Array(p[($0 * k)..<(($0 + 1) * k)]) }
        typeProbabilities = try finiteList(w.typeProbabilities, max: ContractLimits.maxTypes, field: "contract_offer.type_probabilities")
    }

    var wire: Fairway_V1_ContractOffer {
        var w = Fairway_V1_ContractOffer()
        w.round = round
        w.period = period
        w.opensEpoch = opensEpoch
        w.deadlineEpoch = deadlineEpoch
        w.items = items.map(\.wire)
        w.thetas = thetas
        w.costPerRound = costPerRound
        w.fixedCost = fixedCost
        w.selected = selected.code
        w.nextChunk = nextChunk
        w.integrated = integrated
        w.accuracy = accuracy
        w.qualityBar = qualityBar
        w.period1Item = period1Item.map { Int32(clamping: $0) } ?? -1
        w.beta = beta
        w.nextItems = nextMenus.flatMap { $0 }.map(\.wire)
        w.nextThetas = nextThetas
        w.transition = transition.flatMap { $0 }
        w.typeProbabilities = typeProbabilities
        return w
    }
}

extension ContractSelection {
    init(wire w: Fairway_V1_ContractSelection) throws {
        self.init(round: w.round, period: try checkedPeriod(w.period, field: "contract_selection.period"),
                  choice: try checkedChoice(w.item, field: "contract_selection.item"))
    }

    var wire: Fairway_V1_ContractSelection {
        var w = Fairway_V1_ContractSelection()
        w.round = round
        w.period = period
        w.item = choice.code
        return w
    }
}

extension ModuleUpload {
    init(wire w: Fairway_V1_ModuleUpload) throws {
        let p = try checkedPeriod(w.period, field: "module_upload.period")
        let bytes = try checkedChunk(index: w.chunkIndex, count: w.chunkCount, bytes: w.chunk, field: "module_upload")
        self.init(round: w.round, period: p, chunkIndex: w.chunkIndex, chunkCount: w.chunkCount, chunk: bytes,
                  moduleDigest: try checkedDigest(w.moduleDigest, field: "module_upload.module_digest"), samples: w.samples)
    }

    var wire: Fairway_V1_ModuleUpload {
        var w = Fairway_V1_ModuleUpload()
        w.round = round
        w.period = period
        w.chunkIndex = chunkIndex
        w.chunkCount = chunkCount
        w.chunk = Data(chunk)
        w.moduleDigest = Data(moduleDigest)
        w.samples = samples
        return w
    }
}

extension ModuleUploadAck {
    init(wire w: Fairway_V1_ModuleUploadAck) throws {
        guard w.nextChunk <= ContractLimits.maxChunks else {
            throw FairwayError(.invalidField, "next chunk must be at most \(ContractLimits.maxChunks), got \(w.nextChunk)", field: "module_upload_ack.next_chunk")
        }
        self.init(nextChunk: w.nextChunk, integrated: w.integrated, accuracy: try finite(w.accuracy, field: "module_upload_ack.accuracy"),
                  refused: try checkedString(w.refused, field: "module_upload_ack.refused", max: 4096))
    }

    var wire: Fairway_V1_ModuleUploadAck {
        var w = Fairway_V1_ModuleUploadAck()
        w.nextChunk = nextChunk
        w.integrated = integrated
        w.accuracy = accuracy
        w.refused = refused
        return w
    }
}

extension ModuleReply {
    init(wire w: Fairway_V1_ModuleReply) throws {
        let accuracy = try finite(w.accuracy, field: "module_reply.accuracy")
        if w.version == 0, w.chunkCount == 0 {
            // No module yet: nothing else may be carried.
            guard w.chunkIndex == 0, w.chunk.isEmpty, w.moduleDigest.isEmpty else {
                throw FairwayError(.invalidField, "a reply without a module (version 0, chunk count 0) carries no chunk and no digest",
                                   field: "module_reply.chunk")
            }
            self.init(version: 0, chunkIndex: 0, chunkCount: 0, chunk: [], moduleDigest: [], accuracy: accuracy)
            return
        }
        let bytes = try checkedChunk(index: w.chunkIndex, count: w.chunkCount, bytes: w.chunk, field: "module_reply")
        self.init(version: w.version, chunkIndex: w.chunkIndex, chunkCount: w.chunkCount, chunk: bytes,
                  moduleDigest: try checkedDigest(w.moduleDigest, field: "module_reply.module_digest"), accuracy: accuracy)
    }

    var wire: Fairway_V1_ModuleReply {
        var w = Fairway_V1_ModuleReply()
        w.version = version
        w.chunkIndex = chunkIndex
        w.chunkCount = chunkCount
        w.chunk = Data(chunk)
        w.moduleDigest = Data(moduleDigest)
        w.accuracy = accuracy
        return w
    }
}

extension ContractEdgeState {
    init(wire w: Fairway_V1_ContractEdgeState, field: String) throws {
        self.init(edgeID: try NodeID(w.edgeID, field: "\(field).edge_id"),
                  period1: try checkedChoice(w.period1Item, field: "\(field).period1_item"), period2: try checkedChoice(w.period2Item, field: "\(field).period2_item"),
                  accuracy1: try finite(w.accuracy1, field: "\(field).accuracy1"), accuracy2: try finite(w.accuracy2, field: "\(field).accuracy2"),
                  integrated1: w.integrated1, integrated2: w.integrated2,
                  paid1: try finite(w.paid1, field: "\(field).paid1"), paid2: try finite(w.paid2, field: "\(field).paid2"))
    }

    var wire: Fairway_V1_ContractEdgeState {
        var w = Fairway_V1_ContractEdgeState()
        w.edgeID = edgeID.rawValue
        w.period1Item = period1.code
        w.period2Item = period2.code
        w.accuracy1 = accuracy1
        w.accuracy2 = accuracy2
        w.integrated1 = integrated1
        w.integrated2 = integrated2
        w.paid1 = paid1
        w.paid2 = paid2
        return w
    }
}

extension ContractStatus {
    init(wire w: Fairway_V1_ContractStatus) throws {
        let k = Int(w.types)
        guard k <= ContractLimits.maxTypes else {
            throw FairwayError(.invalidField, "at most \(ContractLimits.maxTypes) types, got \(w.types)", field: "contract_status.types")
        }
        guard w.t1.count == k else { throw FairwayError(.invalidField, "must hold one value per type (\(k)), got \(w.t1.count)", field: "contract_status.t1") }
        guard w.r1.count == k else { throw FairwayError(.invalidField, "must hold one value per type (\(k)), got \(w.r1.count)", field: "contract_status.r1") }
        guard w.t2.count == k * k else {
            throw FairwayError(.invalidField, "must hold types × types = \(k * k) values (row by row), got \(w.t2.count)", field: "contract_status.t2")
        }
        guard w.r2.count == k * k else {
            throw FairwayError(.invalidField, "must hold types × types = \(k * k) values (row by row), got \(w.r2.count)", field: "contract_status.r2")
        }
        let r1 = try finiteList(w.r1, max: k, field: "contract_status.r1")
        let r2 = try finiteList(w.r2, max: k * k, field: "contract_status.r2")
        let terms = ContractTerms(T1: w.t1.map { Int($0) }, T2: (0..<k).map { row in w.t2[(row * k)..<((row + 1) * k)].map { Int($0) } },
                                  R1: r1, R2: (0..<k).map { row in Array(r2[(row * k)..<((row + 1) * k)]) })
        try checkedCount(w.edges.count, field: "contract_status.edges")
        self.init(round: w.round, period: try checkedPeriod(w.period, field: "contract_status.period"), opensEpoch: w.opensEpoch, deadlineEpoch: w.deadlineEpoch,
                  terms: terms, scheme: try checkedString(w.scheme, field: "contract_status.scheme", max: 64),
                  edges: try w.edges.enumerated().map { try ContractEdgeState(wire: $1, field: "contract_status.edges[\($0)]") },
                  moduleVersion: w.moduleVersion, moduleAccuracy: try finite(w.moduleAccuracy, field: "contract_status.module_accuracy"),
                  totalPaid: try finite(w.totalPaid, field: "contract_status.total_paid"))
    }

    /// The menus flattened row by row; `types` is the number of period-1 items. (Rows of T2/R2 of
    /// another length than `types` give a status the receiver refuses.)
    var wire: Fairway_V1_ContractStatus {
        var w = Fairway_V1_ContractStatus()
        w.round = round
        w.period = period
        w.opensEpoch = opensEpoch
        w.deadlineEpoch = deadlineEpoch
        w.types = UInt32(clamping: terms.T1.count)
        w.t1 = terms.T1.map { UInt32(clamping: $0) }
        w.r1 = terms.R1
        w.t2 = terms.T2.flatMap { $0.map { UInt32(clamping: $0) } }
        w.r2 = terms.R2.flatMap { $0 }
        w.scheme = scheme
        w.edges = edges.map(\.wire)
        w.moduleVersion = moduleVersion
        w.moduleAccuracy = moduleAccuracy
        w.totalPaid = totalPaid
        return w
    }
}
