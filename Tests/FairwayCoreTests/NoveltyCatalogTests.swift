import FairwayCore
import Foundation
import XCTest

/// The iDAO catalog's matching rule and eq. 20's novelty credit.
final class NoveltyCatalogTests: XCTestCase {
    func unit(_ angle: Double) -> [Double] { [cos(angle), sin(angle), 0] }

    func testTheFirstGammaSamplesOfANewClusterAreNovelThenNormal() {
        var s = NoveltyCatalog.Settings()
        s.gamma = 50
        var catalog = NoveltyCatalog(settings: s)
        let first = catalog.apply(prototype: unit(0), count: 30)
        XCTAssertEqual(first.kind, .founded)
        XCTAssertEqual(first.similarity, -1, "an empty catalog: nothing to match")
        XCTAssertEqual([first.novelSamples, first.normalSamples], [30, 0])
        let second = catalog.apply(prototype: unit(0.1), count: 40)  // cos 0.1 ≈ 0.995: matched
        XCTAssertEqual(second.kind, .matched)
        XCTAssertEqual(second.cluster, 0)
        XCTAssertEqual([second.novelSamples, second.normalSamples], [20, 20], "Γ = 50: 20 more novel, the rest normal")
        XCTAssertEqual(second.phi, 0.75)
        let third = catalog.apply(prototype: unit(0.05), count: 10)
        XCTAssertEqual([third.novelSamples, third.normalSamples], [0, 10])
        XCTAssertEqual(catalog.clusters[0].samples, 80)
        XCTAssertEqual(L2Clipping.norm(catalog.clusters[0].centroid), 1, accuracy: 1e-12)
    }

    func testFarPrototypesFoundClustersAmbiguousOnesAreNoise() {
        var catalog = NoveltyCatalog()
        _ = catalog.apply(prototype: unit(0), count: 10)
        let far = catalog.apply(prototype: unit(.pi / 2), count: 10)  // cos = 0 < 0.5
        XCTAssertEqual(far.kind, .founded)
        XCTAssertEqual(catalog.clusters.count, 2)
        let between = catalog.apply(prototype: unit(acos(0.65)), count: 10)  // 0.5 ≤ 0.65 < 0.8
        XCTAssertEqual(between.kind, .noise)
        XCTAssertEqual(between.noiseSamples, 10)
        XCTAssertEqual(between.phi, 0)
        XCTAssertEqual(catalog.apply(prototype: unit(0), count: 0).kind, .noise, "a count below the minimum")
        XCTAssertEqual(catalog.apply(prototype: [0, 0, 0], count: 5).kind, .noise, "a zero prototype")
        XCTAssertEqual(catalog.apply(prototype: [.nan, 0, 0], count: 5).kind, .noise, "a non-finite prototype")
        XCTAssertEqual(catalog.clusters.count, 2, "noise changes no cluster")
    }

    /// Eq. 20: f(d) = φ(d)·ln(1 + |d|); more novel data is worth more than the same amount of
    /// normal data, and noise earns nothing.
    func testEquation20() {
        var catalog = NoveltyCatalog()
        let pioneer = [catalog.apply(prototype: unit(0), count: 50)]
        let follower = [catalog.apply(prototype: unit(0.01), count: 50)]
        XCTAssertEqual(NoveltyCatalog.value(of: pioneer), log(51), accuracy: 1e-12)
        XCTAssertEqual(NoveltyCatalog.value(of: follower), 0.5 * log(51), accuracy: 1e-12)
        let noisy = [catalog.apply(prototype: unit(acos(0.6)), count: 50)]
        XCTAssertEqual(NoveltyCatalog.value(of: noisy), 0)
        XCTAssertEqual(NoveltyCatalog.value(of: []), 0)
        // Diminishing returns in quantity.
        XCTAssertLessThan(NoveltyCatalog.value(of: pioneer + follower), 2 * NoveltyCatalog.value(of: pioneer))
    }

    /// Beyond the paper: a count within `countSigmas` σ of its own noise is an empty cell and is
    /// credited nothing; the paper's rule (`countSigmas` = 0) lets it found a cluster of noise.
    func testCountsWithinTheirNoiseAreEmptyCellsUnlessThePapersRuleIsAsked() {
        XCTAssertEqual(NoveltyCatalog.Settings().countSigmas, 0, "the paper's rule by default")
        var g = NoveltyCatalog.Settings()
        g.countSigmas = 3
        var gated = NoveltyCatalog(settings: g)
        let phantom = gated.apply(prototype: unit(0), count: 10, countSigma: 6.5)  // 10 < 3·6.5
        XCTAssertEqual(phantom.kind, .empty)
        XCTAssertEqual(phantom.novelSamples + phantom.normalSamples + phantom.noiseSamples, 0)
        XCTAssertTrue(gated.clusters.isEmpty)
        let real = gated.apply(prototype: unit(0), count: 40, countSigma: 6.5)   // 40 ≥ 19.5
        XCTAssertEqual(real.kind, .founded)
        XCTAssertEqual(gated.apply(prototype: unit(.pi / 2), count: 10, countSigma: 0).kind, .founded, "exact counts are never gated")

        var paper = NoveltyCatalog()
        XCTAssertEqual(paper.apply(prototype: unit(0), count: 10, countSigma: 6.5).kind, .founded)
        XCTAssertEqual(paper.clusters.count, 1)
    }

    func testTheGateNeverUsesLessThanTheNoiseMultiplier() {
        let c = Contribution(prototypes: [], mode: .multimodal, epsilon: 1, delta: 1e-6, noiseMultiplier: 4, sequence: 1, records: 100, countSigma: 0.5)
        XCTAssertEqual(c.countNoiseFloor, 4, "Δ₂ ≥ 1, so σ ≥ z: under-declaring σ does not lower the gate")
    }
}
