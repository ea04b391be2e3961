import FairwayCore
@testable import FairwayRuntime
import FairwayTestSupport
import XCTest

final class PeerRateLimiterTests: XCTestCase {
    let t0 = Timestamp(unixMilliseconds: 1_000_000)
    let a = NodeID(unchecked: "a"), b = NodeID(unchecked: "b")

    func testBurstThenRateAndPeersAreIndependent() {
        var l = PeerRateLimiter(ratePerSecond: 10, burst: 3)
        for _ in 0..<3 { XCTAssertNil(l.admit(a, now: t0)) }
        let wait = l.admit(a, now: t0)
        XCTAssertEqual(wait, 100, "one token per 100 ms at 10/s")
        XCTAssertNil(l.admit(b, now: t0), "another sender has its own bucket")
        XCTAssertNotNil(l.admit(a, now: t0.adding(milliseconds: 50)))
        XCTAssertNil(l.admit(a, now: t0.adding(milliseconds: 150)))
        // Refill never exceeds the burst.
        for _ in 0..<3 { XCTAssertNil(l.admit(a, now: t0.adding(milliseconds: 100_000))) }
        XCTAssertNotNil(l.admit(a, now: t0.adding(milliseconds: 100_000)))
    }

    func testMemoryIsBounded() {
        var l = PeerRateLimiter(ratePerSecond: 1, burst: 1, maxPeers: 100)
        for i in 0..<1000 { _ = l.admit(NodeID(unchecked: "p\(i)"), now: t0.adding(milliseconds: Int64(i))) }
        XCTAssertLessThanOrEqual(l.trackedPeers, 100)
    }
}
