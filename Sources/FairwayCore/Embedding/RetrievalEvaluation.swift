/// CLIP-style retrieval scores of an `Encoder` on labelled digits, all fractions in 0...1.
///
/// A label's **text prototype** is the unit-normalised mean of the embeddings of its phrasings
/// (`TextDescriptions.phrasings(for:)`).
/// - `imageToText`: fraction of the images whose most similar text prototype (cosine; ties go to
///   the smaller label) is their own label's: zero-shot classification accuracy. Chance = 0.1.
/// - `textToImage`: fraction of the phrasings (10 labels × 6) whose most similar image (ties go to
///   the earlier record) shows their label: recall@1 of text→image retrieval.
/// - `textToImagePrecisionAt10`: mean over phrasings of the fraction of its 10 most similar
///   images that show its label.
public struct RetrievalScores: Sendable, Hashable {
    public var images: Int
    public var imageToText: Double
    public var textToImage: Double
    public var textToImagePrecisionAt10: Double

    /// Scores `encoder` on `records`.
    public static func measure(_ encoder: some Encoder, on records: [DigitRecord]) throws -> RetrievalScores {
        let labels = 0..<DigitRecord.labelCount
        let prototypes = try labels.map { label in
            let embedded = try TextDescriptions.phrasings(for: label).map(encoder.embedText)
            var mean = [Double](repeating: 0, count: encoder.dimension)
            for e in embedded { for j in mean.indices { mean[j] += e[j] } }
            return try unitNormalised(mean, what: "the text prototype of \(label)")
        }
        let images = try records.map { try encoder.embedImage($0.pixels) }
        func dot(_ a: [Double], _ b: [Double]) -> Double {
            var s = 0.0
            for j in a.indices { s += a[j] * b[j] }
            return s
        }
        var correct = 0
        for (i, e) in images.enumerated() {
            var best = 0, bestScore = -Double.infinity
            for label in labels {
                let s = dot(e, prototypes[label])
                if s > bestScore { best = label; bestScore = s }
            }
            if best == records[i].label { correct += 1 }
        }
        var phrasings = 0, top1 = 0, at10 = 0.0
        for label in labels {
            for text in TextDescriptions.phrasings(for: label) {
                let t = try encoder.embedText(text)
                let ranked = images.indices.map { (index: $0, score: dot(t, images[$0])) }
                    .sorted { $0.score > $1.score || ($0.score == $1.score && $0.index < $1.index) }
                phrasings += 1
                if let first = ranked.first, records[first.index].label == label { top1 += 1 }
                let top = ranked.prefix(10)
                at10 += Double(top.filter { records[$0.index].label == label }.count) / Double(max(1, top.count))
            }
        }
        return RetrievalScores(
            images: records.count,
            imageToText: records.isEmpty ? 0 : Double(correct) / Double(records.count),
            textToImage: Double(top1) / Double(phrasings),
            textToImagePrecisionAt10: at10 / Double(phrasings))
    }
}
