@testable import FairwayCore
import Foundation
import XCTest

/// The digits, embedded once for the three experiment test classes.
enum ExperimentTestData {
    static let digits: ExperimentDigits = {
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("data/uci-digits-8x8.csv")
        do { return try ExperimentDigits(records: DigitsCSV.parse(String(contentsOf: url, encoding: .utf8))) } catch {
            fatalError("cannot load \(url.path): \(error)")
        }
    }()
}

/// `fairway-lab experiment privacy-attack`: the reconstruction attack's gradient and its ordering.
final class AttackExperimentTests: XCTestCase {
    func testAnalyticGradientMatchesFiniteDifferences() {
        let e = AlignedLinearEncoder.digits
        var g = SeededGenerator(seed: 7)
        let x = (0..<64).map { _ in Double(g.next() % 17) }
        let t0 = (0..<16).map { _ in Double(g.next() % 1000) / 500 - 1 }
        let tn = t0.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let t = t0.map { $0 / tn }
        let (_, grad) = ReconstructionAttack.cosineAndGradient(x, t: t, P: e.imageProjection, mu: e.imageMean, s: e.imageScale, d: 16)
        for i in [0, 5, 20, 37, 63] {
            var xp = x, xm = x
            xp[i] += 1e-5; xm[i] -= 1e-5
            let fp = ReconstructionAttack.cosineAndGradient(xp, t: t, P: e.imageProjection, mu: e.imageMean, s: e.imageScale, d: 16).0
            let fm = ReconstructionAttack.cosineAndGradient(xm, t: t, P: e.imageProjection, mu: e.imageMean, s: e.imageScale, d: 16).0
            XCTAssertEqual(grad[i], (fp - fm) / 2e-5, accuracy: 1e-6, "pixel \(i)")
        }
    }

    func testAttackOnExactPrototypeBeatsMultimodalAtSmallEpsilon() throws {
        var s = AttackExperiment.Setting()
        s.conditions = [.none, .multimodal(0.5)]
        s.seeds = [0, 1]
        s.steps = 300
        let rows = try AttackExperiment.run(ExperimentTestData.digits, s)
        XCTAssertEqual(rows.count, 2 * 2 * 10)
        let none = rows.filter { $0.condition == .none }, dp = rows.filter { $0.condition == .multimodal(0.5) }
        func mean(_ r: [AttackExperiment.Row], _ f: (AttackExperiment.Row) -> Double) -> Double { r.map(f).reduce(0, +) / Double(r.count) }
        // The optimisation converges on the exact prototype …
        XCTAssertGreaterThan(mean(none) { $0.fit }, 0.999)
        // … recovers real structure (a grey image scores ≈ 0) …
        XCTAssertGreaterThan(mean(none) { $0.centredCosine }, 0.3)
        // … and noise at ε = 0.5 on 100-record clusters lowers what it recovers.
        XCTAssertGreaterThan(mean(none) { $0.centredCosine }, mean(dp) { $0.centredCosine } + 0.03)
        XCTAssertLessThan(mean(dp) { $0.prototypeCosine }, 0.95)
        XCTAssertTrue(rows.allSatisfy { $0.reconstruction.allSatisfy { (0...16).contains($0) } })
    }
}

/// `fairway-lab experiment valuation-gamma`: value monotone in Γ, saturating; discovery bounded without noise.
final class ValuationGammaExperimentTests: XCTestCase {
    func testValueIncreasesWithGammaAndDiscoveryIsBoundedWithoutNoise() throws {
        var s = ValuationGammaExperiment.Setting()
        s.agentsPerKind = 4
        s.seeds = [3]
        s.gammas = [1, 10, 50, 500]
        s.conditions = [.none, .multimodal(1)]
        let (values, discovery) = try ValuationGammaExperiment.run(ExperimentTestData.digits, s)
        let agents = s.kinds.count * s.agentsPerKind
        for c in s.conditions {
            for agent in 0..<agents {
                let v = s.gammas.map { gm in values.first { $0.condition == c && $0.agent == agent && $0.gamma == gm }!.value }
                XCTAssertEqual(v, v.sorted(), "value of agent \(agent) under \(c) must not decrease in Γ")
            }
        }
        // Without noise every sample is credited; with 12 agents × 100 records no cluster reaches 500 samples,
        // so at Γ = 500 every sample is novel (φ = 1) and v = ln(1 + 100): saturation.
        for v in values where v.condition == .none && v.gamma == 500 {
            XCTAssertEqual(v.noise, 0)
            XCTAssertEqual(v.value, log1p(100), accuracy: 1e-9)
        }
        // At Γ = 1 each cluster pays novelty for exactly one sample, whoever sends it.
        let novelAtOne = values.filter { $0.condition == .none && $0.gamma == 1 }.reduce(0) { $0 + $1.novel }
        XCTAssertEqual(novelAtOne, 10)
        let none = discovery.filter { $0.condition == .none }
        XCTAssertTrue(none.allSatisfy { $0.clusters <= 10 && $0.cellsDiscovered <= $0.clusters })
        XCTAssertEqual(none.last?.cellsDiscovered, 10)
        // Under DP the empty and small cells' noise founds spurious clusters.
        let dp = discovery.filter { $0.condition == .multimodal(1) }
        XCTAssertGreaterThan(dp.last!.clusters, 10)
    }
}

/// `fairway-lab experiment novelty-noise`: the rule is clean without noise and degrades with it.
final class NoveltyNoiseExperimentTests: XCTestCase {
    func testNoNoiseIsCleanAndSmallEpsilonCreatesFalseNovelty() throws {
        var s = NoveltyNoiseExperiment.Setting()
        s.conditions = [.none, .multimodal(0.5), .multimodal(8)]
        s.recordsPerRelease = [100]
        s.releases = 10
        s.seeds = [1]
        let t = try NoveltyNoiseExperiment.run(ExperimentTestData.digits, s)
        XCTAssertEqual(t.count, 3)
        let none = t.first { $0.condition == .none }!, low = t.first { $0.condition == .multimodal(0.5) }!, high = t.first { $0.condition == .multimodal(8) }!
        XCTAssertEqual(none.count(.falseNovel) + none.count(.falseMatch) + none.count(.noiseCount) + none.count(.noiseAmbiguous), 0)
        XCTAssertEqual(none.finalClusters, 10)
        XCTAssertEqual(none.real, 10 * 10)
        XCTAssertGreaterThan(low.count(.falseNovel), 0)
        XCTAssertGreaterThan(low.finalClusters, high.finalClusters)
        let lowErrors = low.count(.falseNovel) + low.count(.noiseCount) + low.count(.noiseAmbiguous)
        let highErrors = high.count(.falseNovel) + high.count(.noiseCount) + high.count(.noiseAmbiguous)
        XCTAssertGreaterThan(lowErrors, highErrors)
    }
}
