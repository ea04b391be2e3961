/// Maps digit images and texts into one shared d-dimensional embedding space.
///
/// Contract: both methods return a vector of exactly `dimension` finite values with unit L2 norm
/// (|‖v‖₂ − 1| ≤ 1e-12), so the cosine similarity of an image and a text is their dot product.
/// Pixels are the 64 values of a `DigitRecord` (0...16, row-major). Implementations throw
/// `EmbeddingError` rather than return a non-unit vector.
public protocol Encoder: Sendable {
    /// d, the length of every embedding.
    var dimension: Int { get }
    /// The unit-norm embedding of an 8×8 image (64 pixels in 0...16).
    func embedImage(_ pixels: [Double]) throws -> [Double]
    /// The unit-norm embedding of a text.
    func embedText(_ text: String) throws -> [Double]
}

/// Why an encoder could not embed an input, or embeddings could not be read or trained.
public struct EmbeddingError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// An input or a stored vector has the wrong length.
        case wrongLength = "wrong-length"
        /// A value is NaN or infinite, or out of its range.
        case invalidValue = "invalid-value"
        /// The vector to normalise has zero norm (e.g. a text with no known word).
        case zeroVector = "zero-vector"
        /// `PrecomputedEmbeddings` has no vector for this image or text.
        case missingKey = "missing-key"
        /// A line of a precomputed-embeddings text is malformed.
        case malformed
        /// Training settings or data that cannot train an encoder.
        case invalidTraining = "invalid-training"
    }

    public var code: Code
    /// What was wrong, for a person.
    public var message: String
    /// 1-based line of the text being parsed, when the error comes from parsing.
    public var line: Int?

    public init(_ code: Code, _ message: String, line: Int? = nil) {
        self.code = code
        self.message = message
        self.line = line
    }

    public var description: String {
        "\(code.rawValue): " + (line.map { "line \($0): " } ?? "") + message
    }
}

extension Encoder {
    /// Cosine similarity of two unit vectors of the same length: their dot product.
    public static func similarity(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "vectors of different lengths \(a.count) and \(b.count)")
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }
}

/// `v / ‖v‖₂`. Throws `zeroVector` for a zero (or subnormal-norm) vector, `invalidValue` for a non-finite one.
public func unitNormalised(_ v: [Double], what: String) throws -> [Double] {
    var sum = 0.0
    for x in v {
        guard x.isFinite else { throw EmbeddingError(.invalidValue, "\(what) has a non-finite component") }
        sum += x * x
    }
    let norm = sum.squareRoot()
    guard norm.isFinite, norm > 1e-300 else { throw EmbeddingError(.zeroVector, "\(what) is the zero vector: it has no direction") }
    return v.map { $0 / norm }
}

/// An `Encoder` that looks up vectors computed elsewhere: for users who bring their own encoder
/// (a CNN, CLIP, …) and precompute its embeddings for every image and text they use.
///
/// **Format** (text, UTF-8, one entry per line; the caller reads the file):
/// ```
/// # comment lines start with '#'; blank lines are ignored
/// image<TAB>p0 p1 … p63<TAB>v1 v2 … vd
/// text<TAB>a handwritten seven<TAB>v1 v2 … vd
/// ```
/// Three tab-separated fields: the kind (`image` or `text`), the key, the vector.
/// - An image key is the 64 pixel values separated by single spaces; it matches an image whose
///   pixels are numerically equal (`0` and `0.0` are the same key).
/// - A text key is the exact text (no tab or line break in it; case and spaces matter).
/// - The vector is d decimal numbers separated by spaces, d the same on every line. Vectors need
///   not be normalised: each is divided by its L2 norm when parsed (zero vectors are refused).
/// A key given twice is an error. Looking up an absent key throws `EmbeddingError` `missingKey`.
public struct PrecomputedEmbeddings: Encoder, Hashable {
    public let dimension: Int
    /// Unit vectors by exact pixel values.
    public private(set) var images: [[Double]: [Double]]
    /// Unit vectors by exact text.
    public private(set) var texts: [String: [Double]]

    /// An empty table of `dimension`-long vectors; add entries with `setImage` / `setText`.
    public init(dimension: Int) {
        precondition(dimension >= 1, "dimension must be ≥ 1")
        self.dimension = dimension
        self.images = [:]
        self.texts = [:]
    }

    /// Stores `vector` (normalised) for `pixels`.
    public mutating func setImage(_ pixels: [Double], _ vector: [Double]) throws {
        images[pixels] = try checked(vector, what: "the image vector")
    }

    /// Stores `vector` (normalised) for `text`.
    public mutating func setText(_ text: String, _ vector: [Double]) throws {
        guard !text.contains("\t"), !text.contains(where: \.isNewline) else {
            throw EmbeddingError(.invalidValue, "a text key may not contain a tab or a line break")
        }
        texts[text] = try checked(vector, what: "the vector of \"\(text)\"")
    }

    private func checked(_ vector: [Double], what: String) throws -> [Double] {
        guard vector.count == dimension else {
            throw EmbeddingError(.wrongLength, "\(what) has \(vector.count) values, expected \(dimension)")
        }
        return try unitNormalised(vector, what: what)
    }

    /// Parses the format above.
    /// - Throws: `EmbeddingError` `malformed` (with the line) for a bad line, a duplicate key, a
    ///   vector length differing from the first line's, or a text with no entries.
    public init(parsing text: String) throws {
        var dimension: Int?
        var images: [[Double]: [Double]] = [:]
        var texts: [String: [Double]] = [:]
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            if line.allSatisfy({ $0 == " " }) || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3 else {
                throw EmbeddingError(.malformed, "expected 3 tab-separated fields (kind, key, vector), got \(fields.count)", line: number)
            }
            let vector = try Self.numbers(fields[2], what: "vector", line: number)
            if let d = dimension, vector.count != d {
                throw EmbeddingError(.malformed, "vector has \(vector.count) values, earlier lines have \(d)", line: number)
            }
            guard !vector.isEmpty else { throw EmbeddingError(.malformed, "empty vector", line: number) }
            dimension = vector.count
            let unit: [Double]
            do { unit = try unitNormalised(vector, what: "the vector") } catch let e as EmbeddingError {
                throw EmbeddingError(.malformed, e.message, line: number)
            }
            switch fields[0] {
            case "image":
                let pixels = try Self.numbers(fields[1], what: "image key", line: number)
                guard pixels.count == DigitRecord.pixelCount else {
                    throw EmbeddingError(.malformed, "image key has \(pixels.count) pixel values, expected \(DigitRecord.pixelCount)", line: number)
                }
                guard images.updateValue(unit, forKey: pixels) == nil else {
                    throw EmbeddingError(.malformed, "this image is already given on an earlier line", line: number)
                }
            case "text":
                let key = String(fields[1])
                guard texts.updateValue(unit, forKey: key) == nil else {
                    throw EmbeddingError(.malformed, "the text \"\(key)\" is already given on an earlier line", line: number)
                }
            default:
                throw EmbeddingError(.malformed, "kind must be image or text, got \"\(fields[0])\"", line: number)
            }
        }
        guard let dimension else { throw EmbeddingError(.malformed, "no entries") }
        self.dimension = dimension
        self.images = images
        self.texts = texts
    }

    private static func numbers(_ field: Substring, what: String, line: Int) throws -> [Double] {
        try field.split(separator: " ").map { token in
            guard let x = Double(token), x.isFinite else {
                throw EmbeddingError(.malformed, "\(what): \"\(token)\" is not a finite number", line: line)
            }
            return x
        }
    }

    /// The table in the format above: images then texts, each sorted by key, so equal tables
    /// serialise to equal text. Numbers are written in Swift's shortest round-trip form.
    public func serialised() -> String {
        var out = "# fairway precomputed embeddings: kind<TAB>key<TAB>vector (dimension \(dimension))\n"
        let join = { (v: [Double]) in v.map { "\($0)" }.joined(separator: " ") }
        for key in images.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            out += "image\t\(join(key))\t\(join(images[key]!))\n"
        }
        for key in texts.keys.sorted() {
            out += "text\t\(key)\t\(join(texts[key]!))\n"
        }
        return out
    }

    public func embedImage(_ pixels: [Double]) throws -> [Double] {
        guard let v = images[pixels] else {
            throw EmbeddingError(.missingKey, "no precomputed embedding for this image (\(pixels.count) pixels)")
        }
        return v
    }

    public func embedText(_ text: String) throws -> [Double] {
        guard let v = texts[text] else { throw EmbeddingError(.missingKey, "no precomputed embedding for the text \"\(text)\"") }
        return v
    }
}
