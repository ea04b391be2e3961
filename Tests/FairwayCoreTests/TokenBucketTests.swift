import FairwayCore
import XCTest

final class TokenBucketTests: XCTestCase {
    func testRefillNeverExceedsTheSize() throws {
        var bucket = try TokenBucket(size: 4, remaining: 1)
        XCTAssertEqual(try bucket.refill(2), 2)
        XCTAssertEqual(bucket.remaining, 3)
        XCTAssertEqual(try bucket.refill(5), 1, "only the room is added")
        XCTAssertEqual(bucket.remaining, 4)
        XCTAssertEqual(try bucket.refill(1), 0)
        XCTAssertEqual(bucket.room, 0)
    }

    func testConsumptionNeverGoesNegative() throws {
        var bucket = try TokenBucket(size: 4, remaining: 3)
        XCTAssertTrue(try bucket.consume(2.5))
        XCTAssertEqual(bucket.remaining, 0.5)
        XCTAssertFalse(try bucket.consume(1), "refused whole, nothing debited")
        XCTAssertEqual(bucket.remaining, 0.5)
        XCTAssertTrue(try bucket.consume(0.5))
        XCTAssertEqual(bucket.remaining, 0)
        XCTAssertTrue(try bucket.consume(0), "a free request is always admitted")
    }

    func testResizeCutsRemaining() throws {
        var bucket = try TokenBucket(size: 8, remaining: 6)
        try bucket.resize(to: 4)
        XCTAssertEqual(bucket.size, 4)
        XCTAssertEqual(bucket.remaining, 4)
    }

    func testRandomOperationsKeepTheInvariant() throws {
        var rng = SeededGenerator(seed: 1)
        var bucket = try TokenBucket(size: 10)
        var expected = 0.0
        for _ in 0..<10_000 {
            let amount = rng.nextUnit() * 6
            if rng.nextIndex(below: 2) == 0 {
                let added = try bucket.refill(amount)
                XCTAssertEqual(added, min(amount, 10 - expected), accuracy: 1e-12)
                expected = min(10, expected + amount)
            } else if try bucket.consume(amount) {
                XCTAssertLessThanOrEqual(amount, expected + 1e-12)
                expected -= amount
            }
            XCTAssertGreaterThanOrEqual(bucket.remaining, 0)
            XCTAssertLessThanOrEqual(bucket.remaining, bucket.size)
            XCTAssertEqual(bucket.remaining, expected, accuracy: 1e-9)
        }
    }

    func testBadAmountsThrowInvalidFieldAndChangeNothing() throws {
        var bucket = try TokenBucket(size: 4, remaining: 2)
        for bad in [Double.nan, .infinity, -.infinity, -1] {
            XCTAssertThrowsError(try bucket.refill(bad)) { XCTAssertEqual(($0 as? FairwayError)?.field, "tokens") }
            XCTAssertThrowsError(try bucket.consume(bad)) { XCTAssertEqual(($0 as? FairwayError)?.field, "cost") }
            XCTAssertThrowsError(try TokenBucket(size: bad)) { XCTAssertEqual(($0 as? FairwayError)?.code, .invalidField) }
        }
        XCTAssertEqual(bucket.remaining, 2)
        XCTAssertThrowsError(try TokenBucket(size: 4, remaining: 5)) { XCTAssertEqual(($0 as? FairwayError)?.field, "remaining") }
        XCTAssertThrowsError(try TokenBucket(size: 4, remaining: -0.5)) { XCTAssertEqual(($0 as? FairwayError)?.field, "remaining") }
    }
}
