import FairwayCore
import FairwayWire

/// The data value v_n of each agent (paper 1, §IV), asked for once per epoch boundary, before
/// grants are computed from it.
///
/// With `source: catalog` (the default) v_n comes from the iDAO catalog: each contribution's
/// DP prototypes are matched against it (`NoveltyCatalog`, the exact rule is documented there),
/// its samples credited novel (φ = 1), normal (0.5) or noise (0), and
///
///     v_n = base + φ(d_n)·ln(1 + |d_n|)        (eq. 20; the paper's base is 0)
///
/// over all of agent n's valued samples. With `source: configured` v_n is `tokens.values` /
/// `tokens.default_value` as before valuation had a room. The catalog's state is derived from
/// the DAT ledger: after a restart the shell replays the recorded contributions in ledger
/// order (`restore`), and each agent's tallies are the ones the ledger recorded.
///
/// It never reads another concern: the router passes the agents and the contributions.
public struct Valuation: Sendable {
    /// Where v_n comes from.
    public enum Source: String, Sendable, Hashable, CaseIterable {
        case catalog, configured
    }

    /// Valuation settings (YAML `valuation.*`, and `tokens.values`/`tokens.default_value` for
    /// `source: configured`).
    public struct Settings: Sendable, Hashable, SettingsSchema {
        /// `catalog` (v_n from the novelty of DP prototypes) or `configured`. Default catalog.
        public var source: Source = .catalog
        /// Added to every agent's catalog value, so a new agent is served before it contributes.
        /// The paper's rule is 0 (an agent with no valued data gets no tokens). Default 1.
        public var baseValue: Double = 1
        /// Γ and the matching thresholds (`valuation.gamma`, `valuation.match_similarity`,
        /// `valuation.new_cluster_similarity`, `valuation.min_count`, `valuation.count_sigmas`).
        public var catalog = NoveltyCatalog.Settings()
        /// δ at which `fairwayctl privacy` reports an agent's ε (RDP accountant over the noise
        /// multipliers its releases declared). Default 1e-5.
        public var accountingDelta: Double = 1e-5
        /// Configured values, for `source: configured` (`tokens.values`, by agent id).
        public var configured = ConfiguredValues()

        public init() {}

        public static let fields: [SettingField<Self>] = [
            .choice("source", \.source),
            .number("base_value", \.baseValue, in: 0...1e15),
            .integer("gamma", \Settings.catalog.gamma, in: 0...1_000_000_000),
            .number("match_similarity", \Settings.catalog.matchSimilarity, in: -1...1),
            .number("new_cluster_similarity", \Settings.catalog.newClusterSimilarity, in: -1...1),
            .integer("min_count", \Settings.catalog.minimumCount, in: 0...1_000_000_000),
            .number("count_sigmas", \Settings.catalog.countSigmas, in: 0...100),
            .number("accounting_delta", \.accountingDelta, in: 1e-300...0.5),
        ]

        public func validateCombinations() throws {
            guard catalog.newClusterSimilarity <= catalog.matchSimilarity else {
                throw ConfigError(field: "new_cluster_similarity", message: "must be ≤ match_similarity (\(catalog.matchSimilarity)), got \(catalog.newClusterSimilarity)")
            }
        }
    }

    /// What one agent has been credited, from the ledger.
    public struct Tally: Sendable, Hashable {
        public var contributions: UInt64 = 0
        public var novel = 0, normal = 0, noise = 0
        /// Noise multipliers its releases declared (∞ privacy loss if any was 0).
        public var releases: [Double] = []
        public init() {}
        /// f(d_n) of eq. 20.
        public var catalogValue: Double { NoveltyCatalog.value(novel: novel, normal: normal, noise: noise) }
    }

    /// One valued contribution: its credit and the agent's tally after it.
    public struct Valued: Sendable, Hashable {
        public var credits: [NoveltyCatalog.Credit]
        public var novel: Int, normal: Int, noise: Int
        /// The agent's v_n after it.
        public var agentValue: Double
    }

    public let settings: Settings
    public private(set) var catalog: NoveltyCatalog
    public private(set) var tallies: [NodeID: Tally] = [:]

    public init(settings: Settings) {
        self.settings = settings
        self.catalog = NoveltyCatalog(settings: settings.catalog)
    }

    /// v_n of `agent` now.
    public func value(of agent: NodeID) -> Double {
        switch settings.source {
        case .configured: settings.configured.values[agent] ?? settings.configured.defaultValue
        case .catalog: settings.baseValue + (tallies[agent]?.catalogValue ?? 0)
        }
    }

    /// Matches `contribution`'s prototypes against the catalog in order and credits `agent`.
    /// Noisy counts are rounded to whole samples (negative ones count as 0).
    public mutating func onContribution(_ contribution: Contribution, from agent: NodeID) -> Valued {
        var credits: [NoveltyCatalog.Credit] = []
        for p in contribution.prototypes {
            let c = p.count.isFinite ? Int(max(0, min(p.count, 1e9)).rounded()) : 0
            credits.append(catalog.apply(prototype: p.fused, count: c, countSigma: contribution.countNoiseFloor))
        }
        let novel = credits.reduce(0) { $0 + $1.novelSamples }, normal = credits.reduce(0) { $0 + $1.normalSamples }
        let noise = credits.reduce(0) { $0 + $1.noiseSamples }
        tally(agent: agent, novel: novel, normal: normal, noise: noise, noiseMultiplier: contribution.mode.isPrivate ? contribution.noiseMultiplier : 0)
        return Valued(credits: credits, novel: novel, normal: normal, noise: noise, agentValue: value(of: agent))
    }

    /// Rebuilds from the ledger: re-applies `contribution` to the catalog (same order as first
    /// applied) and tallies what the ledger recorded for it.
    public mutating func restore(_ contribution: Contribution, record: DatRecord) {
        for p in contribution.prototypes {
            _ = catalog.apply(prototype: p.fused, count: p.count.isFinite ? Int(max(0, min(p.count, 1e9)).rounded()) : 0,
                              countSigma: contribution.countNoiseFloor)
        }
        tally(agent: record.agentID, novel: Int(record.novelSamples), normal: Int(record.normalSamples), noise: Int(record.noiseSamples),
               noiseMultiplier: contribution.mode.isPrivate ? contribution.noiseMultiplier : 0)
    }

    private mutating func tally(agent: NodeID, novel: Int, normal: Int, noise: Int, noiseMultiplier: Double) {
        var t = tallies[agent] ?? Tally()
        t.contributions += 1
        t.novel += novel
        t.normal += normal
        t.noise += noise
        t.releases.append(noiseMultiplier)
        tallies[agent] = t
    }

    /// v_n of each of `agents` for the epoch that starts now.
    public func onEpochBoundary(epoch: UInt64, agents: [NodeID]) -> [NodeID: Double] {
        Dictionary(uniqueKeysWithValues: agents.map { ($0, value(of: $0)) })
    }

    /// `agents`' figures (all valued agents if empty), by id.
    public func report(_ agents: [NodeID]) -> ValuationReply {
        let ids = agents.isEmpty ? tallies.keys.sorted() : agents
        let rows = ids.map { id -> AgentValuation in
            let t = tallies[id] ?? Tally()
            return AgentValuation(agentID: id, value: value(of: id), contributions: t.contributions, novelSamples: UInt64(t.novel),
                                  normalSamples: UInt64(t.normal), noiseSamples: UInt64(t.noise),
                                  epsilonSpent: Self.epsilon(of: t.releases, delta: settings.accountingDelta), delta: settings.accountingDelta)
        }
        return ValuationReply(agents: rows, catalogClusters: UInt32(clamping: catalog.clusters.count))
    }

    /// ε at `delta` of releases with these noise multipliers (0 = no guarantee: ∞).
    static func epsilon(of releases: [Double], delta: Double) -> Double {
        guard !releases.isEmpty else { return 0 }
        guard releases.allSatisfy({ $0 > 0 }) else { return .infinity }
        var a = RDPAccountant()
        for z in releases { a.compose(noiseMultiplier: z) }
        return a.epsilon(delta: delta).epsilon
    }
}

/// v_n set by the operator (`tokens.values`, `tokens.default_value`), used with `valuation.source: configured`.
public struct ConfiguredValues: Sendable, Hashable, SettingsSchema {
    /// v_n by agent id (the address of its key). Not by display name: agents choose their
    /// own names, so a name could be claimed to obtain another agent's value. Default: none.
    public var values: [NodeID: Double] = [:]
    /// v_n of agents not in `values`. Default 1.
    public var defaultValue: Double = 1

    public init() {}

    public static let fields: [SettingField<Self>] = [
        .custom("values", \.values) { value, field in
            let m = try value.entries(field)
            var byID: [NodeID: Double] = [:]
            for (key, v) in m {
                let id = try ConfigError.parsing("\(field).\(key)") { try NodeID(key, field: field) }
                guard NodeAddress.isAddress(id) else {
                    throw ConfigError(field: "\(field).\(key)", message: "keys must be agent ids (fw + 40 hex digits, see `fairwayctl identity`), not names: agents choose their names")
                }
                let text = try v.text("\(field).\(key)")
                guard let d = Double(text) else { throw ConfigError(field: "\(field).\(key)", message: "must be a number, got \"\(text)\"") }
                byID[id] = d
            }
            return byID
        },
        .number("default_value", \.defaultValue, in: 0...1e15),
    ]

    public func validateCombinations() throws {
        for (id, v) in values.sorted(by: { $0.key < $1.key }) where !(v.isFinite && v >= 0 && v <= 1e15) {
            throw ConfigError(field: "values.\(id)", message: "must be a finite value in [0, 1e15], got \(v)")
        }
    }
}
