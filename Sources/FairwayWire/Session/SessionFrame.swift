import FairwayCore
import Foundation
import SwiftProtobuf

/// One frame of wire protocol 2 on a REQ/REP socket: the domain form of `fairway.v1.Frame`.
///
/// A session opens with three handshake frames (Noise XX: request, reply, request) and then
/// carries every request and reply as a `SessionMessage`. `error` is a refusal outside a
/// session (no key to encrypt it under); it is unauthenticated, so a client acts only on
/// `unknown-session` (by handshaking again) and reports the others.
public enum SessionFrame: Sendable, Equatable {
    /// XX message 1: the initiator's 32-byte ephemeral public key.
    case handshakeInit(noise: [UInt8])
    /// XX message 2, with the id the responder chose (the session id once complete).
    case handshakeResponse(handshakeID: UInt64, noise: [UInt8])
    /// XX message 3 and the session's first request.
    case handshakeFinish(handshakeID: UInt64, noise: [UInt8], first: SessionMessage)
    case message(SessionMessage)
    case error(FairwayError)
}

/// A transport message of a session: counter-`counter` AEAD ciphertext of a `SignedEnvelope`.
public struct SessionMessage: Sendable, Equatable {
    public var sessionID: UInt64
    /// Explicit per-direction counter (the AEAD nonce); never 2^64-1.
    public var counter: UInt64
    /// Ciphertext and 16-byte tag.
    public var ciphertext: [UInt8]

    public init(sessionID: UInt64, counter: UInt64, ciphertext: [UInt8]) {
        self.sessionID = sessionID
        self.counter = counter
        self.ciphertext = ciphertext
    }
}

extension SessionFrame {
    /// Longest handshake message accepted, bytes: XX message 2 is 32 + 48 + payload + 16, and
    /// an identity binding is about 100 bytes.
    public static let maxHandshakeBytes = 1024

    /// Serialises the frame.
    public func encoded() -> [UInt8] {
        var f = Fairway_V1_Frame()
        switch self {
        case .handshakeInit(let noise):
            f.handshakeInit = { var m = Fairway_V1_HandshakeInit(); m.noise = Data(noise); return m }()
        case .handshakeResponse(let id, let noise):
            f.handshakeResponse = { var m = Fairway_V1_HandshakeResponse(); m.handshakeID = id; m.noise = Data(noise); return m }()
        case .handshakeFinish(let id, let noise, let first):
            f.handshakeFinish = { var m = Fairway_V1_HandshakeFinish(); m.handshakeID = id; m.noise = Data(noise); m.first = first.wire; return m }()
        case .message(let m):
            f.session = m.wire
        case .error(let e):
            f.error = e.wire
        }
        // Serialising a well-formed message cannot fail.
        return try! f.serializedBytes()
    }

    /// Decodes and bounds-checks a frame.
    ///
    /// - Throws: `FairwayError` naming the field: `.messageTooLarge` above `maxBytes`;
    ///   `.unsupportedVersion` for a protocol-1 `SignedEnvelope` (see `isVersion1`);
    ///   `.malformed` for anything else that is not a frame.
    public static func decode(_ bytes: [UInt8], maxBytes: Int) throws(FairwayError) -> SessionFrame {
        guard bytes.count <= maxBytes else {
            throw FairwayError(.messageTooLarge, "frame is \(bytes.count) bytes, limit is \(maxBytes)", field: "frame")
        }
        let f: Fairway_V1_Frame
        do {
            f = try Fairway_V1_Frame(serializedBytes: bytes)
        } catch {
            throw FairwayError(.malformed, "not a valid fairway.v1.Frame protobuf (\(bytes.count) bytes)", field: "frame")
        }
        switch f.kind {
        case .handshakeInit(let m):
            guard m.noise.count == 32 else {
                throw FairwayError(.malformed, "XX message 1 is a 32-byte ephemeral key, got \(m.noise.count) bytes", field: "frame.handshake_init.noise")
            }
            return .handshakeInit(noise: [UInt8](m.noise))
        case .handshakeResponse(let m):
            try checkHandshake(m.noise, field: "frame.handshake_response.noise")
            return .handshakeResponse(handshakeID: m.handshakeID, noise: [UInt8](m.noise))
        case .handshakeFinish(let m):
            try checkHandshake(m.noise, field: "frame.handshake_finish.noise")
            guard m.hasFirst else { throw FairwayError(.malformed, "message 3 carries no first request", field: "frame.handshake_finish.first") }
            let first = try SessionMessage(wire: m.first, field: "frame.handshake_finish.first")
            guard first.sessionID == m.handshakeID else {
                throw FairwayError(.malformed, "first request is for session \(first.sessionID), not \(m.handshakeID)", field: "frame.handshake_finish.first.session_id")
            }
            return .handshakeFinish(handshakeID: m.handshakeID, noise: [UInt8](m.noise), first: first)
        case .session(let m):
            return .message(try SessionMessage(wire: m, field: "frame.session"))
        case .error(let e):
            do { return .error(try FairwayError(wire: e)) } catch let e as FairwayError {
                throw FairwayError(e.code, e.message, field: "frame." + e.field)
            } catch { throw FairwayError(.malformed, "\(error)", field: "frame.error") }
        case nil:
            if isVersion1(bytes) {
                throw FairwayError(.unsupportedVersion, "a protocol-1 SignedEnvelope; this node speaks wire protocol \(WireProtocol.version) (Noise sessions): upgrade the peer", field: "frame")
            }
            throw FairwayError(.malformed, "frame carries no kind", field: "frame.kind")
        }
    }

    /// Whether `bytes` is a protocol-1 `SignedEnvelope` (an envelope, a key and a signature,
    /// fields 1–3) rather than a frame, whose fields start at 16.
    public static func isVersion1(_ bytes: [UInt8]) -> Bool {
        guard let old = try? Fairway_V1_SignedEnvelope(serializedBytes: bytes) else { return false }
        return !old.envelope.isEmpty && old.publicKey.count == 32 && old.signature.count == 64
    }

    private static func checkHandshake(_ noise: Data, field: String) throws(FairwayError) {
        guard noise.count >= 48, noise.count <= maxHandshakeBytes else {
            throw FairwayError(.malformed, "handshake message of \(noise.count) bytes; expected 48–\(maxHandshakeBytes)", field: field)
        }
    }
}

extension SessionMessage {
    init(wire: Fairway_V1_SessionMessage, field: String) throws(FairwayError) {
        guard wire.counter != UInt64.max else {
            throw FairwayError(.malformed, "counter 2^64-1 is reserved", field: field + ".counter")
        }
        guard wire.ciphertext.count >= 16 else {
            throw FairwayError(.malformed, "ciphertext of \(wire.ciphertext.count) bytes is shorter than its 16-byte tag", field: field + ".ciphertext")
        }
        self.init(sessionID: wire.sessionID, counter: wire.counter, ciphertext: [UInt8](wire.ciphertext))
    }

    var wire: Fairway_V1_SessionMessage {
        var w = Fairway_V1_SessionMessage()
        w.sessionID = sessionID
        w.counter = counter
        w.ciphertext = Data(ciphertext)
        return w
    }
}
