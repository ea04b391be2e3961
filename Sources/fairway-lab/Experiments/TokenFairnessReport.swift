import FairwayCore
import Foundation

/// One point of a sweep: its setting and what every allocator did.
struct TokenFairnessPoint {
    var setting: TokenFairnessSimulation.Setting
    var summaries: [TokenFairnessSimulation.Summary]

    func summary(_ kind: AllocatorKind) -> TokenFairnessSimulation.Summary? { summaries.first { $0.allocator == kind } }
}

/// CSV, SVG and markdown for the token-fairness experiment.
struct TokenFairnessReport {
    var fig4: [TokenFairnessPoint]
    var fig5: [TokenFairnessPoint]
    var anchor: TokenSchedulingReference.Anchor?

    static let displayName: [AllocatorKind: String] = [
        .proportional: "Proposed (eq. 15)", .proportionalFilling: "Proposed + filling", .random: "Random",
        .roundRobin: "Round-Robin", .maxMin: "Max–Min",
    ]

    static func style(_ kind: AllocatorKind) -> (color: String, dash: String?, marker: SVGLinePlot.Marker) {
        switch kind {
        case .proportional: (SVGLinePlot.palette[0], nil, .circle)
        case .proportionalFilling: (SVGLinePlot.palette[2], "7 3", .triangle)
        case .random: (SVGLinePlot.palette[1], nil, .cross)
        case .roundRobin: (SVGLinePlot.palette[3], nil, .square)
        case .maxMin: (SVGLinePlot.palette[4], "3 3", .diamond)
        }
    }

    /// File name → contents.
    func files() -> [String: String] {
        var out: [String: String] = [
            "fig4.csv": csv(fig4, figure: "fig4"),
            "fig5.csv": csv(fig5, figure: "fig5"),
            "results.md": markdown(),
        ]
        let sweeps: [(String, [TokenFairnessPoint], String, (TokenFairnessSimulation.Setting) -> Double)] = [
            ("fig4", fig4, "Dirichlet concentration α (N = 500)", { $0.alpha }),
            ("fig5", fig5, "number of agents N (α = 0.5)", { Double($0.agents) }),
        ]
        for (name, points, xLabel, x) in sweeps where !points.isEmpty {
            let isAlpha = name == "fig4"
            func plot(_ title: String, _ yLabel: String, yScale: SVGLinePlot.Scale, yRange: ClosedRange<Double>?,
                      _ value: (TokenFairnessSimulation.Summary) -> Double?) -> String {
                var p = SVGLinePlot(title: title, xLabel: xLabel, yLabel: yLabel,
                                    xScale: isAlpha ? .log : .linear, yScale: yScale,
                                    xRange: isAlpha ? 0.1...10 : 0...1000, yRange: yRange,
                                    xTicks: isAlpha ? FairwayLab.Experiment.TokenFairness.alphas : nil)
                for kind in AllocatorKind.allCases {
                    let s = Self.style(kind)
                    let pts = points.compactMap { point -> (x: Double, y: Double)? in
                        guard let summary = point.summary(kind), let y = value(summary) else { return nil }
                        return (x(point.setting), y)
                    }
                    p.series.append(.init(name: Self.displayName[kind] ?? kind.rawValue, points: pts,
                                          color: s.color, dash: s.dash, marker: s.marker))
                }
                p.subtitle = setup
                return p.mergingIdenticalSeries().svg()
            }
            let setup = "V = 1000, B = 4, empty buckets, mean of \(points[0].setting.rounds) rounds per point"
            out["\(name)-jain.svg"] = plot("Jain index of reward rates (higher is fairer)", "mean Jain index (log scale)",
                                           yScale: .log, yRange: 0.001...1) { $0.jain.count > 0 ? $0.jain.mean : nil }
            out["\(name)-gini.svg"] = plot("Gini coefficient of reward rates (lower is fairer)", "mean Gini coefficient",
                                           yScale: .linear, yRange: 0...1) { $0.gini.count > 0 ? $0.gini.mean : nil }
            out["\(name)-unallocated.svg"] = plot("Tokens left unallocated, V − Σu", "mean tokens per round",
                                                  yScale: .linear, yRange: 0...1000) { $0.unallocated.mean }
        }
        return out
    }

    // MARK: CSV

    func csv(_ points: [TokenFairnessPoint], figure: String) -> String {
        var s = "figure,alpha,agents,tokens,bucket,rounds,allocator,jain_mean,jain_sd,jain_se,gini_mean,gini_sd,gini_se,unallocated_mean,unallocated_sd,over_bucket_mean,fully_spent_rounds,undefined_rounds\n"
        for p in points {
            for m in p.summaries {
                let cells: [String] = [
                    figure, g(p.setting.alpha), "\(p.setting.agents)", g(p.setting.tokens), g(p.setting.bucketSize),
                    "\(p.setting.rounds)", m.allocator.rawValue,
                    g(m.jain.mean), g(m.jain.standardDeviation), g(m.jain.standardError),
                    g(m.gini.mean), g(m.gini.standardDeviation), g(m.gini.standardError),
                    g(m.unallocated.mean), g(m.unallocated.standardDeviation), g(m.overflow.mean),
                    "\(m.fullySpentRounds)", "\(m.undefinedRounds)",
                ]
                s += cells.joined(separator: ",") + "\n"
            }
        }
        return s
    }

    private func g(_ x: Double) -> String { "\(x)" }

    // MARK: markdown

    func markdown() -> String {
        let kinds = AllocatorKind.allCases
        let header = "| " + kinds.map { Self.displayName[$0]! }.joined(separator: " | ") + " |"
        let rule = "|---|" + String(repeating: "---:|", count: kinds.count)
        func table(_ points: [TokenFairnessPoint], _ key: String, _ keyOf: (TokenFairnessSimulation.Setting) -> String,
                   _ cell: (TokenFairnessSimulation.Summary) -> String) -> String {
            var s = "| \(key) " + header + "\n" + rule + "\n"
            for p in points {
                s += "| \(keyOf(p.setting)) | " + kinds.map { p.summary($0).map(cell) ?? "–" }.joined(separator: " | ") + " |\n"
            }
            return s
        }
        let jain: (TokenFairnessSimulation.Summary) -> String = { $0.jain.count > 0 ? String(format: "%.4f", $0.jain.mean) : "undefined" }
        let gini: (TokenFairnessSimulation.Summary) -> String = { $0.gini.count > 0 ? String(format: "%.4f", $0.gini.mean) : "undefined" }
        let unused: (TokenFairnessSimulation.Summary) -> String = {
            $0.overflow.mean > 0 ? String(format: "%.1f (%.1f over cap)", Self.tokens($0.unallocated.mean), $0.overflow.mean)
                : String(format: "%.1f", Self.tokens($0.unallocated.mean))
        }
        let spent: (TokenFairnessSimulation.Summary) -> String = {
            String(format: "%.1f%%", 100 * Double($0.fullySpentRounds) / Double(max(1, $0.unallocated.count)))
        }
        let alpha: (TokenFairnessSimulation.Setting) -> String = { "\(Self.short($0.alpha))" }
        let agents: (TokenFairnessSimulation.Setting) -> String = { "\($0.agents)" }
        let rounds = (fig4.first ?? fig5.first)?.setting.rounds ?? 0
        var s = """
        # Token fairness: generated tables

        Generated by `fairway-lab experiment token-fairness` (\(rounds) rounds per point, V = 1000, B = 4, empty
        buckets at the start of every round). Cells are means over the rounds; standard errors are in the CSV files.
        "Unallocated" is V − Σu per round; for Random, "over cap" counts tokens granted beyond a bucket's room,
        which a real bucket would discard.

        ## Fig. 4 — vs Dirichlet α (N = 500)

        Jain index (higher is fairer):

        \(table(fig4, "α", alpha, jain))
        Gini coefficient (lower is fairer):

        \(table(fig4, "α", alpha, gini))
        Tokens left unallocated per round:

        \(table(fig4, "α", alpha, unused))
        Share of rounds that hand out all of V. For eq. 15 these are the rounds where no bucket cap binds:
        every agent then gets the same reward rate V/Σv, so Jain = 1 and Gini = 0 by construction.

        \(table(fig4, "α", alpha, spent))
        ## Fig. 5 — vs number of agents N (α = 0.5)

        Jain index:

        \(table(fig5, "N", agents, jain))
        Gini coefficient:

        \(table(fig5, "N", agents, gini))
        Tokens left unallocated per round:

        \(table(fig5, "N", agents, unused))
        Share of rounds that hand out all of V:

        \(table(fig5, "N", agents, spent))
        """
        if let comparison = anchorComparison() { s += "\n" + comparison }
        return s
    }

    /// Our α = 0.5, N = 500 means against the reference anchor, with z = difference / combined standard error.
    func anchorComparison() -> String? {
        guard let anchor, let point = (fig4 + fig5).first(where: { anchor.matches($0.setting) }) else { return nil }
        var s = """
        ## Agreement with the reference anchor (α = 0.5, N = 500)

        The reference averaged \(anchor.protocol.rounds) rounds drawn with numpy's PCG64; these runs use Fairway's
        xoshiro256** stream, so the two means are independent estimates of the same expectation. z is their
        difference over the combined standard error √(se² + se_ref²); |z| < 3 is agreement within sampling error.

        | allocator | metric | this run | reference | z |
        |---|---|---:|---:|---:|

        """
        for kind in AllocatorKind.allCases {
            guard let name = TokenSchedulingReference.Anchor.names[kind], let ref = anchor.results[name], let m = point.summary(kind) else { continue }
            for (metric, ours, se, theirs, seRef) in [("Jain", m.jain.mean, m.jain.standardError, ref.mean_jain, ref.se_jain),
                                                     ("Gini", m.gini.mean, m.gini.standardError, ref.mean_gini, ref.se_gini)] {
                let z = (ours - theirs) / (se * se + seRef * seRef).squareRoot()
                s += String(format: "| %@ | %@ | %.5f ± %.5f | %.5f ± %.5f | %+.2f |\n", Self.displayName[kind]!, metric, ours, se, theirs, seRef, z)
            }
        }
        if let eq15 = point.summary(.proportional) {
            s += String(format: "\nUnallocated tokens under eq. 15: %.2f ± %.2f per round here, %.2f in the reference.\n",
                        eq15.unallocated.mean, eq15.unallocated.standardError, anchor.mean_unallocated_tokens_eq15)
        }
        return s
    }

    /// A few lines for the terminal: the paper's default point.
    func headline() -> String {
        guard let point = fig4.first(where: { $0.setting.alpha == 0.5 && $0.setting.agents == 500 }) else { return "" }
        var s = "α = 0.5, N = 500, V = 1000, B = 4:\n"
        for m in point.summaries {
            let name = Self.displayName[m.allocator]!
            s += "  " + name + String(repeating: " ", count: max(1, 20 - name.count))
            s += String(format: "Jain %.4f  Gini %.4f  unallocated %7.2f  over cap %6.2f\n",
                        m.jain.mean, m.gini.mean, Self.tokens(m.unallocated.mean), m.overflow.mean)
        }
        return s
    }

    /// Token counts for display: rounding residue such as −1e-13 from the fractional
    /// allocators shows as 0.
    static func tokens(_ x: Double) -> Double { abs(x) < 1e-6 ? 0 : x }

    static func short(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : "\(x)"
    }
}
