import Crypto
import FairwayCore
import Foundation
import SwiftProtobuf

/// An envelope whose signature and sender were verified by `WireCodec.open`.
public struct VerifiedEnvelope: Sendable {
    public var envelope: Envelope
    /// The key that signed it; `envelope.sender` is its address.
    public var publicKey: [UInt8]
    /// SHA-256 of the signed envelope bytes: tells an honest resend (same bytes) from a
    /// different message reusing a message id.
    public var digest: [UInt8]
    /// The exact `SignedEnvelope` bytes received (for relaying proofs; inside a session they
    /// carry a signature only when `isSigned`).
    public var sealed: [UInt8]
    /// Whether `sealed` carries the sender's signature (always, outside a session).
    public var isSigned: Bool = true
}

extension WireCodec {
    /// Domain tag prepended to the envelope bytes before signing, so a Fairway signature
    /// can never be replayed as a signature in another protocol, and vice versa.
    public static let signatureContext: [UInt8] = Array("fairway/v1/envelope".utf8) + [0]

    /// Serialises `envelope` and signs the exact bytes with `key`: what goes on the wire.
    ///
    /// Precondition: `envelope.sender == key.nodeID` (a node only speaks for itself).
    public static func seal(_ envelope: Envelope, signedBy key: NodeKey) -> [UInt8] {
        precondition(envelope.sender == key.nodeID, "envelope sender \(envelope.sender) is not the signing key's address \(key.nodeID)")
        let inner = encode(envelope)
        var outer = Fairway_V1_SignedEnvelope()
        outer.envelope = Data(inner)
        outer.publicKey = Data(key.publicKey)
        outer.signature = Data(key.sign(signatureContext + inner))
        return try! outer.serializedBytes()
    }

    /// Verifies and decodes a sealed envelope: the receive path of every socket.
    ///
    /// Checks, in order, before any field is trusted: size ≤ `maxBytes`; the outer protobuf;
    /// the Ed25519 signature over the exact inner bytes; then decodes the envelope
    /// (`decode`) and checks that `sender` is the address of the signing key.
    /// - Throws: `DecodeFailure` with `.messageTooLarge`, `.malformed`, `.unauthenticated`
    ///   or any error of `decode`; `partial` carries the unverified header when one could be
    ///   read, only to address the error reply.
    /// - Parameter archived: also accept protocol-1 envelopes (records signed before version 2,
    ///   such as stored contribution provenance); never for what arrives on a socket.
    public static func open(_ bytes: [UInt8], maxBytes: Int = WireProtocol.defaultMaxMessageBytes, archived: Bool = false) throws(DecodeFailure) -> VerifiedEnvelope {
        guard bytes.count <= maxBytes else {
            throw DecodeFailure(FairwayError(.messageTooLarge, "message is \(bytes.count) bytes, limit is \(maxBytes)", field: "signed_envelope"), partial: nil)
        }
        let outer: Fairway_V1_SignedEnvelope
        do {
            outer = try Fairway_V1_SignedEnvelope(serializedBytes: bytes)
        } catch {
            throw DecodeFailure(FairwayError(.malformed, "not a valid fairway.v1.SignedEnvelope protobuf (\(bytes.count) bytes): \(error)", field: "signed_envelope"), partial: nil)
        }
        let inner = [UInt8](outer.envelope)
        let publicKey = [UInt8](outer.publicKey)
        // Parsed only to address an error reply: never on the success path.
        var partial: PartialHeader? { (try? Fairway_V1_Envelope(serializedBytes: inner)).map(PartialHeader.init) }
        guard publicKey.count == NodeKey.publicKeyLength else {
            throw DecodeFailure(FairwayError(.unauthenticated, "public key must be \(NodeKey.publicKeyLength) bytes, got \(publicKey.count)", field: "signed_envelope.public_key"), partial: partial)
        }
        guard outer.signature.count == NodeKey.signatureLength else {
            throw DecodeFailure(FairwayError(.unauthenticated, "signature must be \(NodeKey.signatureLength) bytes, got \(outer.signature.count)", field: "signed_envelope.signature"), partial: partial)
        }
        guard NodeKey.isValid(signature: [UInt8](outer.signature), over: signatureContext + inner, publicKey: publicKey) else {
            throw DecodeFailure(FairwayError(.unauthenticated, "signature does not verify for public key \(hex(publicKey.prefix(8)))…", field: "signed_envelope.signature",
                                             peer: partial?.sender ?? ""), partial: partial)
        }
        let envelope = try decode(inner, maxBytes: maxBytes, archived: archived)
        let address = NodeAddress.of(publicKey: publicKey)
        guard envelope.sender == address else {
            throw DecodeFailure(FairwayError(.unauthenticated, "sender \(envelope.sender) is not the address of the signing key (\(address))",
                                             field: "envelope.sender", peer: envelope.sender.rawValue), partial: partial)
        }
        return VerifiedEnvelope(envelope: envelope, publicKey: publicKey, digest: [UInt8](SHA256.hash(data: inner)), sealed: bytes)
    }
}
