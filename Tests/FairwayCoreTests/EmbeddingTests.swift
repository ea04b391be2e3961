import FairwayCore
import Foundation
import XCTest

/// The digits embedding: CSV parsing, the encoders' contract, reproducible training, committed
/// weights, retrieval accuracy and precomputed embeddings (`docs/embedding.md`).
final class EmbeddingTests: XCTestCase {
    /// `data/uci-digits-8x8.csv`, read relative to this file.
    static let records: [DigitRecord] = {
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("data/uci-digits-8x8.csv")
        do { return try DigitsCSV.parse(String(contentsOf: url, encoding: .utf8)) } catch {
            fatalError("cannot load \(url.path): \(error)")
        }
    }()

    static let header = DigitsCSV.header.joined(separator: ",")
    static func row(_ label: String, _ pixels: [String] = Array(repeating: "0", count: 64)) -> String {
        ([label] + pixels).joined(separator: ",")
    }

    func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> DigitsCSV.ParseError? {
        do {
            _ = try DigitsCSV.parse(text)
            XCTFail("parsed", file: file, line: line)
            return nil
        } catch let e as DigitsCSV.ParseError {
            return e
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
            return nil
        }
    }

    // MARK: CSV

    func testTheDataSetHas1797ValidRecordsOfEveryLabel() {
        let records = Self.records
        XCTAssertEqual(records.count, 1797)
        XCTAssertEqual(Set(records.map(\.label)), Set(0...9))
        XCTAssertTrue(records.allSatisfy { $0.pixels.count == 64 && $0.pixels.allSatisfy { (0...16).contains($0) } })
        XCTAssertEqual(records[0].label, 0)
        XCTAssertEqual(Array(records[0].pixels.prefix(6)), [0, 0, 5, 13, 9, 1])
    }

    func testParsesCRLFAndTrailingBlankLines() throws {
        var pixels = Array(repeating: "0", count: 64)
        pixels[63] = "16"
        let text = Self.header + "\r\n" + Self.row("7", pixels) + "\r\n" + Self.row("3") + "\r\n\r\n"
        let records = try DigitsCSV.parse(text)
        XCTAssertEqual(records, [DigitRecord(label: 7, pixels: Array(repeating: 0, count: 63) + [16]),
                                 DigitRecord(label: 3, pixels: Array(repeating: 0, count: 64))])
    }

    func testParseErrorsNameLineColumnAndProblem() {
        var e = parseError("")
        XCTAssertEqual(e?.line, 1)
        e = parseError("label,p0,p1\n")
        XCTAssertEqual(e?.line, 1); XCTAssertEqual(e?.column, 0)
        e = parseError(Self.header.replacingOccurrences(of: "p5,", with: "px,") + "\n" + Self.row("1"))
        XCTAssertEqual(e?.line, 1); XCTAssertEqual(e?.column, 7); XCTAssertEqual(e?.columnName, "p5")
        e = parseError(Self.header + "\n" + Self.row("1") + "\n" + Self.row("12"))
        XCTAssertEqual(e?.line, 3); XCTAssertEqual(e?.column, 1)
        XCTAssertTrue(e?.message.contains("0...9") ?? false, "\(String(describing: e))")
        var pixels = Array(repeating: "0", count: 64)
        pixels[10] = "17"
        e = parseError(Self.header + "\n" + Self.row("1", pixels))
        XCTAssertEqual(e?.line, 2); XCTAssertEqual(e?.column, 12); XCTAssertEqual(e?.columnName, "p10")
        XCTAssertEqual(e?.description, "digits CSV line 2, column 12 (p10): pixel must be in 0...16, got 17")
        pixels[10] = "x"
        e = parseError(Self.header + "\n" + Self.row("1", pixels))
        XCTAssertTrue(e?.message.contains("\"x\"") ?? false)
        e = parseError(Self.header + "\n" + Self.row("1") + ",0")
        XCTAssertEqual(e?.line, 2); XCTAssertEqual(e?.column, 0)
        e = parseError(Self.header + "\n")
        XCTAssertTrue(e?.message.contains("no records") ?? false)
        e = parseError(Self.header + "\n\n" + Self.row("1"))
        XCTAssertEqual(e?.line, 2)
    }

    // MARK: text

    func testEveryLabelHasSixDistinctPhrasingsAndAFixedDescription() {
        for label in 0...9 {
            let phrasings = TextDescriptions.phrasings(for: label)
            XCTAssertGreaterThanOrEqual(phrasings.count, 4)
            XCTAssertEqual(Set(phrasings).count, phrasings.count)
        }
        XCTAssertEqual(TextDescriptions.phrasings(for: 7)[0], "a handwritten seven")
        XCTAssertEqual(TextDescriptions.description(forRecord: 7, label: 7), TextDescriptions.phrasings(for: 7)[1])
        XCTAssertEqual(TextDescriptions.tokens("The digit 7, Handwritten!"), ["the", "digit", "7", "handwritten"])
        let bag = BagOfWords.digits
        let f = bag.features("a handwritten seven, a 7")
        XCTAssertEqual(f[bag.vocabulary.firstIndex(of: "a")!], 2)
        XCTAssertEqual(f.reduce(0, +), 5)
    }

    // MARK: encoders

    func testEmbeddingsAreUnitVectorsOfTheDimension() throws {
        let encoder = AlignedLinearEncoder.digits
        XCTAssertEqual(encoder.dimension, 16)
        for record in Self.records.prefix(50) {
            let e = try encoder.embedImage(record.pixels)
            XCTAssertEqual(e.count, 16)
            XCTAssertEqual(e.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-12)
        }
        for text in ["a handwritten seven", "the digit 3", "something else entirely 9"] {
            let e = try encoder.embedText(text)
            XCTAssertEqual(e.count, 16)
            XCTAssertEqual(e.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-12)
        }
        XCTAssertThrowsError(try encoder.embedImage([1, 2, 3])) { XCTAssertEqual(($0 as? EmbeddingError)?.code, .wrongLength) }
    }

    func testTrainingIsDeterministic() throws {
        let a = try CCATraining.train(Self.records)
        let b = try CCATraining.train(Self.records)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.weightsSwiftSource(provenance: "x"), b.weightsSwiftSource(provenance: "x"))
        var settings = CCATraining.Settings()
        settings.dimension = 8
        XCTAssertEqual(try CCATraining.train(Self.records, settings: settings).dimension, 8)
        settings.dimension = 65
        XCTAssertThrowsError(try CCATraining.train(Self.records, settings: settings))
    }

    /// The committed `DigitsEncoderWeights.swift` is what training gives now (else rerun
    /// `fairway-lab train-encoders`). Numbers are written in round-trip form, so on the machine
    /// that generated them they are equal; 1e-9 leaves room for another platform's last bits.
    func testCommittedWeightsEqualAFreshTraining() throws {
        let fresh = try CCATraining.train(Self.records)
        let committed = AlignedLinearEncoder.digits
        XCTAssertEqual(committed.dimension, fresh.dimension)
        XCTAssertEqual(committed.vocabulary, fresh.vocabulary)
        func close(_ a: [Double], _ b: [Double], _ what: String) {
            XCTAssertEqual(a.count, b.count, what)
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, 1e-9, "\(what) differs from a fresh training: rerun fairway-lab train-encoders")
        }
        close(committed.imageMean, fresh.imageMean, "imageMean")
        close(committed.imageScale, fresh.imageScale, "imageScale")
        close(committed.imageProjection, fresh.imageProjection, "imageProjection")
        close(committed.textMean, fresh.textMean, "textMean")
        close(committed.textProjection, fresh.textProjection, "textProjection")
        close(committed.canonicalCorrelations, fresh.canonicalCorrelations, "canonicalCorrelations")
    }

    /// Measured with the committed weights: held-out image→text 0.9499 (341/359), text→image
    /// recall@1 1.0, precision@10 1.0; training image→text 0.9541. Thresholds sit a little below.
    func testHeldOutZeroShotRetrievalIsAccurate() throws {
        let split = CCATraining.split(count: Self.records.count, heldOutEvery: 5)
        XCTAssertEqual(split.heldOut.count, 359)
        let heldOut = split.heldOut.map { Self.records[$0] }
        let scores = try RetrievalScores.measure(AlignedLinearEncoder.digits, on: heldOut)
        XCTAssertGreaterThanOrEqual(scores.imageToText, 0.93)
        XCTAssertGreaterThanOrEqual(scores.textToImage, 0.95)
        XCTAssertGreaterThanOrEqual(scores.textToImagePrecisionAt10, 0.95)
    }

    // MARK: precomputed

    func testPrecomputedEmbeddingsRoundTripAndRefuseMissingKeys() throws {
        var table = PrecomputedEmbeddings(dimension: 3)
        let pixels = Self.records[0].pixels
        try table.setImage(pixels, [3, 0, 4])
        try table.setText("a handwritten zero", [0, 2, 0])
        XCTAssertEqual(try table.embedImage(pixels), [0.6, 0, 0.8])
        XCTAssertEqual(try table.embedText("a handwritten zero"), [0, 1, 0])

        let text = table.serialised()
        let parsed = try PrecomputedEmbeddings(parsing: text)
        XCTAssertEqual(parsed, table)
        XCTAssertEqual(parsed.serialised(), text)

        XCTAssertThrowsError(try parsed.embedText("a handwritten one")) { XCTAssertEqual(($0 as? EmbeddingError)?.code, .missingKey) }
        XCTAssertThrowsError(try parsed.embedImage(Self.records[1].pixels)) { XCTAssertEqual(($0 as? EmbeddingError)?.code, .missingKey) }

        // a hand-written file: integer pixel keys match Double pixels
        let key = pixels.map { String(Int($0)) }.joined(separator: " ")
        let file = "# mine\n\nimage\t\(key)\t1 1\ntext\tthe digit 0\t0 -2\n"
        let mine = try PrecomputedEmbeddings(parsing: file)
        XCTAssertEqual(mine.dimension, 2)
        XCTAssertEqual(try mine.embedText("the digit 0"), [0, -1])
        XCTAssertEqual(try mine.embedImage(pixels)[0], 0.5.squareRoot(), accuracy: 1e-15)

        for (bad, line) in [("text\tx\t1 2\ntext\ty\t1\n", 2), ("text\tx\t0 0\n", 1), ("text\tx\n", 1),
                            ("picture\tx\t1\n", 1), ("text\tx\t1\ntext\tx\t2\n", 2), ("image\t1 2\t1\n", 1)] {
            XCTAssertThrowsError(try PrecomputedEmbeddings(parsing: bad), bad) {
                XCTAssertEqual(($0 as? EmbeddingError)?.code, .malformed, bad)
                XCTAssertEqual(($0 as? EmbeddingError)?.line, line, bad)
            }
        }
    }
}
