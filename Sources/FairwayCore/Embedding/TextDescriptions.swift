/// Short English descriptions of digit images: the text modality paired with the images.
///
/// Each label has `phrasingsPerLabel` (6) phrasings built from the same templates, half naming the
/// digit in words ("seven") and half as a numeral ("7"). Record `i` of the data set (0-based, file
/// order) with label `l` is described by phrasing `i % 6` of `l`: a fixed, reproducible pairing.
public enum TextDescriptions {
    /// The digits' names, index = label.
    public static let names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

    /// The templates; `{word}` is replaced by the name, `{numeral}` by the numeral.
    public static let templates = [
        "a handwritten {word}",
        "the digit {numeral}",
        "number {word} written by hand",
        "a scanned {numeral} digit",
        "an image of the number {word}",
        "a small picture of a handwritten {numeral}",
    ]

    public static var phrasingsPerLabel: Int { templates.count }

    /// All phrasings of `label` (0...9), in template order.
    public static func phrasings(for label: Int) -> [String] {
        precondition((0..<DigitRecord.labelCount).contains(label), "label must be in 0...9, got \(label)")
        return templates.map {
            $0.replacing("{word}", with: names[label]).replacing("{numeral}", with: String(label))
        }
    }

    /// The description paired with record `index` (0-based position in the data set) of `label`.
    public static func description(forRecord index: Int, label: Int) -> String {
        let all = phrasings(for: label)
        return all[((index % all.count) + all.count) % all.count]
    }

    /// Lowercase tokens of `text`: maximal runs of letters or digits; everything else separates.
    public static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for c in text.lowercased() {
            if c.isLetter || c.isNumber {
                current.append(c)
            } else if !current.isEmpty {
                tokens.append(current)
                current = ""
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    /// The vocabulary of every phrasing of every label: distinct tokens, sorted.
    public static var vocabulary: [String] {
        Array(Set((0..<DigitRecord.labelCount).flatMap { phrasings(for: $0).flatMap(tokens) })).sorted()
    }
}

/// A deterministic bag-of-words featuriser over a fixed vocabulary.
///
/// `features(text)[j]` is how many times `vocabulary[j]` occurs among `TextDescriptions.tokens(text)`;
/// tokens outside the vocabulary are ignored. Output length = `vocabulary.count`.
public struct BagOfWords: Sendable, Hashable {
    public let vocabulary: [String]
    private let index: [String: Int]

    /// - Precondition: `vocabulary` has no duplicates.
    public init(vocabulary: [String]) {
        self.vocabulary = vocabulary
        self.index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
    }

    /// The featuriser over `TextDescriptions.vocabulary`.
    public static let digits = BagOfWords(vocabulary: TextDescriptions.vocabulary)

    /// Token counts over the vocabulary (length `vocabulary.count`).
    public func features(_ text: String) -> [Double] {
        var counts = [Double](repeating: 0, count: vocabulary.count)
        for token in TextDescriptions.tokens(text) {
            if let j = index[token] { counts[j] += 1 }
        }
        return counts
    }

    /// How many of `text`'s tokens are in the vocabulary.
    public func knownTokenCount(_ text: String) -> Int {
        TextDescriptions.tokens(text).reduce(0) { $0 + (index[$1] == nil ? 0 : 1) }
    }
}
