import Crypto
import Foundation

/// The CipherState object of the Noise specification, section 5.1, with ChaChaPoly
/// (section 12.3): a key `k` (absent before the first MixKey of a handshake) and a 64-bit
/// counter `n`.
///
/// Invariants:
/// - Without a key, encryption and decryption return their input unchanged (section 5.1).
/// - The AEAD nonce for counter `n` is 4 zero bytes followed by `n` as 64-bit little-endian.
/// - `n` = 2^64-1 is reserved: once `n` reaches it, `encrypt`/`decrypt` throw
///   `nonceExhausted`; the explicit-nonce variants refuse that nonce too.
/// - `n` is incremented only after a successful encryption or decryption; a failed
///   decryption leaves the state unchanged.
/// - No ciphertext longer than 65535 bytes is produced or accepted (`messageTooLarge`), so a
///   keyed plaintext is at most 65519 bytes.
public struct CipherState: Sendable, Equatable {
    /// The 32-byte key, or nil before InitializeKey with a key.
    public private(set) var key: [UInt8]?
    /// The next nonce the implicit-counter `encrypt`/`decrypt` use.
    public private(set) var nonce: UInt64

    /// The reserved nonce 2^64-1 (also the one REKEY uses).
    public static let reservedNonce = UInt64.max

    /// InitializeKey(key): `key` (32 bytes, or nil for "empty") with `n` = 0. A key of another
    /// length is a programming error (precondition).
    public init(key: [UInt8]? = nil) {
        precondition(key == nil || key!.count == Noise.keyLength, "a CipherState key is 32 bytes")
        self.key = key
        self.nonce = 0
    }

    /// HasKey().
    public var hasKey: Bool { key != nil }

    /// SetNonce(nonce).
    public mutating func setNonce(_ nonce: UInt64) {
        self.nonce = nonce
    }

    /// EncryptWithAd(ad, plaintext) with the implicit counter, which is then incremented.
    public mutating func encrypt(ad: [UInt8] = [], plaintext: [UInt8]) throws -> [UInt8] {
        guard let key else {
            guard plaintext.count <= Noise.maxMessageLength else {
                throw NoiseError(.messageTooLarge, "plaintext of \(plaintext.count) bytes exceeds \(Noise.maxMessageLength)")
            }
            return plaintext
        }
        let out = try Self.seal(key: key, nonce: nonce, ad: ad, plaintext: plaintext)
        nonce += 1
        return out
    }

    /// DecryptWithAd(ad, ciphertext) with the implicit counter, which is incremented only on
    /// success.
    public mutating func decrypt(ad: [UInt8] = [], ciphertext: [UInt8]) throws -> [UInt8] {
        guard let key else {
            guard ciphertext.count <= Noise.maxMessageLength else {
                throw NoiseError(.messageTooLarge, "message of \(ciphertext.count) bytes exceeds \(Noise.maxMessageLength)")
            }
            return ciphertext
        }
        let out = try Self.open(key: key, nonce: nonce, ad: ad, ciphertext: ciphertext)
        nonce += 1
        return out
    }

    /// Encrypts with an explicit nonce, for transports that carry the counter in the message
    /// (and keep a replay window). Does not read or change the implicit counter. Refuses the
    /// reserved nonce 2^64-1 and a CipherState without a key (`missingKey`).
    ///
    /// The caller must never use a nonce twice with the same key.
    public func encrypt(nonce: UInt64, ad: [UInt8] = [], plaintext: [UInt8]) throws -> [UInt8] {
        guard let key else { throw NoiseError(.missingKey, "explicit-nonce encryption needs a key") }
        return try Self.seal(key: key, nonce: nonce, ad: ad, plaintext: plaintext)
    }

    /// Decrypts with an explicit nonce. Authenticates the nonce (a message decrypts only under
    /// the nonce it was sealed with) but keeps no history: detecting a replayed or
    /// out-of-window counter is the caller's job (its replay window), done before or after
    /// this call. Does not read or change the implicit counter.
    public func decrypt(nonce: UInt64, ad: [UInt8] = [], ciphertext: [UInt8]) throws -> [UInt8] {
        guard let key else { throw NoiseError(.missingKey, "explicit-nonce decryption needs a key") }
        return try Self.open(key: key, nonce: nonce, ad: ad, ciphertext: ciphertext)
    }

    /// Rekey() of section 5.1: `k` = REKEY(k), where REKEY (section 4.2) is the first 32 bytes
    /// of ENCRYPT(k, 2^64-1, zerolen, 32 zero bytes). The counter `n` is unchanged.
    /// A CipherState without a key is left as it is.
    public mutating func rekey() throws {
        guard let key else { return }
        let sealed = try Self.aead(key: key, nonce: Self.reservedNonce, ad: [], plaintext: [UInt8](repeating: 0, count: 32))
        self.key = Array(sealed.prefix(Noise.keyLength))
    }

    // MARK: ChaChaPoly (section 12.3)

    static func nonceBytes(_ n: UInt64) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 4)
        withUnsafeBytes(of: n.littleEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    private static func seal(key: [UInt8], nonce: UInt64, ad: [UInt8], plaintext: [UInt8]) throws -> [UInt8] {
        guard nonce != reservedNonce else { throw NoiseError(.nonceExhausted, "nonce 2^64-1 is reserved") }
        guard plaintext.count <= Noise.maxPlaintextLength else {
            throw NoiseError(.messageTooLarge, "plaintext of \(plaintext.count) bytes exceeds \(Noise.maxPlaintextLength) (65535 with the tag)")
        }
        return try aead(key: key, nonce: nonce, ad: ad, plaintext: plaintext)
    }

    private static func aead(key: [UInt8], nonce: UInt64, ad: [UInt8], plaintext: [UInt8]) throws -> [UInt8] {
        do {
            let box = try ChaChaPoly.seal(plaintext, using: SymmetricKey(data: key),
                                          nonce: ChaChaPoly.Nonce(data: nonceBytes(nonce)), authenticating: ad)
            return Array(box.ciphertext) + Array(box.tag)
        } catch {
            throw NoiseError(.invalidKey, "ChaChaPoly refused to seal: \(error)")
        }
    }

    private static func open(key: [UInt8], nonce: UInt64, ad: [UInt8], ciphertext: [UInt8]) throws -> [UInt8] {
        guard nonce != reservedNonce else { throw NoiseError(.nonceExhausted, "nonce 2^64-1 is reserved") }
        guard ciphertext.count <= Noise.maxMessageLength else {
            throw NoiseError(.messageTooLarge, "message of \(ciphertext.count) bytes exceeds \(Noise.maxMessageLength)")
        }
        guard ciphertext.count >= Noise.tagLength else {
            throw NoiseError(.decryptionFailed, "ciphertext of \(ciphertext.count) bytes is shorter than the \(Noise.tagLength)-byte tag (nonce \(nonce))")
        }
        do {
            let box = try ChaChaPoly.SealedBox(nonce: ChaChaPoly.Nonce(data: nonceBytes(nonce)),
                                               ciphertext: ciphertext.dropLast(Noise.tagLength),
                                               tag: ciphertext.suffix(Noise.tagLength))
            return Array(try ChaChaPoly.open(box, using: SymmetricKey(data: key), authenticating: ad))
        } catch {
            throw NoiseError(.decryptionFailed, "authentication failed for a \(ciphertext.count)-byte ciphertext at nonce \(nonce)")
        }
    }
}
