import FairwayCore
import XCTest

/// Every instance of the reference vectors, matched to 1e-9 absolute.
final class TokenSchedulingReferenceTests: XCTestCase {
    let tolerance = 1e-9

    func assertClose(_ a: [Double], _ b: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, "\(what): length", file: file, line: line)
        for (i, (x, y)) in zip(a, b).enumerated() {
            XCTAssertEqual(x, y, accuracy: tolerance, "\(what)[\(i)]", file: file, line: line)
        }
    }

    func assertClose(_ a: Double?, _ b: Double?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        switch (a, b) {
        case (nil, nil): break
        case let (x?, y?): XCTAssertEqual(x, y, accuracy: tolerance, what, file: file, line: line)
        default: XCTFail("\(what): got \(String(describing: a)), expected \(String(describing: b))", file: file, line: line)
        }
    }

    func check(_ kind: AllocatorKind, _ instance: TokenSchedulingReference.Instance,
               _ expected: TokenSchedulingReference.Result) throws {
        let problem = try TokenAllocationProblem(totalTokens: instance.V, values: instance.v,
                                                 bucketSizes: instance.B, remaining: instance.R)
        let u = kind.allocator.allocate(problem)
        let r = Fairness.rewardRates(grants: u, values: instance.v)
        let label = "\(instance.id) \(kind.rawValue)"
        assertClose(u, expected.u, "\(label) u")
        assertClose(r, expected.r, "\(label) r")
        assertClose(Fairness.jain(r), expected.jain, "\(label) jain")
        assertClose(Fairness.gini(r), expected.gini, "\(label) gini")
        assertClose(Fairness.giniPairwise(r), expected.gini, "\(label) gini pairwise")
        XCTAssertEqual(u.reduce(0, +), expected.sum_u, accuracy: tolerance, "\(label) Σu")
    }

    func testEveryReferenceInstanceMatches() throws {
        let reference = try TokenSchedulingReference.load()
        XCTAssertGreaterThanOrEqual(reference.instances.count, 4)
        for instance in reference.instances {
            XCTAssertEqual(instance.v.count, instance.N)
            try check(.proportional, instance, instance.proposed_eq15)
            try check(.roundRobin, instance, instance.round_robin)
            try check(.maxMin, instance, instance.max_min)
        }
    }

    func testReferenceInstancesThroughFillingNeverGetLessThanEq15() throws {
        for instance in try TokenSchedulingReference.load().instances {
            let problem = try TokenAllocationProblem(totalTokens: instance.V, values: instance.v,
                                                     bucketSizes: instance.B, remaining: instance.R)
            let filled = ProportionalFillingAllocator().allocate(problem)
            for (n, (f, p)) in zip(filled, instance.proposed_eq15.u).enumerated() {
                XCTAssertGreaterThanOrEqual(f, p - tolerance, "\(instance.id) agent \(n)")
                XCTAssertLessThanOrEqual(f, problem.room(n), "\(instance.id) agent \(n)")
            }
            XCTAssertLessThanOrEqual(filled.reduce(0, +), instance.V + tolerance)
        }
    }
}
