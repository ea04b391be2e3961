import EdgeAgent
import FairwayCore
import FairwayTestSupport
import XCTest

/// I5 across a restart: releases are charged durably before they leave; a restarted agent
/// rebuilds its accountant from the store and refuses the release that would exceed the budget,
/// saying what is spent and what remains.
final class PrivacyBudgetTests: XCTestCase {
    func testTheBudgetIsExhaustedAcrossARestartAndARefusalChangesNothing() async throws {
        let dir = temporaryDirectory()
        let agent = testKey(21).nodeID, other = testKey(22).nodeID
        let release = RDPAccountant.Mechanism(noiseMultiplier: 5, count: 1)
        var store = try PrivacyBudgetStore(directory: dir)
        var budget = try store.budget(for: agent, epsilon: 4, delta: 1e-5)
        var made = 0
        while true {
            do { try await store.charge(release, to: &budget, identity: agent) } catch is PrivacyBudget.Exhausted { break }
            made += 1
            if made > 1000 { return XCTFail("the budget never ran out") }
            if made == 3 {
                // Restart: a new process opens the same store.
                store = try PrivacyBudgetStore(directory: dir)
                let restored = try store.budget(for: agent, epsilon: 4, delta: 1e-5)
                XCTAssertEqual(restored, budget, "the accountant is rebuilt exactly from the durable releases")
                budget = restored
            }
        }
        XCTAssertGreaterThan(made, 3)
        let spent = budget.spent
        XCTAssertLessThanOrEqual(spent, 4)
        // After another restart the next release is still refused, with the figures.
        store = try PrivacyBudgetStore(directory: dir)
        var again = try store.budget(for: agent, epsilon: 4, delta: 1e-5)
        XCTAssertEqual(again.charged.count, made)
        do {
            try await store.charge(release, to: &again, identity: agent)
            XCTFail("a release beyond the budget was charged after a restart")
        } catch let e as PrivacyBudget.Exhausted {
            XCTAssertEqual(e.spent, spent, accuracy: 1e-12)
            XCTAssertEqual(e.remaining, 4 - spent, accuracy: 1e-12)
            XCTAssertGreaterThan(e.wouldBe, 4)
            XCTAssertTrue(e.description.contains("remaining"), e.description)
        }
        XCTAssertEqual(try store.budget(for: agent, epsilon: 4, delta: 1e-5).charged.count, made, "a refusal stores nothing")
        // Budgets are per identity.
        var fresh = try store.budget(for: other, epsilon: 4, delta: 1e-5)
        XCTAssertEqual(fresh.spent, 0)
        try await store.charge(release, to: &fresh, identity: other)
    }
}
