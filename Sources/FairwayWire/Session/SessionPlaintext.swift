import Crypto
import FairwayCore
import Foundation
import SwiftProtobuf

extension Payload.Kind {
    /// Kinds whose content is recorded, paid or counted against their sender: they keep the
    /// originator's Ed25519 signature inside the session (provenance), which the receiver
    /// verifies and may store with the record. Every other kind is authenticated by the
    /// session alone.
    public var carriesProvenance: Bool {
        switch self {
        case .join, .contribution, .contributionBatch, .usageReport, .grantRequest, .contractSelection, .moduleUpload,
             .cloudInferenceRequest: true
        default: false
        }
    }
}

extension WireCodec {
    /// The plaintext of a session message: a `SignedEnvelope` with `envelope` and, when
    /// `signedBy` is given, its key and signature (as `seal` makes them); otherwise both empty.
    public static func sealForSession(_ envelope: Envelope, signedBy key: NodeKey?) -> [UInt8] {
        if let key { return seal(envelope, signedBy: key) }
        // `SignedEnvelope{envelope = inner}` in protobuf's binary encoding: field 1, wire type 2
        // (tag byte 0x0A), the length as a varint, the bytes. Written directly to spare a copy.
        let inner = encode(envelope)
        var out = [UInt8]()
        out.reserveCapacity(inner.count + 11)
        out.append(0x0A)
        var n = UInt64(inner.count)
        while n >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: n) | 0x80)
            n >>= 7
        }
        out.append(UInt8(n))
        out.append(contentsOf: inner)
        return out
    }

    /// Opens the plaintext of a session message from `peer`.
    ///
    /// Checks: the outer protobuf; a signature, when present, by `peer`'s own key over the exact
    /// envelope bytes; the envelope (`decode`); that its sender is `peer`; and that a kind that
    /// carries provenance is signed.
    /// - Throws: `DecodeFailure` (`.malformed`, `.unauthenticated` or any error of `decode`).
    /// - Parameter digest: compute `VerifiedEnvelope.digest` (the idempotency fingerprint a
    ///   server needs; a client reading a reply does not).
    public static func openFromSession(_ plaintext: [UInt8], peer: PeerIdentity, maxBytes: Int = WireProtocol.defaultMaxMessageBytes,
                                       digest: Bool = true) throws(DecodeFailure) -> VerifiedEnvelope {
        let inner: [UInt8], signature: [UInt8], publicKey: [UInt8]
        if let unsigned = unsignedEnvelope(in: plaintext) {
            (inner, signature, publicKey) = (unsigned, [], [])
        } else {
            let outer: Fairway_V1_SignedEnvelope
            do { outer = try Fairway_V1_SignedEnvelope(serializedBytes: plaintext) } catch {
                throw DecodeFailure(FairwayError(.malformed, "session plaintext is not a fairway.v1.SignedEnvelope (\(plaintext.count) bytes)", field: "signed_envelope", peer: peer.nodeID.rawValue), partial: nil)
            }
            (inner, signature, publicKey) = ([UInt8](outer.envelope), [UInt8](outer.signature), [UInt8](outer.publicKey))
        }
        // Parsed only to address an error reply: never on the success path.
        var partial: PartialHeader? { (try? Fairway_V1_Envelope(serializedBytes: inner)).map(PartialHeader.init) }
        let signed = !signature.isEmpty || !publicKey.isEmpty
        if signed {
            guard publicKey == peer.publicKey else {
                throw DecodeFailure(FairwayError(.unauthenticated, "signed by another key than the session peer \(peer.nodeID)'s", field: "signed_envelope.public_key", peer: peer.nodeID.rawValue), partial: partial)
            }
            guard NodeKey.isValid(signature: signature, over: signatureContext + inner, publicKey: peer.publicKey) else {
                throw DecodeFailure(FairwayError(.unauthenticated, "signature does not verify for \(peer.nodeID)", field: "signed_envelope.signature", peer: peer.nodeID.rawValue), partial: partial)
            }
        }
        let envelope: Envelope
        do throws(DecodeFailure) { envelope = try decode(inner, maxBytes: maxBytes) } catch {
            var e = error
            e.error.peer = peer.nodeID.rawValue
            throw e
        }
        guard envelope.sender == peer.nodeID else {
            throw DecodeFailure(FairwayError(.unauthenticated, "sender \(envelope.sender) is not the session peer \(peer.nodeID)", field: "envelope.sender", peer: peer.nodeID.rawValue), partial: partial)
        }
        if !signed, envelope.payload.kind.carriesProvenance {
            throw DecodeFailure(FairwayError(.unauthenticated, "\(envelope.payload.kind) must carry its sender's signature (provenance)", field: "signed_envelope.signature", peer: peer.nodeID.rawValue), partial: partial)
        }
        return VerifiedEnvelope(envelope: envelope, publicKey: peer.publicKey, digest: digest ? SHA256.hash(data: inner).withUnsafeBytes { [UInt8]($0) } : [],
                                sealed: plaintext, isSigned: signed)
    }

    /// The envelope of an unsigned plaintext in exactly the form `sealForSession` writes it:
    /// `SignedEnvelope` field 1 (tag byte 0x0A), a varint length, and the envelope filling the
    /// rest. Protobuf's decoder reads such bytes the same way (envelope = the rest, no
    /// signature, no key); any other layout returns nil and is left to the decoder.
    static func unsignedEnvelope(in plaintext: [UInt8]) -> [UInt8]? {
        guard plaintext.count >= 2, plaintext[0] == 0x0A else { return nil }
        var length: UInt64 = 0, shift: UInt64 = 0, i = 1
        while true {
            guard i < plaintext.count, i <= 10 else { return nil }
            let b = plaintext[i]
            length |= UInt64(b & 0x7F) << shift
            i += 1
            if b < 0x80 { break }
            shift += 7
        }
        guard length == UInt64(plaintext.count - i) else { return nil }
        return Array(plaintext[i...])
    }
}
