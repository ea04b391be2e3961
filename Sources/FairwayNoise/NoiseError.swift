/// Why a Noise operation was refused: a stable machine-readable `code` and a human-readable
/// `context` saying where (which token, message, field or limit).
///
/// Invariant: every refusal of this module is a `NoiseError`; no operation that throws leaves
/// a half-updated value behind when the caller keeps the value it called on (the methods are
/// `mutating` on structs and only assign their result on success, except where documented).
public struct NoiseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of refusal. Raw values are stable strings for logs and JSON.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// AEAD authentication failed: tampered ciphertext, wrong key, wrong nonce, wrong
        /// associated data (which in a handshake includes a different prologue).
        case decryptionFailed = "decryption-failed"
        /// The nonce reached 2^64-1 (reserved by the specification, section 5.1): the
        /// CipherState can no longer encrypt or decrypt.
        case nonceExhausted = "nonce-exhausted"
        /// A Noise message would exceed 65535 bytes (specification section 3).
        case messageTooLarge = "message-too-large"
        /// A handshake message is shorter than its tokens require.
        case messageTooShort = "message-too-short"
        /// A key has the wrong length or is otherwise unusable (e.g. an X25519 result the
        /// primitive refuses).
        case invalidKey = "invalid-key"
        /// The pattern needs a key (local static, remote static, psk) that was not supplied.
        case missingKey = "missing-key"
        /// The protocol name is not of the form `Noise_<pattern>_<dh>_<cipher>_<hash>`.
        case invalidProtocolName = "invalid-protocol-name"
        /// The protocol name is well formed but names a pattern, modifier or primitive this
        /// module does not implement.
        case unsupportedProtocol = "unsupported-protocol"
        /// writeMessage/readMessage called when it is the other party's turn.
        case notYourTurn = "not-your-turn"
        /// writeMessage/readMessage called after the last handshake message.
        case handshakeComplete = "handshake-complete"
        /// split() called before the last handshake message.
        case handshakeIncomplete = "handshake-incomplete"
    }

    public var code: Code
    public var context: String

    public init(_ code: Code, _ context: String) {
        self.code = code
        self.context = context
    }

    public var description: String { "noise \(code.rawValue): \(context)" }
}
