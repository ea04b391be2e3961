#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An agent module: a softmax-regression (multinomial logistic) classifier that edge servers
/// train on their local shard and the coordinator integrates (paper 4, §III-B; `docs/modules.md`).
///
/// For an input x of `inputDimension` values the logit of class c is
/// z_c = Σ_j W[c][j]·x_j + b_c and the class probabilities are softmax(z). The parameters are
/// stored in `weights`, row-major, one row of `inputDimension + 1` values per class: the
/// `inputDimension` coefficients, then the bias. Dimensionless (the inputs are the features of
/// `ModuleInput`: pixels scaled to [0, 1] or unit-norm embeddings).
///
/// Invariants (checked by every initialiser): `inputDimension` ≥ 1, `classes` ≥ 2, both ≤
/// `maximumDimension`; `weights.count == classes · (inputDimension + 1)`; every weight finite.
public struct AgentModule: Sendable, Hashable {
    /// Largest input dimension or class count accepted (keeps the byte size well below 2^32).
    public static let maximumDimension = 4096

    /// Values per input.
    public let inputDimension: Int
    /// Number of classes (labels are 0 ..< classes).
    public let classes: Int
    /// classes × (inputDimension + 1), row-major; the last value of each row is the bias.
    public let weights: [Double]

    /// Values per class row: the coefficients and the bias.
    public var rowLength: Int { inputDimension + 1 }

    /// - Throws: `ModuleError` `.shape` for bad dimensions or a weight count that does not match;
    ///   `.nonFinite` for a NaN or infinite weight.
    public init(inputDimension: Int, classes: Int, weights: [Double]) throws {
        guard (1...Self.maximumDimension).contains(inputDimension), (2...Self.maximumDimension).contains(classes) else {
            throw ModuleError(.shape, "a module needs 1...\(Self.maximumDimension) inputs and 2...\(Self.maximumDimension) classes, got \(inputDimension) inputs and \(classes) classes")
        }
        let expected = classes * (inputDimension + 1)
        guard weights.count == expected else {
            throw ModuleError(.shape, "\(classes) classes × (\(inputDimension) inputs + bias) need \(expected) weights, got \(weights.count)")
        }
        if let bad = weights.firstIndex(where: { !$0.isFinite }) {
            throw ModuleError(.nonFinite, "weight \(bad) is \(weights[bad])")
        }
        self.inputDimension = inputDimension
        self.classes = classes
        self.weights = weights
    }

    /// The untrained module: every weight 0, so every class has probability 1/classes (T = 0).
    public static func zero(inputDimension: Int, classes: Int = DigitRecord.labelCount) throws -> AgentModule {
        try AgentModule(inputDimension: inputDimension, classes: classes,
                        weights: [Double](repeating: 0, count: classes * (inputDimension + 1)))
    }

    /// True when `other` has the same input dimension and classes (so the two can be averaged).
    public func sameShape(as other: AgentModule) -> Bool {
        inputDimension == other.inputDimension && classes == other.classes
    }

    /// "64 inputs × 10 classes".
    public var shapeDescription: String { "\(inputDimension) inputs × \(classes) classes" }

    // MARK: inference

    /// The logits z_c (no normalisation). `x` must have `inputDimension` values (not checked here;
    /// `predict` checks).
    func logits(_ x: [Double]) -> [Double] {
        var z = [Double](repeating: 0, count: classes)
        weights.withUnsafeBufferPointer { w in
            x.withUnsafeBufferPointer { xs in
                let n = inputDimension, stride = n + 1
                for c in 0..<classes {
                    let row = c * stride
                    var s = w[row + n]
                    for j in 0..<n { s += w[row + j] * xs[j] }
                    z[c] = s
                }
            }
        }
        return z
    }

    /// softmax(z), computed stably (the largest logit is subtracted first). Sums to 1.
    static func softmax(_ z: [Double]) -> [Double] {
        let m = z.max() ?? 0
        var p = z.map { exp($0 - m) }
        let s = p.reduce(0, +)
        for i in p.indices { p[i] /= s }
        return p
    }

    /// The class probabilities for input `x` (`classes` values summing to 1).
    /// - Throws: `ModuleError` `.input` unless `x` has `inputDimension` finite values.
    public func probabilities(_ x: [Double]) throws -> [Double] {
        guard x.count == inputDimension else {
            throw ModuleError(.input, "the module takes \(inputDimension) values, got \(x.count)")
        }
        guard x.allSatisfy(\.isFinite) else { throw ModuleError(.input, "an input value is not finite") }
        return Self.softmax(logits(x))
    }

    /// The most probable label and its probability (the confidence, in [1/classes, 1]). Ties go
    /// to the smallest label, so the zero module answers (0, 1/classes).
    /// - Throws: `ModuleError` `.input` unless `x` has `inputDimension` finite values.
    public func predict(_ x: [Double]) throws -> (label: Int, confidence: Double) {
        let p = try probabilities(x)
        var best = 0
        for c in 1..<p.count where p[c] > p[best] { best = c }
        return (best, p[best])
    }
}

/// Why a module, an upload or an input was refused.
public struct ModuleError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// Dimensions out of range or a weight count that does not match them.
        case shape
        /// A NaN or infinite weight.
        case nonFinite
        /// An input vector of the wrong length or with a non-finite value.
        case input
        /// Serialised bytes that are not a module (too short, wrong magic, wrong length).
        case malformed
        /// A serialisation version this code does not read.
        case unsupportedVersion
        /// An upload whose shape differs from the others (FedAvg).
        case mismatch
        /// Nothing to integrate, or an upload with no samples.
        case emptyUpload
        /// Bad training or fitting parameters, or data of the wrong shape.
        case invalidArgument
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "agent module \(kind.rawValue): \(message)" }
}
