import Crypto

/// An X25519 key pair as Noise uses it (the `25519` DH functions of section 12.1).
///
/// Invariants: `privateKey` and `publicKey` are 32 bytes; `publicKey` is the X25519 public key
/// of `privateKey` (the raw scalar, clamped by the DH function itself, as the test vectors
/// give it). The bytes are kept for comparison and tests; DH uses the swift-crypto key made
/// once at init.
public struct NoiseKeyPair: Sendable, Equatable {
    public let privateKey: [UInt8]
    public let publicKey: [UInt8]
    /// The swift-crypto key, built once: building it derives the public key (a scalar
    /// multiplication), which each DH would otherwise repeat.
    private let agreement: AgreementKey

    /// An immutable swift-crypto key shared between copies of the value.
    private final class AgreementKey: @unchecked Sendable {
        let key: Curve25519.KeyAgreement.PrivateKey
        init(_ key: Curve25519.KeyAgreement.PrivateKey) { self.key = key }
    }

    public static func == (a: NoiseKeyPair, b: NoiseKeyPair) -> Bool {
        a.privateKey == b.privateKey && a.publicKey == b.publicKey
    }

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
        self.agreement = AgreementKey(key)
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
            let remote = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: remotePublicKey)
            let secret = try agreement.key.sharedSecretFromKeyAgreement(with: remote)
            return secret.withUnsafeBytes { Array($0) }
        } catch {
            throw NoiseError(.invalidKey, "X25519 refused the public key: \(error)")
        }
    }
}
