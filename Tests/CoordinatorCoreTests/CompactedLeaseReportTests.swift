@testable import CoordinatorCore
import FairwayCore
import FairwayWire
import XCTest

/// Found by the deterministic simulation (seed 1): an edge whose usage acknowledgment was lost
/// repeats its final report after the coordinator compacted the settled lease. The reply's
/// stand-in lease names the edge as its agent; it must not be written, or the coordinator
/// cannot restart (a lease of an "agent" without an account).
final class CompactedLeaseReportTests: XCTestCase {
    func testRepeatedFinalReportOfACompactedLeaseWritesNothingAndTheBookStillRestores() throws {
        var settings = TokenScheduling.Settings()
        settings.tokensPerEpoch = 10
        var tokens = TokenScheduling(settings: settings)
        let agent = NodeKey().nodeID, edge = NodeKey().nodeID
        _ = tokens.onAgentJoined(agent, bucketSize: 10)
        _ = tokens.onEpochBoundary(epoch: 1, startedAt: .zero, agents: [agent], values: [agent: 1])
        let (leases, _) = tokens.onGrantRequest(agents: [agent], edge: edge, epoch: 1)
        let lease = try XCTUnwrap(leases.first)
        let final = UsageReport(usages: [LeaseUsage(leaseID: lease.id, usedTotal: 3, final: true)])
        _ = try tokens.onUsageReport(final, from: edge)
        var compacted = false
        for epoch in UInt64(2)...5 {
            compacted = compacted || tokens.onEpochBoundary(epoch: epoch, startedAt: .zero, agents: [agent], values: [agent: 1]).contains {
                if case .compact = $0 { true } else { false }
            }
        }
        XCTAssertTrue(compacted)
        XCTAssertNil(tokens.book.lease(id: lease.id))

        let (answer, directives) = try tokens.onUsageReport(final, from: edge)
        XCTAssertEqual(answer.first?.settled, true, "the repeated report is acknowledged as settled")
        XCTAssertTrue(directives.isEmpty, "nothing changed, nothing is written: \(directives)")
        // What is durable still restores.
        XCTAssertNoThrow(try TokenAccounts(accounts: tokens.book.accounts, leases: tokens.book.leases, nextLeaseID: tokens.book.nextLeaseID))
    }
}
