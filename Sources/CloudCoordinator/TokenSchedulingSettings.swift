import FairwayCore
import FairwayRuntime

/// How the coordinator grants tokens each epoch (paper 1, eq. 15 and the baselines).
public struct TokenSchedulingSettings: Sendable, Hashable {
    /// V: whole tokens granted per epoch, over all agents. Default 1000.
    public var tokensPerEpoch: UInt64 = 1000
    /// The policy. Default `proportional` (eq. 15 as printed; grants are rounded down to whole tokens).
    public var allocator: AllocatorKind = .proportional
    /// Data value v_n of an agent, by node id (the address of its key), until valuation lands.
    /// Not by display name: agents choose their own names, so a name could be claimed to
    /// obtain another agent's value. Default: none.
    public var values: [NodeID: Double] = [:]
    /// v_n of agents not in `values`. Default 1.
    public var defaultValue: Double = 1
    /// Seed of the `random` allocator (mixed with the epoch number). Default 0.
    public var seed: UInt64 = 0

    public init() {}

    public func validate() throws {
        guard tokensPerEpoch <= 1 << 40 else {
            throw ConfigError(field: "tokens.per_epoch", message: "must be at most 2^40, got \(tokensPerEpoch)")
        }
        for (id, v) in values.sorted(by: { $0.key < $1.key }) where !(v.isFinite && v >= 0 && v <= 1e15) {
            throw ConfigError(field: "tokens.values.\(id)", message: "must be a finite value in [0, 1e15], got \(v)")
        }
        guard defaultValue.isFinite, defaultValue >= 0, defaultValue <= 1e15 else {
            throw ConfigError(field: "tokens.default_value", message: "must be a finite value in [0, 1e15], got \(defaultValue)")
        }
    }

    /// v_n for a member.
    public func value(of member: Member) -> Double {
        values[member.id] ?? defaultValue
    }
}
