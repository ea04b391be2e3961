import EdgeAgentCore

/// `<agent data_dir>/usage.json`, written by `edge-agent` when it runs a workload: an array with
/// one row per identity.
public struct UsageRow: Codable, Sendable, Equatable {
    public var name: String
    public var id: String
    /// What the identity's workload got (admitted, servedTokens, refused, unanswered,
    /// lastRefusal, lastRetryAfterMilliseconds).
    public var usage: AgentInstance.UsageStats

    public init(name: String, id: String, usage: AgentInstance.UsageStats) {
        self.name = name
        self.id = id
        self.usage = usage
    }
}
