import CoordinatorCore
import FairwayCore
import FairwayWire
import Foundation
import XCTest

/// The coordinator's contract room without sockets: menus per period, selections, chunked
/// uploads judged on held-out data, payment exactly once at the deadline, FedAvg versions.
final class ContractsRoomTests: XCTestCase {
    static let dataset = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../data/uci-digits-8x8.csv").standardized.path

    struct Fixture {
        var room: Contracts
        var training: ModuleDataset
    }

    func fixture(periodEpochs: UInt64 = 3) throws -> Fixture {
        let records = try DigitsCSV.parse(String(contentsOfFile: Self.dataset, encoding: .utf8))
        let (training, heldOut) = try ModuleDataset.split(records, input: .pixels)
        let instance = ContractInstance(K: 2, N: 3, beta: 0.5, alpha: 200, sigma: 1, E_C: 22, c: 49.152, E: 40.749,
                                        theta1: [16, 22], theta2: [17, 23], p1: [0.45, 0.55], p2: [[0.7, 0.3], [0.25, 0.75]])
        let terms = ContractTerms(T1: [10, 20], T2: [[10, 15], [12, 25]], R1: [40, 60], R2: [[35, 45], [40, 70]])
        var s = Contracts.Settings()
        s.periodEpochs = periodEpochs
        s.dataPath = Self.dataset
        s.chunkBytes = 1024
        return Fixture(room: Contracts(settings: s, plan: .init(instance: instance, terms: terms, scheme: .exact, heldOut: heldOut)), training: training)
    }

    func upload(_ room: inout Contracts, _ module: AgentModule, samples: UInt64, from edge: NodeID, chunk: Int = 1000) throws -> (ModuleUploadAck, [Contracts.Directive]) {
        let bytes = module.serialised()
        let digest = DatRecord.integrityHash(of: bytes)
        let chunks = stride(from: 0, to: bytes.count, by: chunk).map { Array(bytes[$0..<min(bytes.count, $0 + chunk)]) }
        var last: (ModuleUploadAck, [Contracts.Directive])?
        for (i, c) in chunks.enumerated() {
            last = try room.onUpload(ModuleUpload(round: room.state.round, period: room.state.period, chunkIndex: UInt32(i), chunkCount: UInt32(chunks.count),
                                                  chunk: c, moduleDigest: digest, samples: samples), from: edge)
        }
        return try XCTUnwrap(last)
    }

    func testTwoPeriodsMenusSelectionIntegrationAndPaymentOnce() throws {
        var f = try fixture()
        let a = NodeKey().nodeID, b = NodeKey().nodeID, late = NodeKey().nodeID
        XCTAssertEqual(f.room.offer(for: a).round, 0, "nothing before the start epoch")
        XCTAssertEqual(f.room.onEpochBoundary(epoch: 1), [.persistRound(.init(round: 1, period: 1, opensEpoch: 1, deadlineEpoch: 4))])

        let offer = f.room.offer(for: a)
        XCTAssertEqual(offer.items.map(\.rounds), [10, 20])
        XCTAssertEqual(offer.bestResponse(theta: 30), .item(1), "θ = 30: 30·60 − 49.152·20 − E > 30·40 − 49.152·10 − E")
        XCTAssertEqual(offer.bestResponse(theta: 16), .item(0), "θ = 16: the short item (the long one needs θ > 24.576)")
        XCTAssertEqual(offer.bestResponse(theta: 1), .declined, "no item is individually rational at θ = 1")

        _ = try f.room.onSelection(ContractSelection(round: 1, period: 1, choice: .item(1)), from: a)
        _ = try f.room.onSelection(ContractSelection(round: 1, period: 1, choice: .item(0)), from: b)
        _ = try f.room.onSelection(ContractSelection(round: 1, period: 1, choice: .item(0)), from: late)
        XCTAssertThrowsError(try f.room.onSelection(ContractSelection(round: 1, period: 1, choice: .item(1)), from: b), "a choice is final")
        XCTAssertThrowsError(try f.room.onSelection(ContractSelection(round: 1, period: 1, choice: .item(5)), from: NodeKey().nodeID))
        XCTAssertThrowsError(try f.room.onSelection(ContractSelection(round: 1, period: 2, choice: .item(0)), from: a), "not the current period")

        let shards = try f.training.shards(3, seed: 1)
        let good = try ModuleTraining(stepsPerRound: 5).train(shards[0], rounds: 20, seed: 1).module
        let good2 = try ModuleTraining(stepsPerRound: 5).train(shards[1], rounds: 20, seed: 2).module
        let (ackA, dA) = try upload(&f.room, good, samples: UInt64(shards[0].count), from: a)
        XCTAssertTrue(ackA.integrated, ackA.refused)
        XCTAssertGreaterThanOrEqual(ackA.accuracy, 0.8)
        XCTAssertTrue(dA.contains(.clearChunks(edge: a)))
        // A resent last chunk is acknowledged again, nothing changes.
        let (again, dAgain) = try upload(&f.room, good, samples: UInt64(shards[0].count), from: a)
        XCTAssertTrue(again.integrated)
        XCTAssertTrue(dAgain.isEmpty)
        // An untrained module is refused (below the bar) and may be sent again.
        let (ackB, _) = try upload(&f.room, try AgentModule.zero(inputDimension: 64), samples: 10, from: b)
        XCTAssertFalse(ackB.integrated)
        XCTAssertTrue(ackB.refused.contains("quality bar"), ackB.refused)
        let (ackB2, _) = try upload(&f.room, good2, samples: UInt64(shards[1].count), from: b)
        XCTAssertTrue(ackB2.integrated, ackB2.refused)
        // A chunk out of order is refused.
        XCTAssertThrowsError(try f.room.onUpload(ModuleUpload(round: 1, period: 1, chunkIndex: 3, chunkCount: 5, chunk: [1], moduleDigest: Array(repeating: 0, count: 32), samples: 1), from: late))

        // Nothing is paid before the deadline.
        XCTAssertTrue(f.room.onEpochBoundary(epoch: 3).isEmpty)
        let settled = f.room.onEpochBoundary(epoch: 4)
        let payments = settled.compactMap { if case .pay(let p) = $0 { p } else { nil } }
        XCTAssertEqual(Set(payments.map(\.edge)), [a, b], "the ES that did not deliver is not paid")
        XCTAssertEqual(payments.first { $0.edge == a }?.reward, 60)
        XCTAssertEqual(payments.first { $0.edge == b }?.reward, 40)
        XCTAssertEqual(f.room.totalPaid, 100)
        let module = try XCTUnwrap(f.room.module)
        XCTAssertEqual(module.version, 1)
        XCTAssertGreaterThanOrEqual(module.accuracy, 0.8, "FedAvg of two integrated modules")
        XCTAssertEqual(f.room.state, .init(round: 1, period: 2, opensEpoch: 4, deadlineEpoch: 7))
        // Period 2: each ES sees the menu of its period-1 item.
        XCTAssertEqual(f.room.offer(for: a).items.map(\.rounds), [12, 25])
        XCTAssertEqual(f.room.offer(for: b).items.map(\.rounds), [10, 15])
        XCTAssertTrue(f.room.offer(for: NodeKey().nodeID).items.isEmpty, "no period-1 item, no period-2 menu")
        XCTAssertTrue(f.room.onEpochBoundary(epoch: 7).compactMap { if case .pay(let p) = $0 { p } else { nil } }.isEmpty, "period 2: nobody delivered")
        XCTAssertEqual(f.room.state.round, 2)
        XCTAssertEqual(f.room.totalPaid, 100, "period-1 payments are never repeated")

        let chunk = f.room.moduleChunk(0)
        XCTAssertEqual(chunk.version, 1)
        XCTAssertEqual(Int(chunk.chunkCount), (module.bytes.count + 1023) / 1024)
    }

    func testRestoredStatePaysAnIntegrationMadeBeforeACrashExactlyOnce() throws {
        var f = try fixture()
        let a = NodeKey().nodeID
        var persisted: [Contracts.Directive] = f.room.onEpochBoundary(epoch: 1)
        persisted += try f.room.onSelection(ContractSelection(round: 1, period: 1, choice: .item(0)), from: a).1
        let shard = try f.training.shards(3, seed: 1)[0]
        persisted += try upload(&f.room, try ModuleTraining(stepsPerRound: 5).train(shard, rounds: 20, seed: 1).module, samples: UInt64(shard.count), from: a).1
        // "Crash": rebuild from what was persisted.
        var round = Contracts.RoundState(), edges: [NodeID: Contracts.EdgeRecord] = [:]
        for d in persisted {
            switch d {
            case .persistRound(let r): round = r
            case .persistEdge(let e): edges[e.edge] = e
            default: break
            }
        }
        var restarted = Contracts(settings: f.room.settings, plan: f.room.plan, restored: .init(round: round, edges: Array(edges.values)))
        XCTAssertTrue(restarted.offer(for: a).integrated)
        let pays = restarted.onEpochBoundary(epoch: 4).compactMap { if case .pay(let p) = $0 { p } else { nil } }
        XCTAssertEqual(pays.map(\.edge), [a])
        XCTAssertEqual(pays.first?.reward, 40)
    }
}
