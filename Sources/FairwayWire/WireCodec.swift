import FairwayCore
import SwiftProtobuf

/// Encodes and decodes envelopes; the only door between bytes and domain types.
public enum WireCodec {
    /// Serialises `envelope` to protobuf bytes.
    public static func encode(_ envelope: Envelope) -> [UInt8] {
        // Serialising a well-formed message cannot fail.
        try! envelope.wire.serializedBytes()
    }

    /// Decodes and validates an envelope.
    ///
    /// Checks, in order: size ≤ `maxBytes`, protobuf well-formed, protocol version,
    /// message id, sender, payload present and every payload field in its domain.
    /// - Throws: `FairwayError` naming what was wrong and where; `partial` on the
    ///   error carries what could be read, so the caller can address its reply.
    public static func decode(_ bytes: [UInt8], maxBytes: Int = WireProtocol.defaultMaxMessageBytes, archived: Bool = false) throws(DecodeFailure) -> Envelope {
        guard bytes.count <= maxBytes else {
            throw DecodeFailure(FairwayError(.messageTooLarge, "envelope is \(bytes.count) bytes, limit is \(maxBytes)", field: "envelope"), partial: nil)
        }
        let wire: Fairway_V1_Envelope
        do {
            wire = try Fairway_V1_Envelope(serializedBytes: bytes)
        } catch {
            throw DecodeFailure(FairwayError(.malformed, "not a valid fairway.v1.Envelope protobuf (\(bytes.count) bytes): \(error)", field: "envelope"), partial: nil)
        }
        do {
            return try Envelope(wire: wire, archived: archived)
        } catch let e as FairwayError {
            var e = e
            if e.peer.isEmpty { e.peer = wire.sender }
            throw DecodeFailure(e, partial: PartialHeader(wire))
        } catch {
            throw DecodeFailure(FairwayError(.malformed, "\(error)", field: "envelope"), partial: PartialHeader(wire))
        }
    }

    /// A decode error together with the header fields that could be read.
    public struct DecodeFailure: Error, Sendable {
        public var error: FairwayError
        public var partial: PartialHeader?

        public init(_ error: FairwayError, partial: PartialHeader?) {
            self.error = error
            self.partial = partial
        }
    }

    /// Header fields of an envelope that parsed as protobuf but failed validation.
    public struct PartialHeader: Sendable {
        public var messageID: MessageID?
        public var sender: String

        init(_ wire: Fairway_V1_Envelope) {
            messageID = try? MessageID(bytes: [UInt8](wire.messageID))
            sender = wire.sender
        }
    }
}
