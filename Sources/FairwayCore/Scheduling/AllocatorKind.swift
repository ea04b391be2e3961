/// The allocators Fairway ships, by the names used on the command line and in configuration.
public enum AllocatorKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// Eq. 15 exactly as printed: u_n = min(v_n/Σv · V, B_n − R_n), fractional, nothing redistributed.
    case proportional
    /// Eq. 15 made work-conserving: capacity left by capped agents goes to the uncapped ones
    /// in proportion to value (water-filling).
    case proportionalFilling = "proportional-filling"
    /// The paper's Random baseline: V whole tokens, each to a uniformly random agent, no bucket cap.
    case random
    /// The paper's Round-Robin baseline: whole tokens, one per agent per sweep from agent 0.
    case roundRobin = "round-robin"
    /// The paper's Max–Min baseline: each whole token to the agent holding the fewest.
    case maxMin = "max-min"

    /// The allocator implementing this policy.
    public var allocator: any TokenAllocator {
        switch self {
        case .proportional: ProportionalAllocator()
        case .proportionalFilling: ProportionalFillingAllocator()
        case .random: RandomAllocator()
        case .roundRobin: RoundRobinAllocator()
        case .maxMin: MaxMinAllocator()
        }
    }

    /// True if the grants are whole tokens.
    public var grantsWholeTokens: Bool {
        switch self {
        case .proportional, .proportionalFilling: false
        case .random, .roundRobin, .maxMin: true
        }
    }

    /// Parses a name, or throws `FairwayError(.invalidField)` listing the accepted names.
    public init(name: String, field: String = "allocator") throws {
        guard let kind = AllocatorKind(rawValue: name) else {
            let names = AllocatorKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigError(field: field, message: "unknown allocator \"\(name)\"; expected one of \(names)")
        }
        self = kind
    }
}
