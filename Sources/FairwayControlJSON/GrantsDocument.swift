import FairwayCore
import Foundation

/// `fairwayctl grants --json`: the coordinator's token grants — per agent the cumulative tokens
/// granted, used and remaining (its status reply), per recent epoch V and Σ grants (its epochs
/// reply). The wire has no per-agent, per-epoch history; `watch` the grants to see them move.
public struct GrantsDocument: Codable, Sendable, Equatable {
    public struct Agent: Codable, Sendable, Equatable {
        public var agent_id: String
        public var name: String
        /// The edge server it is attached through, and that edge's display name.
        public var via: String?
        public var via_name: String?
        public var state: String
        public var granted: UInt64
        public var used: UInt64
        public var remaining: UInt64
    }

    /// The coordinator's current epoch.
    public var epoch: UInt64
    public var agents: [Agent]
    /// Recent epochs, newest first.
    public var epochs: [EpochsDocument.Epoch]
    /// Σ granted over `agents`.
    public var total_granted: UInt64

    public init(status: StatusReply, epochs: [EpochRecord]) {
        let names = Dictionary(status.nodes.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        epoch = status.epoch
        agents = status.nodes.filter { $0.role == .edgeAgent }.map {
            Agent(agent_id: $0.id.rawValue, name: $0.name, via: $0.via?.rawValue, via_name: $0.via.flatMap { names[$0] }, state: $0.state.rawValue,
                  granted: $0.tokensGranted, used: $0.tokensUsed, remaining: $0.tokensRemaining)
        }
        self.epochs = EpochsDocument(epochs).epochs
        total_granted = agents.reduce(0) { $0 + $1.granted }
    }
}

/// `fairwayctl privacy --json`: an agent's privacy spent, from the coordinator's ledger
/// (`coordinator`) and/or the agent's own budget file (`local`, with `--data-dir`).
public struct PrivacyDocument: Codable, Sendable, Equatable {
    /// One account of the privacy spent.
    public struct Account: Codable, Sendable, Equatable {
        public var agent_id: String
        /// Releases charged (local) or recorded in the ledger (coordinator).
        public var releases: UInt64
        /// ε spent at `delta` (absent: unbounded, a release without a DP guarantee).
        public var epsilon_spent: Double?
        public var delta: Double
        public var budget_epsilon: Double
        public var remaining_epsilon: Double?

        public init(agent_id: String, releases: UInt64, epsilon_spent: Double, delta: Double, budget_epsilon: Double) {
            self.agent_id = agent_id
            self.releases = releases
            self.epsilon_spent = epsilon_spent.isFinite ? epsilon_spent : nil
            self.delta = delta
            self.budget_epsilon = budget_epsilon
            remaining_epsilon = epsilon_spent.isFinite ? max(0, budget_epsilon - epsilon_spent) : nil
        }
    }

    /// The coordinator's independent account (RDP over the noise multipliers in the ledger).
    public var coordinator: [Account]
    /// The agent process's own budget file (`<data_dir>/privacy.sqlite`), what it enforces.
    public var local: [Account]

    public init(coordinator: [Account], local: [Account]) {
        self.coordinator = coordinator
        self.local = local
    }
}
