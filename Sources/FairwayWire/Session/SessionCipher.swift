import Crypto
import Foundation
import FairwayCore

/// The two direction keys of a session, from Noise's Split().
// @unchecked: `SymmetricKey` is not marked Sendable, but it is an immutable value (its byte
// storage is never written after init), so sharing it between threads only reads it.
public struct SessionKeys: @unchecked Sendable, Equatable {
    /// Encrypts what this party sends.
    public let send: [UInt8]
    /// Decrypts what the peer sends.
    public let receive: [UInt8]
    /// `send` and `receive` as swift-crypto keys, made once per session rather than per message.
    public let sendKey: SymmetricKey
    public let receiveKey: SymmetricKey

    public init(send: [UInt8], receive: [UInt8]) {
        precondition(send.count == 32 && receive.count == 32, "session keys are 32 bytes")
        self.send = send
        self.receive = receive
        self.sendKey = SymmetricKey(data: send)
        self.receiveKey = SymmetricKey(data: receive)
    }

    public static func == (a: SessionKeys, b: SessionKeys) -> Bool { a.send == b.send && a.receive == b.receive }
}

/// The AEAD of session messages: ChaCha20-Poly1305 (RFC 8439) with Noise's nonce layout
/// (4 zero bytes, then the counter as 64-bit little-endian) and associated data binding the
/// session and counter. Session messages are not Noise transport messages: nng frames them,
/// so they may exceed Noise's 65535-byte limit, and the counter travels in the message.
public enum SessionCipher {
    static let adTag: [UInt8] = Array("fairway/2/session".utf8)

    /// "fairway/2/session" || session id (big-endian) || counter (big-endian).
    static func associatedData(sessionID: UInt64, counter: UInt64) -> [UInt8] {
        var ad = [UInt8]()
        ad.reserveCapacity(adTag.count + 16)
        ad.append(contentsOf: adTag)
        withUnsafeBytes(of: sessionID.bigEndian) { ad.append(contentsOf: $0) }
        withUnsafeBytes(of: counter.bigEndian) { ad.append(contentsOf: $0) }
        return ad
    }

    static func nonce(_ counter: UInt64) -> ChaChaPoly.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: counter.littleEndian, toByteOffset: 4, as: UInt64.self) }
        return try! ChaChaPoly.Nonce(data: bytes)
    }

    /// Encrypts `plaintext` as message `counter` of `sessionID` under `key`.
    /// Precondition: `counter` < 2^64-1 and never used before with `key`.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], sessionID: UInt64, counter: UInt64) -> SessionMessage {
        seal(plaintext, key: SymmetricKey(data: key), sessionID: sessionID, counter: counter)
    }

    /// `seal` with the key already made (`SessionKeys.sendKey`).
    public static func seal(_ plaintext: [UInt8], key: SymmetricKey, sessionID: UInt64, counter: UInt64) -> SessionMessage {
        precondition(counter != UInt64.max, "counter 2^64-1 is reserved")
        let box = try! ChaChaPoly.seal(plaintext, using: key, nonce: nonce(counter),
                                       authenticating: associatedData(sessionID: sessionID, counter: counter))
        // `combined` is nonce ‖ ciphertext ‖ tag; the nonce is implied by the counter.
        let ciphertext = box.combined.withUnsafeBytes { [UInt8]($0[12...]) }
        return SessionMessage(sessionID: sessionID, counter: counter, ciphertext: ciphertext)
    }

    /// Decrypts and authenticates `message` under `key`.
    /// - Throws: `.unauthenticated` when the tag does not verify (tampered, wrong key, wrong
    ///   counter or session).
    public static func open(_ message: SessionMessage, key: [UInt8]) throws(FairwayError) -> [UInt8] {
        try open(message, key: SymmetricKey(data: key))
    }

    /// `open` with the key already made (`SessionKeys.receiveKey`).
    public static func open(_ message: SessionMessage, key: SymmetricKey) throws(FairwayError) -> [UInt8] {
        do {
            // One contiguous nonce ‖ ciphertext ‖ tag buffer, written in one pass: the cheapest
            // way into a SealedBox.
            var combined = Data(count: 12 + message.ciphertext.count)
            combined.withUnsafeMutableBytes { out in
                out.storeBytes(of: 0, as: UInt32.self)
                out.storeBytes(of: message.counter.littleEndian, toByteOffset: 4, as: UInt64.self)
                message.ciphertext.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[12...]).copyMemory(from: $0) }
            }
            let box = try ChaChaPoly.SealedBox(combined: combined)
            return try ChaChaPoly.open(box, using: key,
                                       authenticating: associatedData(sessionID: message.sessionID, counter: message.counter))
                .withUnsafeBytes { [UInt8]($0) }
        } catch {
            throw FairwayError(.unauthenticated, "AEAD tag of message \(message.counter) in session \(hexID(message.sessionID)) does not verify",
                               field: "frame.session.ciphertext")
        }
    }
}

/// A session id as 16 hex digits, for messages and logs.
public func hexID(_ id: UInt64) -> String {
    let s = String(id, radix: 16)
    return String(repeating: "0", count: max(0, 16 - s.count)) + s
}
