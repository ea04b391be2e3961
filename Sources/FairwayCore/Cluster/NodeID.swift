/// Identity of a node (coordinator, edge server or agent identity).
///
/// Invariant: 1–128 characters from `[A-Za-z0-9._:-]`. Later a node id is the
/// digest of the node's public key; the character set already admits hex.
public struct NodeID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// Maximum length in characters.
    public static let maxLength = 128

    /// Validates `rawValue`; throws `FairwayError(.invalidField)` naming `field`.
    public init(_ rawValue: String, field: String = "node_id") throws {
        guard !rawValue.isEmpty, rawValue.utf8.count <= Self.maxLength else {
            throw FairwayError(.invalidField, "node id must be 1–\(Self.maxLength) characters, got \(rawValue.utf8.count)", field: field)
        }
        // Native strings expose their UTF-8 contiguously: one pass over the bytes.
        let disallowed = rawValue.utf8.withContiguousStorageIfAvailable { $0.first { !Self.isAllowed($0) } } ?? rawValue.utf8.first { !Self.isAllowed($0) }
        if let byte = disallowed {
            throw FairwayError(.invalidField, "node id contains a disallowed character (byte 0x\(String(byte, radix: 16)))", field: field)
        }
        self.rawValue = rawValue
    }

    /// For identifiers known to be valid (literals in code and tests).
    public init(unchecked rawValue: String) { self.rawValue = rawValue }

    private static func isAllowed(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "-"), UInt8(ascii: ":"):
            return true
        default:
            return false
        }
    }

    public static func < (a: NodeID, b: NodeID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { rawValue }
}
