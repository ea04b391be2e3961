import EdgeServerCore
import FairwayCore
import XCTest

/// The edge's contract choices without sockets: drawn types follow the instance's distribution,
/// the period-1 choice is intertemporal (eq. 21) with ties to the edge's own item.
final class ContractWorkTests: XCTestCase {
    func offer(period: UInt32) -> ContractOffer {
        var o = ContractOffer(round: 1, period: period, opensEpoch: 1, deadlineEpoch: 4,
                              items: [ContractItem(index: 0, rounds: 10, reward: 40), ContractItem(index: 1, rounds: 20, reward: 60)],
                              thetas: [16, 22], costPerRound: 2, fixedCost: 5, selected: .none, nextChunk: 0, integrated: false, accuracy: 0,
                              qualityBar: 0.8, period1Item: nil)
        o.typeProbabilities = [0.2, 0.8]
        o.transition = [[0.9, 0.1], [0.3, 0.7]]
        o.nextThetas = [17, 23]
        o.nextMenus = [[ContractItem(index: 0, rounds: 5, reward: 10), ContractItem(index: 1, rounds: 6, reward: 12)],
                       [ContractItem(index: 0, rounds: 5, reward: 10), ContractItem(index: 1, rounds: 6, reward: 400)]]
        o.beta = 1
        return o
    }

    func testDrawnTypesFollowP1ThenTheTransitionOfTheDrawnPeriod1Type() {
        var ones1 = 0, ones2AfterZero = 0, zeros1 = 0, ones2AfterOne = 0
        let n = 4000
        for seed in 0..<UInt64(n) {
            var s = ContractWork.Settings()
            s.seed = seed
            let work = ContractWork(settings: s)
            let k1 = work.type(round: 1, period: 1, offer: offer(period: 1))
            let k2 = work.type(round: 1, period: 2, offer: offer(period: 2))
            if k1 == 1 { ones1 += 1; if k2 == 1 { ones2AfterOne += 1 } } else { zeros1 += 1; if k2 == 1 { ones2AfterZero += 1 } }
            XCTAssertEqual(work.type(round: 1, period: 1, offer: offer(period: 1)), k1, "the same seed draws the same type (a restart)")
        }
        XCTAssertEqual(Double(ones1) / Double(n), 0.8, accuracy: 0.03, "p1")
        XCTAssertEqual(Double(ones2AfterOne) / Double(ones1), 0.7, accuracy: 0.04, "p2(1 | 1)")
        XCTAssertEqual(Double(ones2AfterZero) / Double(zeros1), 0.1, accuracy: 0.05, "p2(1 | 0)")
        var fixed = ContractWork.Settings()
        fixed.type1 = 0
        fixed.type2 = 1
        XCTAssertEqual(ContractWork(settings: fixed).type(round: 1, period: 1, offer: offer(period: 1)), 0)
        XCTAssertEqual(ContractWork(settings: fixed).type(round: 1, period: 2, offer: offer(period: 2)), 1)
    }

    func testPeriod1ChoiceCountsThePeriod2MenuItLeadsTo() {
        let o = offer(period: 1)
        // Period 1 alone, type 0 (θ = 16): item 0 gives 640 − 20 − 5 = 615, item 1 gives 960 − 40 − 5 = 915.
        XCTAssertEqual(o.bestResponse(theta: 16), .item(1))
        // Type 0's period-2 rent after item 1 (type 1 takes R 400 with p 0.1) adds little: item 1 still.
        XCTAssertEqual(o.bestResponse(type: 0), .item(1))
        var p2 = o
        p2.period = 2
        XCTAssertEqual(p2.bestResponse(type: 1), .item(1), "period 2: this period's utility only")
        var decline = o
        decline.fixedCost = 10_000
        XCTAssertEqual(decline.bestResponse(type: 0), .declined, "no item is individually rational")
        var tie = o
        tie.items = [ContractItem(index: 0, rounds: 10, reward: 40), ContractItem(index: 1, rounds: 10, reward: 40)]
        tie.nextMenus = [tie.nextMenus[0], tie.nextMenus[0]]
        XCTAssertEqual(tie.bestResponse(type: 1), .item(1), "ties go to the edge's own item")
        XCTAssertEqual(tie.bestResponse(type: 0), .item(0))
    }

    /// Found by the deterministic simulation (seed 2): an edge that lost its registration had a
    /// poll due, `onTick` made no request (not registered) but `nextWake` said "now": the
    /// edge's time loop spun until it registered again.
    func testNoWakeUpIsDueWhileTheEdgeIsNotRegistered() {
        var s = ContractWork.Settings()
        s.dataPath = "digits.csv"
        var work = ContractWork(settings: s)
        let now = Timestamp(unixMilliseconds: 1_000_000)
        XCTAssertTrue(work.onTick(now: now, registered: false).isEmpty)
        XCTAssertNil(work.nextWake(now: now, registered: false))
        XCTAssertNotNil(work.nextWake(now: now, registered: true), "registered, the poll is due")
        XCTAssertFalse(work.onTick(now: now, registered: true).isEmpty)
    }
}
