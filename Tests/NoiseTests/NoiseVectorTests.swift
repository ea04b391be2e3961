import FairwayNoise
import Foundation
import XCTest

/// `Tests/Reference/noise-vectors.json` (published Noise test vectors, cacophony format; see its
/// `meta`): every vector reproduced byte for byte with both parties, step by step.
final class NoiseVectorTests: XCTestCase {
    struct Reference: Decodable {
        struct Vector: Decodable {
            struct Message: Decodable { var payload, ciphertext: String }
            var id, protocol_name: String
            var init_prologue, resp_prologue: String?
            var init_static, resp_static, init_ephemeral, resp_ephemeral: String?
            var init_remote_static, resp_remote_static: String?
            var init_psks, resp_psks: [String]?
            var handshake_hash: String?
            var messages: [Message]
        }
        var vectors: [Vector]
    }

    static func hex(_ string: String) -> [UInt8] {
        precondition(string.count % 2 == 0)
        var out: [UInt8] = []
        var index = string.startIndex
        while index < string.endIndex {
            let next = string.index(index, offsetBy: 2)
            out.append(UInt8(string[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    static func vectors() throws -> [NoiseVector] {
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/noise-vectors.json")
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        return reference.vectors.map { v in
            NoiseVector(
                id: v.id, protocolName: v.protocol_name,
                initiator: .init(prologue: hex(v.init_prologue ?? ""), staticPrivateKey: v.init_static.map(hex),
                                 ephemeralPrivateKey: v.init_ephemeral.map(hex), remoteStaticPublicKey: v.init_remote_static.map(hex),
                                 psks: (v.init_psks ?? []).map(hex)),
                responder: .init(prologue: hex(v.resp_prologue ?? ""), staticPrivateKey: v.resp_static.map(hex),
                                 ephemeralPrivateKey: v.resp_ephemeral.map(hex), remoteStaticPublicKey: v.resp_remote_static.map(hex),
                                 psks: (v.resp_psks ?? []).map(hex)),
                handshakeHash: v.handshake_hash.map(hex),
                messages: v.messages.map { .init(payload: hex($0.payload), ciphertext: hex($0.ciphertext)) })
        }
    }

    func testTheReferenceHasTheExpectedVectors() throws {
        let vectors = try Self.vectors()
        XCTAssertEqual(vectors.map(\.id), ["cacophony-XX", "cacophony-IK", "cacophony-XXpsk3", "snow-XX"])
        XCTAssertTrue(vectors.allSatisfy(\.isImplemented))
    }

    /// Each handshake message written by its sender equals the published ciphertext and is
    /// read by its receiver to the payload; h equals handshake_hash on both sides; each side
    /// learns the peer's static key; transport messages in both directions.
    func testEveryVectorIsReproducedByteForByteByBothParties() throws {
        for v in try Self.vectors() {
            var initiator = try v.handshakeState(.initiator)
            var responder = try v.handshakeState(.responder)
            let count = initiator.pattern.messages.count
            XCTAssertGreaterThan(v.messages.count, count, v.id)
            for (i, m) in v.messages.prefix(count).enumerated() {
                XCTAssertFalse(initiator.isComplete, v.id)
                if i % 2 == 0 {
                    XCTAssertEqual(try initiator.writeMessage(m.payload), m.ciphertext, "\(v.id) handshake message \(i) written")
                    XCTAssertEqual(try responder.readMessage(m.ciphertext), m.payload, "\(v.id) handshake message \(i) read")
                } else {
                    XCTAssertEqual(try responder.writeMessage(m.payload), m.ciphertext, "\(v.id) handshake message \(i) written")
                    XCTAssertEqual(try initiator.readMessage(m.ciphertext), m.payload, "\(v.id) handshake message \(i) read")
                }
            }
            XCTAssertTrue(initiator.isComplete && responder.isComplete, v.id)
            XCTAssertEqual(initiator.handshakeHash, responder.handshakeHash, v.id)
            if let h = v.handshakeHash { XCTAssertEqual(initiator.handshakeHash, h, "\(v.id) handshake_hash") }
            XCTAssertEqual(responder.remoteStaticPublicKey, try NoiseKeyPair(privateKey: XCTUnwrap(v.initiator.staticPrivateKey)).publicKey, v.id)
            XCTAssertEqual(initiator.remoteStaticPublicKey, try NoiseKeyPair(privateKey: XCTUnwrap(v.responder.staticPrivateKey)).publicKey, v.id)

            var i2r = try initiator.split(), r2i = try responder.split()
            XCTAssertEqual(i2r.send, r2i.receive, v.id)
            XCTAssertEqual(i2r.receive, r2i.send, v.id)
            var directions = Set<Bool>()
            for (i, m) in v.messages.enumerated().dropFirst(count) {
                directions.insert(i % 2 == 0)
                if i % 2 == 0 {
                    XCTAssertEqual(try i2r.send.encrypt(plaintext: m.payload), m.ciphertext, "\(v.id) transport message \(i) written")
                    XCTAssertEqual(try r2i.receive.decrypt(ciphertext: m.ciphertext), m.payload, "\(v.id) transport message \(i) read")
                } else {
                    XCTAssertEqual(try r2i.send.encrypt(plaintext: m.payload), m.ciphertext, "\(v.id) transport message \(i) written")
                    XCTAssertEqual(try i2r.receive.decrypt(ciphertext: m.ciphertext), m.payload, "\(v.id) transport message \(i) read")
                }
            }
            XCTAssertEqual(directions, [true, false], "\(v.id): transport messages in both directions")
            XCTAssertEqual(v.replay(), [], v.id)
        }
    }

    /// The same run through `NoiseVector.replay()` (what `fairway-lab noise-vectors` uses)
    /// reports a changed ciphertext, payload or handshake hash.
    func testReplayReportsAnyDifference() throws {
        for v in try Self.vectors() {
            var changed = v
            changed.messages[1].ciphertext[40] ^= 0x10
            XCTAssertFalse(changed.replay().isEmpty, v.id)
            changed = v
            changed.messages[v.messages.count - 1].payload.append(0)
            XCTAssertFalse(changed.replay().isEmpty, v.id)
            changed = v
            changed.handshakeHash = [UInt8](repeating: 0, count: 32)
            XCTAssertFalse(changed.replay().isEmpty, v.id)
            changed = v
            changed.initiator.ephemeralPrivateKey![0] ^= 0x80
            XCTAssertFalse(changed.replay().isEmpty, v.id)
        }
    }
}
