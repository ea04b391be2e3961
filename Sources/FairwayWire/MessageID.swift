import FairwayCore

/// The idempotency key of a message: 16 random bytes, unique per sender.
public struct MessageID: Sendable, Hashable, CustomStringConvertible {
    /// Length in bytes.
    public static let length = 16
    public let bytes: [UInt8]

    /// Throws `invalidField` unless `bytes` is exactly 16 bytes long.
    public init(bytes: [UInt8], field: String = "envelope.message_id") throws {
        guard bytes.count == Self.length else {
            throw FairwayError(.invalidField, "message id must be \(Self.length) bytes, got \(bytes.count)", field: field)
        }
        self.bytes = bytes
    }

    /// A fresh id drawn from `generator` (randomness is an input).
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> MessageID {
        // Two 64-bit draws rather than sixteen 8-bit ones: the system generator costs a syscall per draw.
        var b = [UInt8]()
        b.reserveCapacity(length)
        for _ in 0..<(length / 8) {
            withUnsafeBytes(of: generator.next()) { b.append(contentsOf: $0) }
        }
        return try! MessageID(bytes: b)
    }

    /// A fresh id of OS randomness, drawn 4 KiB at a time (`RandomPool`): one system call per
    /// 256 ids rather than two per id.
    public static func random() -> MessageID {
        try! MessageID(bytes: RandomPool.shared.bytes(length))
    }

    public var description: String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
