import FairwayCore
import FairwayNoise
import Foundation
import SwiftProtobuf

/// A session peer as the handshake proved it: the Ed25519 identity key that signed the peer's
/// X25519 static key, and its address.
public struct PeerIdentity: Sendable, Hashable {
    /// Raw Ed25519 public key, 32 bytes.
    public let publicKey: [UInt8]
    /// `NodeAddress.of(publicKey:)`.
    public let nodeID: NodeID

    public init(publicKey: [UInt8]) {
        self.publicKey = publicKey
        self.nodeID = NodeAddress.of(publicKey: publicKey)
    }
}

/// This node's side of a session handshake: its Ed25519 identity, an X25519 static key made
/// for this process (never stored: the binding, not the key, carries the identity), and the
/// encrypted-payload binding of the two, signed once.
public struct SessionIdentity: Sendable {
    public let key: NodeKey
    public let staticKey: NoiseKeyPair
    /// The encoded `IdentityBinding` sent in the handshake payload.
    public let binding: [UInt8]

    public init(_ key: NodeKey, staticKey: NoiseKeyPair = .generate()) {
        self.key = key
        self.staticKey = staticKey
        self.binding = IdentityBinding.encode(key: key, staticPublicKey: staticKey.publicKey)
    }

    /// An identity with a binding of the caller's choice: for tests of peers whose binding
    /// does not match their static key.
    public init(_ key: NodeKey, staticKey: NoiseKeyPair, binding: [UInt8]) {
        self.key = key
        self.staticKey = staticKey
        self.binding = binding
    }
}

/// The libp2p-style binding of an Ed25519 identity to a Noise static key: the identity key
/// signs "fairway-noise-static-key:" followed by the 32-byte X25519 static public key.
public enum IdentityBinding {
    /// Domain tag of the binding signature.
    public static let tag: [UInt8] = Array("fairway-noise-static-key:".utf8)

    /// The handshake payload binding `key` to `staticPublicKey`.
    public static func encode(key: NodeKey, staticPublicKey: [UInt8]) -> [UInt8] {
        var b = Fairway_V1_IdentityBinding()
        b.identityKey = Data(key.publicKey)
        b.identitySig = Data(key.sign(tag + staticPublicKey))
        return try! b.serializedBytes()
    }

    /// Checks that `payload` binds an identity to `remoteStatic`, the static key the handshake
    /// delivered, and returns that identity.
    /// - Throws: `.unauthenticated` naming the field when the payload is not a binding, the
    ///   key is not 32 bytes or the signature does not verify for this static key.
    public static func verify(_ payload: [UInt8], remoteStatic: [UInt8], field: String) throws(FairwayError) -> PeerIdentity {
        let b: Fairway_V1_IdentityBinding
        do { b = try Fairway_V1_IdentityBinding(serializedBytes: payload) } catch {
            throw FairwayError(.unauthenticated, "handshake payload is not an IdentityBinding", field: field)
        }
        guard b.identityKey.count == NodeKey.publicKeyLength else {
            throw FairwayError(.unauthenticated, "identity key must be \(NodeKey.publicKeyLength) bytes, got \(b.identityKey.count)", field: field + ".identity_key")
        }
        let key = [UInt8](b.identityKey)
        guard NodeKey.isValid(signature: [UInt8](b.identitySig), over: tag + remoteStatic, publicKey: key) else {
            throw FairwayError(.unauthenticated, "identity signature of \(NodeAddress.of(publicKey: key)) does not bind the static key this handshake carried",
                               field: field + ".identity_sig", peer: NodeAddress.of(publicKey: key).rawValue)
        }
        return PeerIdentity(publicKey: key)
    }
}
