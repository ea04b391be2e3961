@testable import FairwayCore
import Foundation
import XCTest

/// The edge agent's prototype release (first paper §IV, eq. 21; §V-A Image-DP): calibrated
/// noise, clipping-bounded sensitivity, a record-local anchor partition, deterministic k-means,
/// the baselines' exact parts, refusals and empty input.
final class PrototypeReleaseTests: XCTestCase {
    func randomVector(_ d: Int, scale: Double = 1, using g: inout SeededGenerator) -> [Double] {
        (0..<d).map { _ in Double.random(in: -1...1, using: &g) * scale }
    }

    func unit(_ x: [Double]) -> [Double] {
        let n = L2Clipping.norm(x)
        return x.map { $0 / n }
    }

    func records(_ n: Int, d: Int, scale: Double = 1, using g: inout SeededGenerator) -> [PrototypeRecord] {
        (0..<n).map { _ in PrototypeRecord(image: randomVector(d, scale: scale, using: &g), text: randomVector(d, scale: scale, using: &g)) }
    }

    // MARK: noise

    func testReleasedSumsCarryTheCalibratedNoise() throws {
        var g = SeededGenerator(seed: 2024)
        let d = 8
        let anchors = (0..<3).map { _ in unit(randomVector(d, using: &g)) }
        let data = records(10, d: d, using: &g).map { PrototypeRecord(image: unit($0.image), text: unit($0.text)) }
        let settings = PrototypeReleaseSettings(epsilon: 1, delta: 1e-5)
        let exact = try PrototypeRelease.release(data, partition: .anchors(anchors), settings: PrototypeReleaseSettings(mode: .none), using: &g)

        var noise: [Double] = []
        var first: PrototypeReleaseResult?
        for _ in 0..<800 {
            let r = try PrototypeRelease.release(data, partition: .anchors(anchors), settings: settings, using: &g)
            first = first ?? r
            XCTAssertEqual(r.prototypes.count, anchors.count, "every anchor is released, empty or not")
            for (p, e) in zip(r.prototypes, exact.prototypes) {
                noise += zip(p.imageSum, e.imageSum).map(-)
                noise += zip(p.textSum, e.textSum).map(-)
                noise.append(p.count - e.count)
                XCTAssertEqual(p.imageEmbedding, p.imageSum.map { $0 / max(p.count, 1) }, "prototype = noisy sum / max(noisy count, 1)")
            }
        }
        let r = try XCTUnwrap(first)
        // σ is the analytic σ at the joint sensitivity √(2C² + 1), plus the snapping grid's rounding.
        XCTAssertEqual(r.sensitivity, 3.0.squareRoot(), accuracy: 3.0.squareRoot() * 2e-3)
        XCTAssertGreaterThanOrEqual(r.sensitivity, 3.0.squareRoot())
        let grid = try XCTUnwrap(r.grid)
        XCTAssertGreaterThanOrEqual(r.sensitivity, (2 * pow(1 + Double(d).squareRoot() * grid / 2, 2) + 1).squareRoot() * (1 - 1e-15))
        XCTAssertEqual(r.sigma, try GaussianMechanism.sigma(epsilon: 1, delta: 1e-5, sensitivity: r.sensitivity), accuracy: 0)
        XCTAssertEqual(try XCTUnwrap(r.noiseMultiplier), r.sigma / r.sensitivity)
        XCTAssertEqual(r.charge, RDPAccountant.Mechanism(noiseMultiplier: r.sigma / r.sensitivity, count: 1))
        XCTAssertEqual(r.guarantee?.epsilon, 1)
        XCTAssertEqual(r.guarantee?.delta, 1e-5)

        let n = Double(noise.count)
        let mean = noise.reduce(0, +) / n
        let variance = noise.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        XCTAssertEqual(mean, 0, accuracy: 5 * r.sigma / n.squareRoot(), "noise mean")
        XCTAssertEqual(variance / (r.sigma * r.sigma), 1, accuracy: 5 * (2 / n).squareRoot(), "noise variance σ²")
        // Released values are exact multiples of the grid (snapped, no floating-point artefacts).
        for p in r.prototypes {
            for x in p.imageSum + p.textSum + [p.count] { XCTAssertEqual((x / grid).rounded() * grid, x) }
        }
    }

    // MARK: sensitivity

    func testClippingBoundsTheSensitivityOfNeighbouringReleases() throws {
        var g = SeededGenerator(seed: 99)
        for trial in 0..<300 {
            let d = Int.random(in: 1...12, using: &g)
            let bound = [1.0, 0.5, 2.0][trial % 3]
            let scale = [0.1, 1, 3, 1e3][trial % 4]
            let anchors = (0..<Int.random(in: 1...5, using: &g)).map { _ in unit(randomVector(d, using: &g)) }
            let data = records(Int.random(in: 1...20, using: &g), d: d, scale: scale, using: &g)
            let removed = Int.random(in: 0..<data.count, using: &g)
            var smaller = data
            smaller.remove(at: removed)
            var settings = PrototypeReleaseSettings(mode: .none)
            settings.clippingBound = bound
            let a = try PrototypeRelease.release(data, partition: .anchors(anchors), settings: settings, using: &g)
            let b = try PrototypeRelease.release(smaller, partition: .anchors(anchors), settings: settings, using: &g)
            let dImage = zip(a.prototypes, b.prototypes).flatMap { zip($0.imageSum, $1.imageSum).map(-) }
            let dText = zip(a.prototypes, b.prototypes).flatMap { zip($0.textSum, $1.textSum).map(-) }
            let dCount = zip(a.prototypes, b.prototypes).map { $0.count - $1.count }
            let slack = 1 + 1e-12
            XCTAssertLessThanOrEqual(L2Clipping.norm(dImage), bound * slack, "trial \(trial): image sums")
            XCTAssertLessThanOrEqual(L2Clipping.norm(dText), bound * slack, "trial \(trial): text sums")
            XCTAssertLessThanOrEqual(L2Clipping.norm(dImage + dText + dCount), (2 * bound * bound + 1).squareRoot() * slack, "trial \(trial): joint")

            // The snapped sums the multimodal release noises: exact grid multiples, and the joint
            // difference is within the sensitivity σ was calibrated for.
            settings.mode = .multimodal
            let r = try PrototypeRelease.release(data, partition: .anchors(anchors), settings: settings, using: &g)
            let grid = try XCTUnwrap(r.grid)
            func snapped(_ rows: [PrototypeRecord]) -> (image: [[Double]], text: [[Double]], count: [Double]) {
                let images = rows.map { L2Clipping.clip($0.image, to: bound) }, texts = rows.map { L2Clipping.clip($0.text, to: bound) }
                let cell = zip(images, texts).map { PrototypePartition.nearestAnchor(image: $0, text: $1, anchors: anchors) }
                return PrototypeRelease.sum(images, texts, cell: cell, cells: anchors.count, d: d, snap: grid)
            }
            let sa = snapped(data), sb = snapped(smaller)
            let jointImage: [Double] = zip(sa.image, sb.image).flatMap { zip($0, $1).map(-) }
            let jointText: [Double] = zip(sa.text, sb.text).flatMap { zip($0, $1).map(-) }
            let jointCount: [Double] = zip(sa.count, sb.count).map(-)
            let joint = jointImage + jointText + jointCount
            XCTAssertLessThanOrEqual(L2Clipping.norm(joint), r.sensitivity, "trial \(trial): snapped joint")
        }
    }

    // MARK: partitions

    func testAnchorCellOfARecordIgnoresEveryOtherRecord() throws {
        var g = SeededGenerator(seed: 5)
        let d = 6
        let anchors = (0..<7).map { _ in unit(randomVector(d, using: &g)) }
        for _ in 0..<200 {
            let others = records(Int.random(in: 0...15, using: &g), d: d, using: &g)
            let x = records(1, d: d, scale: 2, using: &g)[0]
            let expected = PrototypePartition.nearestAnchor(image: L2Clipping.clip(x.image, to: 1), text: L2Clipping.clip(x.text, to: 1), anchors: anchors)
            let settings = PrototypeReleaseSettings(mode: .none)
            let with = try PrototypeRelease.release(others + [x], partition: .anchors(anchors), settings: settings, using: &g)
            let without = try PrototypeRelease.release(others, partition: .anchors(anchors), settings: settings, using: &g)
            let changed = zip(with.prototypes, without.prototypes).filter { $0.count != $1.count }.map { $0.0.cluster }
            XCTAssertEqual(changed, [expected], "adding one record changes exactly its own anchor's count")
            // Inserted anywhere, among any others: the same cell.
            let shuffled = (others + [x]).shuffled(using: &g)
            let again = try PrototypeRelease.release(shuffled, partition: .anchors(anchors), settings: settings, using: &g)
            XCTAssertEqual(again.prototypes.map(\.count), with.prototypes.map(\.count))
        }
    }

    func testKMeansIsDeterministicAndDataDependent() throws {
        var g = SeededGenerator(seed: 17)
        let d = 4
        let centres = (0..<3).map { _ in unit(randomVector(d, using: &g)) }
        let data = (0..<60).map { i in
            let c = centres[i % 3]
            return PrototypeRecord(image: c.map { $0 + Double.random(in: -0.02...0.02, using: &g) },
                                   text: c.map { $0 + Double.random(in: -0.02...0.02, using: &g) })
        }
        let settings = PrototypeReleaseSettings(mode: .none)
        let a = try PrototypeRelease.release(data, partition: .kMeans(k: 3, seed: 42), settings: settings, using: &g)
        let b = try PrototypeRelease.release(data, partition: .kMeans(k: 3, seed: 42), settings: settings, using: &g)
        XCTAssertEqual(a.prototypes, b.prototypes, "same seed, same records: same release")
        XCTAssertEqual(a.prototypes.map(\.count).sorted(), [20, 20, 20], "well-separated clusters are recovered")
        let points = data.map { $0.image + $0.text }
        let first = PrototypePartition.kMeans(points, k: 3, seed: 42)
        let second = PrototypePartition.kMeans(points, k: 3, seed: 42)
        XCTAssertEqual(first.assignment, second.assignment)
        XCTAssertEqual(first.centres, second.centres)
        XCTAssertEqual(PrototypePartition.kMeans([], k: 3, seed: 1).assignment, [])
        XCTAssertEqual(PrototypePartition.kMeans([[1, 0]], k: 3, seed: 1).assignment, [0], "fewer points than k: repeated centres, empty clusters")
        XCTAssertEqual(PrototypePartition.kMeans(points, k: 3, seed: 42).assignment.count, 60)

        // The documented caveat: adding one record can change more than one cluster's count.
        var found = false
        for _ in 0..<500 where !found {
            let small = records(8, d: 2, using: &g)
            let x = records(1, d: 2, using: &g)[0]
            let with = try PrototypeRelease.release(small + [x], partition: .kMeans(k: 3, seed: 3), settings: settings, using: &g)
            let without = try PrototypeRelease.release(small, partition: .kMeans(k: 3, seed: 3), settings: settings, using: &g)
            found = zip(with.prototypes, without.prototypes).filter { $0.count != $1.count }.count > 1
        }
        XCTAssertTrue(found, "k-means partitions are data-dependent: one record can move others")
        XCTAssertEqual(PrototypePartition.kMeans(k: 2, seed: 0).label, "paper")
        XCTAssertEqual(PrototypePartition.anchors([[1]]).label, "anchors")
    }

    // MARK: modes

    func testModeNoneReleasesExactMeans() throws {
        var g = SeededGenerator(seed: 8)
        let d = 5
        let anchors = (0..<4).map { _ in unit(randomVector(d, using: &g)) }
        let data = records(40, d: d, using: &g).map { PrototypeRecord(image: unit($0.image), text: unit($0.text)) }
        let r = try PrototypeRelease.release(data, partition: .anchors(anchors), settings: PrototypeReleaseSettings(mode: .none), using: &g)
        XCTAssertEqual(r.mode, .none)
        XCTAssertNil(r.guarantee)
        XCTAssertNil(r.noiseMultiplier)
        XCTAssertEqual(r.sigma, 0)
        for p in r.prototypes {
            let members = data.filter { PrototypePartition.nearestAnchor(image: $0.image, text: $0.text, anchors: anchors) == p.cluster }
            XCTAssertEqual(p.count, Double(members.count))
            guard !members.isEmpty else { XCTAssertEqual(p.imageEmbedding, [Double](repeating: 0, count: d)); continue }
            for t in 0..<d {
                XCTAssertEqual(p.imageEmbedding[t], members.map { $0.image[t] }.reduce(0, +) / Double(members.count), accuracy: 1e-12)
                XCTAssertEqual(p.textEmbedding[t], members.map { $0.text[t] }.reduce(0, +) / Double(members.count), accuracy: 1e-12)
            }
        }
    }

    func testImageOnlyLeavesTextExactAndNoisesImagesWithStd001() throws {
        var g = SeededGenerator(seed: 13)
        let d = 16
        let anchors = (0..<5).map { _ in unit(randomVector(d, using: &g)) }
        let data = records(30, d: d, using: &g).map { PrototypeRecord(image: unit($0.image), text: unit($0.text)) }
        let exact = try PrototypeRelease.release(data, partition: .anchors(anchors), settings: PrototypeReleaseSettings(mode: .none), using: &g)
        var noise: [Double] = []
        for _ in 0..<400 {
            let r = try PrototypeRelease.release(data, partition: .anchors(anchors), settings: PrototypeReleaseSettings(mode: .imageOnly), using: &g)
            XCTAssertEqual(r.mode, .imageOnly)
            XCTAssertNil(r.guarantee, "exact text and counts: no (ε, δ) at all")
            XCTAssertNil(r.charge)
            XCTAssertEqual(r.sigma, 0.2 * 0.05)
            for (p, e) in zip(r.prototypes, exact.prototypes) {
                XCTAssertEqual(p.textEmbedding, e.textEmbedding, "text prototypes exact")
                XCTAssertEqual(p.count, e.count, "counts exact")
                noise += zip(p.imageEmbedding, e.imageEmbedding).map(-)
            }
        }
        let n = Double(noise.count)
        let mean = noise.reduce(0, +) / n
        let std = (noise.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 5 * 0.01 / n.squareRoot())
        XCTAssertEqual(std / 0.01, 1, accuracy: 5 / (2 * n).squareRoot())
        XCTAssertEqual(PrototypeReleaseSettings.Mode(rawValue: "image-only"), .imageOnly)
        XCTAssertEqual(PrototypeReleaseSettings.Mode.allCases.map(\.rawValue), ["multimodal", "image-only", "none"])
    }

    // MARK: refusals and edges

    func testClassicalCalibrationIsRefusedWhereNotPrivate() throws {
        var g = SeededGenerator(seed: 1)
        let data = records(5, d: 3, using: &g)
        let anchors = [[1.0, 0, 0], [0, 1.0, 0]]
        var settings = PrototypeReleaseSettings(epsilon: 10, delta: 1e-5, calibration: .classical)
        XCTAssertThrowsError(try PrototypeRelease.release(data, partition: .anchors(anchors), settings: settings, using: &g)) { error in
            let refusal = error as? GaussianMechanism.Refusal
            XCTAssertEqual(refusal?.field, "epsilon")
            XCTAssertTrue(refusal?.message.contains("is not (10.0, 1e-05)-DP") ?? false, "\(error)")
            XCTAssertTrue(refusal?.message.contains("use the analytic calibration") ?? false, "\(error)")
        }
        settings.calibration = .analytic
        XCTAssertNoThrow(try PrototypeRelease.release(data, partition: .anchors(anchors), settings: settings, using: &g))
        settings = PrototypeReleaseSettings(epsilon: 1, delta: 1e-5, calibration: .classical)
        let r = try PrototypeRelease.release(data, partition: .anchors(anchors), settings: settings, using: &g)
        XCTAssertEqual(r.sigma, GaussianMechanism.classicalSigma(epsilon: 1, delta: 1e-5, sensitivity: r.sensitivity))
        // Invalid input is refused with the field.
        func refusedField(_ body: () throws -> Void) -> String? {
            do { try body() } catch { return (error as? GaussianMechanism.Refusal)?.field }
            return nil
        }
        XCTAssertEqual(refusedField { _ = try PrototypeRelease.release(data, partition: .anchors([]), settings: .init(), using: &g) }, "anchors")
        XCTAssertEqual(refusedField { _ = try PrototypeRelease.release(data, partition: .anchors([[1, 0]]), settings: .init(), using: &g) }, "records")
        XCTAssertEqual(refusedField { _ = try PrototypeRelease.release(data, partition: .anchors([[0, 0, 0]]), settings: .init(), using: &g) }, "anchors")
        XCTAssertEqual(refusedField { _ = try PrototypeRelease.release(data, partition: .kMeans(k: 0, seed: 1), settings: .init(), using: &g) }, "k")
        XCTAssertEqual(refusedField { _ = try PrototypeRelease.release(data, partition: .anchors(anchors), settings: .init(epsilon: 0), using: &g) }, "epsilon")
        XCTAssertEqual(refusedField { _ = try PrototypeRelease.release(data, partition: .anchors(anchors), settings: .init(clippingBound: .infinity), using: &g) }, "clipping_bound")
        let bad = [PrototypeRecord(image: [.nan, 0, 0], text: [0, 0, 1])]
        XCTAssertEqual(refusedField { _ = try PrototypeRelease.release(bad, partition: .anchors(anchors), settings: .init(), using: &g) }, "records")
    }

    func testEmptyInput() throws {
        var g = SeededGenerator(seed: 3)
        let anchors = [[1.0, 0], [0, 1.0], [-1.0, 0]]
        let r = try PrototypeRelease.release([], partition: .anchors(anchors), settings: PrototypeReleaseSettings(), using: &g)
        XCTAssertEqual(r.prototypes.map(\.cluster), [0, 1, 2], "empty anchors are still released, with noise")
        XCTAssertNotNil(r.guarantee)
        for p in r.prototypes {
            XCTAssertTrue((p.imageEmbedding + p.textEmbedding + [p.count]).allSatisfy(\.isFinite))
            XCTAssertLessThan(abs(p.count), 10 * r.sigma)
        }
        let none = try PrototypeRelease.release([], partition: .anchors(anchors), settings: PrototypeReleaseSettings(mode: .none), using: &g)
        XCTAssertEqual(none.prototypes.map(\.count), [0, 0, 0])
        XCTAssertEqual(none.prototypes.map(\.imageEmbedding), [[0, 0], [0, 0], [0, 0]])
        let k = try PrototypeRelease.release([], partition: .kMeans(k: 4, seed: 1), settings: PrototypeReleaseSettings(), using: &g)
        XCTAssertEqual(k.prototypes, [], "k-means on nothing has no clusters")
        XCTAssertNotNil(k.noiseMultiplier)
    }
}
