import ArgumentParser
import FairwayCore
import Foundation

extension FairwayLab.Experiment {
    /// How DP noise affects the catalog's matching rule (paper 1, §IV-B).
    struct NoveltyNoise: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "novelty-noise",
            abstract: "False-novel, false-match and noise rates of the novelty catalog under DP prototype releases.",
            discussion: """
            Per seed, --releases agents each draw --records-per-release records uniformly from the digits and make one
            release (public text anchors, C = 1, δ = 1e-5) per condition; the releases go in order through a fresh
            NoveltyCatalog and every prototype's outcome is judged against the anchor cell it really came from.
            Writes tallies.csv, rates.csv, SVG plots and results.md.
            """)

        @Option(help: "Directory for CSV, SVG and markdown (created if missing).") var out: String
        @Option(help: "First seed.") var seed: UInt64 = 0
        @Option(help: "Number of seeds.") var seeds = 10
        @Option(help: "Releases (agents) per seed.") var releases = 20
        @Option(help: "Records per release (comma-separated; one plot each).") var recordsPerRelease = "100,500"
        @Option(help: "ε values of the multimodal release (none and image-only are always included).") var epsilons = "0.5,1,2,4,8"
        @Option(help: "The digits CSV.") var data = "data/uci-digits-8x8.csv"

        func run() throws {
            var s = NoveltyNoiseExperiment.Setting()
            s.seeds = (0..<UInt64(max(1, seeds))).map { seed + $0 }
            s.releases = releases
            s.recordsPerRelease = try ExperimentSupport.list(recordsPerRelease, "--records-per-release")
            let eps: [Double] = try ExperimentSupport.list(epsilons, "--epsilons")
            s.conditions = [.none, .imageOnly] + eps.map { .multimodal($0) }
            let digits = try ExperimentSupport.loadDigits(data)
            let progress = Progress(total: NoveltyNoiseExperiment.work(s), label: "catalog runs")
            let clock = ContinuousClock()
            var tallies: [NoveltyNoiseExperiment.Tally] = []
            let elapsed = try clock.measure { tallies = try NoveltyNoiseExperiment.run(digits, s) { progress.update($0) } }
            progress.finish()
            let report = NoveltyNoiseReport(setting: s, tallies: tallies)
            let files = report.files()
            let url = try ExperimentSupport.writeFiles(files, to: out)
            print("wrote \(files.keys.sorted().joined(separator: ", ")) to \(url.path) (\(elapsed))")
            print(report.headline())
        }
    }
}

struct NoveltyNoiseReport {
    var setting: NoveltyNoiseExperiment.Setting
    var tallies: [NoveltyNoiseExperiment.Tally]
    typealias Outcome = CatalogReplay.Outcome

    struct Rates {
        var falseNovel, falseMatch, noise, noiseCount, noiseAmbiguous, discovered, correctMatch, phantomFounded: Double
        var real, known, phantom: Int
        var finalClusters, cellsDiscovered: Double
    }

    /// Pooled over seeds. false-novel is over prototypes whose cell was already catalogued; the
    /// others over all prototypes of non-empty cells; phantom-founded over empty-cell prototypes.
    func rates(_ c: ReleaseCondition, _ size: Int) -> Rates {
        let t = tallies.filter { $0.condition == c && $0.recordsPerRelease == size }
        func n(_ o: Outcome) -> Int { t.reduce(0) { $0 + $1.count(o) } }
        let real = t.reduce(0) { $0 + $1.real }, known = t.reduce(0) { $0 + $1.ofKnownCells }, phantom = t.reduce(0) { $0 + $1.phantom }
        func r(_ x: Int, _ d: Int) -> Double { d > 0 ? Double(x) / Double(d) : .nan }
        return Rates(falseNovel: r(n(.falseNovel), known), falseMatch: r(n(.falseMatch), real), noise: r(n(.noiseCount) + n(.noiseAmbiguous), real),
                     noiseCount: r(n(.noiseCount), real), noiseAmbiguous: r(n(.noiseAmbiguous), real), discovered: r(n(.discovered), real),
                     correctMatch: r(n(.correctMatch), real), phantomFounded: r(n(.phantomFounded), phantom),
                     real: real, known: known, phantom: phantom,
                     finalClusters: MeanSE(t.map { Double($0.finalClusters) }).mean, cellsDiscovered: MeanSE(t.map { Double($0.cellsDiscovered) }).mean)
    }

    var epsilons: [Double] { setting.conditions.compactMap(\.epsilon) }

    func files() -> [String: String] {
        var out = ["tallies.csv": talliesCSV(), "rates.csv": ratesCSV(), "results.md": markdown()]
        let lo = epsilons.min() ?? 0.5, hi = epsilons.max() ?? 8
        for size in setting.recordsPerRelease {
            var p = SVGLinePlot(title: "Matching under DP noise (\(size) records per release)", xLabel: "ε of the multimodal release (δ = 1e-5, log scale)",
                                yLabel: "rate", xScale: .log, yScale: .linear, xRange: lo...hi, yRange: 0...1, xTicks: epsilons)
            p.subtitle = "solid: multimodal; dashed: no noise (none); \(setting.releases) releases × \(setting.seeds.count) seeds"
            let metrics: [(String, KeyPath<Rates, Double>)] = [
                ("false-novel", \.falseNovel), ("false-match", \.falseMatch), ("noise (unassigned)", \.noise), ("correct match", \.correctMatch),
            ]
            for (i, (name, key)) in metrics.enumerated() {
                let color = SVGLinePlot.palette[i]
                p.series.append(.init(name: name, points: epsilons.map { ($0, rates(.multimodal($0), size)[keyPath: key]) }, color: color, marker: SVGLinePlot.markers[i]))
                let y = rates(.none, size)[keyPath: key]
                p.series.append(.init(name: "\(name), none", points: [(lo, y), (hi, y)], color: color, dash: "6 4", marker: .cross))
            }
            out["rates-\(size).svg"] = p.svg()
            var q = SVGLinePlot(title: "Catalog size after \(setting.releases) releases (\(size) records each)", xLabel: "ε of the multimodal release (log scale)",
                                yLabel: "clusters (mean over seeds)", xScale: .log, yScale: .linear, xRange: lo...hi, yRange: nil, xTicks: epsilons)
            q.subtitle = "10 true labels; spurious clusters come from noise prototypes founding new clusters"
            q.series.append(.init(name: "catalog clusters", points: epsilons.map { ($0, rates(.multimodal($0), size).finalClusters) }, color: SVGLinePlot.palette[0], marker: .circle))
            q.series.append(.init(name: "true labels discovered", points: epsilons.map { ($0, rates(.multimodal($0), size).cellsDiscovered) }, color: SVGLinePlot.palette[2], marker: .triangle))
            q.series.append(.init(name: "clusters, none", points: [(lo, rates(.none, size).finalClusters), (hi, rates(.none, size).finalClusters)], color: SVGLinePlot.palette[1], dash: "6 4", marker: .cross))
            out["clusters-\(size).svg"] = q.svg()
        }
        return out
    }

    func talliesCSV() -> String {
        var s = "mode,epsilon,records_per_release,seed," + Outcome.allCases.map { $0.rawValue.replacingOccurrences(of: "-", with: "_") }.joined(separator: ",")
            + ",of_known_cells,final_clusters,labels_discovered\n"
        for t in tallies {
            s += "\(t.condition.mode.rawValue),\(t.condition.epsilon.map { "\($0)" } ?? ""),\(t.recordsPerRelease),\(t.seed),"
            s += Outcome.allCases.map { "\(t.count($0))" }.joined(separator: ",") + ",\(t.ofKnownCells),\(t.finalClusters),\(t.cellsDiscovered)\n"
        }
        return s
    }

    func ratesCSV() -> String {
        var s = "mode,epsilon,records_per_release,prototypes,of_known_cells,empty_cell_prototypes,false_novel_rate,false_match_rate,noise_rate,noise_count_rate,noise_ambiguous_rate,discovered_rate,correct_match_rate,phantom_founded_rate,final_clusters,labels_discovered\n"
        for size in setting.recordsPerRelease {
            for c in setting.conditions {
                let r = rates(c, size)
                s += "\(c.mode.rawValue),\(c.epsilon.map { "\($0)" } ?? ""),\(size),\(r.real),\(r.known),\(r.phantom),\(r.falseNovel),\(r.falseMatch),\(r.noise),\(r.noiseCount),\(r.noiseAmbiguous),\(r.discovered),\(r.correctMatch),\(r.phantomFounded),\(r.finalClusters),\(r.cellsDiscovered)\n"
            }
        }
        return s
    }

    func pct(_ x: Double) -> String { x.isNaN ? "–" : String(format: "%.1f%%", 100 * x) }

    func markdown() -> String {
        var tables = ""
        for size in setting.recordsPerRelease {
            tables += "### \(size) records per release (≈ \(size / 10) per cell)\n\n"
            tables += "| condition | false-novel | false-match | noise (count / ambiguous) | correct match | discovered | empty-cell prototypes that founded a cluster | clusters at end | labels found |\n"
            tables += "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
            for c in setting.conditions {
                let r = rates(c, size)
                tables += "| \(c) | \(pct(r.falseNovel)) | \(pct(r.falseMatch)) | \(pct(r.noise)) (\(pct(r.noiseCount)) / \(pct(r.noiseAmbiguous))) | \(pct(r.correctMatch)) | \(pct(r.discovered)) | \(pct(r.phantomFounded)) of \(r.phantom) | \(String(format: "%.1f", r.finalClusters)) | \(String(format: "%.1f", r.cellsDiscovered)) |\n"
            }
            tables += "\n"
        }
        let small = setting.recordsPerRelease.min() ?? 100, large = setting.recordsPerRelease.max() ?? 500
        let e0 = epsilons.min() ?? 0.5, e1 = epsilons.max() ?? 8
        let rs0 = rates(.multimodal(e0), small), rs1 = rates(.multimodal(e1), small), rl0 = rates(.multimodal(e0), large), rn = rates(.none, small)
        return """
        # Novelty matching under DP noise (paper 1, §IV-B)

        Generated by `fairway-lab experiment novelty-noise` (\(setting.seeds.count) seeds × \(setting.releases) releases per condition).

        **Setup.** Per seed, \(setting.releases) agents each draw N records uniformly (without replacement within the agent) from
        `data/uci-digits-8x8.csv` and release their prototypes once per condition (public text anchors, C = 1, δ = 1e-5; every
        release publishes all 10 anchor cells). The releases go in order through a fresh `NoveltyCatalog` with the defaults, and
        each prototype is judged against the cell it came from (cell j = the records nearest label j's anchor). A cluster
        "belongs" to the cell whose prototype founded it (or to nobody, if an empty cell's noise founded it).

        **The exact matching rule** (`NoveltyCatalog.apply`, defaults). The catalog matches the fused direction p = (unit(image
        prototype) + unit(text prototype)) / 2 with the released count rounded, c = round(max(0, ñ)). Let s = the largest cosine
        between p and a cluster centroid (−1 for an empty catalog).
        1. c < 1, or p zero / not finite → **noise** (φ = 0).
        2. s ≥ 0.8 → **match** that cluster (its centroid moves to the count-weighted mean of matched unit directions).
        3. s < 0.5 → **new cluster**, founded by p.
        4. 0.5 ≤ s < 0.8 → **noise** (cannot be confidently assigned).

        **Rates.** *false-novel*: share of prototypes whose cell already had a cluster that founded another one; *false-match*:
        share of all non-empty-cell prototypes matched to a cluster founded by another cell (or by noise); *noise*: share of
        non-empty-cell prototypes left unassigned, split into rule 1 (count) and rule 4 (ambiguous). Empty cells (true count 0)
        are reported separately: under DP they still publish a noisy prototype.

        \(tables)
        ## Discussion

        - **Without noise the rule is nearly clean**: false-novel \(pct(rn.falseNovel)), false-match \(pct(rn.falseMatch)),
          noise \(pct(rn.noise)) at \(small) records per release; the catalog ends with \(String(format: "%.1f", rn.finalClusters)) clusters
          for \(String(format: "%.1f", rn.cellsDiscovered)) labels.
        - **Noise never produces mismatches; it produces spurious novelty and unassignable prototypes.** False-match stays at
          \(pct(rs0.falseMatch)) even at ε = \(ExperimentFormat.short(e0)): a noisy 16-dimensional direction almost never lands ≥ 0.8 to a *wrong*
          centroid. Instead, at ε = \(ExperimentFormat.short(e0)) with \(small) records per release (≈ \(small / 10) per cell, against noise of σ of
          several units on each sum) \(pct(rs0.falseNovel)) of prototypes of already-catalogued cells found another cluster (rule 3, paid as
          novel, φ = 1) and \(pct(rs0.noise)) are noise (\(pct(rs0.noiseCount)) by count, \(pct(rs0.noiseAmbiguous)) ambiguous); the catalog ends with
          \(String(format: "%.1f", rs0.finalClusters)) clusters for 10 labels. At ε = \(ExperimentFormat.short(e1)) the rates are \(pct(rs1.falseNovel)) /
          \(pct(rs1.falseMatch)) / \(pct(rs1.noise)).
        - **Noisy founders poison clusters.** A cluster's centroid is its founder's direction, and only matches move it. When the
          founder is noisy, later prototypes of the same label — noisy themselves or not — land between 0.5 and 0.8 to it and are
          discarded as ambiguous, so the catalog does not recover. That is why ambiguous noise dominates (\(pct(rl0.noiseAmbiguous)) at
          \(large) records per release and ε = \(ExperimentFormat.short(e0))) and why the noise rate is not monotone in ε at \(small) records: it is
          highest where prototypes are noisy enough to spoil founders but not noisy enough to fall below 0.5 and found clusters of their own.
        - **Cluster size matters as much as ε.** With \(large) records per release (≈ \(large / 10) per cell) everything is clean from ε = 1 on
          (false-novel \(pct(rates(.multimodal(1), large).falseNovel)), noise \(pct(rates(.multimodal(1), large).noise))): the noise is fixed per
          release while a cell's sum grows with its size.
        - **Empty cells.** \(rs0.phantom > 0 ? "Every release publishes all cells; \(pct(rs0.phantomFounded)) of empty-cell prototypes founded a cluster at ε = \(ExperimentFormat.short(e0))." : "With records drawn from all labels no cell was empty here; agents holding few labels publish noise-only prototypes for their empty cells, whose noisy counts round to ≥ 1 about half the time (see `docs/results/valuation-gamma`).") A public threshold on the noisy count (`valuation.min_count` of a few σ) would suppress those and the smallest cells; this run keeps the default 1.
        - Image-only noise (std 0.01 on a unit-scale prototype) changes almost nothing relative to `none`, and it has no DP guarantee.
        """
    }

    func headline() -> String {
        var s = "records  condition            false-novel false-match noise   clusters\n"
        for size in setting.recordsPerRelease {
            for c in setting.conditions {
                let r = rates(c, size)
                let name = c.description
                s += String(format: "%7d  ", size) + name + String(repeating: " ", count: max(1, 21 - name.count))
                s += "\(pct(r.falseNovel))\t\(pct(r.falseMatch))\t\(pct(r.noise))\t\(String(format: "%.1f", r.finalClusters))\n"
            }
        }
        return s
    }
}
