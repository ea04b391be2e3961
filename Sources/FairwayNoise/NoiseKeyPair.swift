import Crypto

/// An X25519 key pair as Noise uses it (the `25519` DH functions of section 12.1).
///
/// Invariants: `privateKey` and `publicKey` are 32 bytes; `publicKey` is the X25519 public key
/// of `privateKey` (the raw scalar, clamped by the DH function itself, as the test vectors
/// give it). Stored as bytes so the value is `Sendable`; the swift-crypto key is rebuilt for
/// each DH.
public struct NoiseKeyPair: Sendable, Equatable {
    public let privateKey: [UInt8]
    public let publicKey: [UInt8]

    /// The key pair of a 32-byte X25519 private key.
    public init(privateKey: [UInt8]) throws {
        guard privateKey.count == Noise.dhLength else {
            throw NoiseError(.invalidKey, "X25519 private key must be \(Noise.dhLength) bytes (got \(privateKey.count))")
        }
        let key: Curve25519.KeyAgreement.PrivateKey
        do {
            key = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: privateKey)
        } catch {
            throw NoiseError(.invalidKey, "X25519 private key refused: \(error)")
        }
        self.privateKey = privateKey
        self.publicKey = Array(key.publicKey.rawRepresentation)
    }

    /// A fresh random key pair (GENERATE_KEYPAIR, section 4.1).
    public static func generate() -> NoiseKeyPair {
        let key = Curve25519.KeyAgreement.PrivateKey()
        // Cannot fail: a freshly generated key has the right length.
        return try! NoiseKeyPair(privateKey: Array(key.rawRepresentation))
    }

    /// DH(key_pair, public_key), section 4.1: the 32-byte X25519 shared secret.
    /// Throws `invalidKey` if the public key is not 32 bytes or the primitive refuses the
    /// result (an all-zero output from a low-order point, which the specification allows to
    /// be rejected).
    public func dh(_ remotePublicKey: [UInt8]) throws -> [UInt8] {
        guard remotePublicKey.count == Noise.dhLength else {
            throw NoiseError(.invalidKey, "X25519 public key must be \(Noise.dhLength) bytes (got \(remotePublicKey.count))")
        }
        do {
            let local = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: privateKey)
            let remote = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: remotePublicKey)
            let secret = try local.sharedSecretFromKeyAgreement(with: remote)
            return secret.withUnsafeBytes { Array($0) }
        } catch {
            throw NoiseError(.invalidKey, "X25519 refused the public key: \(error)")
        }
    }
}
