/// The HandshakeState object of the Noise specification, section 5.3: a SymmetricState, the
/// local static and ephemeral key pairs (`s`, `e`), the remote public keys (`rs`, `re`), the
/// role and the remaining message patterns — plus the psks of section 9.
///
/// Usage: both parties build one with the same protocol name and prologue, then alternate
/// `writeMessage` / `readMessage` (the initiator writes message 0). When `isComplete`,
/// `split()` gives the transport CipherStates for this role.
///
/// Invariants:
/// - A method that throws leaves the value unchanged (each step works on a copy that is
///   committed only on success). A caller should still abandon a handshake after a failure
///   (section 5.3: any error aborts the handshake).
/// - No handshake message longer than 65535 bytes is written or read (`messageTooLarge`).
/// - Each party's ephemeral key is generated fresh at its `e` token unless one was injected
///   at initialisation (test vectors only: reusing an ephemeral key destroys the security
///   of the handshake).
/// - In psk mode every `e` token is followed by MixKey(e.public_key) (section 9.2) and psks
///   are consumed in order, one per `psk` token.
public struct HandshakeState: Sendable {
    public enum Role: String, Sendable, Equatable {
        case initiator, responder
    }

    public let protocolName: NoiseProtocolName
    public let pattern: HandshakePattern
    public let role: Role

    private var symmetric: SymmetricState
    private let localStatic: NoiseKeyPair?
    private var localEphemeral: NoiseKeyPair?
    private let injectedEphemeral: NoiseKeyPair?
    private let psks: [[UInt8]]
    private var pskIndex = 0

    /// The peer's static public key: known from the start (pre-message, e.g. IK/NK for the
    /// initiator) or learned from its `s` token. Nil until then.
    public private(set) var remoteStaticPublicKey: [UInt8]?
    /// The peer's ephemeral public key once received.
    public private(set) var remoteEphemeralPublicKey: [UInt8]?
    /// Index of the next handshake message (0-based); equals `pattern.messages.count` when
    /// complete.
    public private(set) var messageIndex = 0

    /// Initialize() of section 5.3 for the protocol `protocolName`.
    ///
    /// - Parameters:
    ///   - prologue: bytes both parties must agree on (MixHash'ed first); a mismatch makes
    ///     the first encrypted handshake payload fail to decrypt.
    ///   - staticKey: this party's static key pair; required if the pattern uses it.
    ///   - remoteStaticKey: the peer's 32-byte static public key, required when the pattern
    ///     has it as a pre-message (IK, NK, … for the initiator; K* for the responder), and
    ///     refused (`invalidKey`) when the pattern transmits it instead.
    ///   - psks: 32-byte pre-shared keys, exactly one per `psk` token, in order.
    ///   - ephemeral: a fixed ephemeral key pair (test vectors); nil = fresh random key.
    public init(protocolName name: String, role: Role, prologue: [UInt8] = [], staticKey: NoiseKeyPair? = nil,
                remoteStaticKey: [UInt8]? = nil, psks: [[UInt8]] = [], ephemeral: NoiseKeyPair? = nil) throws {
        protocolName = try NoiseProtocolName(parsing: name)
        pattern = try protocolName.handshakePattern()
        self.role = role
        let needsStatic = role == .initiator ? pattern.initiatorNeedsStatic : pattern.responderNeedsStatic
        if needsStatic && staticKey == nil {
            throw NoiseError(.missingKey, "\(pattern.name) needs the \(role.rawValue)'s static key pair")
        }
        let remotePre = role == .initiator ? pattern.responderPreMessage : pattern.initiatorPreMessage
        if remotePre.contains(.s) && remoteStaticKey == nil {
            throw NoiseError(.missingKey, "\(pattern.name) needs the \(role.rawValue) to know the peer's static public key")
        }
        if remoteStaticKey != nil && !remotePre.contains(.s) {
            throw NoiseError(.invalidKey, "\(pattern.name) transmits the peer's static key in the handshake; compare remoteStaticPublicKey after reading it instead of passing it in advance")
        }
        if let remoteStaticKey, remoteStaticKey.count != Noise.dhLength {
            throw NoiseError(.invalidKey, "remote static public key must be \(Noise.dhLength) bytes (got \(remoteStaticKey.count))")
        }
        guard psks.count == pattern.pskCount else {
            throw NoiseError(.missingKey, "\(pattern.name) needs \(pattern.pskCount) psk(s) (got \(psks.count))")
        }
        for (i, psk) in psks.enumerated() where psk.count != 32 {
            throw NoiseError(.invalidKey, "psk \(i) must be 32 bytes (got \(psk.count))")
        }
        localStatic = staticKey
        injectedEphemeral = ephemeral
        remoteStaticPublicKey = remoteStaticKey
        self.psks = psks

        symmetric = SymmetricState(protocolName: name)
        symmetric.mixHash(prologue)
        // Pre-messages: the initiator's first, then the responder's (section 7.1).
        for (owner, tokens) in [(Role.initiator, pattern.initiatorPreMessage), (Role.responder, pattern.responderPreMessage)] {
            for token in tokens {
                let local = owner == role
                switch token {
                case .s:
                    symmetric.mixHash(local ? localStatic!.publicKey : remoteStaticPublicKey!)
                default:
                    // The patterns of sections 7.4-7.6 have only `s` pre-messages.
                    throw NoiseError(.unsupportedProtocol, "pre-message token \(token.rawValue) is not implemented")
                }
            }
        }
    }

    /// Initiator of `protocolName`; see `init(protocolName:role:…)`.
    public static func initiator(_ protocolName: String, prologue: [UInt8] = [], staticKey: NoiseKeyPair? = nil,
                                 remoteStaticKey: [UInt8]? = nil, psks: [[UInt8]] = [], ephemeral: NoiseKeyPair? = nil) throws -> HandshakeState {
        try HandshakeState(protocolName: protocolName, role: .initiator, prologue: prologue, staticKey: staticKey,
                           remoteStaticKey: remoteStaticKey, psks: psks, ephemeral: ephemeral)
    }

    /// Responder of `protocolName`; see `init(protocolName:role:…)`.
    public static func responder(_ protocolName: String, prologue: [UInt8] = [], staticKey: NoiseKeyPair? = nil,
                                 remoteStaticKey: [UInt8]? = nil, psks: [[UInt8]] = [], ephemeral: NoiseKeyPair? = nil) throws -> HandshakeState {
        try HandshakeState(protocolName: protocolName, role: .responder, prologue: prologue, staticKey: staticKey,
                           remoteStaticKey: remoteStaticKey, psks: psks, ephemeral: ephemeral)
    }

    /// True once every handshake message has been written or read.
    public var isComplete: Bool { messageIndex >= pattern.messages.count }

    /// True if the next handshake message is this party's to write.
    public var isMyTurn: Bool { !isComplete && (messageIndex % 2 == 0) == (role == .initiator) }

    /// The handshake hash `h` (section 11.2); after completion it identifies the session and
    /// is equal on both sides.
    public var handshakeHash: [UInt8] { symmetric.handshakeHash }

    /// This party's ephemeral public key, once its `e` token was processed.
    public var localEphemeralPublicKey: [UInt8]? { localEphemeral?.publicKey }

    /// WriteMessage(payload) of section 5.3: the next handshake message carrying `payload`.
    public mutating func writeMessage(_ payload: [UInt8] = []) throws -> [UInt8] {
        try checkTurn(writing: true)
        var next = self
        var out: [UInt8] = []
        for token in pattern.messages[messageIndex] {
            switch token {
            case .e:
                let e = injectedEphemeral ?? NoiseKeyPair.generate()
                next.localEphemeral = e
                out += e.publicKey
                next.symmetric.mixHash(e.publicKey)
                if pattern.isPSK { next.symmetric.mixKey(e.publicKey) }
            case .s:
                guard let s = localStatic else { throw NoiseError(.missingKey, "token s: no local static key") }
                out += try next.symmetric.encryptAndHash(s.publicKey)
            default:
                try next.mix(token)
            }
        }
        out += try next.symmetric.encryptAndHash(payload)
        guard out.count <= Noise.maxMessageLength else {
            throw NoiseError(.messageTooLarge, "handshake message \(messageIndex) would be \(out.count) bytes (max \(Noise.maxMessageLength))")
        }
        next.messageIndex += 1
        self = next
        return out
    }

    /// ReadMessage(message) of section 5.3: processes the peer's next handshake message and
    /// returns its payload.
    public mutating func readMessage(_ message: [UInt8]) throws -> [UInt8] {
        try checkTurn(writing: false)
        guard message.count <= Noise.maxMessageLength else {
            throw NoiseError(.messageTooLarge, "handshake message \(messageIndex) is \(message.count) bytes (max \(Noise.maxMessageLength))")
        }
        var next = self
        var rest = message[...]
        func take(_ count: Int, _ what: String) throws -> [UInt8] {
            guard rest.count >= count else {
                throw NoiseError(.messageTooShort, "handshake message \(messageIndex): \(what) needs \(count) bytes, \(rest.count) left")
            }
            defer { rest = rest.dropFirst(count) }
            return Array(rest.prefix(count))
        }
        for token in pattern.messages[messageIndex] {
            switch token {
            case .e:
                let re = try take(Noise.dhLength, "token e")
                next.remoteEphemeralPublicKey = re
                next.symmetric.mixHash(re)
                if pattern.isPSK { next.symmetric.mixKey(re) }
            case .s:
                let length = next.symmetric.cipherState.hasKey ? Noise.dhLength + Noise.tagLength : Noise.dhLength
                let encrypted = try take(length, "token s")
                do {
                    next.remoteStaticPublicKey = try next.symmetric.decryptAndHash(encrypted)
                } catch let error as NoiseError {
                    throw NoiseError(error.code, "handshake message \(messageIndex), token s: \(error.context)")
                }
            default:
                try next.mix(token)
            }
        }
        let payload: [UInt8]
        do {
            payload = try next.symmetric.decryptAndHash(Array(rest))
        } catch let error as NoiseError {
            throw NoiseError(error.code, "handshake message \(messageIndex), payload: \(error.context)")
        }
        next.messageIndex += 1
        self = next
        return payload
    }

    /// Split() of section 5.2 once the handshake is complete: `send` encrypts this party's
    /// messages, `receive` decrypts the peer's (initiator: first/second CipherState;
    /// responder: second/first). In a one-way pattern only the initiator's `send` and the
    /// responder's `receive` are meaningful.
    public func split() throws -> (send: CipherState, receive: CipherState) {
        guard isComplete else {
            throw NoiseError(.handshakeIncomplete, "split() before the last handshake message (\(messageIndex) of \(pattern.messages.count) done)")
        }
        let (c1, c2) = symmetric.split()
        return role == .initiator ? (send: c1, receive: c2) : (send: c2, receive: c1)
    }

    // MARK: -

    private func checkTurn(writing: Bool) throws {
        guard !isComplete else {
            throw NoiseError(.handshakeComplete, "all \(pattern.messages.count) handshake messages are done; use split()")
        }
        guard isMyTurn == writing else {
            throw NoiseError(.notYourTurn, "handshake message \(messageIndex) is the \(isMyTurn ? "\(role.rawValue)'s to write" : "peer's to write"), not \(writing ? "writable" : "readable") by the \(role.rawValue)")
        }
    }

    /// The DH tokens (section 5.3) and `psk` (section 9.2).
    private mutating func mix(_ token: HandshakePattern.Token) throws {
        func need<T>(_ value: T?, _ what: String) throws -> T {
            guard let value else { throw NoiseError(.missingKey, "token \(token.rawValue) needs \(what)") }
            return value
        }
        let initiator = role == .initiator
        switch token {
        case .ee:
            symmetric.mixKey(try need(localEphemeral, "the local ephemeral key").dh(try need(remoteEphemeralPublicKey, "the remote ephemeral key")))
        case .es:
            if initiator {
                symmetric.mixKey(try need(localEphemeral, "the local ephemeral key").dh(try need(remoteStaticPublicKey, "the remote static key")))
            } else {
                symmetric.mixKey(try need(localStatic, "the local static key").dh(try need(remoteEphemeralPublicKey, "the remote ephemeral key")))
            }
        case .se:
            if initiator {
                symmetric.mixKey(try need(localStatic, "the local static key").dh(try need(remoteEphemeralPublicKey, "the remote ephemeral key")))
            } else {
                symmetric.mixKey(try need(localEphemeral, "the local ephemeral key").dh(try need(remoteStaticPublicKey, "the remote static key")))
            }
        case .ss:
            symmetric.mixKey(try need(localStatic, "the local static key").dh(try need(remoteStaticPublicKey, "the remote static key")))
        case .psk:
            guard pskIndex < psks.count else { throw NoiseError(.missingKey, "token psk: no psk left") }
            symmetric.mixKeyAndHash(psks[pskIndex])
            pskIndex += 1
        case .e, .s:
            preconditionFailure("e and s are handled by writeMessage/readMessage")
        }
    }
}
