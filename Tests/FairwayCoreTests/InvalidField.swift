import FairwayCore
import XCTest

/// The field of the `FairwayError(.invalidField)` that `body` throws, or nil if it does not throw.
func field(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String? {
    do { try body() } catch let e as FairwayError {
        XCTAssertEqual(e.code, .invalidField, file: file, line: line)
        return e.field
    } catch { XCTFail("unexpected \(error)", file: file, line: line) }
    return nil
}
