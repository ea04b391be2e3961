/// The byte form of an `AgentModule`, the payload an edge server uploads (in chunks) to the
/// coordinator and the coordinator distributes back to the edges.
///
/// Layout (all integers unsigned little-endian, 16-byte header then the weights):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | magic `FWAM` (0x46 0x57 0x41 0x4D) |
/// | 4 | 4 | version, `AgentModule.serialisationVersion` (1) |
/// | 8 | 4 | input dimension n (1…4096) |
/// | 12 | 4 | classes k (2…4096) |
/// | 16 | 8·k·(n+1) | the weights in `weights` order, IEEE-754 binary64, little-endian |
///
/// So the digits module over pixels (n = 64, k = 10) is 16 + 8·650 = 5,216 bytes. The encoding is
/// canonical: one module has one byte string (−0.0 and +0.0 are kept apart; NaN is refused).
extension AgentModule {
    /// The format version written by `serialised()`.
    public static let serialisationVersion: UInt32 = 1
    /// "FWAM".
    public static let magic: [UInt8] = [0x46, 0x57, 0x41, 0x4D]
    /// Bytes before the weights.
    public static let headerSize = 16

    /// Size in bytes of the serialised form.
    public var serialisedSize: Int { Self.headerSize + 8 * weights.count }

    /// The canonical bytes (layout above).
    public func serialised() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(serialisedSize)
        out += Self.magic
        Self.append(Self.serialisationVersion, to: &out)
        Self.append(UInt32(inputDimension), to: &out)
        Self.append(UInt32(classes), to: &out)
        for w in weights {
            let bits = w.bitPattern
            for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
        }
        return out
    }

    /// Reads the bytes of `serialised()`.
    /// - Throws: `ModuleError` `.malformed` if shorter than the header, the magic is wrong, or the
    ///   length is not exactly the header plus 8·k·(n+1) (truncated or trailing bytes);
    ///   `.unsupportedVersion` for a version other than 1; `.shape` for dimensions out of range;
    ///   `.nonFinite` for a NaN or infinite weight.
    public init(bytes: [UInt8]) throws {
        guard bytes.count >= Self.headerSize else {
            throw ModuleError(.malformed, "\(bytes.count) bytes is shorter than the \(Self.headerSize)-byte header")
        }
        guard Array(bytes[0..<4]) == Self.magic else {
            throw ModuleError(.malformed, "the bytes do not start with the magic FWAM")
        }
        let version = Self.readUInt32(bytes, at: 4)
        guard version == Self.serialisationVersion else {
            throw ModuleError(.unsupportedVersion, "version \(version), this code reads version \(Self.serialisationVersion)")
        }
        let n = Int(Self.readUInt32(bytes, at: 8)), k = Int(Self.readUInt32(bytes, at: 12))
        guard (1...Self.maximumDimension).contains(n), (2...Self.maximumDimension).contains(k) else {
            throw ModuleError(.shape, "header declares \(n) inputs and \(k) classes (allowed 1...\(Self.maximumDimension) and 2...\(Self.maximumDimension))")
        }
        let count = k * (n + 1)
        let expected = Self.headerSize + 8 * count
        guard bytes.count == expected else {
            throw ModuleError(.malformed, "\(n) inputs × \(k) classes need \(expected) bytes, got \(bytes.count)"
                              + (bytes.count < expected ? " (truncated)" : " (trailing bytes)"))
        }
        var weights = [Double](repeating: 0, count: count)
        for i in 0..<count {
            let base = Self.headerSize + 8 * i
            var bits: UInt64 = 0
            for b in 0..<8 { bits |= UInt64(bytes[base + b]) << (8 * UInt64(b)) }
            weights[i] = Double(bitPattern: bits)
        }
        try self.init(inputDimension: n, classes: k, weights: weights)
    }

    private static func append(_ v: UInt32, to out: inout [UInt8]) {
        for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }

    private static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        return v
    }
}
