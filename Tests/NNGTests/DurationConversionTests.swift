@testable import NNG
import XCTest

final class DurationConversionTests: XCTestCase {
    func testMillisecondsAreRoundedUpAndClamped() {
        XCTAssertEqual(Duration.zero.nngMilliseconds, 0)
        XCTAssertEqual(Duration.milliseconds(-5).nngMilliseconds, 0)
        XCTAssertEqual(Duration.microseconds(1).nngMilliseconds, 1)
        XCTAssertEqual(Duration.microseconds(1500).nngMilliseconds, 2)
        XCTAssertEqual(Duration.milliseconds(100).nngMilliseconds, 100)
        XCTAssertEqual(Duration.seconds(5).nngMilliseconds, 5000)
        XCTAssertEqual(Duration.seconds(1_000_000_000).nngMilliseconds, Int32.max)
    }

    func testErrorClassification() {
        let timeout = NNGError(code: 5, operation: "receive")  // NNG_ETIMEDOUT
        XCTAssertTrue(timeout.isTimeout)
        XCTAssertFalse(timeout.isClosed)
        XCTAssertTrue(timeout.description.contains("receive"))
        XCTAssertTrue(timeout.description.lowercased().contains("timed out"))
        XCTAssertTrue(NNGError(code: 7, operation: "x").isClosed)      // NNG_ECLOSED
        XCTAssertTrue(NNGError(code: 20, operation: "x").isCancelled)  // NNG_ECANCELED
        XCTAssertTrue(NNGError(code: 17, operation: "x").isMessageTooLarge)  // NNG_EMSGSIZE
        XCTAssertEqual(NNGError(code: 0, operation: "x"), NNGError(code: 0, operation: "x"))
        XCTAssertNotEqual(NNGError(code: 5, operation: "x"), NNGError(code: 5, operation: "y"))
    }
}
