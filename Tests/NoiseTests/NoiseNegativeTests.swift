@testable import FairwayNoise
import XCTest

/// Hostile and out-of-spec inputs: tampered messages, a wrong prologue, replayed or reordered
/// nonces, oversized messages, exhausted nonces, missing keys, wrong turns. Every refusal is a
/// `NoiseError` with a clear code, and a refused read leaves the state usable.
final class NoiseNegativeTests: XCTestCase {
    /// True if the payload of handshake message `i` is encrypted: some earlier-or-same token
    /// produced a key (a DH, a psk, or an `e` in psk mode).
    func payloadIsEncrypted(_ pattern: HandshakePattern, upTo i: Int) -> Bool {
        pattern.messages.prefix(i + 1).joined().contains { token in
            [.ee, .es, .se, .ss, .psk].contains(token) || (pattern.isPSK && token == .e)
        }
    }

    func expect(_ code: NoiseError.Code, _ what: String, _ body: () throws -> Any) {
        XCTAssertThrowsError(try body(), what) { error in
            XCTAssertEqual((error as? NoiseError)?.code, code, "\(what): \(error)")
        }
    }

    /// Flipping one bit of any byte of any encrypted message (handshake or transport) makes the
    /// receiver refuse it with `decryption-failed`, and the receiver then still accepts the
    /// genuine message.
    func testAFlippedBitInAnyEncryptedMessageFailsDecryption() throws {
        for v in try NoiseVectorTests.vectors() {
            var initiator = try v.handshakeState(.initiator)
            var responder = try v.handshakeState(.responder)
            let pattern = initiator.pattern
            for (i, m) in v.messages.prefix(pattern.messages.count).enumerated() {
                var receiver = i % 2 == 0 ? responder : initiator
                if payloadIsEncrypted(pattern, upTo: i) {
                    for byte in m.ciphertext.indices {
                        var tampered = m.ciphertext
                        tampered[byte] ^= 1 << UInt8(byte % 8)
                        expect(.decryptionFailed, "\(v.id) handshake message \(i) byte \(byte)") { try receiver.readMessage(tampered) }
                    }
                }
                XCTAssertEqual(try receiver.readMessage(m.ciphertext), m.payload, "\(v.id) message \(i) after refusals")
                if i % 2 == 0 {
                    _ = try initiator.writeMessage(m.payload)
                    responder = receiver
                } else {
                    _ = try responder.writeMessage(m.payload)
                    initiator = receiver
                }
            }
            var i2r = try initiator.split(), r2i = try responder.split()
            for (i, m) in v.messages.enumerated().dropFirst(pattern.messages.count) {
                for byte in m.ciphertext.indices {
                    var tampered = m.ciphertext
                    tampered[byte] ^= 1 << UInt8(byte % 8)
                    if i % 2 == 0 {
                        expect(.decryptionFailed, "\(v.id) transport \(i) byte \(byte)") { try r2i.receive.decrypt(ciphertext: tampered) }
                    } else {
                        expect(.decryptionFailed, "\(v.id) transport \(i) byte \(byte)") { try i2r.receive.decrypt(ciphertext: tampered) }
                    }
                }
                if i % 2 == 0 {
                    XCTAssertEqual(try r2i.receive.decrypt(ciphertext: m.ciphertext), m.payload, v.id)
                } else {
                    XCTAssertEqual(try i2r.receive.decrypt(ciphertext: m.ciphertext), m.payload, v.id)
                }
            }
        }
    }

    /// A different prologue on one side: no longer the published bytes, and the first encrypted
    /// handshake message is refused.
    func testAWrongPrologueFailsTheHandshake() throws {
        for v in try NoiseVectorTests.vectors() {
            var changed = v
            changed.responder.prologue += [0x21]
            XCTAssertFalse(changed.replay().isEmpty, v.id)
            var initiator = try changed.handshakeState(.initiator)
            var responder = try changed.handshakeState(.responder)
            var refused: NoiseError?
            for i in 0..<initiator.pattern.messages.count where refused == nil {
                do {
                    if i % 2 == 0 {
                        _ = try responder.readMessage(try initiator.writeMessage([1, 2, 3]))
                    } else {
                        _ = try initiator.readMessage(try responder.writeMessage([4, 5, 6]))
                    }
                } catch let error as NoiseError {
                    refused = error
                }
            }
            XCTAssertEqual(refused?.code, .decryptionFailed, v.id)
        }
    }

    func handshake(_ name: String) throws -> (initiator: HandshakeState, responder: HandshakeState) {
        let initiatorStatic = NoiseKeyPair.generate(), responderStatic = NoiseKeyPair.generate()
        let pattern = try HandshakePattern.named(try NoiseProtocolName(parsing: name).pattern)
        let psks = (0..<pattern.pskCount).map { i in [UInt8](repeating: UInt8(i + 7), count: 32) }
        var initiator = try HandshakeState.initiator(
            name, prologue: Array("fairway".utf8), staticKey: pattern.initiatorNeedsStatic ? initiatorStatic : nil,
            remoteStaticKey: pattern.responderPreMessage.contains(.s) ? responderStatic.publicKey : nil, psks: psks)
        var responder = try HandshakeState.responder(
            name, prologue: Array("fairway".utf8), staticKey: pattern.responderNeedsStatic ? responderStatic : nil,
            remoteStaticKey: pattern.initiatorPreMessage.contains(.s) ? initiatorStatic.publicKey : nil, psks: psks)
        for i in 0..<pattern.messages.count {
            if i % 2 == 0 {
                XCTAssertEqual(try responder.readMessage(try initiator.writeMessage([UInt8(i)])), [UInt8(i)], name)
            } else {
                XCTAssertEqual(try initiator.readMessage(try responder.writeMessage([UInt8(i)])), [UInt8(i)], name)
            }
        }
        XCTAssertTrue(initiator.isComplete && responder.isComplete, name)
        XCTAssertEqual(initiator.handshakeHash, responder.handshakeHash, name)
        if pattern.initiatorNeedsStatic { XCTAssertEqual(responder.remoteStaticPublicKey, initiatorStatic.publicKey, name) }
        if pattern.responderNeedsStatic { XCTAssertEqual(initiator.remoteStaticPublicKey, responderStatic.publicKey, name) }
        return (initiator, responder)
    }

    /// Fresh random ephemeral keys by default: every implemented pattern completes, two runs
    /// give different sessions, and transport works in both directions.
    func testRandomHandshakesOfEveryPatternInteroperate() throws {
        for base in HandshakePattern.fundamental.keys.sorted() where !base.isEmpty {
            for modifier in ["", "psk0", "psk1", "psk0+psk2"] {
                let pattern = base + modifier
                if modifier == "psk0+psk2" && base.count == 1 { continue }
                let name = "Noise_\(pattern)_25519_ChaChaPoly_SHA256"
                let first = try handshake(name), second = try handshake(name)
                XCTAssertNotEqual(first.initiator.handshakeHash, second.initiator.handshakeHash, name)
                var i = try first.initiator.split(), r = try first.responder.split()
                XCTAssertEqual(try r.receive.decrypt(ciphertext: i.send.encrypt(plaintext: [1, 2])), [1, 2], name)
                if !first.initiator.pattern.isOneWay {
                    XCTAssertEqual(try i.receive.decrypt(ciphertext: r.send.encrypt(plaintext: [3])), [3], name)
                }
            }
        }
    }

    /// The AEAD binds the explicit nonce: a message decrypts only under the counter it was
    /// sealed with, so a replay can only repeat a counter the caller has seen (its replay window
    /// detects that), and an old message cannot be relabelled with a fresh counter. With the
    /// implicit counter an out-of-order message is refused and the state is unchanged.
    func testReplayedOrReorderedNoncesAreDetectable() throws {
        let (initiator, responder) = try handshake("Noise_XX_25519_ChaChaPoly_SHA256")
        let send = try initiator.split().send
        var receive = try responder.split().receive
        let sealed5 = try send.encrypt(nonce: 5, ad: [9], plaintext: Array("five".utf8))
        XCTAssertEqual(try receive.decrypt(nonce: 5, ad: [9], ciphertext: sealed5), Array("five".utf8))
        expect(.decryptionFailed, "relabelled counter") { try receive.decrypt(nonce: 6, ad: [9], ciphertext: sealed5) }
        expect(.decryptionFailed, "other associated data") { try receive.decrypt(nonce: 5, ad: [8], ciphertext: sealed5) }
        // An exact replay authenticates again: the caller sees counter 5 a second time.
        var seen = Set<UInt64>([5])
        XCTAssertEqual(try receive.decrypt(nonce: 5, ad: [9], ciphertext: sealed5), Array("five".utf8))
        XCTAssertFalse(seen.insert(5).inserted, "the caller's record flags the replayed counter")
        XCTAssertEqual(receive.nonce, 0, "explicit nonces leave the implicit counter alone")
        expect(.nonceExhausted, "reserved nonce") { try send.encrypt(nonce: .max, plaintext: []) }
        expect(.missingKey, "no key") { try CipherState().encrypt(nonce: 1, plaintext: []) }

        var implicitSend = send
        let m0 = try implicitSend.encrypt(plaintext: [0]), m1 = try implicitSend.encrypt(plaintext: [1])
        expect(.decryptionFailed, "out of order") { try receive.decrypt(ciphertext: m1) }
        XCTAssertEqual(receive.nonce, 0)
        XCTAssertEqual(try receive.decrypt(ciphertext: m0), [0])
        expect(.decryptionFailed, "replayed") { try receive.decrypt(ciphertext: m0) }
        XCTAssertEqual(try receive.decrypt(ciphertext: m1), [1])
    }

    /// No Noise message above 65535 bytes is written or accepted, handshake or transport.
    func testMessagesAbove65535BytesAreRefused() throws {
        var (initiator, responder) = try handshake("Noise_XX_25519_ChaChaPoly_SHA256")
        var send = try initiator.split().send
        var receive = try responder.split().receive
        expect(.messageTooLarge, "plaintext 65520") { try send.encrypt(plaintext: [UInt8](repeating: 0, count: 65520)) }
        XCTAssertEqual(send.nonce, 0)
        let largest = try send.encrypt(plaintext: [UInt8](repeating: 7, count: Noise.maxPlaintextLength))
        XCTAssertEqual(largest.count, 65535)
        XCTAssertEqual(try receive.decrypt(ciphertext: largest).count, Noise.maxPlaintextLength)
        expect(.messageTooLarge, "ciphertext 65536") { try receive.decrypt(ciphertext: [UInt8](repeating: 0, count: 65536)) }
        expect(.messageTooLarge, "explicit nonce") { try send.encrypt(nonce: 3, plaintext: [UInt8](repeating: 0, count: 65520)) }

        initiator = try HandshakeState.initiator("Noise_XX_25519_ChaChaPoly_SHA256", staticKey: .generate())
        responder = try HandshakeState.responder("Noise_XX_25519_ChaChaPoly_SHA256", staticKey: .generate())
        expect(.messageTooLarge, "handshake payload") { try initiator.writeMessage([UInt8](repeating: 0, count: 65535 - 31)) }
        expect(.messageTooLarge, "handshake read") { try responder.readMessage([UInt8](repeating: 0, count: 65536)) }
        let first = try initiator.writeMessage([UInt8](repeating: 1, count: 65535 - 32))
        XCTAssertEqual(first.count, 65535)
        XCTAssertEqual(try responder.readMessage(first).count, 65535 - 32)
    }

    func testNonceExhaustionAndRekey() throws {
        let (initiator, responder) = try handshake("Noise_NN_25519_ChaChaPoly_SHA256")
        var send = try initiator.split().send
        var receive = try responder.split().receive
        send.setNonce(.max - 1)
        receive.setNonce(.max - 1)
        XCTAssertEqual(try receive.decrypt(ciphertext: send.encrypt(plaintext: [1])), [1])
        XCTAssertEqual(send.nonce, .max)
        expect(.nonceExhausted, "encrypt at 2^64-1") { try send.encrypt(plaintext: [2]) }
        expect(.nonceExhausted, "decrypt at 2^64-1") { try receive.decrypt(ciphertext: [UInt8](repeating: 0, count: 17)) }

        // Rekey(): k = first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes); n unchanged.
        var a = try initiator.split().send, b = try responder.split().receive
        let before = try XCTUnwrap(a.key)
        _ = try a.encrypt(plaintext: [5])
        try a.rekey()
        XCTAssertEqual(a.nonce, 1)
        XCTAssertNotEqual(a.key, before)
        XCTAssertEqual(a.key?.count, 32)
        let afterRekey = try a.encrypt(plaintext: [6])
        b.setNonce(1)
        expect(.decryptionFailed, "old key") { try b.decrypt(ciphertext: afterRekey) }
        try b.rekey()
        XCTAssertEqual(b.key, a.key)
        XCTAssertEqual(try b.decrypt(ciphertext: afterRekey), [6])
        var empty = CipherState()
        try empty.rekey()
        XCTAssertNil(empty.key)
    }

    func testProtocolNamesKeysAndTurnsAreChecked() throws {
        expect(.invalidProtocolName, "not a name") { try NoiseProtocolName(parsing: "XX_25519") }
        expect(.invalidProtocolName, "empty part") { try NoiseProtocolName(parsing: "Noise__25519_ChaChaPoly_SHA256") }
        for name in ["Noise_XX_448_ChaChaPoly_SHA256", "Noise_XX_25519_AESGCM_SHA256", "Noise_XX_25519_ChaChaPoly_BLAKE2s",
                     "Noise_XXfallback_25519_ChaChaPoly_SHA256", "Noise_X2X_25519_ChaChaPoly_SHA256", "Noise_XXpsk4_25519_ChaChaPoly_SHA256",
                     "Noise_XXpsk3+psk3_25519_ChaChaPoly_SHA256", "Noise_XXhfs_25519+Kyber1024_ChaChaPoly_SHA256"] {
            XCTAssertFalse(try NoiseProtocolName(parsing: name).isImplemented, name)
            expect(.unsupportedProtocol, name) { try HandshakeState.initiator(name, staticKey: .generate()) }
        }
        XCTAssertEqual(try HandshakePattern.named("XXpsk3").messages, [[.e], [.e, .ee, .s, .es], [.s, .se, .psk]])
        XCTAssertEqual(try HandshakePattern.named("NNpsk0+psk2").messages, [[.psk, .e], [.e, .ee, .psk]])
        XCTAssertEqual(try HandshakePattern.named("IK").responderPreMessage, [.s])

        expect(.missingKey, "IK without the responder's key") { try HandshakeState.initiator("Noise_IK_25519_ChaChaPoly_SHA256", staticKey: .generate()) }
        expect(.missingKey, "XX without a static key") { try HandshakeState.responder("Noise_XX_25519_ChaChaPoly_SHA256") }
        expect(.missingKey, "XXpsk3 without its psk") { try HandshakeState.initiator("Noise_XXpsk3_25519_ChaChaPoly_SHA256", staticKey: .generate()) }
        expect(.invalidKey, "short psk") {
            try HandshakeState.initiator("Noise_XXpsk3_25519_ChaChaPoly_SHA256", staticKey: .generate(), psks: [[1, 2]])
        }
        expect(.invalidKey, "XX transmits rs") {
            try HandshakeState.initiator("Noise_XX_25519_ChaChaPoly_SHA256", staticKey: .generate(), remoteStaticKey: NoiseKeyPair.generate().publicKey)
        }
        expect(.invalidKey, "short private key") { try NoiseKeyPair(privateKey: [1]) }

        var initiator = try HandshakeState.initiator("Noise_NN_25519_ChaChaPoly_SHA256")
        var responder = try HandshakeState.responder("Noise_NN_25519_ChaChaPoly_SHA256")
        expect(.notYourTurn, "responder writes first") { try responder.writeMessage([]) }
        expect(.notYourTurn, "initiator reads first") { try initiator.readMessage([]) }
        expect(.handshakeIncomplete, "split too early") { try initiator.split() }
        expect(.messageTooShort, "truncated e") { try responder.readMessage([1, 2, 3]) }
        _ = try responder.readMessage(try initiator.writeMessage())
        _ = try initiator.readMessage(try responder.writeMessage())
        expect(.handshakeComplete, "write after the end") { try initiator.writeMessage([]) }
        XCTAssertNoThrow(try initiator.split())
    }

    /// The Noise HKDF (section 4.3) is RFC 5869 HKDF-SHA256 with salt = chaining key, empty
    /// info (output_i = T(i)); checked against the independent RFC 5869 test case 1 values.
    func testHKDFMatchesRFC5869() throws {
        // RFC 5869 A.1: IKM = 0x0b * 22, salt = 000102...0c; PRK and the Noise-style outputs
        // differ from the RFC's OKM only by the empty info, so check via the definition:
        let ck = Array(0...12).map(UInt8.init), ikm = [UInt8](repeating: 0x0b, count: 22)
        let out = NoiseHKDF.derive(chainingKey: ck, inputKeyMaterial: ikm, outputs: 3)
        let prk = NoiseHKDF.hmac(key: ck, data: ikm)
        XCTAssertEqual(prk.hex, "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", "RFC 5869 A.1 PRK")
        XCTAssertEqual(out[0], NoiseHKDF.hmac(key: prk, data: [1]))
        XCTAssertEqual(out[1], NoiseHKDF.hmac(key: prk, data: out[0] + [2]))
        XCTAssertEqual(out[2], NoiseHKDF.hmac(key: prk, data: out[1] + [3]))
        // RFC 5869 A.3 (empty salt and info): OKM(42) = T(1) || T(2)[0..<10] with a zero salt.
        let a3 = NoiseHKDF.derive(chainingKey: [UInt8](repeating: 0, count: 32), inputKeyMaterial: ikm, outputs: 2)
        XCTAssertEqual((a3[0] + a3[1].prefix(10)).hex,
                       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    }
}
