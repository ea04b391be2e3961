import FairwayCore

/// The pure computation behind an epoch's cloud shares: Fair-Synergy's Problem 1 for inference
/// capacity and Problem 2 for training compute and labelling, over the edges' reports.
///
/// Units: each resource enters the utility in units of the cloud's budget for it (ρ⁰ = an edge's
/// own requests/s ÷ the cloud's; α⁰ = its labelled samples ÷ the labelling budget), so that the
/// problem is the paper's normalised one whatever the deployment's scale. A budget of 0 shares
/// nothing. Labels are whole samples (rounded down) and never exceed the unlabelled rest of the
/// edge's shard.
public enum CloudSharePlan {
    public static func shares(
        reports: [(edge: NodeID, resources: EdgeResources)], settings: CloudAllocation.Settings,
        epoch: UInt64, epochMilliseconds: Int64
    ) -> CloudAllocationRecord {
        let n = reports.count
        var generator = SeededGenerator(seed: settings.seed &+ epoch &* 0x9E37_79B9_7F4A_7C15)
        var rps = [Double](repeating: 0, count: n)
        if settings.inferenceRPS > 0, n > 0 {
            let p = InferenceAllocationProblem(
                rho0: reports.map { $0.resources.inferenceRPS / settings.inferenceRPS },
                gamma: reports.map { $0.resources.gammaInference }, budget: 1)
            rps = settings.allocator.allocate(p, generator: &generator).map { max(0, $0) * settings.inferenceRPS }
        }
        var steps = [Double](repeating: 0, count: n), labels = [Double](repeating: 0, count: n)
        let computeBudget = settings.trainingSteps, labelBudget = Double(settings.labellingBudget)
        if (computeBudget > 0 || labelBudget > 0), n > 0 {
            let p = TrainingAllocationProblem(
                rho0: reports.map { computeBudget > 0 ? $0.resources.trainingSteps / computeBudget : 0 },
                alpha0: reports.map { labelBudget > 0 ? Double($0.resources.labelledSamples) / labelBudget : 0 },
                gammaRho: reports.map { $0.resources.gammaCompute }, gammaAlpha: reports.map { $0.resources.gammaLabels },
                computeBudget: computeBudget > 0 ? 1 : 0, labellingBudget: labelBudget > 0 ? 1 : 0)
            let (rho, alpha) = settings.allocator.allocate(p, generator: &generator)
            steps = rho.map { max(0, $0) * computeBudget }
            labels = alpha.map { max(0, $0) * labelBudget }
        }
        let seconds = Double(epochMilliseconds) / 1000
        let rows = reports.enumerated().map { i, r in
            let unlabelled = r.resources.shardSamples - min(r.resources.shardSamples, r.resources.labelledSamples)
            let share = CloudShare(epoch: epoch, inferenceRPS: rps[i], inferenceQuota: UInt64((rps[i] * seconds + 1e-9).rounded(.down)),
                                   inferenceUsed: 0, trainingSteps: steps[i], labels: min(unlabelled, UInt64((labels[i] + 1e-9).rounded(.down))))
            return CloudAllocationRecord.Row(edge: r.edge, reported: r.resources, share: share)
        }
        return CloudAllocationRecord(epoch: epoch, allocator: settings.allocator.rawValue, rows: rows)
    }

    /// Σ eq. 3 and Σ eq. 7 at the recorded shares, in the same normalised units (uncapped).
    public static func utilities(_ record: CloudAllocationRecord, settings: CloudAllocation.Settings) -> (inference: Double, training: Double) {
        var inference = 0.0, training = 0.0
        for r in record.rows {
            let P = settings.inferenceRPS > 0 ? settings.inferenceRPS : 1
            inference += CobbDouglasUtility.inference(rho0: r.reported.inferenceRPS / P, gamma: r.reported.gammaInference, rho: r.share.inferenceRPS / P)
            let S = settings.trainingSteps > 0 ? settings.trainingSteps : 1, T = settings.labellingBudget > 0 ? Double(settings.labellingBudget) : 1
            training += CobbDouglasUtility.training(rho0: r.reported.trainingSteps / S, alpha0: Double(r.reported.labelledSamples) / T,
                                                    gammaRho: r.reported.gammaCompute, gammaAlpha: r.reported.gammaLabels,
                                                    rho: r.share.trainingSteps / S, alpha: Double(r.share.labels) / T)
        }
        return (inference, training)
    }
}
