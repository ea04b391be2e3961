import EdgeServerCore
import FairwayCore
import XCTest

/// The edge's side of Fair-Synergy without sockets: the local capacity bucket, when it offloads
/// and when it refuses, what the cloud's labels and steps add, and the elasticity fit.
final class CloudUseTests: XCTestCase {
    let t0 = Timestamp(unixMilliseconds: 5_000_000)

    func use(rps: Double = 2, labelled: UInt64 = 100, shard: UInt64 = 400) -> CloudUse {
        var s = CloudUse.Settings()
        s.inferenceRPS = rps
        s.labelledSamples = labelled
        return CloudUse(settings: s, shardSamples: shard, trainingSteps: 5)
    }

    func testLocalThenOffloadThenRefuse() {
        var c = use(rps: 2)
        XCTAssertEqual(c.route(now: t0, nextEpochAt: t0.adding(milliseconds: 800)), .local)
        XCTAssertEqual(c.route(now: t0, nextEpochAt: t0.adding(milliseconds: 800)), .local)
        // Saturated, no share known yet: ask the cloud (it decides).
        XCTAssertEqual(c.route(now: t0, nextEpochAt: t0.adding(milliseconds: 800)), .offload)
        c.onShare(CloudShare(epoch: 4, inferenceRPS: 1, inferenceQuota: 1, inferenceUsed: 0))
        XCTAssertEqual(c.route(now: t0, nextEpochAt: t0.adding(milliseconds: 800)), .offload)
        c.onOffloaded(remaining: 0, epoch: 4)
        // Share used up: refused here, with the sooner of the next local slot (500 ms at 2/s) and the next epoch.
        guard case .refuse(let e) = c.route(now: t0, nextEpochAt: t0.adding(milliseconds: 800)) else { return XCTFail("expected a refusal") }
        XCTAssertEqual(e.code, .capacityExhausted)
        XCTAssertEqual(e.retryAfterMilliseconds, 500)
        // A new epoch began (announced) but its share has not arrived: ask the cloud again.
        XCTAssertEqual(c.route(now: t0, nextEpochAt: t0.adding(milliseconds: 800), epoch: 5), .offload)
        // Half a second later the bucket has a token again.
        XCTAssertEqual(c.route(now: t0.adding(milliseconds: 500), nextEpochAt: t0.adding(milliseconds: 800)), .local)
        XCTAssertEqual(c.servedLocally, 3)
        XCTAssertEqual(c.offloaded, 1)
    }

    func testCloudLabelsAndStepsGoIntoTraining() {
        var c = use(labelled: 100, shard: 400)
        XCTAssertEqual(c.trainingLabels, 100)
        XCTAssertEqual(c.trainingStepsWithCloud, 5)
        c.onShare(CloudShare(epoch: 2, trainingSteps: 3.7, labels: 120))
        XCTAssertEqual(c.trainingLabels, 220)
        XCTAssertEqual(c.trainingStepsWithCloud, 8)
        c.onShare(CloudShare(epoch: 3, labels: 1000))
        XCTAssertEqual(c.trainingLabels, 400, "never beyond the shard")
        XCTAssertEqual(use(labelled: 0).labelledSamples, 400, "0 = the whole shard is labelled")
    }

    func testElasticityFitRecoversThePowerLaw() {
        var fit = ElasticityFit()
        XCTAssertEqual(fit.estimate(defaultCompute: 0.3, defaultLabels: 0.4).points, 0)
        // accuracy = 0.01 · compute^0.25 · labels^0.4 (below 1), on a grid where both vary.
        for (c, l) in [(10.0, 50.0), (20, 50), (40, 100), (10, 200), (80, 400)] {
            fit.add(compute: c, labels: l, accuracy: 0.01 * pow(c, 0.25) * pow(l, 0.4))
        }
        let g = fit.estimate(defaultCompute: 0.3, defaultLabels: 0.3)
        XCTAssertEqual(g.compute, 0.25, accuracy: 1e-9)
        XCTAssertEqual(g.labels, 0.4, accuracy: 1e-9)
        XCTAssertEqual(g.points, 5)
        // Only compute varies: labels keep their default.
        var one = ElasticityFit()
        one.add(compute: 10, labels: 100, accuracy: 0.5)
        one.add(compute: 40, labels: 100, accuracy: 0.5 * pow(4, 0.2))
        let h = one.estimate(defaultCompute: 0.3, defaultLabels: 0.35)
        XCTAssertEqual(h.compute, 0.2, accuracy: 1e-9)
        XCTAssertEqual(h.labels, 0.35)
        // Reported in the heartbeat once fitted.
        var c = use()
        c.onTrainingResult(rounds: 2, stepsPerRound: 5, labels: 100, accuracy: 0.5)
        c.onTrainingResult(rounds: 8, stepsPerRound: 5, labels: 100, accuracy: 0.5 * pow(4, 0.2))
        XCTAssertEqual(c.resources.gammaCompute, 0.2, accuracy: 1e-9)
        XCTAssertEqual(c.resources.gammaInference, 0.3, "γ of inference stays configured")
        XCTAssertEqual(c.resources.gammaPoints, 2)
    }
}
