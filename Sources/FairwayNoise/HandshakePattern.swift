/// A handshake pattern of the Noise specification, section 7: pre-message patterns and a
/// sequence of message patterns made of tokens.
///
/// Invariants: message patterns alternate between the parties starting with the initiator
/// (message `i` is sent by the initiator when `i` is even); pre-messages contain only `e` and
/// `s`; the patterns here are the one-way, interactive and deferred patterns of sections
/// 7.4, 7.5 and 7.6 (`N`, `K`, `X`, `NN` … `IX`, `NK1` … `I1X1`), optionally with the `pskN`
/// modifiers of section
/// 9.4 (`psk0` puts a psk token at the start of the first message, `pskN` for N ≥ 1 at the end
/// of message N), e.g. `XXpsk3`, `NNpsk0+psk2`.
public struct HandshakePattern: Sendable, Equatable {
    /// A token of a message pattern (section 7.1).
    public enum Token: String, Sendable, Equatable {
        case e, s, ee, es, se, ss, psk
    }

    /// The full pattern name, modifiers included, e.g. `XXpsk3`.
    public let name: String
    /// Tokens the initiator "sent" before the handshake (the responder knows them).
    public let initiatorPreMessage: [Token]
    /// Tokens the responder "sent" before the handshake (the initiator knows them), e.g. `s`
    /// in IK and NK.
    public let responderPreMessage: [Token]
    /// The handshake messages, in order.
    public let messages: [[Token]]

    public init(name: String, initiatorPreMessage: [Token] = [], responderPreMessage: [Token] = [], messages: [[Token]]) {
        self.name = name
        self.initiatorPreMessage = initiatorPreMessage
        self.responderPreMessage = responderPreMessage
        self.messages = messages
    }

    /// True if the pattern contains a psk token (psk mode, section 9.2: every `e` token,
    /// pre-message ones included, is followed by MixKey(e.public_key)).
    public var isPSK: Bool { messages.contains { $0.contains(.psk) } }

    /// Number of psk tokens, i.e. of pre-shared keys each party must supply.
    public var pskCount: Int { messages.reduce(0) { $0 + $1.filter { $0 == .psk }.count } }

    /// One-way patterns (N, K, X) have a single message; after Split only the first
    /// CipherState is used (section 7.4).
    public var isOneWay: Bool { messages.count == 1 }

    /// True if the initiator needs its own static key pair.
    public var initiatorNeedsStatic: Bool {
        initiatorPreMessage.contains(.s) || messages.enumerated().contains { i, m in
            (i % 2 == 0 && m.contains(.s)) || m.contains(.se) || m.contains(.ss)
        }
    }

    /// True if the responder needs its own static key pair.
    public var responderNeedsStatic: Bool {
        responderPreMessage.contains(.s) || messages.enumerated().contains { i, m in
            (i % 2 == 1 && m.contains(.s)) || m.contains(.es) || m.contains(.ss)
        }
    }

    /// The pattern named `name` (base pattern plus optional `psk` modifiers joined by `+`), or
    /// an `unsupportedProtocol` error naming what is not implemented.
    public static func named(_ name: String) throws -> HandshakePattern {
        let baseName: Substring
        var modifiers: [Substring] = []
        if let range = name.range(of: "psk") {
            baseName = name[..<range.lowerBound]
            modifiers = name[range.lowerBound...].split(separator: "+", omittingEmptySubsequences: false)
        } else {
            baseName = Substring(name)
        }
        guard let base = fundamental[String(baseName)] else {
            throw NoiseError(.unsupportedProtocol, "handshake pattern \(baseName.isEmpty ? "(empty)" : String(baseName)) is not implemented (implemented: \(fundamental.keys.sorted().joined(separator: ", ")))")
        }
        var messages = base.messages
        var seen = Set<Int>()
        for modifier in modifiers {
            guard modifier.hasPrefix("psk"), let n = Int(modifier.dropFirst(3)), String(n) == modifier.dropFirst(3), n >= 0 else {
                throw NoiseError(.unsupportedProtocol, "pattern modifier \(modifier) in \(name) is not implemented (only pskN)")
            }
            guard n <= messages.count else {
                throw NoiseError(.unsupportedProtocol, "modifier \(modifier): \(baseName) has only \(messages.count) messages")
            }
            guard seen.insert(n).inserted else {
                throw NoiseError(.unsupportedProtocol, "modifier \(modifier) repeated in \(name)")
            }
            if n == 0 {
                messages[0].insert(.psk, at: 0)
            } else {
                messages[n - 1].append(.psk)
            }
        }
        return HandshakePattern(name: name, initiatorPreMessage: base.initiatorPreMessage,
                                responderPreMessage: base.responderPreMessage, messages: messages)
    }

    /// The patterns of sections 7.4 (one-way), 7.5 (interactive) and 7.6 (deferred).
    public static let fundamental: [String: HandshakePattern] = {
        func p(_ name: String, _ ipre: [Token], _ rpre: [Token], _ messages: [[Token]]) -> (String, HandshakePattern) {
            (name, HandshakePattern(name: name, initiatorPreMessage: ipre, responderPreMessage: rpre, messages: messages))
        }
        return Dictionary(uniqueKeysWithValues: [
            p("N", [], [.s], [[.e, .es]]),
            p("K", [.s], [.s], [[.e, .es, .ss]]),
            p("X", [], [.s], [[.e, .es, .s, .ss]]),
            p("NN", [], [], [[.e], [.e, .ee]]),
            p("NK", [], [.s], [[.e, .es], [.e, .ee]]),
            p("NX", [], [], [[.e], [.e, .ee, .s, .es]]),
            p("KN", [.s], [], [[.e], [.e, .ee, .se]]),
            p("KK", [.s], [.s], [[.e, .es, .ss], [.e, .ee, .se]]),
            p("KX", [.s], [], [[.e], [.e, .ee, .se, .s, .es]]),
            p("XN", [], [], [[.e], [.e, .ee], [.s, .se]]),
            p("XK", [], [.s], [[.e, .es], [.e, .ee], [.s, .se]]),
            p("XX", [], [], [[.e], [.e, .ee, .s, .es], [.s, .se]]),
            p("IN", [], [], [[.e, .s], [.e, .ee, .se]]),
            p("IK", [], [.s], [[.e, .es, .s, .ss], [.e, .ee, .se]]),
            p("IX", [], [], [[.e, .s], [.e, .ee, .se, .s, .es]]),
            // Deferred patterns, section 7.6.
            p("NK1", [], [.s], [[.e], [.e, .ee, .es]]),
            p("NX1", [], [], [[.e], [.e, .ee, .s], [.es]]),
            p("X1N", [], [], [[.e], [.e, .ee], [.s], [.se]]),
            p("X1K", [], [.s], [[.e, .es], [.e, .ee], [.s], [.se]]),
            p("XK1", [], [.s], [[.e], [.e, .ee, .es], [.s, .se]]),
            p("X1K1", [], [.s], [[.e], [.e, .ee, .es], [.s], [.se]]),
            p("X1X", [], [], [[.e], [.e, .ee, .s, .es], [.s], [.se]]),
            p("XX1", [], [], [[.e], [.e, .ee, .s], [.es, .s, .se]]),
            p("X1X1", [], [], [[.e], [.e, .ee, .s], [.es, .s], [.se]]),
            p("K1N", [.s], [], [[.e], [.e, .ee], [.se]]),
            p("K1K", [.s], [.s], [[.e, .es], [.e, .ee], [.se]]),
            p("KK1", [.s], [.s], [[.e], [.e, .ee, .se, .es]]),
            p("K1K1", [.s], [.s], [[.e], [.e, .ee, .es], [.se]]),
            p("K1X", [.s], [], [[.e], [.e, .ee, .s, .es], [.se]]),
            p("KX1", [.s], [], [[.e], [.e, .ee, .se, .s], [.es]]),
            p("K1X1", [.s], [], [[.e], [.e, .ee, .s], [.se, .es]]),
            p("I1N", [], [], [[.e, .s], [.e, .ee], [.se]]),
            p("I1K", [], [.s], [[.e, .es, .s], [.e, .ee], [.se]]),
            p("IK1", [], [.s], [[.e, .s], [.e, .ee, .se, .es]]),
            p("I1K1", [], [.s], [[.e, .s], [.e, .ee, .es], [.se]]),
            p("I1X", [], [], [[.e, .s], [.e, .ee, .s, .es], [.se]]),
            p("IX1", [], [], [[.e, .s], [.e, .ee, .se, .s], [.es]]),
            p("I1X1", [], [], [[.e, .s], [.e, .ee, .s], [.se, .es]]),
        ])
    }()
}
