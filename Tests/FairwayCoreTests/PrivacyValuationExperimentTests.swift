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

/// `fairway-lab experiment valuation-gamma`: value monotone in Γ, saturating; discovery bounded without noise;
/// the σ gate (beyond the paper) against the paper's rule on the same releases.
final class ValuationGammaExperimentTests: XCTestCase {
    static let setting: ValuationGammaExperiment.Setting = {
        var s = ValuationGammaExperiment.Setting()
        s.agentsPerKind = 4
        s.seeds = [3]
        s.gammas = [1, 10, 50, 500]
        s.conditions = [.none, .multimodal(1)]
        s.countSigmas = [0, 3]
        return s
    }()
    static let result: (values: [ValuationGammaExperiment.AgentValue], discovery: [ValuationGammaExperiment.Discovery]) = {
        do { return try ValuationGammaExperiment.run(ExperimentTestData.digits, setting) } catch { fatalError("\(error)") }
    }()

    func testValueIncreasesWithGammaAndDiscoveryIsBoundedWithoutNoise() throws {
        let s = Self.setting, (values, discovery) = Self.result
        let agents = s.kinds.count * s.agentsPerKind
        XCTAssertEqual(values.count, s.conditions.count * s.countSigmas.count * s.gammas.count * agents)
        for c in s.conditions {
            for k in s.countSigmas {
                for agent in 0..<agents {
                    let v = s.gammas.map { gm in values.first { $0.condition == c && $0.countSigmas == k && $0.agent == agent && $0.gamma == gm }!.value }
                    XCTAssertEqual(v, v.sorted(), "value of agent \(agent) under \(c), countSigmas \(k) must not decrease in Γ")
                }
            }
        }
        // The paper's rule (countSigmas 0). Without noise every sample is credited; with 12 agents × 100 records no cluster
        // reaches 500 samples, so at Γ = 500 every sample is novel (φ = 1) and v = ln(1 + 100): saturation.
        let paper = values.filter { $0.countSigmas == 0 }
        for v in paper where v.condition == .none && v.gamma == 500 {
            XCTAssertEqual(v.noise, 0)
            XCTAssertEqual(v.value, log1p(100), accuracy: 1e-9)
        }
        // At Γ = 1 each cluster pays novelty for exactly one sample, whoever sends it.
        let novelAtOne = paper.filter { $0.condition == .none && $0.gamma == 1 }.reduce(0) { $0 + $1.novel }
        XCTAssertEqual(novelAtOne, 10)
        let none = discovery.filter { $0.condition == .none && $0.countSigmas == 0 }
        XCTAssertTrue(none.allSatisfy { $0.clusters <= 10 && $0.cellsDiscovered <= $0.clusters && $0.phantomClusters == 0 })
        XCTAssertEqual(none.last?.cellsDiscovered, 10)
        // Under DP the empty and small cells' noise founds spurious clusters, some of them from empty cells.
        let dp = discovery.filter { $0.condition == .multimodal(1) && $0.countSigmas == 0 }
        XCTAssertGreaterThan(dp.last!.clusters, 10)
        XCTAssertGreaterThan(dp.last!.phantomClusters, 0)
        XCTAssertTrue(paper.allSatisfy { $0.missedRecords == 0 }, "the paper's rule gates nothing")
    }

    /// Exact counts have σ_c = 0, so the gate leaves `none` exactly as the paper's rule does.
    func testTheGateNeverChangesExactCounts() {
        let (values, discovery) = Self.result
        func key(_ v: ValuationGammaExperiment.AgentValue) -> [Double] { [Double(v.gamma), Double(v.agent), Double(v.novel), Double(v.normal), Double(v.noise), v.value] }
        let paper = values.filter { $0.condition == .none && $0.countSigmas == 0 }.map(key)
        let gated = values.filter { $0.condition == .none && $0.countSigmas == 3 }.map(key)
        XCTAssertFalse(paper.isEmpty)
        XCTAssertEqual(paper, gated)
        XCTAssertEqual(discovery.filter { $0.condition == .none && $0.countSigmas == 0 }.map(\.clusters),
                       discovery.filter { $0.condition == .none && $0.countSigmas == 3 }.map(\.clusters))
    }

    /// Beyond the paper: at ε = 1 the 3σ gate keeps empty cells from founding clusters, so the catalog ends much
    /// closer to 10 clusters, and single-label agents are no longer credited samples from their empty cells. Its
    /// price: small real cells (a 10-label agent's ≈ 10 records per cell) are gated too.
    func testTheGateRemovesPhantomClustersAtEpsilonOne() {
        let s = Self.setting, (values, discovery) = Self.result
        let last = s.kinds.count * s.agentsPerKind
        let paper = discovery.first { $0.condition == .multimodal(1) && $0.countSigmas == 0 && $0.releases == last }!
        let gated = discovery.first { $0.condition == .multimodal(1) && $0.countSigmas == 3 && $0.releases == last }!
        XCTAssertEqual(gated.phantomClusters, 0)
        XCTAssertLessThan(gated.phantomClusters, paper.phantomClusters)
        XCTAssertLessThan(abs(gated.clusters - 10) * 3, abs(paper.clusters - 10), "gated \(gated.clusters), paper \(paper.clusters) clusters")
        let dp = values.filter { $0.condition == .multimodal(1) && $0.gamma == 50 }
        let phantom = { (k: Double) in dp.filter { $0.countSigmas == k && $0.kind == "1 label" }.reduce(0) { $0 + $1.phantomSamples } }
        XCTAssertGreaterThan(phantom(0), 0)
        XCTAssertEqual(phantom(3), 0)
        let missedTen = dp.filter { $0.countSigmas == 3 && $0.kind == "10 labels" }.reduce(0) { $0 + $1.missedRecords }
        let missedOne = dp.filter { $0.countSigmas == 3 && $0.kind == "1 label" }.reduce(0) { $0 + $1.missedRecords }
        XCTAssertGreaterThan(missedTen, missedOne, "the gate misses the small cells of many-label agents")
    }
}

/// `fairway-lab experiment novelty-noise`: the rule is clean without noise and degrades with it; the σ gate
/// (beyond the paper) trades unassignable and falsely novel prototypes of small cells for missed ones.
final class NoveltyNoiseExperimentTests: XCTestCase {
    static let tallies: [NoveltyNoiseExperiment.Tally] = {
        var s = NoveltyNoiseExperiment.Setting()
        s.conditions = [.none, .multimodal(0.5), .multimodal(8)]
        s.recordsPerRelease = [100]
        s.releases = 10
        s.seeds = [1]
        s.countSigmas = [0, 3]
        do { return try NoveltyNoiseExperiment.run(ExperimentTestData.digits, s) } catch { fatalError("\(error)") }
    }()

    func testNoNoiseIsCleanAndSmallEpsilonCreatesFalseNovelty() throws {
        let t = Self.tallies.filter { $0.countSigmas == 0 }
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
        XCTAssertTrue(t.allSatisfy { $0.count(.missed) + $0.count(.phantomGated) == 0 }, "the paper's rule gates nothing")
    }

    /// Every prototype gets exactly one outcome under each rule, and a gated real cell is reported as missed.
    func testTheGateReportsMissedCellsAndFewerSpuriousClusters() throws {
        for t in Self.tallies { XCTAssertEqual(t.real + t.phantom, 10 * 10, "\(t.condition), countSigmas \(t.countSigmas)") }
        let gatedNone = Self.tallies.first { $0.condition == .none && $0.countSigmas == 3 }!
        XCTAssertEqual(gatedNone.count(.missed), 0, "exact counts are never gated")
        XCTAssertEqual(gatedNone.finalClusters, 10)
        let paper = Self.tallies.first { $0.condition == .multimodal(0.5) && $0.countSigmas == 0 }!
        let gated = Self.tallies.first { $0.condition == .multimodal(0.5) && $0.countSigmas == 3 }!
        // ≈ 10 records per cell against 3σ of the count noise at ε = 0.5: most real cells are gated …
        XCTAssertGreaterThan(gated.count(.missed), gated.real / 2)
        // … so fewer of them found spurious clusters.
        XCTAssertLessThan(gated.finalClusters, paper.finalClusters)
        XCTAssertLessThan(gated.count(.falseNovel), paper.count(.falseNovel))
    }
}
