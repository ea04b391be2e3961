import ArgumentParser
import FairwayCore
import Foundation

extension FairwayLab.Experiment {
    /// Fig. 6 of the token-scheduling paper: data value vs Γ and prototype discovery.
    struct ValuationGamma: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "valuation-gamma",
            abstract: "Data value (eq. 20) vs novelty threshold Γ per kind of agent, and catalog discovery over releases (Fig. 6).",
            discussion: """
            Per seed a population of --agents-per-kind agents of each kind (all 10 labels, 5 random labels, 1 random label)
            arrives in random order; each holds --records-per-agent records of its labels and makes one release (public
            text anchors, C = 1, δ = 1e-5). The coordinator's NoveltyCatalog (match ≥ 0.8, new < 0.5) values every
            prototype, once per rule of --count-sigmas (0 = the paper's rule, 3 = the coordinator's σ gate) on the same
            releases. Writes values.csv, value-summary.csv, discovery.csv (column rule), SVG plots and results.md.
            """)

        @Option(help: "Directory for CSV, SVG and markdown (created if missing).") var out: String
        @Option(help: "First seed.") var seed: UInt64 = 0
        @Option(help: "Number of seeds.") var seeds = 20
        @Option(help: "Agents of each kind.") var agentsPerKind = 10
        @Option(help: "Records each agent holds (one release).") var recordsPerAgent = 100
        @Option(help: "Γ values.") var gammas = "1,2,5,10,20,50,100,200,500"
        @Option(help: "ε values of the multimodal release (none is always included).") var epsilons = "0.5,1,4"
        @Option(help: "Catalog rules to compare, as NoveltyCatalog countSigmas (0 = the paper's rule, 3 = the coordinator's default gate).")
        var countSigmas = "0,3"
        @Option(help: "The digits CSV.") var data = "data/uci-digits-8x8.csv"

        func run() throws {
            var s = ValuationGammaExperiment.Setting()
            s.seeds = (0..<UInt64(max(1, seeds))).map { seed + $0 }
            s.agentsPerKind = agentsPerKind
            s.recordsPerAgent = recordsPerAgent
            s.gammas = try ExperimentSupport.list(gammas, "--gammas")
            let eps: [Double] = try ExperimentSupport.list(epsilons, "--epsilons")
            s.conditions = [.none] + eps.map { .multimodal($0) }
            s.countSigmas = try ExperimentSupport.list(countSigmas, "--count-sigmas")
            guard s.countSigmas.allSatisfy({ $0 >= 0 && $0.isFinite }) else { throw ExperimentSupport.ValidationErrorText("--count-sigmas: need values ≥ 0") }
            let digits = try ExperimentSupport.loadDigits(data)
            let progress = Progress(total: ValuationGammaExperiment.work(s), label: "populations valued")
            let clock = ContinuousClock()
            var result: (values: [ValuationGammaExperiment.AgentValue], discovery: [ValuationGammaExperiment.Discovery]) = ([], [])
            let elapsed = try clock.measure { result = try ValuationGammaExperiment.run(digits, s) { progress.update($0) } }
            progress.finish()
            let report = ValuationGammaReport(setting: s, values: result.values, discovery: result.discovery)
            let files = report.files()
            let url = try ExperimentSupport.writeFiles(files, to: out)
            print("wrote \(files.keys.sorted().joined(separator: ", ")) to \(url.path) (\(elapsed))")
            print(report.headline())
        }
    }
}

struct ValuationGammaReport {
    var setting: ValuationGammaExperiment.Setting
    var values: [ValuationGammaExperiment.AgentValue]
    var discovery: [ValuationGammaExperiment.Discovery]

    var kinds: [String] { setting.kinds.map(\.name) }
    var agents: Int { setting.kinds.count * setting.agentsPerKind }
    var rules: [Double] { setting.countSigmas }
    /// The paper's rule if compared, else the first.
    var paper: Double { rules.contains(0) ? 0 : rules[0] }
    /// The coordinator's default gate if compared, else the largest.
    var gated: Double { rules.contains(NoveltyCatalog.Settings().countSigmas) ? NoveltyCatalog.Settings().countSigmas : rules.max()! }

    func rows(_ c: ReleaseCondition, _ k: Double, gamma: Int? = nil, kind: String? = nil) -> [ValuationGammaExperiment.AgentValue] {
        values.filter { $0.condition == c && $0.countSigmas == k && (gamma == nil || $0.gamma == gamma) && (kind == nil || $0.kind == kind) }
    }
    func value(_ c: ReleaseCondition, _ k: Double, _ gamma: Int, kind: String) -> MeanSE { MeanSE(rows(c, k, gamma: gamma, kind: kind).map(\.value)) }
    func phi(_ c: ReleaseCondition, _ k: Double, _ gamma: Int, kind: String) -> Double {
        let r = rows(c, k, gamma: gamma, kind: kind)
        let credit = r.reduce(0.0) { $0 + Double($1.novel) + 0.5 * Double($1.normal) }, total = r.reduce(0) { $0 + $1.novel + $1.normal + $1.noise }
        return total > 0 ? credit / Double(total) : 0
    }
    /// Mean over agents of a Γ-independent per-agent quantity (taken at the first Γ).
    func perAgent(_ c: ReleaseCondition, _ k: Double, kind: String, _ f: (ValuationGammaExperiment.AgentValue) -> Int) -> Double {
        MeanSE(rows(c, k, gamma: setting.gammas[0], kind: kind).map { Double(f($0)) }).mean
    }
    func samples(_ c: ReleaseCondition, _ k: Double, kind: String) -> Double { perAgent(c, k, kind: kind) { $0.novel + $0.normal + $0.noise } }
    func noiseShare(_ c: ReleaseCondition, _ k: Double, kind: String) -> Double {
        let r = rows(c, k, gamma: setting.gammas[0], kind: kind)
        let total = r.reduce(0) { $0 + $1.novel + $1.normal + $1.noise }
        return total > 0 ? Double(r.reduce(0) { $0 + $1.noise }) / Double(total) : 0
    }
    /// Share of the agents' records that sat in cells the gate declared empty.
    func missedShare(_ c: ReleaseCondition, _ k: Double, kind: String) -> Double {
        perAgent(c, k, kind: kind) { $0.missedRecords } / Double(setting.recordsPerAgent)
    }
    func positionValue(_ c: ReleaseCondition, _ k: Double, _ gamma: Int, _ position: Int) -> Double {
        MeanSE(values.filter { $0.condition == c && $0.countSigmas == k && $0.gamma == gamma && $0.position == position }.map(\.value)).mean
    }
    func discoveryMean(_ c: ReleaseCondition, _ k: Double, _ releases: Int, _ f: (ValuationGammaExperiment.Discovery) -> Int) -> Double {
        MeanSE(discovery.filter { $0.condition == c && $0.countSigmas == k && $0.releases == releases }.map { Double(f($0)) }).mean
    }
    /// Whether every agent's numbers under condition c are identical under all rules (true for exact counts).
    func rulesAgree(_ c: ReleaseCondition) -> Bool {
        let byRule = rules.map { k in rows(c, k).map { [$0.novel, $0.normal, $0.noise, $0.missedRecords] } }
        return byRule.allSatisfy { $0 == byRule[0] }
    }
    /// The rules to list for condition c: one row when they agree.
    func shownRules(_ c: ReleaseCondition) -> [(k: Double, label: String)] {
        rulesAgree(c) && rules.count > 1 ? [(paper, "both (identical)")] : rules.map { ($0, CatalogRule.label($0)) }
    }
    /// The paper's default condition if present (multimodal ε = 1), else the first private one.
    var paperCondition: ReleaseCondition {
        setting.conditions.contains(.multimodal(1)) ? .multimodal(1) : setting.conditions.first { $0.mode == .multimodal } ?? .none
    }
    static let ruleDash: [String?] = [nil, "2 3", "8 3 2 3"]

    func files() -> [String: String] {
        var out = ["values.csv": valuesCSV(), "value-summary.csv": summaryCSV(), "discovery.csv": discoveryCSV(), "results.md": markdown()]
        let colors = SVGLinePlot.palette
        let gs = setting.gammas.map(Double.init)
        let pc = paperCondition
        let ruleNote = rules.enumerated().map { "\(["solid", "dotted", "dash-dot"][min($0.offset, 2)]): \(CatalogRule.label($0.element))" }.joined(separator: "; ")
        // (a) value vs Γ.
        var a = SVGLinePlot(title: "Fig. 6(a): data value of an agent vs novelty threshold Γ", xLabel: "Γ (novel samples per new cluster, log scale)",
                            yLabel: "mean value φ·ln(1+|d|) per agent", xScale: .log, yScale: .linear,
                            xRange: (gs.min() ?? 1)...(gs.max() ?? 500), yRange: nil, xTicks: gs)
        a.subtitle = "\(pc), \(ruleNote); dashed: none; \(agents) agents, \(setting.seeds.count) seeds"
        for (k, kind) in kinds.enumerated() {
            if setting.conditions.contains(.none) {
                a.series.append(.init(name: "\(kind), none", points: setting.gammas.map { (Double($0), value(.none, paper, $0, kind: kind).mean) },
                                      color: colors[k], dash: "6 3", marker: SVGLinePlot.markers[k]))
            }
            for (r, rule) in rules.enumerated() where pc != .none {
                a.series.append(.init(name: "\(kind), \(CatalogRule.id(rule))", points: setting.gammas.map { (Double($0), value(pc, rule, $0, kind: kind).mean) },
                                      color: colors[k], dash: Self.ruleDash[min(r, 2)], marker: SVGLinePlot.markers[k]))
            }
        }
        out["fig6a-value-vs-gamma.svg"] = a.svg()
        // (a') value vs arrival position.
        let shownGammas = setting.gammas.filter { [10, 50, 200].contains($0) }
        var pos = SVGLinePlot(title: "Early contributions earn more: value vs arrival position", xLabel: "arrival position of the agent's release",
                              yLabel: "mean value per agent", xScale: .linear, yScale: .linear, xRange: 1...Double(agents), yRange: nil)
        pos.subtitle = "\(pc), all kinds pooled, \(setting.seeds.count) seeds; \(ruleNote)"
        for (i, gamma) in shownGammas.enumerated() {
            for (r, rule) in rules.enumerated() {
                pos.series.append(.init(name: "Γ = \(gamma), \(CatalogRule.id(rule))", points: (1...agents).map { (Double($0), positionValue(pc, rule, gamma, $0)) },
                                        color: colors[i], dash: Self.ruleDash[min(r, 2)], marker: SVGLinePlot.markers[i]))
            }
        }
        out["fig6a-value-vs-position.svg"] = pos.svg()
        // (b) discovery, one plot per rule.
        for rule in rules {
            var b = SVGLinePlot(title: "Fig. 6(b): prototype discovery, \(CatalogRule.label(rule))", xLabel: "releases processed by the catalog",
                                yLabel: "catalog clusters (mean over seeds)", xScale: .linear, yScale: .linear, xRange: 0...Double(agents), yRange: nil)
            b.subtitle = "solid: clusters in the catalog; dashed: true labels among their founders; dotted: the 10 labels"
            for (i, c) in setting.conditions.enumerated() {
                b.series.append(.init(name: "clusters, \(c)", points: [(0, 0)] + (1...agents).map { (Double($0), discoveryMean(c, rule, $0) { $0.clusters }) },
                                      color: colors[i], marker: SVGLinePlot.markers[i % 5]))
                b.series.append(.init(name: "labels found, \(c)", points: [(0, 0)] + (1...agents).map { (Double($0), discoveryMean(c, rule, $0) { $0.cellsDiscovered }) },
                                      color: colors[i], dash: "5 3", marker: SVGLinePlot.markers[i % 5]))
            }
            b.series.append(.init(name: "10 labels", points: [(0, 10), (Double(agents), 10)], color: "#999999", dash: "2 3", marker: .cross))
            out["fig6b-discovery-\(CatalogRule.id(rule)).svg"] = b.svg()
        }
        // (b') clusters that have reached Γ samples ("confirmed" in the paper's sense).
        var conf = SVGLinePlot(title: "Clusters that have filled their Γ novel samples", xLabel: "releases processed by the catalog",
                               yLabel: "clusters with ≥ Γ credited samples", xScale: .linear, yScale: .linear, xRange: 0...Double(agents), yRange: nil)
        conf.subtitle = "\(pc); \(ruleNote)"
        for (i, gamma) in setting.gammas.filter({ [10, 50, 200, 500].contains($0) }).enumerated() {
            for (r, rule) in rules.enumerated() {
                conf.series.append(.init(name: "Γ = \(gamma), \(CatalogRule.id(rule))",
                                         points: [(0, 0)] + (1...agents).map { n in (Double(n), discoveryMean(pc, rule, n) { $0.confirmed[gamma] ?? 0 }) },
                                         color: colors[i], dash: Self.ruleDash[min(r, 2)], marker: SVGLinePlot.markers[i]))
            }
        }
        out["fig6b-confirmed.svg"] = conf.svg()
        return out
    }

    func valuesCSV() -> String {
        var s = "mode,epsilon,rule,count_sigmas,seed,gamma,agent,kind,position,novel,normal,noise,missed_records,phantom_samples,value\n"
        for v in values {
            s += "\(v.condition.mode.rawValue),\(v.condition.epsilon.map { "\($0)" } ?? ""),\(CatalogRule.id(v.countSigmas)),\(v.countSigmas),\(v.seed),\(v.gamma),\(v.agent),\(v.kind),\(v.position),\(v.novel),\(v.normal),\(v.noise),\(v.missedRecords),\(v.phantomSamples),\(v.value)\n"
        }
        return s
    }

    func summaryCSV() -> String {
        var s = "mode,epsilon,rule,count_sigmas,gamma,kind,agents,value_mean,value_se,phi,credited_samples,noise_share,missed_record_share\n"
        for c in setting.conditions {
            for rule in rules {
                for gamma in setting.gammas {
                    for kind in kinds {
                        let m = value(c, rule, gamma, kind: kind)
                        s += "\(c.mode.rawValue),\(c.epsilon.map { "\($0)" } ?? ""),\(CatalogRule.id(rule)),\(rule),\(gamma),\(kind),\(m.n),\(m.mean),\(m.se),\(phi(c, rule, gamma, kind: kind)),"
                        s += "\(samples(c, rule, kind: kind)),\(noiseShare(c, rule, kind: kind)),\(missedShare(c, rule, kind: kind))\n"
                    }
                }
            }
        }
        return s
    }

    func discoveryCSV() -> String {
        var s = "mode,epsilon,rule,count_sigmas,count_sigma,seed,releases,clusters,labels_discovered,phantom_clusters," + setting.gammas.map { "confirmed_gamma_\($0)" }.joined(separator: ",") + "\n"
        for d in discovery {
            s += "\(d.condition.mode.rawValue),\(d.condition.epsilon.map { "\($0)" } ?? ""),\(CatalogRule.id(d.countSigmas)),\(d.countSigmas),\(d.countSigma),\(d.seed),\(d.releases),\(d.clusters),\(d.cellsDiscovered),\(d.phantomClusters),"
            s += setting.gammas.map { "\(d.confirmed[$0] ?? 0)" }.joined(separator: ",") + "\n"
        }
        return s
    }

    func f2(_ x: Double) -> String { String(format: "%.2f", x) }
    func f1(_ x: Double) -> String { String(format: "%.1f", x) }
    func pct(_ x: Double) -> String { String(format: "%.0f%%", 100 * x) }

    func markdown() -> String {
        var valueTable = "| condition | rule | Γ | " + kinds.joined(separator: " | ") + " |\n|---|---|---:|" + String(repeating: "---:|", count: kinds.count) + "\n"
        for c in setting.conditions {
            for (rule, label) in shownRules(c) {
                for gamma in setting.gammas {
                    valueTable += "| \(c) | \(label) | \(gamma) | " + kinds.map { String(format: "%.2f (φ %.2f)", value(c, rule, gamma, kind: $0).mean, phi(c, rule, gamma, kind: $0)) }.joined(separator: " | ") + " |\n"
                }
            }
        }
        var sampleTable = "| condition | rule | " + kinds.map { "\($0): \\|d\\| / noise / records missed / from empty cells" }.joined(separator: " | ") + " |\n|---|---|" + String(repeating: "---:|", count: kinds.count) + "\n"
        for c in setting.conditions {
            for (rule, label) in shownRules(c) {
                sampleTable += "| \(c) | \(label) | " + kinds.map {
                    String(format: "%.0f / %.0f%% / %.0f%% / %.1f", samples(c, rule, kind: $0), 100 * noiseShare(c, rule, kind: $0), 100 * missedShare(c, rule, kind: $0),
                           perAgent(c, rule, kind: $0) { $0.phantomSamples })
                }.joined(separator: " | ") + " |\n"
            }
        }
        var discoveryTable = "| condition | rule | clusters after 5 | after 10 | after \(agents) | of which founded by empty cells | labels found after \(agents) |\n|---|---|---:|---:|---:|---:|---:|\n"
        for c in setting.conditions {
            for (rule, label) in shownRules(c) {
                discoveryTable += "| \(c) | \(label) | " + [5, 10, agents].map { f1(discoveryMean(c, rule, min($0, agents)) { $0.clusters }) }.joined(separator: " | ")
                    + " | \(f1(discoveryMean(c, rule, agents) { $0.phantomClusters })) | \(f1(discoveryMean(c, rule, agents) { $0.cellsDiscovered })) |\n"
            }
        }
        return """
        # Valuation vs Γ and prototype discovery (paper 1, §V-C / Fig. 6)

        Generated by `fairway-lab experiment valuation-gamma` (\(setting.seeds.count) seeds; rules \(rules.map { "`\(CatalogRule.id($0))`" }.joined(separator: ", ")) on the same releases).

        **Setup.** Per seed, \(agents) agents arrive in random order: \(setting.agentsPerKind) of each kind
        (\(kinds.joined(separator: ", ")); label sets drawn at random per agent). Each holds \(setting.recordsPerAgent) records of its
        labels (drawn without replacement within the agent; agents may share records) and makes one release of all of them — the
        edge agent's default block of 100 records — with the public text anchors (C = 1, δ = 1e-5); every release publishes all 10
        anchor cells, including the cells the agent has no records in. The releases go, in arrival order, through a fresh
        `NoveltyCatalog` (match at cosine ≥ 0.8 to a centroid, new cluster below 0.5, noise between or when the rounded noisy count
        is < 1; first Γ samples of a cluster novel φ = 1, later ones normal φ = 0.5, noise φ = 0). An agent's value is eq. 20,
        f(d) = φ(d)·ln(1 + |d|), over its credited samples (counts are the released noisy counts, rounded, as the coordinator
        credits them). The same releases are valued at every Γ (matching does not depend on Γ) and under each rule:
        - **paper rule** (`countSigmas` = 0): the above, as in the paper;
        - **σ-gated** (`countSigmas` = \(ExperimentFormat.short(gated)), the coordinator's default `valuation.count_sigmas`; *beyond the paper*):
          a prototype whose rounded count is below \(ExperimentFormat.short(gated))·σ_c, σ_c the std of the noise on the released count
          (the release's σ; 0 for exact counts, so `none` is never gated), is an **empty cell** and credited nothing — neither
          samples nor noise. Real cells gated this way are "missed": their records earn nothing.

        The paper does not state Fig. 6's axes or population precisely (COCO with CLIP); this is the closest the project allows.

        ## (a) Mean value per agent (and pooled φ)

        \(valueTable)
        Per agent (mean): samples it is credited with (|d|, from noisy counts), the share of them classified noise, the share of
        its \(setting.recordsPerAgent) records that sat in cells gated as empty (missed), and samples credited from its empty cells' noise:

        \(sampleTable)
        ## (b) Discovery

        \(discoveryTable)
        ## Discussion

        \(discussion())
        """
    }

    /// "10 labels 1.57 > 5 labels 1.44 > 1 label 1.24", kinds sorted by value (≈ when within 0.01).
    func ordering(_ c: ReleaseCondition, _ k: Double, _ gamma: Int) -> String {
        let v = kinds.map { ($0, value(c, k, gamma, kind: $0).mean) }.sorted { $0.1 > $1.1 }
        var s = "\(v[0].0) \(f2(v[0].1))"
        for i in 1..<v.count { s += (v[i - 1].1 - v[i].1 < 0.01 ? " ≈ " : " > ") + "\(v[i].0) \(f2(v[i].1))" }
        return s
    }
    /// Γ values at which value is non-increasing in the number of labels (the paper's "more diverse, more value").
    func diverseFirst(_ c: ReleaseCondition, _ k: Double) -> [Int] {
        setting.gammas.filter { g in zip(kinds, kinds.dropFirst()).allSatisfy { value(c, k, g, kind: $0.0).mean >= value(c, k, g, kind: $0.1).mean - 1e-9 } }
    }
    func gammaList(_ gs: [Int]) -> String {
        gs.isEmpty ? "no Γ" : gs.count == setting.gammas.count ? "every Γ" : "Γ = " + gs.map(String.init).joined(separator: ", ")
    }

    func discussion() -> String {
        let pc = paperCondition, P = paper, G = gated
        let compare = rules.count > 1 && G != P
        let g0 = setting.gammas.first!, gMax = setting.gammas.last!, gMid = setting.gammas.contains(50) ? 50 : setting.gammas[setting.gammas.count / 2]
        let noneFinal = discoveryMean(.none, P, agents) { $0.clusters }, noneLabels = discoveryMean(.none, P, agents) { $0.cellsDiscovered }
        let many = kinds.first!, single = kinds.last!
        let privates = setting.conditions.filter { $0 != .none }
        var lines: [String] = []
        // Γ monotonicity and saturation (rule-independent: the gate does not depend on Γ and never applies to exact counts).
        lines.append("""
        - **Value rises with Γ and saturates.** Matching — and the gate — do not depend on Γ, so raising Γ only turns normal samples (φ = 0.5)
          into novel ones (φ = 1): every agent's value is non-decreasing in Γ under both rules. Without noise (identical under both rules:
          exact counts are never gated) it goes from ≈ ½·ln(1 + \(setting.recordsPerAgent)) = \(f2(0.5 * log1p(Double(setting.recordsPerAgent)))) at Γ = \(g0)
          to ln(1 + \(setting.recordsPerAgent)) = \(f2(log1p(Double(setting.recordsPerAgent)))) once Γ exceeds the samples a cluster collects from the whole
          population (≈ \(agents * setting.recordsPerAgent / 10) here, so only Γ = \(gMax) saturates). Without noise value is ordered by diversity at
          \(gammaList(diverseFirst(.none, P))) (Γ = \(gMid): \(ordering(.none, P, gMid))): a single-label agent competes with everyone for one
          cluster's Γ novel slots.
        """)
        // Early arrivals.
        let early = rules.map { k in (k, positionValue(pc, k, gMid, 1), positionValue(pc, k, gMid, agents)) }
        lines.append("""
        - **Early contributions \(early.allSatisfy { $0.1 > $0.2 } && positionValue(.none, P, gMid, 1) > positionValue(.none, P, gMid, agents) ? "earn more" : "do not always earn more")**. At Γ = \(gMid) the first agent to arrive earns
          \(f2(positionValue(.none, P, gMid, 1))) without noise and the last \(f2(positionValue(.none, P, gMid, agents))); under \(pc): \(early.map { "\(CatalogRule.label($0.0)) \(f2($0.1)) first, \(f2($0.2)) last" }.joined(separator: "; ")).
          Novelty goes to whoever fills a cluster first — the paper's "incentivises early contributions" (`fig6a-value-vs-position.svg`).
        """)
        // DP, paper rule.
        let share = kinds.map { noiseShare(pc, P, kind: $0) }
        lines.append("""
        - **Paper rule under DP: \(share.allSatisfy { $0 > 0.5 } ? "most credited samples become noise, and " : "")value stops measuring the data.** Under \(pc) the pooled
          φ at Γ = \(gMax) is \(kinds.map { "\($0) \(f2(phi(pc, P, gMax, kind: $0)))" }.joined(separator: ", ")) (1.00 without noise), and
          \(share.map(pct).joined(separator: " / ")) of their credited samples are noise. Three mechanisms, all visible in the CSVs: (1) an
          agent with \(many) has ≈ \(setting.recordsPerAgent / 10) records per cell, and their sums are swamped by noise of σ of several units; (2) a cluster
          founded by such a noisy prototype has a centroid far from its label's true direction, so later, accurate prototypes of that
          label land between 0.5 and 0.8 and are declared noise (only matches move a centroid, so the catalog never recovers);
          (3) every release publishes all 10 cells, and an empty cell's noisy count rounds to ≥ 1 about half the time, so an agent with
          \(single) is credited \(f1(perAgent(pc, P, kind: single) { $0.phantomSamples })) samples from its 9 empty cells (|d| ≈ \(f1(samples(pc, P, kind: single)))
          for \(setting.recordsPerAgent) records), and those noise prototypes found clusters that pay novelty
          (\(f1(discoveryMean(pc, P, agents) { $0.phantomClusters })) of the \(f1(discoveryMean(pc, P, agents) { $0.clusters })) final clusters). The
          paper's ordering "more diverse data, more value" holds under \(pc) at \(gammaList(diverseFirst(pc, P))) (Γ = \(gMid): \(ordering(pc, P, gMid));
          Γ = \(gMax): \(ordering(pc, P, gMax))).
        """)
        // Discovery, both rules.
        lines.append("""
        - **Discovery.** Without noise the catalog ends with \(f1(noneFinal)) clusters for \(f1(noneLabels)) labels found (of 10). Under DP, final
          clusters (founded by empty cells; labels found): \(privates.map { c in "\(c): " + rules.map { k in "\(CatalogRule.label(k)) \(f1(discoveryMean(c, k, agents) { $0.clusters })) (\(f1(discoveryMean(c, k, agents) { $0.phantomClusters })); \(f1(discoveryMean(c, k, agents) { $0.cellsDiscovered })))" }.joined(separator: ", ") }.joined(separator: "; ")).
          Under the paper rule a noise prototype below 0.5 to every centroid founds a new, spurious cluster, and in 16 dimensions a
          random direction usually is, so the cluster count grows with releases instead of saturating at 10 (`fig6b-discovery-\(CatalogRule.id(P)).svg`).
        """)
        if compare {
            let ppc = discoveryMean(pc, P, agents) { $0.clusters }, gpc = discoveryMean(pc, G, agents) { $0.clusters }
            let pph = discoveryMean(pc, P, agents) { $0.phantomClusters }, gph = discoveryMean(pc, G, agents) { $0.phantomClusters }
            let missed = privates.map { c in "\(c): " + kinds.map { "\($0) \(pct(missedShare(c, G, kind: $0)))" }.joined(separator: ", ") }.joined(separator: "; ")
            let gLow = privates.first { c in discoveryMean(c, G, agents) { $0.cellsDiscovered } < 9.5 }
            lines.append("""
            - **The σ gate (\(CatalogRule.label(G)), beyond the paper).** The gate credits nothing for a count below \(ExperimentFormat.short(G)) σ of its
              own noise. Under \(pc) it removes the empty cells' clusters (\(f1(pph)) → \(f1(gph)) founded by empty cells; agents with \(single) are
              credited \(f1(perAgent(pc, P, kind: single) { $0.phantomSamples })) → \(f1(perAgent(pc, G, kind: single) { $0.phantomSamples })) samples from empty cells) and the catalog
              ends with \(f1(gpc)) clusters instead of \(f1(ppc)) (\(f1(noneFinal)) without noise; `fig6b-discovery-\(CatalogRule.id(G)).svg`). \(gpc - gph > 10.5 ? "The remaining spurious clusters come from small real cells whose noisy count cleared the gate. " : "")Its price: a cell is credited only if its noisy
              count reaches \(ExperimentFormat.short(G))σ_c (σ_c is fixed by ε and δ: \(privates.map { c in "\(f1(G * (discovery.first { $0.condition == c }?.countSigma ?? .nan))) records at \(c)" }.joined(separator: ", "))),
              so small real cells are missed — share of
              the agents' records in cells gated as empty: \(missed)\(gLow.map { ". At \($0) only \(f1(discoveryMean($0, G, agents) { $0.cellsDiscovered })) labels are ever found" } ?? "").
              Value under \(pc), σ-gated: Γ = \(gMid): \(ordering(pc, G, gMid)); Γ = \(gMax): \(ordering(pc, G, gMax)) (paper rule: \(ordering(pc, P, gMid)) and
              \(ordering(pc, P, gMax))); the diversity ordering holds at \(gammaList(diverseFirst(pc, G))) (paper rule: \(gammaList(diverseFirst(pc, P)))).
              Eq. 20 grows only as ln(1 + |d|), so an agent whose cells are mostly gated still keeps a value from its few credited, mostly
              novel samples (\(many), σ-gated: |d| ≈ \(f1(samples(pc, G, kind: many))), φ at Γ = \(gMax) \(f2(phi(pc, G, gMax, kind: many)))).
            """)
        }
        lines.append("""
        - **Γ and "confirmation".** In this catalog a cluster is founded by its first prototype; Γ does not delay founding, so Fig. 6(b)'s
          "larger Γ delays cluster confirmation" shows here only as how long a cluster keeps paying novelty (`fig6b-confirmed.svg`: clusters
          with ≥ Γ credited samples). Noise is added to every release regardless of Γ (an agent cannot know whether its cluster is
          confirmed), so the paper's privacy–latency trade-off in Γ does not arise in this design.
        """)
        return lines.joined(separator: "\n")
    }

    func headline() -> String {
        let pc = paperCondition
        var s = "mean value per agent under \(pc), " + rules.map(CatalogRule.id).joined(separator: " | ") + " | none:\n"
        for gamma in setting.gammas {
            s += "  Γ = \(gamma):" + kinds.map { kind in "  \(kind) " + (rules.map { f2(value(pc, $0, gamma, kind: kind).mean) } + [f2(value(.none, paper, gamma, kind: kind).mean)]).joined(separator: " | ") }.joined() + "\n"
        }
        for c in setting.conditions {
            for rule in rules {
                s += "  \(c), \(CatalogRule.id(rule)): \(f1(discoveryMean(c, rule, agents) { $0.clusters })) clusters (\(f1(discoveryMean(c, rule, agents) { $0.phantomClusters })) by empty cells), "
                s += "\(f1(discoveryMean(c, rule, agents) { $0.cellsDiscovered })) labels found after \(agents) releases; missed records "
                s += kinds.map { "\($0) \(pct(missedShare(c, rule, kind: $0)))" }.joined(separator: ", ") + "\n"
            }
        }
        return s
    }
}
