import FairwayCore
@testable import FairwayRuntime
import FairwayWire
import XCTest

/// The in-memory replay guard keyed by (sender, message id). Its key hashes the message id
/// alone; these tests pin down that the sender still takes part in identity.
final class ReplayGuardTests: XCTestCase {
    func testTheSameMessageIDFromTwoSendersIsTwoRequests() throws {
        var guardian = ReplayGuard(policy: ReplayPolicy(), capacity: 100)
        let now = Timestamp(unixMilliseconds: 1_000_000)
        let id = try MessageID(bytes: [UInt8](repeating: 7, count: 16))
        let a = ReplayGuard.Key(sender: NodeID(unchecked: "agent-a"), messageID: id)
        let b = ReplayGuard.Key(sender: NodeID(unchecked: "agent-b"), messageID: id)
        XCTAssertEqual(guardian.admit(a, digest: [1], sentAt: now, now: now), .fresh)
        XCTAssertEqual(guardian.admit(b, digest: [2], sentAt: now, now: now), .fresh, "b's request is not a's replayed")
        guardian.complete(a, reply: [0xAA])
        guardian.complete(b, reply: [0xBB])
        XCTAssertEqual(guardian.admit(a, digest: [1], sentAt: now, now: now), .resend(reply: [0xAA]))
        XCTAssertEqual(guardian.admit(b, digest: [2], sentAt: now, now: now), .resend(reply: [0xBB]))
        guard case .refuse(let e) = guardian.admit(b, digest: [1], sentAt: now, now: now) else { return XCTFail("other bytes under b's id must be refused") }
        XCTAssertEqual(e.code, .replayed)
        XCTAssertEqual(guardian.count, 2)
    }

    /// Many keys sharing one sender, and many senders sharing ids: every lookup finds its own
    /// entry (a model of the dictionary under the custom hash).
    func testEveryKeyFindsItsOwnReplyUnderTheMessageIDHash() throws {
        var guardian = ReplayGuard(policy: ReplayPolicy(), capacity: 10_000)
        let now = Timestamp(unixMilliseconds: 5_000_000)
        var generator = SystemRandomNumberGenerator()
        let ids = (0..<50).map { _ in MessageID.random(using: &generator) }
        let senders = (0..<20).map { NodeID(unchecked: "sender-\($0)") }
        for (i, id) in ids.enumerated() {
            for (j, s) in senders.enumerated() {
                let key = ReplayGuard.Key(sender: s, messageID: id)
                XCTAssertEqual(guardian.admit(key, digest: [UInt8(i), UInt8(j)], sentAt: now, now: now), .fresh)
                guardian.complete(key, reply: [UInt8(i), UInt8(j)])
            }
        }
        for (i, id) in ids.enumerated() {
            for (j, s) in senders.enumerated() {
                XCTAssertEqual(guardian.admit(ReplayGuard.Key(sender: s, messageID: id), digest: [UInt8(i), UInt8(j)], sentAt: now, now: now),
                               .resend(reply: [UInt8(i), UInt8(j)]))
            }
        }
        XCTAssertEqual(guardian.count, ids.count * senders.count)
    }
}
