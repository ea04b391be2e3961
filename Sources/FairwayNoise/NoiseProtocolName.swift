/// A Noise protocol name, section 8: `Noise_<pattern>_<dh>_<cipher>_<hash>`, e.g.
/// `Noise_XXpsk3_25519_ChaChaPoly_SHA256`.
///
/// Invariants: parsing succeeds for any name of that shape (`invalidProtocolName` otherwise);
/// `handshakePattern()` succeeds only for what this module implements — DH `25519`, cipher
/// `ChaChaPoly`, hash `SHA256`, the patterns of sections 7.4-7.6 with optional `pskN` modifiers — and
/// throws `unsupportedProtocol` naming the part that is not implemented.
public struct NoiseProtocolName: Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    public let dh: String
    public let cipher: String
    public let hash: String

    public init(parsing name: String) throws {
        let parts = name.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "Noise", parts.dropFirst().allSatisfy({ !$0.isEmpty }) else {
            throw NoiseError(.invalidProtocolName, "\(name) is not of the form Noise_<pattern>_<dh>_<cipher>_<hash>")
        }
        pattern = String(parts[1])
        dh = String(parts[2])
        cipher = String(parts[3])
        hash = String(parts[4])
    }

    public var description: String { "Noise_\(pattern)_\(dh)_\(cipher)_\(hash)" }

    /// The handshake pattern, if this module implements the whole protocol.
    public func handshakePattern() throws -> HandshakePattern {
        guard dh == "25519" else { throw NoiseError(.unsupportedProtocol, "DH function \(dh) is not implemented (only 25519)") }
        guard cipher == "ChaChaPoly" else { throw NoiseError(.unsupportedProtocol, "cipher \(cipher) is not implemented (only ChaChaPoly)") }
        guard hash == "SHA256" else { throw NoiseError(.unsupportedProtocol, "hash \(hash) is not implemented (only SHA256)") }
        return try HandshakePattern.named(pattern)
    }

    /// True if `handshakePattern()` would succeed.
    public var isImplemented: Bool { (try? handshakePattern()) != nil }
}
