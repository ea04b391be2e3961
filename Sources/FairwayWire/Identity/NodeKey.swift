import Crypto
import FairwayCore
import Foundation

/// A node's Ed25519 key pair and the address derived from it.
///
/// Every envelope a node sends is signed with its key (`WireCodec.encode(_:signedBy:)`);
/// its `nodeID` is `NodeAddress.of(publicKey:)`, so nobody can claim an id without the key.
public struct NodeKey: Sendable {
    /// Raw Ed25519 public key length, bytes.
    public static let publicKeyLength = 32
    /// Raw Ed25519 private key (seed) length, bytes.
    public static let privateKeyLength = 32
    /// Ed25519 signature length, bytes.
    public static let signatureLength = 64

    /// Immutable after init; Crypto's key types are not annotated `Sendable` on Linux.
    private final class Box: @unchecked Sendable {
        let key: Curve25519.Signing.PrivateKey
        init(_ key: Curve25519.Signing.PrivateKey) { self.key = key }
    }

    private let box: Box
    private var key: Curve25519.Signing.PrivateKey { box.key }
    /// The raw public key, 32 bytes.
    public let publicKey: [UInt8]
    /// The node's id: the address of `publicKey`.
    public let nodeID: NodeID

    /// A fresh random key.
    public init() {
        self.init(key: Curve25519.Signing.PrivateKey())
    }

    /// A key from its 32-byte raw private representation (the seed).
    /// - Throws: `FairwayError(.invalidField)` on a wrong length.
    public init(privateKey raw: [UInt8]) throws {
        guard raw.count == Self.privateKeyLength else {
            throw FairwayError(.invalidField, "an Ed25519 private key is \(Self.privateKeyLength) bytes, got \(raw.count)", field: "private_key")
        }
        self.init(key: try Curve25519.Signing.PrivateKey(rawRepresentation: raw))
    }

    private init(key: Curve25519.Signing.PrivateKey) {
        self.box = Box(key)
        self.publicKey = [UInt8](key.publicKey.rawRepresentation)
        self.nodeID = NodeAddress.of(publicKey: publicKey)
    }

    /// The raw private key, for the key file only.
    public var privateKeyBytes: [UInt8] { [UInt8](key.rawRepresentation) }

    /// Signs `message` (already domain-tagged by the caller).
    func sign(_ message: [UInt8]) -> [UInt8] {
        // Signing with a valid key cannot fail.
        [UInt8](try! key.signature(for: message))
    }

    /// Whether `signature` is `publicKey`'s signature over `message`.
    static func isValid(signature: [UInt8], over message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard publicKey.count == publicKeyLength, signature.count == signatureLength,
              let pk = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return pk.isValidSignature(signature, for: message)
    }
}
