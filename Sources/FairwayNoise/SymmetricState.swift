import Crypto

/// The SymmetricState object of the Noise specification, section 5.2, with SHA-256: a
/// CipherState, the chaining key `ck` and the handshake hash `h` (both HASHLEN = 32 bytes).
///
/// Invariants: `h` commits to the protocol name, the prologue and every handshake byte sent
/// or received so far (MixHash); `ck` accumulates every DH output and psk (MixKey,
/// MixKeyAndHash); encryption during the handshake uses `h` as associated data.
public struct SymmetricState: Sendable, Equatable {
    public private(set) var cipherState: CipherState
    public private(set) var chainingKey: [UInt8]
    public private(set) var handshakeHash: [UInt8]

    /// InitializeSymmetric(protocol_name): `h` is the name padded with zeros to 32 bytes if it
    /// fits, else SHA-256(name); `ck` = `h`; no cipher key.
    public init(protocolName: String) {
        let name = Array(protocolName.utf8)
        if name.count <= Noise.hashLength {
            handshakeHash = name + [UInt8](repeating: 0, count: Noise.hashLength - name.count)
        } else {
            handshakeHash = Array(SHA256.hash(data: name))
        }
        chainingKey = handshakeHash
        cipherState = CipherState()
    }

    /// MixKey(input_key_material): `ck`, temp_k = HKDF(ck, ikm, 2); the cipher key becomes
    /// temp_k (HASHLEN is 32, no truncation) with nonce 0.
    public mutating func mixKey(_ inputKeyMaterial: [UInt8]) {
        let out = NoiseHKDF.derive(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial, outputs: 2)
        chainingKey = out[0]
        cipherState = CipherState(key: out[1])
    }

    /// MixHash(data): `h` = SHA-256(h || data).
    public mutating func mixHash(_ data: [UInt8]) {
        handshakeHash = Array(SHA256.hash(data: handshakeHash + data))
    }

    /// MixKeyAndHash(input_key_material), used for psks: `ck`, temp_h, temp_k =
    /// HKDF(ck, ikm, 3); MixHash(temp_h); the cipher key becomes temp_k.
    public mutating func mixKeyAndHash(_ inputKeyMaterial: [UInt8]) {
        let out = NoiseHKDF.derive(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial, outputs: 3)
        chainingKey = out[0]
        mixHash(out[1])
        cipherState = CipherState(key: out[2])
    }

    /// EncryptAndHash(plaintext): encrypt with `h` as associated data (identity without a
    /// key), then MixHash(ciphertext).
    public mutating func encryptAndHash(_ plaintext: [UInt8]) throws -> [UInt8] {
        let ciphertext = try cipherState.encrypt(ad: handshakeHash, plaintext: plaintext)
        mixHash(ciphertext)
        return ciphertext
    }

    /// DecryptAndHash(ciphertext): decrypt with `h` as associated data, then
    /// MixHash(ciphertext). On failure the state is unchanged.
    public mutating func decryptAndHash(_ ciphertext: [UInt8]) throws -> [UInt8] {
        let plaintext = try cipherState.decrypt(ad: handshakeHash, ciphertext: ciphertext)
        mixHash(ciphertext)
        return plaintext
    }

    /// Split(): temp_k1, temp_k2 = HKDF(ck, zerolen, 2); two CipherStates keyed with them,
    /// nonce 0. The first encrypts initiator to responder, the second responder to initiator.
    public func split() -> (CipherState, CipherState) {
        let out = NoiseHKDF.derive(chainingKey: chainingKey, inputKeyMaterial: [], outputs: 2)
        return (CipherState(key: out[0]), CipherState(key: out[1]))
    }
}
