/// Every metric Fairway exports (README *Metrics* lists the same).
extension FairwayMetrics {
    // MARK: transport (every REP socket: coordinator control, edge agent socket)

    public static let requests = MetricDescriptor("fairway_requests_total", .counter, labels: ["role", "node", "kind", "outcome"],
        "Requests answered on the daemon's REP socket, by message kind and outcome (served: a reply; refused: an error reply; replayed: answered from the replay cache or journal).")
    public static let requestDuration = MetricDescriptor("fairway_request_duration_seconds", .histogram, labels: ["role", "node", "kind"],
        "Time from a request frame received to its reply ready (decrypted, checked, handled, committed where durable, sealed), seconds, by message kind.")
    public static let refusals = MetricDescriptor("fairway_refusals_total", .counter, labels: ["role", "node", "code"],
        "Error replies sent on the daemon's REP socket (frames, sessions and requests), by error code.")
    public static let handshakesStarted = MetricDescriptor("fairway_handshakes_started_total", .counter, labels: ["role", "node"],
        "Noise handshakes the REP socket answered (message 2 sent).")
    public static let handshakesCompleted = MetricDescriptor("fairway_handshakes_completed_total", .counter, labels: ["role", "node"],
        "Noise handshakes completed (message 3 accepted): sessions established.")

    // MARK: coordinator

    public static let members = MetricDescriptor("fairway_members", .gauge, labels: ["node", "member_role", "state"],
        "Members of the coordinator's committed member table, by role and failure-detector state (alive, suspect, dead).")
    public static let epoch = MetricDescriptor("fairway_epoch", .gauge, labels: ["node"],
        "The coordinator's current epoch number (committed).")
    public static let epochsCompleted = MetricDescriptor("fairway_epochs_completed_total", .counter, labels: ["node"],
        "Epoch boundaries the coordinator committed since it started.")
    public static let epochDuration = MetricDescriptor("fairway_epoch_duration_seconds", .histogram, labels: ["node"],
        "Length of each completed epoch, from its committed start to the next epoch's committed start, seconds.")
    public static let tokensGranted = MetricDescriptor("fairway_tokens_granted_total", .counter, labels: ["node"],
        "Tokens granted to agents at committed epoch boundaries since the coordinator started.")
    public static let tokensUsed = MetricDescriptor("fairway_tokens_used_total", .counter, labels: ["node"],
        "Tokens recorded as used in the coordinator's committed token book (usage reports, settlements) since it started.")
    public static let ledgerRecords = MetricDescriptor("fairway_ledger_records", .gauge, labels: ["node"],
        "Records (leaves) in the coordinator's DAT ledger, committed.")
    public static let contractPayments = MetricDescriptor("fairway_contract_payments_total", .counter, labels: ["node"],
        "Contract payments committed to the ledger (one per integrated edge per period) since the coordinator started.")
    public static let contractRewards = MetricDescriptor("fairway_contract_rewards_total", .counter, labels: ["node"],
        "Sum of the rewards R of committed contract payments since the coordinator started (the contract model's reward units).")
    public static let cloudShareInference = MetricDescriptor("fairway_cloud_share_inference_requests_per_second", .gauge, labels: ["node", "edge"],
        "Each edge's committed share of the cloud's inference capacity (Fair-Synergy), requests per second; 0 once it is out of the allocation.")
    public static let cloudShareTraining = MetricDescriptor("fairway_cloud_share_training_steps", .gauge, labels: ["node", "edge"],
        "Each edge's committed share of the cloud's training compute, extra minibatch steps per round.")
    public static let cloudShareLabels = MetricDescriptor("fairway_cloud_share_labels", .gauge, labels: ["node", "edge"],
        "Each edge's committed share of the cloud's labelling budget, samples per training period.")

    // MARK: edge server

    public static let edgeTokensDebited = MetricDescriptor("fairway_edge_tokens_debited_total", .counter, labels: ["node", "route"],
        "Tokens the edge debited from its agents' leases for admitted inference (committed), by who answered: local or cloud (offloaded).")
    public static let edgeAgents = MetricDescriptor("fairway_edge_agents", .gauge, labels: ["node"],
        "Agents attached to the edge (joined through it and not expired).")
    public static let edgeEpochToLease = MetricDescriptor("fairway_edge_epoch_to_lease_seconds", .gauge, labels: ["node"],
        "Seconds from the start of the last epoch (the coordinator's announced start) until this edge, having fetched that epoch's grants, held, durably, an open lease for every agent attached to it (that epoch's, or an earlier one still open when the agent's bucket was full).")
    public static let edgeLeaseEpoch = MetricDescriptor("fairway_edge_lease_epoch", .gauge, labels: ["node"],
        "The epoch that fairway_edge_epoch_to_lease_seconds was measured for (0 before the first).")

    // MARK: agent process

    public static let agentInferences = MetricDescriptor("fairway_agent_inferences_total", .counter, labels: ["node", "outcome"],
        "Inference requests the agent process's identities sent, by outcome: admitted, refused, unanswered.")
    public static let agentTokensCharged = MetricDescriptor("fairway_agent_tokens_charged_total", .counter, labels: ["node"],
        "Tokens the edges charged the agent process's identities for admitted inference.")
    public static let privacyEpsilonSpent = MetricDescriptor("fairway_privacy_epsilon_spent", .gauge, labels: ["node", "agent"],
        "Privacy budget spent by each agent identity: ε of its charged releases composed under RDP at the budget's δ (durable in privacy.sqlite before the release is sent).")
    public static let privacyEpsilonBudget = MetricDescriptor("fairway_privacy_epsilon_budget", .gauge, labels: ["node", "agent"],
        "Each agent identity's total privacy budget ε (privacy.budget_epsilon).")

    /// Every metric, in the README's order.
    public static let all: [MetricDescriptor] = [
        requests, requestDuration, refusals, handshakesStarted, handshakesCompleted,
        members, epoch, epochsCompleted, epochDuration, tokensGranted, tokensUsed, ledgerRecords, contractPayments, contractRewards,
        cloudShareInference, cloudShareTraining, cloudShareLabels,
        edgeTokensDebited, edgeAgents, edgeEpochToLease, edgeLeaseEpoch,
        agentInferences, agentTokensCharged, privacyEpsilonSpent, privacyEpsilonBudget,
    ]
}
