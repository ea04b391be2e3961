/// One test vector in the cacophony format (the format of `noise-vectors.json`), and its
/// replay with both parties.
///
/// Message `i` is sent by the initiator when `i` is even, by the responder when odd (in a
/// one-way pattern every message is the initiator's); the first `pattern.messages.count`
/// are handshake messages, the rest transport messages through the CipherStates of Split().
public struct NoiseVector: Sendable, Equatable {
    /// The keys and prologue one party starts with.
    public struct Party: Sendable, Equatable {
        public var prologue: [UInt8]
        /// 32-byte X25519 private key of the static key pair, if the vector gives one.
        public var staticPrivateKey: [UInt8]?
        /// 32-byte X25519 private key to use as the ephemeral key.
        public var ephemeralPrivateKey: [UInt8]?
        /// The peer's static public key known in advance (pre-message).
        public var remoteStaticPublicKey: [UInt8]?
        public var psks: [[UInt8]]

        public init(prologue: [UInt8] = [], staticPrivateKey: [UInt8]? = nil, ephemeralPrivateKey: [UInt8]? = nil,
                    remoteStaticPublicKey: [UInt8]? = nil, psks: [[UInt8]] = []) {
            self.prologue = prologue
            self.staticPrivateKey = staticPrivateKey
            self.ephemeralPrivateKey = ephemeralPrivateKey
            self.remoteStaticPublicKey = remoteStaticPublicKey
            self.psks = psks
        }
    }

    public struct Message: Sendable, Equatable {
        public var payload: [UInt8]
        public var ciphertext: [UInt8]
        public init(payload: [UInt8], ciphertext: [UInt8]) {
            self.payload = payload
            self.ciphertext = ciphertext
        }
    }

    public var id: String
    public var protocolName: String
    public var initiator: Party
    public var responder: Party
    /// `h` after the last handshake message, when the vector gives it.
    public var handshakeHash: [UInt8]?
    public var messages: [Message]

    public init(id: String, protocolName: String, initiator: Party, responder: Party, handshakeHash: [UInt8]?, messages: [Message]) {
        self.id = id
        self.protocolName = protocolName
        self.initiator = initiator
        self.responder = responder
        self.handshakeHash = handshakeHash
        self.messages = messages
    }

    /// True if this module implements the vector's protocol.
    public var isImplemented: Bool {
        (try? NoiseProtocolName(parsing: protocolName))?.isImplemented ?? false
    }

    /// The party's HandshakeState for this vector (the remote static key is passed only when
    /// the pattern has it as a pre-message).
    public func handshakeState(_ role: HandshakeState.Role) throws -> HandshakeState {
        let pattern = try NoiseProtocolName(parsing: protocolName).handshakePattern()
        let party = role == .initiator ? initiator : responder
        let remotePre = role == .initiator ? pattern.responderPreMessage : pattern.initiatorPreMessage
        return try HandshakeState(
            protocolName: protocolName, role: role, prologue: party.prologue,
            staticKey: party.staticPrivateKey.map(NoiseKeyPair.init(privateKey:)),
            remoteStaticKey: remotePre.contains(.s) ? party.remoteStaticPublicKey : nil,
            psks: party.psks,
            ephemeral: party.ephemeralPrivateKey.map(NoiseKeyPair.init(privateKey:)))
    }

    /// Runs both parties through every message: each message written by its sender must equal
    /// the published ciphertext byte for byte, and the published ciphertext read by its
    /// receiver must give the payload; `h` must be equal on both sides (and to
    /// `handshakeHash` when given); each side must learn the other's static public key when
    /// the pattern transmits it. Returns the mismatches, empty when the vector passes.
    public func replay() -> [String] {
        var problems: [String] = []
        /// Runs one message, prefixing an error with the message it happened in.
        func step(_ i: Int, _ kind: String, _ body: () throws -> Void) throws {
            do {
                try body()
            } catch let error as NoiseError {
                throw NoiseError(error.code, "messages[\(i)] (\(kind)): \(error.context)")
            }
        }
        do {
            var initiatorState = try handshakeState(.initiator)
            var responderState = try handshakeState(.responder)
            let pattern = initiatorState.pattern
            let handshakeCount = pattern.messages.count
            guard messages.count >= handshakeCount else {
                return ["\(messages.count) messages, but \(pattern.name) has \(handshakeCount) handshake messages"]
            }
            for i in 0..<handshakeCount {
                let m = messages[i]
                try step(i, "handshake") {
                    let written = try i % 2 == 0 ? initiatorState.writeMessage(m.payload) : responderState.writeMessage(m.payload)
                    if written != m.ciphertext { problems.append("messages[\(i)]: written \(written.hex), published \(m.ciphertext.hex)") }
                    let read = try i % 2 == 0 ? responderState.readMessage(m.ciphertext) : initiatorState.readMessage(m.ciphertext)
                    if read != m.payload { problems.append("messages[\(i)]: read payload \(read.hex), published \(m.payload.hex)") }
                }
            }
            if initiatorState.handshakeHash != responderState.handshakeHash {
                problems.append("handshake hash differs between the parties")
            }
            if let handshakeHash, initiatorState.handshakeHash != handshakeHash {
                problems.append("handshake_hash: got \(initiatorState.handshakeHash.hex), published \(handshakeHash.hex)")
            }
            if let key = initiator.staticPrivateKey, pattern.initiatorNeedsStatic,
               responderState.remoteStaticPublicKey != (try NoiseKeyPair(privateKey: key)).publicKey {
                problems.append("responder did not learn the initiator's static public key")
            }
            if let key = responder.staticPrivateKey, pattern.responderNeedsStatic,
               initiatorState.remoteStaticPublicKey != (try NoiseKeyPair(privateKey: key)).publicKey {
                problems.append("initiator did not learn the responder's static public key")
            }
            var initiatorCiphers = try initiatorState.split()
            var responderCiphers = try responderState.split()
            for i in handshakeCount..<messages.count {
                let m = messages[i]
                let fromInitiator = pattern.isOneWay || i % 2 == 0
                try step(i, "transport") {
                    let written = try fromInitiator ? initiatorCiphers.send.encrypt(plaintext: m.payload)
                                                : responderCiphers.send.encrypt(plaintext: m.payload)
                    if written != m.ciphertext { problems.append("messages[\(i)] (transport): written \(written.hex), published \(m.ciphertext.hex)") }
                    let read = try fromInitiator ? responderCiphers.receive.decrypt(ciphertext: m.ciphertext)
                                             : initiatorCiphers.receive.decrypt(ciphertext: m.ciphertext)
                    if read != m.payload { problems.append("messages[\(i)] (transport): read payload \(read.hex), published \(m.payload.hex)") }
                }
            }
        } catch {
            problems.append("\(error)")
        }
        return problems
    }
}

extension [UInt8] {
    /// Lowercase hex.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
