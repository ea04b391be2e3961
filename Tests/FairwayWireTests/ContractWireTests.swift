import FairwayCore
@testable import FairwayWire
import Foundation
import XCTest

/// The contract messages of issue 10 on the wire: every payload survives seal/open, and
/// anything out of its domain is refused naming the field.
final class ContractWireTests: XCTestCase {
    let now = Timestamp(unixMilliseconds: 1_764_000_000_000)
    let key = try! NodeKey(privateKey: [UInt8](repeating: 11, count: 32))
    let digest = [UInt8](repeating: 0xab, count: 32)

    func sealOpen(_ payload: Payload, file: StaticString = #filePath, line: UInt = #line) throws {
        let env = Envelope(sender: key.nodeID, sentAt: now, inReplyTo: .random(), payload: payload)
        let opened = try WireCodec.open(WireCodec.seal(env, signedBy: key))
        XCTAssertEqual(opened.envelope, env, file: file, line: line)
        XCTAssertEqual(opened.envelope.payload.kind, payload.kind, file: file, line: line)
    }

    /// Seals `payload` (whatever its values) and expects `open` to refuse it naming `field`.
    func expectRefused(_ payload: Payload, field: String, file: StaticString = #filePath, line: UInt = #line) {
        expectRefused(WireCodec.seal(Envelope(sender: key.nodeID, sentAt: now, payload: payload), signedBy: key), field: field, file: file, line: line)
    }

    /// Seals a hand-made wire payload (values the domain types cannot express).
    func expectRefused(wire payload: Fairway_V1_Envelope.OneOf_Payload, field: String, file: StaticString = #filePath, line: UInt = #line) {
        var w = Envelope(sender: key.nodeID, sentAt: now, payload: .ping).wire
        w.payload = payload
        let inner: [UInt8] = try! w.serializedBytes()
        var outer = Fairway_V1_SignedEnvelope()
        outer.envelope = Data(inner)
        outer.publicKey = Data(key.publicKey)
        outer.signature = Data(key.sign(WireCodec.signatureContext + inner))
        expectRefused(try! outer.serializedBytes(), field: field, file: file, line: line)
    }

    func expectRefused(_ sealed: [UInt8], field: String, file: StaticString, line: UInt) {
        do {
            let opened = try WireCodec.open(sealed)
            XCTFail("opened \(opened.envelope.payload)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.error.code, .invalidField, "\(error.error)", file: file, line: line)
            XCTAssertEqual(error.error.field, field, "\(error.error)", file: file, line: line)
        }
    }

    var offer: ContractOffer {
        ContractOffer(round: 3, period: 2, opensEpoch: 40, deadlineEpoch: 50,
                      items: [ContractItem(index: 0, rounds: 5, reward: 3.25), ContractItem(index: 1, rounds: 12, reward: 8.5)],
                      thetas: [0.7, 1.4], costPerRound: 0.25, fixedCost: 0.5, selected: .item(1), nextChunk: 2, integrated: false,
                      accuracy: 0, qualityBar: 0.8, period1Item: 1)
    }

    var status: ContractStatus {
        ContractStatus(round: 3, period: 2, opensEpoch: 40, deadlineEpoch: 50,
                       terms: ContractTerms(T1: [2, 5, 9], T2: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], R1: [1, 2.5, 4],
                                            R2: [[0.5, 1, 1.5], [2, 2.5, 3], [3.5, 4, 4.5]]),
                       scheme: "exact",
                       edges: [ContractEdgeState(edgeID: key.nodeID, period1: .item(2), period2: .declined, accuracy1: 0.9, accuracy2: 0,
                                                 integrated1: true, integrated2: false, paid1: 4, paid2: 0),
                               ContractEdgeState(edgeID: NodeID(unchecked: "edge-2"))],
                       moduleVersion: 7, moduleAccuracy: 0.93, totalPaid: 12.5)
    }

    func testEveryContractPayloadRoundTripsThroughSealAndOpen() throws {
        try sealOpen(.contractOfferRequest)
        try sealOpen(.contractOffer(offer))
        try sealOpen(.contractOffer(.idle))
        var declined = offer
        declined.selected = .declined
        declined.period1Item = nil
        try sealOpen(.contractOffer(declined))
        try sealOpen(.contractSelection(ContractSelection(round: 3, period: 1, choice: .item(0))))
        try sealOpen(.contractSelection(ContractSelection(round: 3, period: 2, choice: .declined)))
        try sealOpen(.moduleUpload(ModuleUpload(round: 3, period: 1, chunkIndex: 0, chunkCount: 1, chunk: [1, 2, 3], moduleDigest: digest, samples: 180)))
        try sealOpen(.moduleUpload(ModuleUpload(round: 3, period: 2, chunkIndex: 4, chunkCount: 5,
                                                chunk: [UInt8](repeating: 7, count: ContractLimits.maxChunkBytes), moduleDigest: digest, samples: 1)))
        try sealOpen(.moduleUploadAck(ModuleUploadAck(nextChunk: 5, integrated: true, accuracy: 0.91, refused: "")))
        try sealOpen(.moduleUploadAck(ModuleUploadAck(nextChunk: 0, integrated: false, accuracy: 0.4, refused: "below the quality bar")))
        try sealOpen(.moduleRequest(chunkIndex: 3))
        try sealOpen(.moduleReply(ModuleReply(version: 7, chunkIndex: 1, chunkCount: 2, chunk: [9, 9], moduleDigest: digest, accuracy: 0.93)))
        try sealOpen(.moduleReply(ModuleReply(version: 0, chunkIndex: 0, chunkCount: 0, chunk: [], moduleDigest: [], accuracy: 0)))
        try sealOpen(.contractStatusRequest)
        try sealOpen(.contractStatus(status))
        try sealOpen(.contractStatus(ContractStatus(round: 0, period: 0, opensEpoch: 0, deadlineEpoch: 0, terms: ContractTerms(T1: [], T2: [], R1: [], R2: []),
                                                    scheme: "", edges: [], moduleVersion: 0, moduleAccuracy: 0, totalPaid: 0)))
        try sealOpen(.inferenceRequest(InferenceRequest(cost: 2, features: (0..<64).map { Double($0 % 17) })))
        try sealOpen(.inferenceRequest(InferenceRequest(cost: 2)))
        try sealOpen(.inferenceReply(InferenceReply(charged: 2, remaining: 8, label: 3, confidence: 0.97, moduleVersion: 7)))
        try sealOpen(.inferenceReply(InferenceReply(charged: 2, remaining: 8)))
    }

    func testStatusMenusAreFlattenedRowByRowAndRebuilt() throws {
        let w = status.wire
        XCTAssertEqual(w.types, 3)
        XCTAssertEqual(w.t2, [1, 2, 3, 4, 5, 6, 7, 8, 9])
        XCTAssertEqual(w.r2, [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5])
        XCTAssertEqual(try ContractStatus(wire: w).terms, status.terms)
    }

    func testKindsOfTheContractPayloads() {
        let readOnly: Set<Payload.Kind> = [.contractOfferRequest, .moduleRequest, .contractStatusRequest]
        let requests: Set<Payload.Kind> = readOnly.union([.contractSelection, .moduleUpload])
        let contractKinds: [Payload.Kind] = [.contractOfferRequest, .contractOffer, .contractSelection, .moduleUpload, .moduleUploadAck,
                                             .moduleRequest, .moduleReply, .contractStatusRequest, .contractStatus]
        for kind in contractKinds {
            XCTAssertEqual(kind.isReadOnly, readOnly.contains(kind), "\(kind)")
            XCTAssertEqual(kind.isRequest, requests.contains(kind), "\(kind)")
        }
        XCTAssertEqual(contractKinds.map(\.rawValue), ["contract_offer_request", "contract_offer", "contract_selection", "module_upload", "module_upload_ack",
                                                       "module_request", "module_reply", "contract_status_request", "contract_status"])
        // Every read-only kind is a request.
        for kind in Payload.Kind.allCases where kind.isReadOnly { XCTAssertTrue(kind.isRequest, "\(kind)") }
    }

    func testNonFiniteNumbersAreRefused() {
        var o = offer
        o.items[1].reward = .infinity
        expectRefused(.contractOffer(o), field: "contract_offer.items[1].reward")
        o = offer
        o.thetas[0] = .nan
        expectRefused(.contractOffer(o), field: "contract_offer.thetas[0]")
        o = offer
        o.costPerRound = -.infinity
        expectRefused(.contractOffer(o), field: "contract_offer.cost_per_round")
        var s = status
        s.terms.R2[1][2] = .nan
        expectRefused(.contractStatus(s), field: "contract_status.r2[5]")
        s = status
        s.edges[0].paid1 = .infinity
        expectRefused(.contractStatus(s), field: "contract_status.edges[0].paid1")
        expectRefused(.moduleUploadAck(ModuleUploadAck(nextChunk: 1, integrated: false, accuracy: .nan, refused: "")), field: "module_upload_ack.accuracy")
        expectRefused(.inferenceRequest(InferenceRequest(cost: 1, features: [1, 2, .nan])), field: "inference_request.features[2]")
        expectRefused(.inferenceRequest(InferenceRequest(cost: 1, features: [Double](repeating: 1, count: InferenceRequest.maxFeatures + 1))),
                      field: "inference_request.features")
        expectRefused(.inferenceReply(InferenceReply(charged: 1, remaining: 0, label: 1, confidence: .nan)), field: "inference_reply.confidence")
        expectRefused(.inferenceReply(InferenceReply(charged: 1, remaining: 0, label: -2)), field: "inference_reply.label")
    }

    func testChunksOutOfPlaceAreRefused() {
        func upload(index: UInt32, count: UInt32, bytes: Int = 8, digest: [UInt8]? = nil) -> Payload {
            .moduleUpload(ModuleUpload(round: 1, period: 1, chunkIndex: index, chunkCount: count, chunk: [UInt8](repeating: 1, count: bytes),
                                       moduleDigest: digest ?? self.digest, samples: 10))
        }
        expectRefused(upload(index: 3, count: 3), field: "module_upload.chunk_index")
        expectRefused(upload(index: 0, count: 0), field: "module_upload.chunk_count")
        expectRefused(upload(index: 0, count: ContractLimits.maxChunks + 1), field: "module_upload.chunk_count")
        expectRefused(upload(index: 0, count: 1, bytes: ContractLimits.maxChunkBytes + 1), field: "module_upload.chunk")
        expectRefused(upload(index: 0, count: 1, digest: [UInt8](repeating: 1, count: 31)), field: "module_upload.module_digest")
        expectRefused(upload(index: 0, count: 1, digest: []), field: "module_upload.module_digest")
        expectRefused(.moduleReply(ModuleReply(version: 2, chunkIndex: 2, chunkCount: 2, chunk: [1], moduleDigest: digest, accuracy: 0.9)),
                      field: "module_reply.chunk_index")
        expectRefused(.moduleReply(ModuleReply(version: 2, chunkIndex: 0, chunkCount: 1, chunk: [1], moduleDigest: [1, 2], accuracy: 0.9)),
                      field: "module_reply.module_digest")
        expectRefused(.moduleReply(ModuleReply(version: 0, chunkIndex: 0, chunkCount: 0, chunk: [1], moduleDigest: [], accuracy: 0)), field: "module_reply.chunk")
        expectRefused(.moduleRequest(chunkIndex: ContractLimits.maxChunks), field: "module_request.chunk_index")
        expectRefused(.moduleUploadAck(ModuleUploadAck(nextChunk: ContractLimits.maxChunks + 1, integrated: false, accuracy: 0, refused: "")),
                      field: "module_upload_ack.next_chunk")
    }

    func testBadChoiceCodesAndPeriodsAreRefused() {
        expectRefused(.contractSelection(ContractSelection(round: 1, period: 1, choice: .item(-3))), field: "contract_selection.item")
        var sel = Fairway_V1_ContractSelection()
        sel.round = 1
        sel.period = 1
        sel.item = Int32.min
        expectRefused(wire: .contractSelection(sel), field: "contract_selection.item")
        expectRefused(.contractSelection(ContractSelection(round: 1, period: 3, choice: .declined)), field: "contract_selection.period")
        var o = offer
        o.selected = .item(-7)
        expectRefused(.contractOffer(o), field: "contract_offer.selected")
        var w = offer.wire
        w.period1Item = -2
        expectRefused(wire: .contractOffer(w), field: "contract_offer.period1_item")
        var s = status
        s.edges[1].period2 = .item(-4)
        expectRefused(.contractStatus(s), field: "contract_status.edges[1].period2_item")
        s = status
        s.period = 9
        expectRefused(.contractStatus(s), field: "contract_status.period")
        s = status
        s.edges[0].edgeID = NodeID(unchecked: "")
        expectRefused(.contractStatus(s), field: "contract_status.edges[0].edge_id")
    }

    func testMenusTooLongOrRaggedAreRefused() {
        var o = offer
        o.items = (0..<65).map { ContractItem(index: UInt32($0), rounds: 1, reward: 1) }
        expectRefused(.contractOffer(o), field: "contract_offer.items")
        o = offer
        o.thetas = [Double](repeating: 1, count: 65)
        expectRefused(.contractOffer(o), field: "contract_offer.thetas")
        // A ragged T2 (one row short) flattens to 8 values, not 3 × 3.
        var s = status
        s.terms.T2[2].removeLast()
        expectRefused(.contractStatus(s), field: "contract_status.t2")
        s = status
        s.terms.R2[0].append(9)
        expectRefused(.contractStatus(s), field: "contract_status.r2")
        s = status
        s.terms.R1.removeLast()
        expectRefused(.contractStatus(s), field: "contract_status.r1")
        // t1 of another length than `types`.
        var w = status.wire
        w.types = 2
        expectRefused(wire: .contractStatus(w), field: "contract_status.t1")
        w = status.wire
        w.types = 65
        expectRefused(wire: .contractStatus(w), field: "contract_status.types")
    }
}
