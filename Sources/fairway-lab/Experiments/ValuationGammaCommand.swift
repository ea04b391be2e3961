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
            prototype. Writes values.csv, value-summary.csv, discovery.csv, SVG plots and results.md.
            """)

        @Option(help: "Directory for CSV, SVG and markdown (created if missing).") var out: String
        @Option(help: "First seed.") var seed: UInt64 = 0
        @Option(help: "Number of seeds.") var seeds = 20
        @Option(help: "Agents of each kind.") var agentsPerKind = 10
        @Option(help: "Records each agent holds (one release).") var recordsPerAgent = 100
        @Option(help: "Γ values.") var gammas = "1,2,5,10,20,50,100,200,500"
        @Option(help: "ε values of the multimodal release (none is always included).") var epsilons = "0.5,1,4"
        @Option(help: "The digits CSV.") var data = "data/uci-digits-8x8.csv"

        func run() throws {
            var s = ValuationGammaExperiment.Setting()
            s.seeds = (0..<UInt64(max(1, seeds))).map { seed + $0 }
            s.agentsPerKind = agentsPerKind
            s.recordsPerAgent = recordsPerAgent
            s.gammas = try ExperimentSupport.list(gammas, "--gammas")
            let eps: [Double] = try ExperimentSupport.list(epsilons, "--epsilons")
            s.conditions = [.none] + eps.map { .multimodal($0) }
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

    func value(_ c: ReleaseCondition, _ gamma: Int, kind: String) -> MeanSE {
        MeanSE(values.filter { $0.condition == c && $0.gamma == gamma && $0.kind == kind }.map(\.value))
    }
    func phi(_ c: ReleaseCondition, _ gamma: Int, kind: String) -> Double {
        let r = values.filter { $0.condition == c && $0.gamma == gamma && $0.kind == kind }
        let credit = r.reduce(0.0) { $0 + Double($1.novel) + 0.5 * Double($1.normal) }, total = r.reduce(0) { $0 + $1.novel + $1.normal + $1.noise }
        return total > 0 ? credit / Double(total) : 0
    }
    func samples(_ c: ReleaseCondition, kind: String) -> Double {
        let r = values.filter { $0.condition == c && $0.gamma == setting.gammas[0] && $0.kind == kind }
        return MeanSE(r.map { Double($0.novel + $0.normal + $0.noise) }).mean
    }
    func noiseShare(_ c: ReleaseCondition, kind: String) -> Double {
        let r = values.filter { $0.condition == c && $0.gamma == setting.gammas[0] && $0.kind == kind }
        let total = r.reduce(0) { $0 + $1.novel + $1.normal + $1.noise }
        return total > 0 ? Double(r.reduce(0) { $0 + $1.noise }) / Double(total) : 0
    }
    func positionValue(_ c: ReleaseCondition, _ gamma: Int, _ position: Int) -> Double {
        MeanSE(values.filter { $0.condition == c && $0.gamma == gamma && $0.position == position }.map(\.value)).mean
    }
    func discoveryMean(_ c: ReleaseCondition, _ releases: Int, _ f: (ValuationGammaExperiment.Discovery) -> Int) -> Double {
        MeanSE(discovery.filter { $0.condition == c && $0.releases == releases }.map { Double(f($0)) }).mean
    }
    /// The paper's default condition if present (multimodal ε = 1), else the first private one.
    var paperCondition: ReleaseCondition {
        setting.conditions.contains(.multimodal(1)) ? .multimodal(1) : setting.conditions.first { $0.mode == .multimodal } ?? .none
    }

    func files() -> [String: String] {
        var out = ["values.csv": valuesCSV(), "value-summary.csv": summaryCSV(), "discovery.csv": discoveryCSV(), "results.md": markdown()]
        let colors = SVGLinePlot.palette
        let gs = setting.gammas.map(Double.init)
        // (a) value vs Γ.
        var a = SVGLinePlot(title: "Fig. 6(a): data value of an agent vs novelty threshold Γ", xLabel: "Γ (novel samples per new cluster, log scale)",
                            yLabel: "mean value φ·ln(1+|d|) per agent", xScale: .log, yScale: .linear,
                            xRange: (gs.min() ?? 1)...(gs.max() ?? 500), yRange: nil, xTicks: gs)
        a.subtitle = "\(agents) agents × \(setting.recordsPerAgent) records, one release each, random order; mean over \(setting.seeds.count) seeds"
        for (k, kind) in kinds.enumerated() {
            for (c, dash) in [(ReleaseCondition.none, "6 3"), (paperCondition, nil)] where setting.conditions.contains(c) {
                a.series.append(.init(name: "\(kind), \(c)", points: setting.gammas.map { (Double($0), value(c, $0, kind: kind).mean) },
                                      color: colors[k], dash: dash, marker: SVGLinePlot.markers[k]))
            }
        }
        out["fig6a-value-vs-gamma.svg"] = a.svg()
        // (a') value vs arrival position.
        let shownGammas = setting.gammas.filter { [10, 50, 200].contains($0) }
        var pos = SVGLinePlot(title: "Early contributions earn more: value vs arrival position", xLabel: "arrival position of the agent's release",
                              yLabel: "mean value per agent", xScale: .linear, yScale: .linear, xRange: 1...Double(agents), yRange: nil)
        pos.subtitle = "\(paperCondition), all kinds of agent pooled, mean over \(setting.seeds.count) seeds"
        for (i, gamma) in shownGammas.enumerated() {
            pos.series.append(.init(name: "Γ = \(gamma)", points: (1...agents).map { (Double($0), positionValue(paperCondition, gamma, $0)) },
                                    color: colors[i], marker: SVGLinePlot.markers[i]))
        }
        out["fig6a-value-vs-position.svg"] = pos.svg()
        // (b) discovery.
        var b = SVGLinePlot(title: "Fig. 6(b): prototype discovery over releases", xLabel: "releases processed by the catalog",
                            yLabel: "catalog clusters (mean over seeds)", xScale: .linear, yScale: .linear, xRange: 0...Double(agents), yRange: nil)
        b.subtitle = "solid: clusters in the catalog; dashed: true labels among their founders; dotted: the 10 labels"
        for (i, c) in setting.conditions.enumerated() {
            b.series.append(.init(name: "clusters, \(c)", points: [(0, 0)] + (1...agents).map { (Double($0), discoveryMean(c, $0) { $0.clusters }) },
                                  color: colors[i], marker: SVGLinePlot.markers[i % 5]))
            b.series.append(.init(name: "labels found, \(c)", points: [(0, 0)] + (1...agents).map { (Double($0), discoveryMean(c, $0) { $0.cellsDiscovered }) },
                                  color: colors[i], dash: "5 3", marker: SVGLinePlot.markers[i % 5]))
        }
        b.series.append(.init(name: "10 labels", points: [(0, 10), (Double(agents), 10)], color: "#999999", dash: "2 3", marker: .cross))
        out["fig6b-discovery.svg"] = b.svg()
        // (b') clusters that have reached Γ samples ("confirmed" in the paper's sense).
        var conf = SVGLinePlot(title: "Clusters that have filled their Γ novel samples", xLabel: "releases processed by the catalog",
                               yLabel: "clusters with ≥ Γ credited samples", xScale: .linear, yScale: .linear, xRange: 0...Double(agents), yRange: nil)
        conf.subtitle = "\(paperCondition); larger Γ delays when a cluster stops paying novelty"
        for (i, gamma) in setting.gammas.filter({ [10, 50, 200, 500].contains($0) }).enumerated() {
            conf.series.append(.init(name: "Γ = \(gamma)", points: [(0, 0)] + (1...agents).map { r in (Double(r), discoveryMean(paperCondition, r) { $0.confirmed[gamma] ?? 0 }) },
                                     color: colors[i], marker: SVGLinePlot.markers[i]))
        }
        out["fig6b-confirmed.svg"] = conf.svg()
        return out
    }

    func valuesCSV() -> String {
        var s = "mode,epsilon,seed,gamma,agent,kind,position,novel,normal,noise,value\n"
        for v in values {
            s += "\(v.condition.mode.rawValue),\(v.condition.epsilon.map { "\($0)" } ?? ""),\(v.seed),\(v.gamma),\(v.agent),\(v.kind),\(v.position),\(v.novel),\(v.normal),\(v.noise),\(v.value)\n"
        }
        return s
    }

    func summaryCSV() -> String {
        var s = "mode,epsilon,gamma,kind,agents,value_mean,value_se,phi\n"
        for c in setting.conditions {
            for gamma in setting.gammas {
                for kind in kinds {
                    let m = value(c, gamma, kind: kind)
                    s += "\(c.mode.rawValue),\(c.epsilon.map { "\($0)" } ?? ""),\(gamma),\(kind),\(m.n),\(m.mean),\(m.se),\(phi(c, gamma, kind: kind))\n"
                }
            }
        }
        return s
    }

    func discoveryCSV() -> String {
        var s = "mode,epsilon,seed,releases,clusters,labels_discovered," + setting.gammas.map { "confirmed_gamma_\($0)" }.joined(separator: ",") + "\n"
        for d in discovery {
            s += "\(d.condition.mode.rawValue),\(d.condition.epsilon.map { "\($0)" } ?? ""),\(d.seed),\(d.releases),\(d.clusters),\(d.cellsDiscovered),"
            s += setting.gammas.map { "\(d.confirmed[$0] ?? 0)" }.joined(separator: ",") + "\n"
        }
        return s
    }

    func markdown() -> String {
        var valueTable = "| condition | Γ | " + kinds.joined(separator: " | ") + " |\n|---|---:|" + String(repeating: "---:|", count: kinds.count) + "\n"
        for c in setting.conditions {
            for gamma in setting.gammas {
                valueTable += "| \(c) | \(gamma) | " + kinds.map { String(format: "%.2f (φ %.2f)", value(c, gamma, kind: $0).mean, phi(c, gamma, kind: $0)) }.joined(separator: " | ") + " |\n"
            }
        }
        var sampleTable = "| condition | " + kinds.map { "\($0): credited samples / noise share" }.joined(separator: " | ") + " |\n|---|" + String(repeating: "---:|", count: kinds.count) + "\n"
        for c in setting.conditions {
            sampleTable += "| \(c) | " + kinds.map { String(format: "%.0f / %.0f%%", samples(c, kind: $0), 100 * noiseShare(c, kind: $0)) }.joined(separator: " | ") + " |\n"
        }
        var discoveryTable = "| condition | clusters after 5 | after 10 | after \(agents) | labels found after \(agents) |\n|---|---:|---:|---:|---:|\n"
        for c in setting.conditions {
            discoveryTable += "| \(c) | " + [5, 10, agents].map { String(format: "%.1f", discoveryMean(c, min($0, agents)) { $0.clusters }) }.joined(separator: " | ")
                + String(format: " | %.1f |\n", discoveryMean(c, agents) { $0.cellsDiscovered })
        }
        let pc = paperCondition
        let g0 = setting.gammas.first!, gMax = setting.gammas.last!
        let noneFinal = discoveryMean(.none, agents) { $0.clusters }, pcFinal = discoveryMean(pc, agents) { $0.clusters }
        let noneLabels = discoveryMean(.none, agents) { $0.cellsDiscovered }
        let first = positionValue(pc, 50, 1), last = positionValue(pc, 50, agents)
        return """
        # Valuation vs Γ and prototype discovery (paper 1, §V-C / Fig. 6)

        Generated by `fairway-lab experiment valuation-gamma` (\(setting.seeds.count) seeds).

        **Setup.** Per seed, \(agents) agents arrive in random order: \(setting.agentsPerKind) of each kind
        (\(kinds.joined(separator: ", ")); label sets drawn at random per agent). Each holds \(setting.recordsPerAgent) records of its
        labels (drawn without replacement within the agent; agents may share records) and makes one release of all of them — the
        edge agent's default block of 100 records — with the public text anchors (C = 1, δ = 1e-5). The releases go, in arrival
        order, through a fresh `NoveltyCatalog` (match at cosine ≥ 0.8 to a centroid, new cluster below 0.5, noise between or when
        the rounded noisy count is < 1; first Γ samples of a cluster novel φ = 1, later ones normal φ = 0.5, noise φ = 0). An
        agent's value is eq. 20, f(d) = φ(d)·ln(1 + |d|), over its credited samples (counts are the released noisy counts,
        rounded, as the coordinator credits them). The same releases are valued at every Γ (matching does not depend on Γ).

        The paper does not state Fig. 6's axes or population precisely (COCO with CLIP); this is the closest the project allows.

        ## (a) Mean value per agent (and pooled φ)

        \(valueTable)
        Samples an agent is credited with (its |d|, from noisy counts) and the share classified noise:

        \(sampleTable)
        ## (b) Discovery

        \(discoveryTable)
        ## Discussion

        - **Value rises with Γ and saturates.** Matching does not depend on Γ, so raising Γ only turns normal samples (φ = 0.5)
          into novel ones (φ = 1): every agent's value is non-decreasing in Γ. Without noise it goes from ≈ ½·ln(1 + \(setting.recordsPerAgent))
          = \(String(format: "%.2f", 0.5 * log1p(Double(setting.recordsPerAgent)))) at Γ = \(g0) to ln(1 + \(setting.recordsPerAgent)) =
          \(String(format: "%.2f", log1p(Double(setting.recordsPerAgent)))) once Γ exceeds the samples a cluster collects from the whole
          population (≈ \(agents * setting.recordsPerAgent / 10) here, so only Γ = \(gMax) saturates). In between, agents with
          many labels earn more than single-label agents (Γ = 50, none: \(kinds.map { "\($0) \(String(format: "%.2f", value(.none, 50, kind: $0).mean))" }.joined(separator: ", "))),
          because a single-label agent competes with everyone for one cluster's Γ novel slots.
        - **Early contributions earn more.** At Γ = 50 the first agent to arrive earns \(String(format: "%.2f", positionValue(.none, 50, 1))) without noise and
          \(String(format: "%.2f", first)) under \(pc); the last earns \(String(format: "%.2f", positionValue(.none, 50, agents))) and \(String(format: "%.2f", last)).
          Novelty goes to whoever fills a cluster first — the paper's "incentivises early contributions" (`fig6a-value-vs-position.svg`).
        - **Under DP most credited samples become noise, and value stops measuring the data.** Under \(pc) the pooled φ at Γ = \(gMax) is
          \(kinds.map { "\($0) \(String(format: "%.2f", phi(pc, gMax, kind: $0)))" }.joined(separator: ", ")) (1.00 without noise), and
          \(kinds.map { String(format: "%.0f%%", 100 * noiseShare(pc, kind: $0)) }.joined(separator: " / ")) of their credited samples are noise. Three
          mechanisms, all visible in the CSVs: (1) a 10-label agent's cells hold ≈ 10 records, whose sums are swamped by noise of σ of several
          units; (2) a cluster founded by such a noisy prototype has a centroid far from its label's true direction, so later, accurate
          prototypes of that label land between 0.5 and 0.8 and are declared noise (the catalog never recovers, because only matches move a
          centroid); (3) every release publishes all 10 cells, and an empty cell's noisy count rounds to ≥ 1 about half the time, so
          single-label agents are credited samples they do not have (|d| ≈ \(String(format: "%.0f", samples(pc, kind: kinds.last!))) for \(setting.recordsPerAgent) records) and
          their noise prototypes found clusters that pay novelty. The paper's ordering "more diverse data, more value" holds without noise
          but not reliably under DP at ε = 1 (at Γ = \(gMax): \(kinds.map { "\($0) \(String(format: "%.2f", value(pc, gMax, kind: $0).mean))" }.joined(separator: ", "))).
        - **Discovery.** Without noise the catalog ends with \(String(format: "%.1f", noneFinal)) clusters for \(String(format: "%.1f", noneLabels)) labels
          found (of 10). Under \(pc) it ends with \(String(format: "%.1f", pcFinal)) clusters: a noise prototype below 0.5 to every centroid founds a new,
          spurious cluster, and in 16 dimensions a random direction usually is, so the cluster count grows with releases instead of saturating
          at 10 (`fig6b-discovery.svg`).
        - **Γ and "confirmation".** In this catalog a cluster is founded by its first prototype; Γ does not delay founding, so Fig. 6(b)'s
          "larger Γ delays cluster confirmation" shows here only as how long a cluster keeps paying novelty (`fig6b-confirmed.svg`: clusters
          with ≥ Γ credited samples). Noise is added to every release regardless of Γ (an agent cannot know whether its cluster is
          confirmed), so the paper's privacy–latency trade-off in Γ does not arise in this design.
        """
    }

    func headline() -> String {
        var s = "mean value per agent (\(paperCondition) | none):\n"
        for gamma in setting.gammas {
            s += "  Γ = \(gamma):" + kinds.map { String(format: "  %@ %.2f | %.2f", $0, value(paperCondition, gamma, kind: $0).mean, value(.none, gamma, kind: $0).mean) }.joined() + "\n"
        }
        for c in setting.conditions {
            s += String(format: "  %@: %.1f clusters, %.1f labels found after %d releases\n", c.description, discoveryMean(c, agents) { $0.clusters }, discoveryMean(c, agents) { $0.cellsDiscovered }, agents)
        }
        return s
    }
}
