import FairwayCore
import Foundation
import XCTest

/// Agent modules (paper 4, §III-B; `docs/modules.md`): byte form, deterministic training,
/// held-out accuracy, FedAvg and the quality-curve fit.
final class ModuleTests: XCTestCase {
    /// `data/uci-digits-8x8.csv` split into training and held-out pixel features.
    static let digits: (training: ModuleDataset, heldOut: ModuleDataset) = {
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("data/uci-digits-8x8.csv")
        do { return try ModuleDataset.split(DigitsCSV.parse(String(contentsOf: url, encoding: .utf8)), input: .pixels) } catch {
            fatalError("cannot load \(url.path): \(error)")
        }
    }()

    func module(_ seed: UInt64, inputs: Int = 3, classes: Int = 4) throws -> AgentModule {
        var g = SeededGenerator(seed: seed)
        return try AgentModule(inputDimension: inputs, classes: classes,
                               weights: (0..<classes * (inputs + 1)).map { _ in g.nextUnit() * 2 - 1 })
    }

    func kind(of body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> ModuleError.Kind? {
        do {
            try body()
            XCTFail("no error", file: file, line: line)
            return nil
        } catch let e as ModuleError {
            return e.kind
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
            return nil
        }
    }

    // MARK: bytes

    func testSerialisationRoundTripsBitForBitWithTheDocumentedLayout() throws {
        var m = try module(1, inputs: 64, classes: 10)
        var w = m.weights
        w[0] = -0.0
        w[1] = .leastNonzeroMagnitude
        w[2] = -.greatestFiniteMagnitude
        m = try AgentModule(inputDimension: 64, classes: 10, weights: w)
        let bytes = m.serialised()
        XCTAssertEqual(bytes.count, 16 + 8 * 650)
        XCTAssertEqual(bytes.count, m.serialisedSize)
        XCTAssertEqual(Array(bytes[0..<16]), [0x46, 0x57, 0x41, 0x4D, 1, 0, 0, 0, 64, 0, 0, 0, 10, 0, 0, 0])
        // Weight 3 as little-endian float64.
        XCTAssertEqual(Array(bytes[16 + 24..<16 + 32]), (0..<8).map { UInt8(truncatingIfNeeded: w[3].bitPattern >> (8 * UInt64($0))) })
        let back = try AgentModule(bytes: bytes)
        XCTAssertEqual(back.weights.map(\.bitPattern), m.weights.map(\.bitPattern))
        XCTAssertEqual(back.inputDimension, 64)
        XCTAssertEqual(back.classes, 10)
        XCTAssertEqual(back.serialised(), bytes)
    }

    func testTruncatedOrGarbageBytesAreRefusedWithAReason() throws {
        let bytes = try module(2).serialised()
        XCTAssertEqual(kind { _ = try AgentModule(bytes: []) }, .malformed)
        XCTAssertEqual(kind { _ = try AgentModule(bytes: Array(bytes.prefix(15))) }, .malformed)
        for cut in [16, 17, bytes.count - 1] {
            XCTAssertEqual(kind { _ = try AgentModule(bytes: Array(bytes.prefix(cut))) }, .malformed, "cut at \(cut)")
        }
        XCTAssertEqual(kind { _ = try AgentModule(bytes: bytes + [0]) }, .malformed)
        var magic = bytes; magic[0] = 0x00
        XCTAssertEqual(kind { _ = try AgentModule(bytes: magic) }, .malformed)
        var version = bytes; version[4] = 2
        XCTAssertEqual(kind { _ = try AgentModule(bytes: version) }, .unsupportedVersion)
        var zeroInputs = bytes; zeroInputs[8] = 0
        XCTAssertEqual(kind { _ = try AgentModule(bytes: zeroInputs) }, .shape)
        var huge = bytes; huge[15] = 0xFF
        XCTAssertEqual(kind { _ = try AgentModule(bytes: huge) }, .shape)
        var nan = bytes
        for i in 0..<8 { nan[16 + i] = UInt8(truncatingIfNeeded: Double.nan.bitPattern >> (8 * UInt64(i))) }
        XCTAssertEqual(kind { _ = try AgentModule(bytes: nan) }, .nonFinite)
        var g = SeededGenerator(seed: 9)
        for _ in 0..<200 {
            let garbage = (0..<Int(g.nextIndex(below: 300))).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            XCTAssertThrowsError(try AgentModule(bytes: garbage))
        }
        do {
            _ = try AgentModule(bytes: Array(bytes.prefix(40)))
            XCTFail("parsed a truncated module")
        } catch {
            XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
        }
    }

    func testPredictionIsTheMostProbableClassAndInputsAreChecked() throws {
        let zero = try AgentModule.zero(inputDimension: 2, classes: 4)
        let p = try zero.predict([0.3, 0.7])
        XCTAssertEqual(p.label, 0)
        XCTAssertEqual(p.confidence, 0.25, accuracy: 1e-15)
        // Class 2 has the largest bias.
        let m = try AgentModule(inputDimension: 1, classes: 3, weights: [0, 0, 0, 1, 0, 3])
        let q = try m.predict([5])
        XCTAssertEqual(q.label, 2)
        XCTAssertEqual(q.confidence, exp(3) / (1 + exp(1) + exp(3)), accuracy: 1e-12)
        XCTAssertEqual(try m.probabilities([1]).reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertEqual(kind { _ = try m.predict([1, 2]) }, .input)
        XCTAssertEqual(kind { _ = try m.predict([.nan]) }, .input)
        XCTAssertEqual(kind { _ = try AgentModule(inputDimension: 1, classes: 3, weights: [0]) }, .shape)
    }

    // MARK: training

    func testTrainingIsDeterministicForASeedAndDependsOnIt() throws {
        let shard = try Self.digits.training.shards(5, seed: 3)[0]
        let a = try ModuleTraining().train(shard, rounds: 25, seed: 11)
        let b = try ModuleTraining().train(shard, rounds: 25, seed: 11)
        let c = try ModuleTraining().train(shard, rounds: 25, seed: 12)
        XCTAssertEqual(a.module.serialised(), b.module.serialised())
        XCTAssertNotEqual(a.module.weights, c.module.weights)
        XCTAssertEqual(a.sampleCount, shard.count)
        XCTAssertEqual(a.steps, 25)
        XCTAssertEqual(try ModuleTraining().train(shard, rounds: 0, seed: 11).module, try AgentModule.zero(inputDimension: 64))
        XCTAssertEqual(kind { _ = try ModuleTraining().train(shard, rounds: -1, seed: 0) }, .invalidArgument)
        XCTAssertEqual(kind { _ = try ModuleTraining(learningRate: 0).train(shard, rounds: 1, seed: 0) }, .invalidArgument)
    }

    func testShardsAreDisjointSeededAndCoverTheTrainingSplit() throws {
        let data = Self.digits.training
        XCTAssertEqual(data.count, 1438)
        XCTAssertEqual(Self.digits.heldOut.count, 359)
        let shards = try data.shards(5, seed: 7)
        XCTAssertEqual(shards.map(\.count), [288, 288, 288, 287, 287])
        XCTAssertEqual(try data.shards(5, seed: 7), shards)
        XCTAssertNotEqual(try data.shards(5, seed: 8), shards)
        // Every sample exactly once: compare the multisets of (label, features).
        func keys(_ d: ModuleDataset) -> [String] { zip(d.labels, d.features).map { "\($0)|\($1)" } }
        XCTAssertEqual(shards.flatMap(keys).sorted(), keys(data).sorted())
    }

    func testTrainedFedAvgModuleBeatsTheBarAndTheUntrainedModuleOnHeldOut() throws {
        let shards = try Self.digits.training.shards(5, seed: 0)
        let heldOut = Self.digits.heldOut
        var uploads: [ModuleIntegration.Upload] = []
        for (e, shard) in shards.enumerated() {
            let r = try ModuleTraining().train(shard, rounds: 50, seed: UInt64(100 + e))
            uploads.append(.init(name: "edge-\(e)", module: r.module, sampleCount: r.sampleCount))
        }
        let trained = try ModuleIntegration.accuracy(ModuleIntegration.federatedAverage(uploads), on: heldOut)
        let untrained = try ModuleIntegration.accuracy(AgentModule.zero(inputDimension: 64), on: heldOut)
        XCTAssertGreaterThan(trained, 0.88, "held-out accuracy after 50 rounds")
        XCTAssertLessThan(untrained, 0.15)
        let outcome = try ModuleIntegration().integrate(uploads, heldOut: heldOut)
        XCTAssertEqual(outcome.integrated.count + outcome.refused.count, 5)
        XCTAssertGreaterThanOrEqual(outcome.integrated.count, 1)
        XCTAssertGreaterThan(outcome.accuracy ?? 0, ModuleIntegration.defaultQualityBar)
        // Uploads trained for 1 round are all below the bar.
        let weak = try shards.enumerated().map { e, shard in
            ModuleIntegration.Upload(name: "weak-\(e)", module: try ModuleTraining().train(shard, rounds: 1, seed: 1).module, sampleCount: shard.count)
        }
        let none = try ModuleIntegration().integrate(weak, heldOut: heldOut)
        XCTAssertEqual(none.integrated, [])
        XCTAssertNil(none.module)
    }

    // MARK: FedAvg

    func testFedAvgOfIdenticalModulesIsTheModuleAndOtherwiseTheWeightedMean() throws {
        let m = try module(3)
        let same = try ModuleIntegration.federatedAverage([.init(name: "a", module: m, sampleCount: 3), .init(name: "b", module: m, sampleCount: 7),
                                                           .init(name: "c", module: m, sampleCount: 1)])
        XCTAssertEqual(same.serialised(), m.serialised())
        let n = try module(4)
        let avg = try ModuleIntegration.federatedAverage([.init(name: "a", module: m, sampleCount: 1), .init(name: "b", module: n, sampleCount: 3)])
        for i in avg.weights.indices { XCTAssertEqual(avg.weights[i], 0.25 * m.weights[i] + 0.75 * n.weights[i], accuracy: 1e-15) }
    }

    func testFedAvgRefusesMismatchedShapesNamingTheUpload() throws {
        let uploads: [ModuleIntegration.Upload] = [.init(name: "edge-1", module: try module(1), sampleCount: 5),
                                                   .init(name: "edge-2", module: try module(2), sampleCount: 5),
                                                   .init(name: "edge-3", module: try module(3, inputs: 4), sampleCount: 5)]
        do {
            _ = try ModuleIntegration.federatedAverage(uploads)
            XCTFail("averaged")
        } catch let e as ModuleError {
            XCTAssertEqual(e.kind, .mismatch)
            XCTAssertTrue(e.message.contains("edge-3"), e.message)
        }
        XCTAssertEqual(kind { _ = try ModuleIntegration.federatedAverage([]) }, .emptyUpload)
        XCTAssertEqual(kind { _ = try ModuleIntegration.federatedAverage([.init(name: "x", module: try self.module(1), sampleCount: 0)]) }, .emptyUpload)
        XCTAssertEqual(kind { _ = try ModuleIntegration().integrate(uploads, heldOut: Self.digits.heldOut) }, .mismatch)
    }

    // MARK: quality curve

    func testTheFitRecoversAKnownRateFromSyntheticData() throws {
        let t: [Double] = [0, 1, 2, 3, 5, 8, 12, 20, 30, 50, 80, 120, 200]
        for a in [0.0368, 0.2, 1.3] {
            let f = try QualityCurve.fitRate(rounds: t, values: t.map { 1 - pow(2, -a * $0) })
            XCTAssertEqual(f.rate, a, accuracy: 1e-6)
            XCTAssertEqual(f.plateau, 1)
            XCTAssertLessThan(f.rmsResidual, 1e-9)
            let g = try QualityCurve.fitScaledRate(rounds: t, values: t.map { 0.93 * (1 - pow(2, -a * $0)) })
            XCTAssertEqual(g.rate, a, accuracy: 1e-6)
            XCTAssertEqual(g.plateau, 0.93, accuracy: 1e-6)
        }
        // Noisy data: the fit is the least-squares minimum (no nearby a does better).
        var gen = SeededGenerator(seed: 5)
        let y = t.map { 0.9 * (1 - pow(2, -0.3 * $0)) + 0.02 * (gen.nextUnit() - 0.5) }
        let f = try QualityCurve.fitRate(rounds: t, values: y)
        func ss(_ a: Double) -> Double { zip(t, y).reduce(0) { $0 + pow($1.1 - (1 - pow(2, -a * $1.0)), 2) } }
        XCTAssertLessThanOrEqual(f.sumOfSquares, ss(f.rate * (1 + 1e-6)))
        XCTAssertLessThanOrEqual(f.sumOfSquares, ss(f.rate * (1 - 1e-6)))
        XCTAssertEqual(f.sumOfSquares, ss(f.rate), accuracy: 1e-12)
        XCTAssertEqual(kind { _ = try QualityCurve.fitRate(rounds: [], values: []) }, .invalidArgument)
        XCTAssertEqual(kind { _ = try QualityCurve.fitRate(rounds: [1, -1], values: [0, 0]) }, .invalidArgument)
        XCTAssertEqual(kind { _ = try QualityCurve.fitScaledRate(rounds: [0, 0], values: [0.1, 0.1]) }, .invalidArgument)
    }
}
