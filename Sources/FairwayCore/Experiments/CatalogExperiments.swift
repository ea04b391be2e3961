#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Releases fed through a `NoveltyCatalog` with ground truth attached: which anchor cell each
/// released prototype came from and how many records it really summarised. Shared by the
/// valuation-gamma and novelty-noise experiments.
public enum CatalogReplay {
    /// One released prototype with its truth.
    public struct Item: Sendable {
        public var agent: Int
        /// Index of the release in arrival order (0-based).
        public var release: Int
        /// The anchor cell it summarises (= the label whose anchor it is).
        public var cell: Int
        /// Records really in the cell (0: the release still publishes the cell, from noise alone).
        public var trueCount: Int
        public var prototype: Prototype
        /// Std of the noise on the released count (0 when counts are exact), as the agent declares it.
        public var countSigma: Double = 0
    }

    /// What happened to one prototype, judged against the truth.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// Founded a cluster for a cell that had none: a correct discovery.
        case discovered
        /// Founded a new cluster although its cell already had one: false novel.
        case falseNovel = "false-novel"
        /// Matched the cluster founded by its own cell.
        case correctMatch = "correct-match"
        /// Matched a cluster founded by another cell or by an empty cell's noise.
        case falseMatch = "false-match"
        /// Noise because its rounded noisy count was below the catalog's minimum.
        case noiseCount = "noise-count"
        /// Noise because its best similarity fell between the two thresholds.
        case noiseAmbiguous = "noise-ambiguous"
        /// From an empty cell (trueCount 0): founded a cluster of pure noise.
        case phantomFounded = "phantom-founded"
        /// From an empty cell: matched an existing cluster (and earned credit).
        case phantomMatched = "phantom-matched"
        /// From an empty cell: classified noise (right, though it is still credited its noisy count as noise samples).
        case phantomNoise = "phantom-noise"
        /// From an empty cell: its count was within `countSigmas` σ of its noise, so it was gated as
        /// empty and credited nothing (the right answer; only with the gate beyond the paper).
        case phantomGated = "phantom-gated"
        /// From a non-empty cell, but its count was within `countSigmas` σ of its noise: gated as
        /// empty and credited nothing although it held records (the gate's price; never under the paper's rule).
        case missed

        public var isPhantom: Bool { [.phantomFounded, .phantomMatched, .phantomNoise, .phantomGated].contains(self) }
    }

    public struct Applied: Sendable {
        public var item: Item
        public var credit: NoveltyCatalog.Credit
        public var outcome: Outcome
        /// Rounded count the coordinator credits (`Valuation.onContribution`).
        public var creditedCount: Int
        /// Whether its cell had already founded a cluster when it arrived.
        public var cellWasKnown: Bool
    }

    /// After each release: the catalog's size and how many of its clusters were founded by a real cell.
    public struct Snapshot: Sendable {
        public var releases: Int
        public var clusters: Int
        /// Distinct cells that founded a cluster so far.
        public var cellsDiscovered: Int
        /// Clusters founded by an empty cell's noise (phantom-founded) so far.
        public var phantomClusters: Int
        /// Samples credited to each cluster so far.
        public var clusterSamples: [Int]
    }

    /// Applies `items` in order (grouped by `release`) to a fresh catalog with `settings`.
    public static func run(_ items: [Item], settings: NoveltyCatalog.Settings) -> (applied: [Applied], snapshots: [Snapshot]) {
        var catalog = NoveltyCatalog(settings: settings)
        var founder: [Int?] = []  // cell that founded cluster i (nil: an empty cell's noise)
        var applied: [Applied] = []
        var snapshots: [Snapshot] = []
        var index = 0
        while index < items.count {
            let release = items[index].release
            while index < items.count, items[index].release == release {
                let item = items[index]
                index += 1
                let c = item.prototype.count.isFinite ? Int(max(0, min(item.prototype.count, 1e9)).rounded()) : 0
                let known = founder.contains { $0 == item.cell }
                let credit = catalog.apply(prototype: item.prototype.fused, count: c, countSigma: item.countSigma)
                let outcome: Outcome
                switch credit.kind {
                case .founded:
                    founder.append(item.trueCount > 0 ? item.cell : nil)
                    outcome = item.trueCount == 0 ? .phantomFounded : known ? .falseNovel : .discovered
                case .matched:
                    let owner = credit.cluster.flatMap { founder[$0] }
                    outcome = item.trueCount == 0 ? .phantomMatched : owner == item.cell ? .correctMatch : .falseMatch
                case .noise:
                    outcome = item.trueCount == 0 ? .phantomNoise : c < settings.minimumCount ? .noiseCount : .noiseAmbiguous
                case .empty:
                    outcome = item.trueCount == 0 ? .phantomGated : .missed
                }
                applied.append(Applied(item: item, credit: credit, outcome: outcome, creditedCount: c, cellWasKnown: known))
            }
            snapshots.append(Snapshot(releases: snapshots.count + 1, clusters: catalog.clusters.count,
                                      cellsDiscovered: Set(founder.compactMap { $0 }).count,
                                      phantomClusters: founder.filter { $0 == nil }.count,
                                      clusterSamples: catalog.clusters.map(\.samples)))
        }
        return (applied, snapshots)
    }

    /// One agent's release of `indices` under `condition`, as catalog items.
    public static func release<G: RandomNumberGenerator>(
        _ data: ExperimentDigits, indices: [Int], condition: ReleaseCondition, delta: Double, agent: Int, release: Int, using g: inout G
    ) throws -> [Item] {
        let result = try PrototypeRelease.release(data.prototypeRecords(indices), partition: .anchors(data.anchors),
                                                  settings: condition.settings(delta: delta, clippingBound: data.clippingBound), using: &g)
        var counts = [Int](repeating: 0, count: data.anchors.count)
        for i in indices { counts[data.cells[i]] += 1 }
        return result.prototypes.map {
            Item(agent: agent, release: release, cell: $0.cluster, trueCount: counts[$0.cluster],
                 prototype: Prototype(image: $0.imageEmbedding, text: $0.textEmbedding, count: $0.count),
                 countSigma: result.mode == .multimodal ? result.sigma : 0)
        }
    }
}

/// Fig. 6 of paper 1 on the digits: data value vs Γ per kind of agent, and prototype discovery
/// over releases. A population of agents arrives in random order; each holds `recordsPerAgent`
/// records drawn from its label set and makes one release (the edge agent's default block of
/// 100 records); the coordinator's catalog values every prototype (eq. 20).
public enum ValuationGammaExperiment {
    public struct AgentKind: Sendable, Hashable {
        public var name: String
        public var labels: Int
        public init(name: String, labels: Int) { self.name = name; self.labels = labels }
    }

    public struct Setting: Sendable {
        public var kinds: [AgentKind] = [.init(name: "10 labels", labels: 10), .init(name: "5 labels", labels: 5), .init(name: "1 label", labels: 1)]
        public var agentsPerKind = 10
        public var recordsPerAgent = 100
        public var gammas = [1, 2, 5, 10, 20, 50, 100, 200, 500]
        public var conditions: [ReleaseCondition] = [.none, .multimodal(0.5), .multimodal(1), .multimodal(4)]
        public var seeds: [UInt64] = Array(0..<20)
        public var delta = 1e-5
        /// Matching thresholds and minimum count; `gamma` and `countSigmas` are set per run from `gammas` and `countSigmas`.
        public var catalog = NoveltyCatalog.Settings()
        /// Catalog rules compared on the same releases: 0 = the paper's rule, 3 = the coordinator's
        /// default gate (counts below 3 σ of their own noise are empty cells).
        public var countSigmas: [Double] = [0, NoveltyCatalog.Settings().countSigmas]
        public init() {}
    }

    /// One agent's value at one Γ under one rule.
    public struct AgentValue: Sendable {
        public var condition: ReleaseCondition
        /// The catalog's `countSigmas` (0 = the paper's rule).
        public var countSigmas: Double
        public var seed: UInt64
        public var gamma: Int
        public var agent: Int
        public var kind: String
        /// 1-based arrival position.
        public var position: Int
        public var novel: Int, normal: Int, noise: Int
        /// Records the agent really held in cells the gate declared empty (credited nothing).
        public var missedRecords: Int
        /// Samples credited (novel, normal or noise) from its empty cells' noisy counts.
        public var phantomSamples: Int
        /// Eq. 20: φ·ln(1 + |d|).
        public var value: Double
    }

    /// The catalog after `releases` releases (Γ-independent except `confirmed`).
    public struct Discovery: Sendable {
        public var condition: ReleaseCondition
        public var countSigmas: Double
        public var seed: UInt64
        public var releases: Int
        public var clusters: Int
        public var cellsDiscovered: Int
        /// Clusters founded by an empty cell's noise.
        public var phantomClusters: Int
        /// Std of the noise on each released count under this condition (0 for exact counts).
        public var countSigma: Double
        /// Per Γ: clusters that have been credited ≥ Γ samples (the paper's "confirmed").
        public var confirmed: [Int: Int]
    }

    public static func work(_ s: Setting) -> Int { s.seeds.count * s.conditions.count }

    /// Every rule values the same releases (paired comparison).
    public static func run(_ data: ExperimentDigits, _ s: Setting, progress: (Int) -> Void = { _ in })
        throws -> (values: [AgentValue], discovery: [Discovery]) {
        var values: [AgentValue] = [], discovery: [Discovery] = []
        var done = 0
        for seed in s.seeds {
            // The population (same for every condition): kinds, label sets, records, arrival order.
            var g = SeededGenerator(seed: seed)
            var agents: [(kind: AgentKind, records: [Int])] = []
            for kind in s.kinds {
                for _ in 0..<s.agentsPerKind {
                    let labels = ExperimentDigits.sample(Array(0..<DigitRecord.labelCount), count: kind.labels, using: &g)
                    let pool = labels.flatMap { data.byLabel[$0] }
                    agents.append((kind, ExperimentDigits.sample(pool, count: s.recordsPerAgent, using: &g)))
                }
            }
            let order = ExperimentDigits.sample(Array(agents.indices), count: agents.count, using: &g)
            for (ci, condition) in s.conditions.enumerated() {
                var noise = SeededGenerator(seed: seed &* 1_000_003 &+ UInt64(ci) &+ 0x5eed)
                var items: [CatalogReplay.Item] = []
                for (position, agent) in order.enumerated() {
                    items += try CatalogReplay.release(data, indices: agents[agent].records, condition: condition, delta: s.delta,
                                                       agent: agent, release: position, using: &noise)
                }
                for k in s.countSigmas {
                    for gamma in s.gammas {
                        var settings = s.catalog
                        settings.gamma = gamma
                        settings.countSigmas = k
                        let (applied, snapshots) = CatalogReplay.run(items, settings: settings)
                        let byAgent = Dictionary(grouping: applied, by: \.item.agent)
                        for (position, agent) in order.enumerated() {
                            let mine = byAgent[agent] ?? []
                            let credits = mine.map(\.credit)
                            let novel = credits.reduce(0) { $0 + $1.novelSamples }, normal = credits.reduce(0) { $0 + $1.normalSamples }
                            let noiseSamples = credits.reduce(0) { $0 + $1.noiseSamples }
                            let missed = mine.filter { $0.outcome == .missed }.reduce(0) { $0 + $1.item.trueCount }
                            let phantom = mine.filter { $0.item.trueCount == 0 }
                                .reduce(0) { $0 + $1.credit.novelSamples + $1.credit.normalSamples + $1.credit.noiseSamples }
                            values.append(AgentValue(condition: condition, countSigmas: k, seed: seed, gamma: gamma, agent: agent,
                                                     kind: agents[agent].kind.name, position: position + 1, novel: novel, normal: normal,
                                                     noise: noiseSamples, missedRecords: missed, phantomSamples: phantom,
                                                     value: NoveltyCatalog.value(of: credits)))
                        }
                        if gamma == s.gammas.first {
                            for snap in snapshots {
                                let confirmed = Dictionary(uniqueKeysWithValues: s.gammas.map { gm in (gm, snap.clusterSamples.filter { $0 >= gm }.count) })
                                discovery.append(Discovery(condition: condition, countSigmas: k, seed: seed, releases: snap.releases,
                                                           clusters: snap.clusters, cellsDiscovered: snap.cellsDiscovered,
                                                           phantomClusters: snap.phantomClusters, countSigma: items.first?.countSigma ?? 0,
                                                           confirmed: confirmed))
                            }
                        }
                    }
                }
                done += 1
                progress(done)
            }
        }
        return (values, discovery)
    }
}

/// How DP noise affects the catalog's matching rule: agents each release `recordsPerRelease`
/// records drawn uniformly from the data set; every prototype's outcome is judged against the
/// cell it really came from (`CatalogReplay.Outcome`).
public enum NoveltyNoiseExperiment {
    public struct Setting: Sendable {
        public var conditions: [ReleaseCondition] = [.none, .imageOnly] + [0.5, 1, 2, 4, 8].map { .multimodal($0) }
        public var recordsPerRelease = [100, 500]
        public var releases = 20
        public var seeds: [UInt64] = Array(0..<10)
        public var delta = 1e-5
        /// Thresholds and Γ; `countSigmas` is set per run from `countSigmas` below.
        public var catalog = NoveltyCatalog.Settings()
        /// Catalog rules compared on the same releases: 0 = the paper's rule, 3 = the coordinator's default gate.
        public var countSigmas: [Double] = [0, NoveltyCatalog.Settings().countSigmas]
        public init() {}
    }

    /// Outcome tallies of one (condition, rule, records per release, seed).
    public struct Tally: Sendable {
        public var condition: ReleaseCondition
        /// The catalog's `countSigmas` (0 = the paper's rule).
        public var countSigmas: Double
        public var recordsPerRelease: Int
        public var seed: UInt64
        public var outcomes: [CatalogReplay.Outcome: Int]
        /// Prototypes of a non-empty cell that already had a cluster when they arrived.
        public var ofKnownCells: Int
        public var finalClusters: Int
        public var cellsDiscovered: Int
        /// Final clusters founded by an empty cell's noise.
        public var phantomClusters: Int
        /// Std of the noise on each released count under this condition (0 for exact counts).
        public var countSigma: Double

        public func count(_ o: CatalogReplay.Outcome) -> Int { outcomes[o] ?? 0 }
        /// Prototypes of non-empty cells.
        public var real: Int { CatalogReplay.Outcome.allCases.filter { !$0.isPhantom }.reduce(0) { $0 + count($1) } }
        public var phantom: Int { CatalogReplay.Outcome.allCases.filter(\.isPhantom).reduce(0) { $0 + count($1) } }
    }

    public static func work(_ s: Setting) -> Int { s.seeds.count * s.conditions.count * s.recordsPerRelease.count }

    public static func run(_ data: ExperimentDigits, _ s: Setting, progress: (Int) -> Void = { _ in }) throws -> [Tally] {
        var tallies: [Tally] = []
        var done = 0
        for size in s.recordsPerRelease {
            for seed in s.seeds {
                var g = SeededGenerator(seed: seed &+ UInt64(size) &* 7919)
                let all = Array(data.records.indices)
                let blocks = (0..<s.releases).map { _ in ExperimentDigits.sample(all, count: size, using: &g) }
                for (ci, condition) in s.conditions.enumerated() {
                    var noise = SeededGenerator(seed: (seed &+ UInt64(size) &* 7919) &* 1_000_003 &+ UInt64(ci) &+ 0x5eed)
                    var items: [CatalogReplay.Item] = []
                    for (r, block) in blocks.enumerated() {
                        items += try CatalogReplay.release(data, indices: block, condition: condition, delta: s.delta, agent: r, release: r, using: &noise)
                    }
                    for k in s.countSigmas {
                        var settings = s.catalog
                        settings.countSigmas = k
                        let (applied, snapshots) = CatalogReplay.run(items, settings: settings)
                        var outcomes: [CatalogReplay.Outcome: Int] = [:]
                        for a in applied { outcomes[a.outcome, default: 0] += 1 }
                        let known = applied.filter { $0.cellWasKnown && $0.item.trueCount > 0 }.count
                        tallies.append(Tally(condition: condition, countSigmas: k, recordsPerRelease: size, seed: seed, outcomes: outcomes,
                                             ofKnownCells: known, finalClusters: snapshots.last?.clusters ?? 0,
                                             cellsDiscovered: snapshots.last?.cellsDiscovered ?? 0,
                                             phantomClusters: snapshots.last?.phantomClusters ?? 0, countSigma: items.first?.countSigma ?? 0))
                    }
                    done += 1
                    progress(done)
                }
            }
        }
        return tallies
    }
}
