import FairwayCore
@testable import FairwayWire
import Foundation
import XCTest

/// The signed layer: what `WireCodec.open` accepts and refuses.
final class SignedEnvelopeTests: XCTestCase {
    let now = Timestamp(unixMilliseconds: 1_764_000_000_000)

    func sealedHeartbeat(_ key: NodeKey) -> [UInt8] {
        WireCodec.seal(Envelope(sender: key.nodeID, sentAt: now, payload: .heartbeat(Heartbeat(nodeID: key.nodeID))), signedBy: key)
    }

    func testSealOpenRoundTripAndAddressIsTheKeyDigest() throws {
        let key = NodeKey()
        let opened = try WireCodec.open(sealedHeartbeat(key))
        XCTAssertEqual(opened.envelope.sender, key.nodeID)
        XCTAssertEqual(opened.publicKey, key.publicKey)
        XCTAssertEqual(opened.digest.count, 32)
        XCTAssertTrue(NodeAddress.isAddress(key.nodeID))
        XCTAssertEqual(key.nodeID.rawValue.count, 42)
        // The same seed gives the same key and address; another seed another address.
        let a = try NodeKey(privateKey: [UInt8](repeating: 1, count: 32)), b = try NodeKey(privateKey: [UInt8](repeating: 1, count: 32))
        XCTAssertEqual(a.nodeID, b.nodeID)
        XCTAssertNotEqual(a.nodeID, try NodeKey(privateKey: [UInt8](repeating: 2, count: 32)).nodeID)
    }

    /// Flipping any single bit of a sealed message never yields an accepted message with
    /// other content: it is refused, or (in protobuf framing bytes that parse to the same
    /// fields) it opens to exactly the original envelope.
    func testEveryBitFlipIsRefusedOrHarmless() throws {
        let key = NodeKey()
        let sealed = sealedHeartbeat(key)
        let original = try WireCodec.open(sealed).envelope
        var refused = 0
        for i in sealed.indices {
            for bit in 0..<8 {
                var b = sealed
                b[i] ^= UInt8(1 << bit)
                do throws(WireCodec.DecodeFailure) {
                    let opened = try WireCodec.open(b)
                    XCTAssertEqual(opened.envelope, original, "byte \(i) bit \(bit) changed the content yet verified")
                } catch {
                    refused += 1
                    XCTAssertTrue([.malformed, .unauthenticated, .invalidField, .unsupportedVersion].contains(error.error.code), "\(error.error)")
                }
            }
        }
        XCTAssertGreaterThan(refused, sealed.count * 8 * 9 / 10)
    }

    func testASenderOtherThanTheKeysAddressIsUnauthenticated() throws {
        let mallory = NodeKey(), victim = NodeKey()
        let inner = WireCodec.encode(Envelope(sender: victim.nodeID, sentAt: now, payload: .heartbeat(Heartbeat(nodeID: victim.nodeID))))
        var outer = Fairway_V1_SignedEnvelope()
        outer.envelope = Data(inner)
        outer.publicKey = Data(mallory.publicKey)
        outer.signature = Data(mallory.sign(WireCodec.signatureContext + inner))
        let bytes: [UInt8] = try outer.serializedBytes()
        do throws(WireCodec.DecodeFailure) {
            _ = try WireCodec.open(bytes)
            XCTFail("mallory spoke as the victim")
        } catch {
            XCTAssertEqual(error.error.code, .unauthenticated)
            XCTAssertEqual(error.error.field, "envelope.sender")
        }
    }

    func testSignatureIsBoundToTheDomainTag() throws {
        let key = NodeKey()
        let inner = WireCodec.encode(Envelope(sender: key.nodeID, sentAt: now, payload: .ping))
        var outer = Fairway_V1_SignedEnvelope()
        outer.envelope = Data(inner)
        outer.publicKey = Data(key.publicKey)
        outer.signature = Data(key.sign(inner))  // signed without the tag: a signature from another protocol
        XCTAssertThrowsError(try WireCodec.open(try outer.serializedBytes()))
    }

    func testJoinPublicKeyMustMatchTheNodeID() throws {
        let key = NodeKey(), other = NodeKey()
        var w = JoinRequest(nodeID: key.nodeID, role: .edgeServer, address: "tcp://x:1", version: "0.1.0", publicKey: other.publicKey).wire
        w.nodeID = key.nodeID.rawValue
        XCTAssertThrowsError(try JoinRequest(wire: w)) { XCTAssertEqual(($0 as? FairwayError)?.field, "join.node_id") }
    }
}
