/// Sizes fixed by the suite this module implements (25519, ChaChaPoly, SHA256) and by the
/// Noise specification, revision 34.
public enum Noise {
    /// Largest Noise message, handshake or transport, in bytes (specification section 3).
    public static let maxMessageLength = 65535
    /// DHLEN for X25519 (section 12.1).
    public static let dhLength = 32
    /// HASHLEN for SHA-256 (section 12.5).
    public static let hashLength = 32
    /// Cipher key length (section 4.2: always 32).
    public static let keyLength = 32
    /// ChaCha20-Poly1305 authentication tag length.
    public static let tagLength = 16
    /// Largest plaintext of one transport message: 65535 - 16.
    public static let maxPlaintextLength = maxMessageLength - tagLength
}
