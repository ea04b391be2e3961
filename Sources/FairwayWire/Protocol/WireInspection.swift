import FairwayCore
import SwiftProtobuf

/// What Fairway's Swift code reads from a message's bytes, for comparing implementations
/// (`fairway-lab wire-json`, `clients/cross`): the protobuf decoded field by field as proto3
/// JSON with the `.proto` field names, and the verdict of Fairway's own decoder on the same
/// bytes (domain rules, signatures).
public enum WireInspection {
    /// The top-level message types a client exchanges.
    public enum MessageType: String, CaseIterable, Sendable {
        /// `fairway.v1.Envelope`: checked with `WireCodec.decode` (version, ids, every field's domain).
        case envelope
        /// `fairway.v1.SignedEnvelope`: checked with `WireCodec.open` (the signature, then the envelope).
        case signedEnvelope = "signed-envelope"
        /// `fairway.v1.Frame`: checked with `SessionFrame.decode` (kinds and bounds).
        case frame
    }

    /// One message as Swift reads it.
    public struct Reading: Sendable {
        /// Proto3 JSON of the protobuf fields (`.proto` names; int64 as strings; bytes base64),
        /// or nil when the bytes are not a protobuf of this type.
        public var json: String?
        /// Why protobuf decoding failed, if it did.
        public var protobufError: String?
        /// Fairway's verdict: nil = accepted; else the refusal (code and field).
        public var refusal: FairwayError?
    }

    /// Reads `bytes` as `type`.
    public static func read(_ bytes: [UInt8], as type: MessageType) -> Reading {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        let json: String
        do {
            switch type {
            case .envelope: json = try Fairway_V1_Envelope(serializedBytes: bytes).jsonString(options: options)
            case .signedEnvelope: json = try Fairway_V1_SignedEnvelope(serializedBytes: bytes).jsonString(options: options)
            case .frame: json = try Fairway_V1_Frame(serializedBytes: bytes).jsonString(options: options)
            }
        } catch {
            return Reading(json: nil, protobufError: "\(error)", refusal: FairwayError(.malformed, "not a fairway.v1 \(type.rawValue)", field: type.rawValue))
        }
        var refusal: FairwayError?
        switch type {
        case .envelope:
            do throws(WireCodec.DecodeFailure) { _ = try WireCodec.decode(bytes) } catch { refusal = error.error }
        case .signedEnvelope:
            do throws(WireCodec.DecodeFailure) { _ = try WireCodec.open(bytes) } catch { refusal = error.error }
        case .frame:
            do throws(FairwayError) { _ = try SessionFrame.decode(bytes, maxBytes: WireProtocol.defaultMaxMessageBytes * 4) } catch { refusal = error }
        }
        return Reading(json: json, protobufError: nil, refusal: refusal)
    }
}
