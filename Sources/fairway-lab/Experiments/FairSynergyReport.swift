import FairwayCore
import Foundation

/// Summary statistics of a sample: mean, sample standard deviation, min, quartiles (linear
/// interpolation between order statistics, numpy's default) and max.
struct FairSynergyStats {
    var count: Int
    var mean, std, minimum, q1, median, q3, maximum: Double

    init(_ xs: [Double]) {
        count = xs.count
        let s = xs.sorted()
        func quantile(_ q: Double) -> Double {
            guard !s.isEmpty else { return .nan }
            let h = q * Double(s.count - 1)
            let lo = Int(h.rounded(.down)), hi = min(s.count - 1, lo + 1)
            return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
        }
        mean = s.isEmpty ? .nan : s.reduce(0, +) / Double(s.count)
        let m = mean
        std = s.count > 1 ? (s.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(s.count - 1)).squareRoot() : 0
        minimum = s.first ?? .nan
        maximum = s.last ?? .nan
        q1 = quantile(0.25)
        median = quantile(0.5)
        q3 = quantile(0.75)
    }
}

/// CSV, SVG and markdown for `fairway-lab experiment fair-synergy`.
struct FairSynergyReport {
    var experiment: FairSynergyExperiment
    var result: FairSynergyExperiment.Result
    var elapsed: Duration

    typealias E = FairSynergyExperiment
    typealias Setting = FairSynergyExperiment.Setting

    static func g(_ x: Double) -> String { x.isFinite ? String(format: "%.6g", x) : "nan" }
    static func f3(_ x: Double) -> String { x.isFinite ? String(format: "%.3f", x) : "—" }
    static func f4(_ x: Double) -> String { x.isFinite ? String(format: "%.4f", x) : "—" }
    static func pct(_ x: Double) -> String { x.isFinite ? String(format: "%+.1f%%", 100 * x) : "—" }
    static func count(_ a: Int, _ b: Int) -> String { b == 0 ? "—" : String(format: "%d/%d (%.1f%%)", a, b, 100 * Double(a) / Double(b)) }
    static func metric(_ capped: Bool) -> String { capped ? "capped" : "uncapped" }

    static func color(_ a: CloudAllocator) -> String {
        switch a {
        case .fairSynergy: "#009E73"
        case .fairSynergyOnePass: "#56B4E9"
        case .fairSynergyMultiStart: "#000000"
        case .uniform: "#0072B2"
        case .random: "#E69F00"
        case .num: "#D55E00"
        case .drf: "#CC79A7"
        case .leximin: "#7F7F7F"
        }
    }

    static func style(_ a: CloudAllocator) -> (dash: String?, marker: SVGLinePlot.Marker) {
        switch a {
        case .fairSynergy: (nil, .circle)
        case .fairSynergyOnePass: ("6 3", .none)
        case .fairSynergyMultiStart: ("2 3", .none)
        case .uniform: (nil, .square)
        case .random: (nil, .cross)
        case .num: (nil, .triangle)
        case .drf: ("5 3", .diamond)
        case .leximin: ("3 3", .square)
        }
    }

    func fig4(_ s: Setting) -> [E.InstanceResult] { s == .rti ? result.fig4RTI : result.fig4DL }

    static let cappedOptimumName = "capped-optimum (reference)"
    static func cappedOptimum(_ rs: [E.InstanceResult]) -> [Double]? {
        let xs = rs.compactMap(\.cappedOptimum)
        return xs.isEmpty || xs.count != rs.count ? nil : xs
    }

    static func values(_ rs: [E.InstanceResult], _ a: CloudAllocator, capped: Bool) -> [Double] {
        rs.map { $0.outcomes[a]!.value(capped: capped) }
    }

    /// Gains of fair-synergy over `base` on paired instances.
    struct Gain {
        var perInstance: FairSynergyStats
        /// Instances where fair-synergy is below / above the baseline by more than the tolerance.
        var below: Int
        var above: Int
        var n: Int
        /// Ratios of the distributions' statistics minus 1.
        var atMinimum, atQ1, atMedian, atMean, atQ3, atMaximum: Double
    }

    static func gain(_ rs: [E.InstanceResult], over base: CloudAllocator, of top: CloudAllocator = .fairSynergy, capped: Bool) -> Gain {
        let a = values(rs, top, capped: capped), b = values(rs, base, capped: capped)
        let per = zip(a, b).map { $1 > 0 ? $0 / $1 - 1 : .nan }
        let below = zip(a, b).filter { $0 < $1 * (1 - E.beatTolerance) }.count
        let above = zip(a, b).filter { $0 > $1 * (1 + E.beatTolerance) }.count
        let sa = FairSynergyStats(a), sb = FairSynergyStats(b)
        return Gain(perInstance: FairSynergyStats(per.filter(\.isFinite)), below: below, above: above, n: a.count,
                    atMinimum: sa.minimum / sb.minimum - 1, atQ1: sa.q1 / sb.q1 - 1, atMedian: sa.median / sb.median - 1,
                    atMean: sa.mean / sb.mean - 1, atQ3: sa.q3 / sb.q3 - 1, atMaximum: sa.maximum / sb.maximum - 1)
    }

    static func baselines(_ s: Setting) -> [CloudAllocator] { E.allocators(s).filter { $0 != .fairSynergy } }
    /// The paper's baselines (no Fair-Synergy variant).
    static func simpleBaselines(_ s: Setting) -> [CloudAllocator] { [.uniform, .random, .num, .drf, .leximin] }
    static let fairSynergyFamily: Set<CloudAllocator> = [.fairSynergy, .fairSynergyOnePass, .fairSynergyMultiStart]

    /// mean(top) / mean(base) − 1 over `rs`.
    static func meanGain(_ rs: [E.InstanceResult], _ top: CloudAllocator, over base: CloudAllocator, capped: Bool) -> Double {
        FairSynergyStats(values(rs, top, capped: capped)).mean / FairSynergyStats(values(rs, base, capped: capped)).mean - 1
    }

    // MARK: files

    func files() -> [String: String] {
        var files: [String: String] = [:]
        for s in Setting.allCases {
            let name = s.rawValue.lowercased()
            files["fig4-\(name).csv"] = fig4CSV(s)
            for capped in [false, true] {
                files["fig4-\(name)-\(Self.metric(capped)).svg"] = fig4Plot(s, capped: capped).svg()
                files["fig5-\(name)-\(Self.metric(capped)).svg"] = fig5Plot(s, capped: capped).svg()
            }
            files["fig5-\(name)-gains.svg"] = fig5GainPlot(s).svg()
            files["fig6-\(name).svg"] = fig6Plot(s).svg()
        }
        files["fig4-summary.csv"] = fig4SummaryCSV()
        files["fig4-gains.csv"] = fig4GainsCSV()
        files["fig5.csv"] = fig5CSV()
        files["fig6.csv"] = fig6CSV()
        files["fig6-budget.csv"] = fig6BudgetCSV()
        files["results.md"] = markdown()
        return files
    }

    // MARK: CSV

    func fig4CSV(_ s: Setting) -> String {
        var out = "seed,agents,P,T,allocator,mean_utility,mean_utility_capped,min_utility,agents_above_1,jointly_concave,acs_iterations,acs_converged,multistart_iterations\n"
        for r in fig4(s) {
            for a in E.allocators(s) {
                let o = r.outcomes[a]!
                out += "\(r.seed),\(r.agents),\(Self.g(r.compute)),\(r.labelling.map(Self.g) ?? ""),\(a.rawValue),\(Self.g(o.mean)),\(Self.g(o.meanCapped)),"
                out += "\(Self.g(o.minimum)),\(o.above1),\(r.acs.map { "\($0.jointlyConcave)" } ?? ""),\(r.acs.map { "\($0.iterations)" } ?? ""),"
                out += "\(r.acs.map { "\($0.converged)" } ?? ""),\(r.acs.map { "\($0.multiStartIterations)" } ?? "")\n"
            }
        }
        return out
    }

    func fig4SummaryCSV() -> String {
        var out = "setting,utility,allocator,instances,mean,std,min,q1,median,q3,max,agents_above_1_share\n"
        for s in Setting.allCases {
            for capped in [false, true] {
                for a in E.allocators(s) {
                    let st = FairSynergyStats(Self.values(fig4(s), a, capped: capped))
                    out += "\(s.rawValue),\(Self.metric(capped)),\(a.rawValue),\(st.count),\(Self.g(st.mean)),\(Self.g(st.std)),\(Self.g(st.minimum)),"
                    out += "\(Self.g(st.q1)),\(Self.g(st.median)),\(Self.g(st.q3)),\(Self.g(st.maximum)),\(Self.g(aboveShare(fig4(s), a)))\n"
                }
                if capped, let xs = Self.cappedOptimum(fig4(s)) {
                    let st = FairSynergyStats(xs)
                    out += "\(s.rawValue),capped,\(Self.cappedOptimumName),\(st.count),\(Self.g(st.mean)),\(Self.g(st.std)),\(Self.g(st.minimum)),"
                    out += "\(Self.g(st.q1)),\(Self.g(st.median)),\(Self.g(st.q3)),\(Self.g(st.maximum)),0\n"
                }
            }
        }
        return out
    }

    func aboveShare(_ rs: [E.InstanceResult], _ a: CloudAllocator) -> Double {
        let agents = rs.reduce(0) { $0 + $1.agents }
        return agents == 0 ? .nan : Double(rs.reduce(0) { $0 + $1.outcomes[a]!.above1 }) / Double(agents)
    }

    func fig4GainsCSV() -> String {
        var out = "setting,utility,baseline,instances,gain_per_instance_mean,gain_per_instance_min,gain_per_instance_median,gain_per_instance_max,"
        out += "fair_synergy_below,fair_synergy_above,gain_at_min,gain_at_q1,gain_at_median,gain_at_mean,gain_at_q3,gain_at_max\n"
        for s in Setting.allCases {
            for capped in [false, true] {
                for b in Self.baselines(s) {
                    let x = Self.gain(fig4(s), over: b, capped: capped)
                    out += "\(s.rawValue),\(Self.metric(capped)),\(b.rawValue),\(x.n),\(Self.g(x.perInstance.mean)),\(Self.g(x.perInstance.minimum)),"
                    out += "\(Self.g(x.perInstance.median)),\(Self.g(x.perInstance.maximum)),\(x.below),\(x.above),\(Self.g(x.atMinimum)),\(Self.g(x.atQ1)),"
                    out += "\(Self.g(x.atMedian)),\(Self.g(x.atMean)),\(Self.g(x.atQ3)),\(Self.g(x.atMaximum))\n"
                }
            }
        }
        return out
    }

    func fig5Results(_ p: E.Fig5Point, _ s: Setting) -> [E.InstanceResult] { s == .rti ? p.rti : p.dl }

    func fig5CSV() -> String {
        var out = "setting,agents,P,T,seeds,allocator,mean,std,mean_capped,std_capped,agents_above_1_share,gain_vs_this_uncapped,gain_vs_this_capped\n"
        for s in Setting.allCases {
            for p in result.fig5 {
                let rs = fig5Results(p, s)
                let budget = E.fig5PerAgent * Double(p.agents)
                let fsU = FairSynergyStats(Self.values(rs, .fairSynergy, capped: false)).mean
                let fsC = FairSynergyStats(Self.values(rs, .fairSynergy, capped: true)).mean
                for a in E.allocators(s) {
                    let u = FairSynergyStats(Self.values(rs, a, capped: false)), c = FairSynergyStats(Self.values(rs, a, capped: true))
                    out += "\(s.rawValue),\(p.agents),\(Self.g(budget)),\(s == .dl ? Self.g(budget) : ""),\(rs.count),\(a.rawValue),"
                    out += "\(Self.g(u.mean)),\(Self.g(u.std)),\(Self.g(c.mean)),\(Self.g(c.std)),\(Self.g(aboveShare(rs, a))),"
                    out += "\(Self.g(fsU / u.mean - 1)),\(Self.g(fsC / c.mean - 1))\n"
                }
                if let xs = Self.cappedOptimum(rs) {
                    let c = FairSynergyStats(xs)
                    out += "\(s.rawValue),\(p.agents),\(Self.g(budget)),,\(rs.count),\(Self.cappedOptimumName),,,\(Self.g(c.mean)),\(Self.g(c.std)),0,,\(Self.g(fsC / c.mean - 1))\n"
                }
            }
        }
        return out
    }

    func fig6CSV() -> String {
        var out = "setting,case,allocator,agent,rho0,alpha0,gamma_rho,gamma_alpha,P,T,rho,alpha,utility,utility_capped,total,total_capped\n"
        for c in result.fig6 {
            for r in c.rows {
                for i in 0..<c.rho0.count {
                    let u = r.report.utilities[i]
                    out += "\(c.setting.rawValue),\"\(c.name)\",\(r.allocator.rawValue),\(i + 1),\(Self.g(c.rho0[i])),\(c.alpha0.map { Self.g($0[i]) } ?? ""),"
                    out += "\(Self.g(c.gammaRho[i])),\(c.gammaAlpha.map { Self.g($0[i]) } ?? ""),\(Self.g(c.compute)),\(c.labelling.map(Self.g) ?? ""),"
                    out += "\(Self.g(r.rho[i])),\(r.alpha.map { Self.g($0[i]) } ?? ""),\(Self.g(u)),\(Self.g(min(1, u))),\(Self.g(r.report.total)),\(Self.g(r.report.totalCapped))\n"
                }
            }
        }
        return out
    }

    func fig6BudgetCSV() -> String {
        var out = "P,rho_fair_synergy,total_fair_synergy,total_num,total_capped_fair_synergy,total_capped_num,total_capped_optimum,gain_uncapped,gain_capped\n"
        for b in result.fig6Budgets {
            out += "\(Self.g(b.budget)),\(b.fairSynergyRho.map(Self.g).joined(separator: " ")),\(Self.g(b.fairSynergy.total)),\(Self.g(b.num.total)),"
            out += "\(Self.g(b.fairSynergy.totalCapped)),\(Self.g(b.num.totalCapped)),\(Self.g(b.cappedOptimum.totalCapped)),"
            out += "\(Self.g(b.fairSynergy.total / b.num.total - 1)),\(Self.g(b.fairSynergy.totalCapped / b.num.totalCapped - 1))\n"
        }
        return out
    }

    // MARK: plots

    func fig4Plot(_ s: Setting, capped: Bool) -> FairSynergyBoxPlot {
        let rs = fig4(s)
        var plot = FairSynergyBoxPlot(
            title: "Fig. 4 (\(s.rawValue)): mean per-agent utility, \(rs.count) instances",
            subtitle: "N = \(E.fig4Agents), reference generator; utility \(capped ? "capped at 1 per agent" : "uncapped (as the paper)")",
            yLabel: capped ? "mean per-agent accuracy, min(1, U)" : "mean per-agent utility U (uncapped)")
        for a in E.allocators(s) {
            let st = FairSynergyStats(Self.values(rs, a, capped: capped))
            plot.boxes.append(.init(name: a.rawValue, minimum: st.minimum, q1: st.q1, median: st.median, q3: st.q3,
                                    maximum: st.maximum, mean: st.mean, color: Self.color(a)))
        }
        if capped, let xs = Self.cappedOptimum(rs) {
            let st = FairSynergyStats(xs)
            plot.boxes.append(.init(name: "capped optimum (ref.)", minimum: st.minimum, q1: st.q1, median: st.median, q3: st.q3,
                                    maximum: st.maximum, mean: st.mean, color: "#444444"))
        }
        if !capped { plot.references = [(1, "U = 1")] }
        return plot
    }

    func fig5Plot(_ s: Setting, capped: Bool) -> SVGLinePlot {
        var means: [CloudAllocator: [(x: Double, y: Double)]] = [:]
        for p in result.fig5 {
            for a in E.allocators(s) {
                means[a, default: []].append((Double(p.agents), FairSynergyStats(Self.values(fig5Results(p, s), a, capped: capped)).mean))
            }
        }
        let ys = means.values.flatMap { $0.map(\.y) }.filter { $0 > 0 }
        let logY = (ys.max() ?? 1) > 10 * (ys.min() ?? 1)
        var plot = SVGLinePlot(
            title: "Fig. 5 (\(s.rawValue)): mean per-agent utility vs N",
            subtitle: "P = \(ExperimentFormat.short(E.fig5PerAgent))·N\(s == .dl ? ", T = \(ExperimentFormat.short(E.fig5PerAgent))·N" : ""), \(experiment.seeds) seeds per N; \(capped ? "capped at 1" : "uncapped")\(logY ? ", log y" : ""); std in fig5.csv",
            xLabel: "number of agents N (log scale)",
            yLabel: capped ? "mean per-agent accuracy, min(1, U)" : "mean per-agent utility U (uncapped)",
            xScale: .log, yScale: logY ? .log : .linear, xRange: 1...100, xTicks: E.fig5Agents.map(Double.init))
        for a in E.allocators(s) {
            let st = Self.style(a)
            plot.series.append(.init(name: a.rawValue, points: means[a] ?? [], color: Self.color(a), dash: st.dash, marker: st.marker))
        }
        if capped, s == .rti {
            let pts = result.fig5.compactMap { p in Self.cappedOptimum(p.rti).map { (x: Double(p.agents), y: FairSynergyStats($0).mean) } }
            plot.series.append(.init(name: "capped optimum\n(reference)", points: pts, color: "#444444", dash: "1 3", marker: .none))
        }
        return plot.mergingIdenticalSeries()
    }

    func fig5GainPlot(_ s: Setting) -> SVGLinePlot {
        var plot = SVGLinePlot(
            title: "Fig. 5 (\(s.rawValue)): gain of fair-synergy over each allocator vs N",
            subtitle: "mean(fair-synergy) / mean(allocator) − 1 over \(experiment.seeds) seeds; solid: uncapped, dashed: capped at 1",
            xLabel: "number of agents N (log scale)", yLabel: "relative gain of fair-synergy",
            xScale: .log, xRange: 1...100, xTicks: E.fig5Agents.map(Double.init))
        for a in Self.baselines(s) {
            for capped in [false, true] {
                let pts = result.fig5.map { p -> (x: Double, y: Double) in
                    let rs = fig5Results(p, s)
                    let fs = FairSynergyStats(Self.values(rs, .fairSynergy, capped: capped)).mean
                    return (Double(p.agents), fs / FairSynergyStats(Self.values(rs, a, capped: capped)).mean - 1)
                }
                plot.series.append(.init(name: "\(a.rawValue)\(capped ? " (capped)" : "")", points: pts, color: Self.color(a),
                                         dash: capped ? "5 3" : nil, marker: capped ? .none : Self.style(a).marker))
            }
        }
        return plot
    }

    func fig6Plot(_ s: Setting) -> FairSynergyBarPlot {
        let cases = result.fig6.filter { $0.setting == s }
        let shown: [CloudAllocator] = s == .rti ? [.num, .fairSynergy] : [.num, .fairSynergy, .fairSynergyMultiStart]
        let agentColors = ["#0072B2", "#D55E00", "#009E73"]
        var plot = FairSynergyBarPlot(
            title: "Fig. 6 (\(s.rawValue)): NUM vs Fair-Synergy, three agents",
            subtitle: s == .rti ? "agents 1–3: ρ⁰ = (0.05, 0.1, 0.2), P = 1; labels: total utility uncapped / capped"
                : "ρ⁰ = (0.05, 0.1, 0.2), α⁰ = (0.2, 0.1, 0.05), P = T = 1, γ^ρ = γ^α = γ; totals uncapped / capped",
            yLabel: s == .rti ? "cloud compute ρ_i" : "cloud compute ρ_i (solid), labelling α_i (light)")
        for i in 0..<3 {
            plot.series.append(.init(name: "agent \(i + 1) ρ", color: agentColors[i]))
            if s == .dl { plot.series.append(.init(name: "agent \(i + 1) α", color: agentColors[i], opacity: 0.35)) }
        }
        for c in cases {
            for a in shown {
                guard let r = c.rows.first(where: { $0.allocator == a }) else { continue }
                var values: [Double] = []
                for i in 0..<3 {
                    values.append(r.rho[i])
                    if let alpha = r.alpha { values.append(alpha[i]) }
                }
                let caseLabel = c.name.hasPrefix("uniform") ? "γ = 0.3" : "γ = (.3, .6, .9)"
                plot.groups.append(.init(label: "\(a == .fairSynergyMultiStart ? "multi-start" : a.rawValue)\n\(caseLabel)",
                                         note: "\(Self.f3(r.report.total)) / \(Self.f3(r.report.totalCapped))", values: values))
            }
        }
        return plot
    }

    // MARK: markdown

    func headline() -> String {
        var lines: [String] = []
        for s in Setting.allCases {
            for capped in [false, true] {
                let gains = Self.baselines(s).filter { $0 != .fairSynergyMultiStart && $0 != .fairSynergyOnePass }.map { b -> String in
                    let x = Self.gain(fig4(s), over: b, capped: capped)
                    return "\(b.rawValue) \(Self.pct(x.atMean))"
                }
                lines.append("Fig. 4 \(s.rawValue) \(Self.metric(capped)): fair-synergy mean gain over \(gains.joined(separator: ", "))")
            }
        }
        if let last = result.fig5.last {
            for s in Setting.allCases {
                for capped in [false, true] {
                    let rs = fig5Results(last, s)
                    let fs = FairSynergyStats(Self.values(rs, .fairSynergy, capped: capped)).mean
                    let gains = Self.baselines(s).filter { $0 != .fairSynergyMultiStart && $0 != .fairSynergyOnePass }.map { b in
                        "\(b.rawValue) \(Self.pct(fs / FairSynergyStats(Self.values(rs, b, capped: capped)).mean - 1))"
                    }
                    lines.append("Fig. 5 \(s.rawValue) N = \(last.agents) \(Self.metric(capped)): \(gains.joined(separator: ", "))")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    func markdown() -> String {
        let e = experiment
        var s = "# Paper 3 (Fair-Synergy), Figs. 4–6: Fair-Synergy against the baselines, uncapped and capped\n\n"
        s += "Generated by `fairway-lab experiment fair-synergy --out docs/results/fair-synergy --instances \(e.instances) --seeds \(e.seeds) --seed \(e.seed)` "
        s += "(release build, \(String(format: "%.0f", elapsed.milliseconds / 1000)) s on the shared 2-vCPU machine).\n\n"
        s += "Setup:\n\n"
        s += "- **Instances**: the reference's generators (`fair-synergy.json`, \"generator\" fields) on `SeededGenerator` instead of NumPy: "
        s += "RTI P = sum of N uniforms, ρ⁰ = U/10, γ = U; DL T = sum of N uniforms, P = sum of N uniforms, α⁰ = U/100, ρ⁰ = U/100, γ^α = U, γ^ρ = U (drawn in that order). "
        s += "Seeds: Fig. 4 RTI instance k has seed \(e.seed) + k, DL \(e.seed) + \(E.dlOffset) + k; Fig. 5 instance j at N has \(e.seed) + \(E.fig5Offset) (+ \(E.dlOffset) for DL) + 1000·N + j; "
        s += "the `random` allocator draws from its own generator seeded from the instance seed.\n"
        s += "- **Allocators** (`CloudAllocator`, definitions in `Sources/FairwayCore/Allocation/`): `fair-synergy` = RTI the exact optimum of Problem 1 (KKT water-filling), "
        s += "DL alternate convex search (ACS) from α = 0 until max|Δα| < 1e-14; `fair-synergy-one-pass` = the public code's single ρ-step then α-step; "
        s += "`fair-synergy-multistart` = converged ACS from α = 0, α uniform, the first 32 vertices α = T·e_j and 8 Dirichlet starts, best kept; "
        s += "`uniform`, `random` (Dirichlet(1) shares of the whole budget), `num` (water-filling of log utility, blind to γ), `drf` (progressive filling of the demands that bring an agent to accuracy 1, "
        s += "left-over split equally), `leximin` (equalise utilities from the bottom; DL over bundles of the cloud's mix).\n"
        s += "- **Utility**: every number is the *mean per-agent utility* of an instance (total / N). **Uncapped** is the paper's eq. 3 / eq. 7, which exceeds 1 when an agent's resources exceed 1; "
        s += "**capped** is the mean of min(1, U_i), an accuracy a classifier can have. All allocators optimise (or ignore) the uncapped model; only the evaluation differs.\n"
        s += "- **Gain** of fair-synergy over a baseline: *per instance* FS_k / B_k − 1 on the same instance (mean, worst = min, best = max over instances); "
        s += "*at a statistic* stat(FS) / stat(B) − 1 of the two distributions (e.g. at the max = the top whiskers of Fig. 4, at the min = the bottom whiskers).\n\n"

        s += fig4Markdown()
        s += fig5Markdown()
        s += fig6Markdown()
        s += rankingMarkdown()
        s += "\n## Discussion (generated from the numbers above)\n\n"
        s += discussion()
        return s
    }

    func fig4Markdown() -> String {
        var s = "## Fig. 4: \(experiment.instances) random instances, N = \(E.fig4Agents)\n\n"
        for st in Setting.allCases {
            let rs = fig4(st)
            s += "### \(st.rawValue)\n\nMean per-agent utility over \(rs.count) instances (`fig4-\(st.rawValue.lowercased()).csv`, `fig4-summary.csv`; plots `fig4-\(st.rawValue.lowercased())-uncapped.svg`, `fig4-\(st.rawValue.lowercased())-capped.svg`):\n\n"
            s += "| allocator | uncapped mean | min | q1 | median | q3 | max | capped mean | min | median | max | agents with U > 1 |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n"
            for a in E.allocators(st) {
                let u = FairSynergyStats(Self.values(rs, a, capped: false)), c = FairSynergyStats(Self.values(rs, a, capped: true))
                s += "| \(a.rawValue) | \(Self.f4(u.mean)) | \(Self.f4(u.minimum)) | \(Self.f4(u.q1)) | \(Self.f4(u.median)) | \(Self.f4(u.q3)) | \(Self.f4(u.maximum)) | "
                s += "\(Self.f4(c.mean)) | \(Self.f4(c.minimum)) | \(Self.f4(c.median)) | \(Self.f4(c.maximum)) | \(String(format: "%.1f%%", 100 * aboveShare(rs, a))) |\n"
            }
            if let xs = Self.cappedOptimum(rs) {
                let c = FairSynergyStats(xs)
                s += "| *\(Self.cappedOptimumName)* | | | | | | | \(Self.f4(c.mean)) | \(Self.f4(c.minimum)) | \(Self.f4(c.median)) | \(Self.f4(c.maximum)) | |\n"
                s += "\nThe last row is not an allocator of the paper: the exact maximiser of the *capped* RTI objective Σ min(1, U_i) (Fair-Synergy's water-filling with ρ_i ≤ 1 − ρ⁰_i, `CappedInferenceOptimum` in `FairSynergyCommand.swift`), the ceiling for the capped columns.\n"
            }
            s += "\nGain of fair-synergy over each allocator (`fig4-gains.csv`):\n\n"
            s += "| vs | utility | per instance: mean | worst (min) | best (max) | FS below / above | at min (worst case) | at median | at mean | at max (best case) |\n|---|---|---|---|---|---|---|---|---|---|\n"
            for b in Self.baselines(st) {
                for capped in [false, true] {
                    let x = Self.gain(rs, over: b, capped: capped)
                    s += "| \(b.rawValue) | \(Self.metric(capped)) | \(Self.pct(x.perInstance.mean)) | \(Self.pct(x.perInstance.minimum)) | \(Self.pct(x.perInstance.maximum)) | "
                    s += "\(x.below) / \(x.above) | \(Self.pct(x.atMinimum)) | \(Self.pct(x.atMedian)) | \(Self.pct(x.atMean)) | \(Self.pct(x.atMaximum)) |\n"
                }
            }
            s += "\n"
            if st == .dl {
                s += "The public code's one pass (`fair-synergy-one-pass`, what the paper's code runs) against the same baselines:\n\n"
                s += "| vs | utility | per instance: mean | worst | best | one-pass below / above | at min | at mean | at max |\n|---|---|---|---|---|---|---|---|---|\n"
                for b in Self.simpleBaselines(st) {
                    for capped in [false, true] {
                        let x = Self.gain(rs, over: b, of: .fairSynergyOnePass, capped: capped)
                        s += "| \(b.rawValue) | \(Self.metric(capped)) | \(Self.pct(x.perInstance.mean)) | \(Self.pct(x.perInstance.minimum)) | \(Self.pct(x.perInstance.maximum)) | "
                        s += "\(x.below) / \(x.above) | \(Self.pct(x.atMinimum)) | \(Self.pct(x.atMean)) | \(Self.pct(x.atMaximum)) |\n"
                    }
                }
                s += "\n" + acsMarkdown(rs)
            }
        }
        return s
    }

    func acsMarkdown(_ rs: [E.InstanceResult]) -> String {
        var s = "ACS in the DL instances:\n\n"
        let iters = FairSynergyStats(rs.map { Double($0.acs!.iterations) })
        let notConverged = rs.filter { !$0.acs!.converged }.count
        s += "- Converged ACS from α = 0: \(Self.f3(iters.median)) iterations median (ρ-step + α-step pairs), max \(Int(iters.maximum)); stopped by the 10 000-iteration limit before max|Δα| < 1e-14 in \(Self.count(notConverged, rs.count)).\n"
        for capped in [false, true] {
            let x = Self.gain(rs, over: .fairSynergyOnePass, capped: capped)
            let beats = rs.map { ($0.outcomes[.fairSynergy]!.value(capped: capped), $0.outcomes[.fairSynergyOnePass]!.value(capped: capped)) }
            let rel = beats.filter { $0.0 > $0.1 * (1 + E.beatTolerance) }.map { $0.0 / $0.1 - 1 }
            let relStats = FairSynergyStats(rel)
            s += "- Converged ACS vs the public code's one pass (\(Self.metric(capped))): higher in \(Self.count(x.above, x.n)), lower in \(x.below); "
            s += rel.isEmpty ? "never better.\n" : "where higher, by \(Self.pct(relStats.median)) median, \(Self.pct(relStats.mean)) mean, \(Self.pct(relStats.maximum)) max.\n"
        }
        for (label, subset) in [("not jointly concave (some γ^ρ + γ^α > 1)", rs.filter { !$0.acs!.jointlyConcave }),
                                ("jointly concave", rs.filter { $0.acs!.jointlyConcave })] {
            let pairs = subset.map { ($0.outcomes[.fairSynergyMultiStart]!.mean, $0.outcomes[.fairSynergy]!.mean, $0.outcomes[.fairSynergyMultiStart]!.meanCapped, $0.outcomes[.fairSynergy]!.meanCapped) }
            let better = pairs.filter { $0.0 > $0.1 * (1 + E.beatTolerance) }
            let rel = FairSynergyStats(better.map { $0.0 / $0.1 - 1 })
            let cappedWorse = better.filter { $0.2 < $0.3 * (1 - E.beatTolerance) }.count
            if subset.isEmpty { s += "- No \(label) instances.\n"; continue }
            s += "- Multi-start vs converged ACS from α = 0, \(label) instances (\(subset.count)): multi-start higher (uncapped) in \(Self.count(better.count, subset.count))"
            s += better.isEmpty ? ".\n" : ", by \(Self.pct(rel.median)) median, \(Self.pct(rel.maximum)) max; of those, multi-start is *lower* in the capped utility in \(cappedWorse).\n"
        }
        return s + "\n"
    }

    func fig5Markdown() -> String {
        var s = "## Fig. 5: scalability, N ∈ {\(E.fig5Agents.map(String.init).joined(separator: ", "))}, \(experiment.seeds) seeds per N\n\n"
        s += "P = ρ·N and (DL) T = α·N with ρ = α = \(ExperimentFormat.short(E.fig5PerAgent)) per agent (the paper does not give its ρ and α); the agents are drawn as in Fig. 4 with the budgets replaced. "
        s += "Mean ± standard deviation over the seeds of the mean per-agent utility (`fig5.csv`; plots `fig5-{rti,dl}-{uncapped,capped}.svg`, gains `fig5-{rti,dl}-gains.svg`).\n\n"
        for st in Setting.allCases {
            for capped in [false, true] {
                let reference = capped && st == .rti
                s += "### \(st.rawValue), \(Self.metric(capped))\n\n| N | " + E.allocators(st).map(\.rawValue).joined(separator: " | ") + (reference ? " | *capped optimum (ref.)*" : "")
                s += " |\n|---|" + E.allocators(st).map { _ in "---|" }.joined() + (reference ? "---|" : "") + "\n"
                for p in result.fig5 {
                    let rs = fig5Results(p, st)
                    s += "| \(p.agents) | " + E.allocators(st).map { a in
                        let x = FairSynergyStats(Self.values(rs, a, capped: capped))
                        return "\(Self.f3(x.mean)) ± \(Self.f3(x.std))"
                    }.joined(separator: " | ")
                    if reference, let xs = Self.cappedOptimum(rs) {
                        let x = FairSynergyStats(xs)
                        s += " | \(Self.f3(x.mean)) ± \(Self.f3(x.std))"
                    }
                    s += " |\n"
                }
                s += "\n"
            }
        }
        if let last = result.fig5.last {
            s += "Gain (ratio of the means − 1) at N = \(last.agents), against the paper's Fig. 5 numbers (DL: of converged ACS and of the public code's one pass):\n\n"
            s += "| setting | vs | fair-synergy uncapped | capped | one pass uncapped | one pass capped | paper |\n|---|---|---|---|---|---|---|\n"
            for st in Setting.allCases {
                let rs = fig5Results(last, st)
                for b in Self.simpleBaselines(st) {
                    s += "| \(st.rawValue) | \(b.rawValue) | \(Self.pct(Self.meanGain(rs, .fairSynergy, over: b, capped: false))) | \(Self.pct(Self.meanGain(rs, .fairSynergy, over: b, capped: true))) | "
                    s += st == .dl ? "\(Self.pct(Self.meanGain(rs, .fairSynergyOnePass, over: b, capped: false))) | \(Self.pct(Self.meanGain(rs, .fairSynergyOnePass, over: b, capped: true))) | " : "| | "
                    s += "\(Self.paperFig5[st]?[b] ?? "—") |\n"
                }
            }
            s += "\n"
        }
        return s
    }

    static let paperFig5: [Setting: [CloudAllocator: String]] = [
        .rti: [.num: "+6%", .uniform: "+13%", .drf: "+13%", .leximin: "+13%", .random: "+21%"],
        .dl: [.num: "+30%", .uniform: "+51%", .drf: "+51%", .leximin: "+51%", .random: "+76%"],
    ]

    func fig6Markdown() -> String {
        var s = "## Fig. 6: NUM vs Fair-Synergy, three agents\n\n"
        s += "RTI: ρ⁰ = (0.05, 0.1, 0.2), P = 1, γ = 0.3 for every agent, then γ = (0.3, 0.6, 0.9) (the hardest task on the agent with the most local compute; the paper gives neither ρ⁰ nor P). "
        s += "DL counterpart: the same ρ⁰, α⁰ = (0.2, 0.1, 0.05), P = T = 1, γ^ρ = γ^α = γ (so with γ = (0.3, 0.6, 0.9) agents 2 and 3 are not jointly concave). "
        s += "All allocators are in `fig6.csv`; the plots `fig6-rti.svg`, `fig6-dl.svg` show NUM and Fair-Synergy (and DL multi-start).\n\n"
        s += "| setting | case | allocator | ρ | α | U per agent | total U | total capped |\n|---|---|---|---|---|---|---|---|\n"
        func v(_ xs: [Double]) -> String { "(" + xs.map(Self.f3).joined(separator: ", ") + ")" }
        for c in result.fig6 {
            for r in c.rows {
                s += "| \(c.setting.rawValue) | \(c.name) | \(r.allocator.rawValue) | \(v(r.rho)) | \(r.alpha.map(v) ?? "") | \(v(r.report.utilities)) | \(Self.f4(r.report.total)) | \(Self.f4(r.report.totalCapped)) |\n"
            }
        }
        s += "\n| setting | case | FS / NUM − 1, uncapped | capped | paper |\n|---|---|---|---|---|\n"
        for c in result.fig6 {
            guard let fs = c.rows.first(where: { $0.allocator == .fairSynergy }), let num = c.rows.first(where: { $0.allocator == .num }) else { continue }
            let paper = c.setting == .rti ? (c.name.hasPrefix("uniform") ? "≈ 0 (\"comparable\")" : "+14%") : "—"
            s += "| \(c.setting.rawValue) | \(c.name) | \(Self.pct(fs.report.total / num.report.total - 1)) | \(Self.pct(fs.report.totalCapped / num.report.totalCapped - 1)) | \(paper) |\n"
        }
        let past1 = result.fig6Budgets.first { $0.fairSynergy.utilities.contains { $0 > 1 } }
        s += "\nThe heterogeneous RTI case at other budgets P (`fig6-budget.csv`): the gain over NUM grows with P\(past1.map { ", and from P = \(ExperimentFormat.short($0.budget)) on fair-synergy lifts an agent past U = 1" } ?? "").\n\n"
        s += "| P | fair-synergy ρ | total FS | total NUM | FS / NUM − 1 | capped FS | capped NUM | capped FS / NUM − 1 | capped optimum (ref.) |\n|---|---|---|---|---|---|---|---|---|\n"
        for b in result.fig6Budgets {
            s += "| \(ExperimentFormat.short(b.budget)) | \(v(b.fairSynergyRho)) | \(Self.f4(b.fairSynergy.total)) | \(Self.f4(b.num.total)) | \(Self.pct(b.fairSynergy.total / b.num.total - 1)) | "
            s += "\(Self.f4(b.fairSynergy.totalCapped)) | \(Self.f4(b.num.totalCapped)) | \(Self.pct(b.fairSynergy.totalCapped / b.num.totalCapped - 1)) | \(Self.f4(b.cappedOptimum.totalCapped)) |\n"
        }
        return s + "\n"
    }

    /// Pairs (a, b) with a ahead of b by the uncapped mean and behind by the capped mean.
    static func flips(_ rs: [E.InstanceResult], _ allocators: [CloudAllocator]) -> [(CloudAllocator, CloudAllocator)] {
        var out: [(CloudAllocator, CloudAllocator)] = []
        for a in allocators {
            for b in allocators where a != b {
                let ua = FairSynergyStats(values(rs, a, capped: false)).mean, ub = FairSynergyStats(values(rs, b, capped: false)).mean
                let ca = FairSynergyStats(values(rs, a, capped: true)).mean, cb = FairSynergyStats(values(rs, b, capped: true)).mean
                if ua > ub * (1 + E.beatTolerance) && ca < cb * (1 - E.beatTolerance) { out.append((a, b)) }
            }
        }
        return out
    }

    static func short(_ a: CloudAllocator) -> String {
        switch a {
        case .fairSynergy: "FS"
        case .fairSynergyOnePass: "FS-1pass"
        case .fairSynergyMultiStart: "FS-multi"
        default: a.rawValue
        }
    }

    static func ranking(_ rs: [E.InstanceResult], _ allocators: [CloudAllocator], capped: Bool) -> String {
        // Allocators within 1e-3 relative of each other print as "=" (uniform, NUM and DRF nearly coincide here).
        let sorted = allocators.map { ($0, FairSynergyStats(values(rs, $0, capped: capped)).mean) }.sorted { $0.1 > $1.1 }
        var s = short(sorted[0].0)
        for k in 1..<sorted.count {
            s += (sorted[k - 1].1 - sorted[k].1 <= 1e-3 * sorted[k - 1].1 ? " = " : " > ") + short(sorted[k].0)
        }
        return s
    }

    func rankingMarkdown() -> String {
        var s = "## Uncapped vs capped: where the ranking changes\n\n"
        s += "Allocators ranked by the mean over instances (FS = fair-synergy, FS-1pass = one pass, FS-multi = multi-start; \"=\" within 0.1%), and, per Fair-Synergy variant, the baselines it beats uncapped but trails capped:\n\n"
        s += "| figure | setting | uncapped ranking | capped ranking | ahead uncapped, behind capped |\n|---|---|---|---|---|\n"
        func row(_ fig: String, _ st: Setting, _ rs: [E.InstanceResult]) -> String {
            let flips = Self.flips(rs, E.allocators(st))
            var parts: [String] = []
            for a in E.allocators(st) {
                let behind = flips.filter { $0.0 == a }.map { Self.short($0.1) }
                if !behind.isEmpty { parts.append("\(Self.short(a)) < \(behind.joined(separator: ", "))") }
            }
            return "| \(fig) | \(st.rawValue) | \(Self.ranking(rs, E.allocators(st), capped: false)) | \(Self.ranking(rs, E.allocators(st), capped: true)) | \(parts.isEmpty ? "none" : parts.joined(separator: "; ")) |\n"
        }
        for st in Setting.allCases { s += row("4", st, fig4(st)) }
        for st in Setting.allCases {
            for p in result.fig5 { s += row("5, N = \(p.agents)", st, fig5Results(p, st)) }
        }
        return s + "\n"
    }

    /// The two gain readings (per-instance mean/min/max, ratio at min/mean/max of the distributions)
    /// of the given Fair-Synergy variants over the paper's baselines closest to `target`.
    func closest(_ target: Double, _ rs: [E.InstanceResult], _ tops: [CloudAllocator], count: Int = 2) -> String {
        var readings: [(String, Double)] = []
        for top in tops {
            for b in Self.simpleBaselines(.rti) {
                let g = Self.gain(rs, over: b, of: top, capped: false)
                let who = "\(Self.short(top)) vs \(b.rawValue)"
                readings += [("\(who) per-instance mean", g.perInstance.mean), ("\(who) per-instance best", g.perInstance.maximum),
                             ("\(who) per-instance worst", g.perInstance.minimum), ("\(who) top whisker", g.atMaximum),
                             ("\(who) bottom whisker", g.atMinimum), ("\(who) ratio of means", g.atMean)]
            }
        }
        return readings.sorted { abs($0.1 - target) < abs($1.1 - target) }.prefix(count).map { "\($0.0) \(Self.pct($0.1))" }.joined(separator: ", ")
    }

    /// The first N of Fig. 5 from which `top`'s capped mean stays below `base`'s.
    func cappedCrossover(_ st: Setting, _ top: CloudAllocator, _ base: CloudAllocator) -> Int? {
        var first: Int? = nil
        for p in result.fig5 {
            let rs = fig5Results(p, st)
            if Self.meanGain(rs, top, over: base, capped: true) < -E.beatTolerance { first = first ?? p.agents } else { first = nil }
        }
        return first
    }

    func discussion() -> String {
        var s = ""
        let rti = fig4(.rti), dl = fig4(.dl)
        let base = Self.simpleBaselines(.rti)
        func gains(_ rs: [E.InstanceResult], _ top: CloudAllocator, _ capped: Bool, _ pick: (Gain) -> Double) -> String {
            base.map { "\($0.rawValue) \(Self.pct(pick(Self.gain(rs, over: $0, of: top, capped: capped))))" }.joined(separator: ", ")
        }
        // Fig. 4 RTI.
        let rtiBelow = base.map { Self.gain(rti, over: $0, capped: false).below }.reduce(0, +)
        s += "- **Fig. 4, RTI, uncapped (the paper's metric).** Fair-synergy's mean gain is \(gains(rti, .fairSynergy, false) { $0.atMean }). "
        s += rtiBelow == 0 ? "It is never below a baseline on any instance, as the exact optimum of the uncapped objective must be. "
            : "It is below a baseline on \(rtiBelow) instance–baseline pairs, which the exact optimum cannot be: a solver bug to investigate. "
        s += "The paper's \"25 % best case, 6 % worst case\" is not defined there; read as the extreme per-instance gains, the best case is \(gains(rti, .fairSynergy, false) { $0.perInstance.maximum }) "
        s += "and the worst case is ≈ 0 against every baseline (\(gains(rti, .fairSynergy, false) { $0.perInstance.minimum })); read as the ratio of the box plots' whiskers, the top whisker gains \(gains(rti, .fairSynergy, false) { $0.atMaximum }) "
        s += "and the bottom whisker \(gains(rti, .fairSynergy, false) { $0.atMinimum }). Closest to the paper's 25 %: \(closest(0.25, rti, [.fairSynergy])); to its 6 %: \(closest(0.06, rti, [.fairSynergy])).\n"
        // Fig. 4 RTI capped.
        if let opt = Self.cappedOptimum(rti) {
            let o = FairSynergyStats(opt).mean
            let share = E.allocators(.rti).map { "\($0.rawValue) \(String(format: "%.1f%%", 100 * FairSynergyStats(Self.values(rti, $0, capped: true)).mean / o))" }.joined(separator: ", ")
            s += "- **Fig. 4, RTI, capped.** With accuracies capped at 1 the mean gains become \(gains(rti, .fairSynergy, true) { $0.atMean }); fair-synergy is below uniform on \(Self.gain(rti, over: .uniform, capped: true).below) of \(rti.count) instances and below leximin on \(Self.gain(rti, over: .leximin, capped: true).below). "
            s += "\(String(format: "%.1f%%", 100 * aboveShare(rti, .fairSynergy))) of fair-synergy's agents get U > 1 (uniform: \(String(format: "%.1f%%", 100 * aboveShare(rti, .uniform)))): it gives the γ ≈ 1 agents compute past accuracy 1, which the capped metric does not count. "
            s += "Against the capped optimum (mean \(Self.f4(o))), the allocators reach \(share) of it on average: leximin, which never lifts an agent above the others, is the best of the paper's allocators for capped accuracy.\n"
        }
        // Fig. 4 DL.
        let dlBelow = Self.gain(dl, over: .uniform, capped: false).below
        s += "- **Fig. 4, DL, uncapped.** Converged ACS gains \(gains(dl, .fairSynergy, false) { $0.atMean }) on average, the public code's one pass \(gains(dl, .fairSynergyOnePass, false) { $0.atMean }). "
        s += "ACS is below uniform on \(dlBelow) of \(dl.count) instances: with γ^ρ + γ^α > 1 (\(dl.filter { !$0.acs!.jointlyConcave }.count) of \(dl.count) instances here) Problem 2 is not concave and ACS stops at a partial optimum that depends on its start (multi-start finds a higher uncapped total in \(Self.gain(dl, over: .fairSynergy, of: .fairSynergyMultiStart, capped: false).above) instances). "
        s += "The paper's DL figures (11 % best, 10 % worst) are well below converged ACS's gains here; the readings closest to 10–11 % are \(closest(0.105, dl, [.fairSynergy, .fairSynergyOnePass], count: 3)): the public code's one pass, not converged ACS.\n"
        s += "- **Fig. 4, DL, capped.** Capped, converged ACS gains \(gains(dl, .fairSynergy, true) { $0.atMean }) on average and multi-start is worst of all (\(Self.f4(FairSynergyStats(Self.values(dl, .fairSynergyMultiStart, capped: true)).mean)) against uniform's \(Self.f4(FairSynergyStats(Self.values(dl, .uniform, capped: true)).mean))): "
        s += "the higher the uncapped total an allocator finds, the more it concentrates P and T on the agents with increasing returns (γ^ρ + γ^α > 1), whose U passes 1 while the others keep their tiny local ρ⁰, α⁰ (U/100).\n"
        // Fig. 5.
        if let last = result.fig5.last {
            let r = fig5Results(last, .rti), d = fig5Results(last, .dl)
            func g(_ rs: [E.InstanceResult], _ top: CloudAllocator, _ capped: Bool) -> String {
                base.map { "\($0.rawValue) \(Self.pct(Self.meanGain(rs, top, over: $0, capped: capped)))" }.joined(separator: ", ")
            }
            s += "- **Fig. 5, RTI, N = \(last.agents), uncapped.** Gains \(g(r, .fairSynergy, false)) (paper: NUM +6%, uniform/DRF/leximin +13%, random +21%). Uniform, DRF and random agree with the paper; NUM and leximin are swapped: "
            s += "NUM sees only ρ⁰ ∈ [0, 0.1), so with P/N = \(ExperimentFormat.short(E.fig5PerAgent)) its water level serves every agent and it is uniform up to the ρ⁰ differences, while leximin moves compute to the agents with hard tasks (large γ, low U), as fair-synergy does. A NUM 6% behind would have to know γ, which the paper's NUM (\"equal γ_i for all agents\") does not.\n"
            s += "- **Fig. 5, DL, N = \(last.agents), uncapped.** Converged ACS gains \(g(d, .fairSynergy, false)); the public code's one pass gains \(g(d, .fairSynergyOnePass, false)) (paper: NUM +30%, uniform/DRF/leximin +51%, random +76%). "
            s += "Converged ACS keeps improving on one pass as N grows; multi-start reaches a mean per-agent U of \(Self.f3(FairSynergyStats(Self.values(d, .fairSynergyMultiStart, capped: false)).mean)) by giving a few agents U in the hundreds (uncapped U grows without bound in the budgets when γ^ρ + γ^α > 1).\n"
            let rtiCross = cappedCrossover(.rti, .fairSynergy, .uniform), dlCross = cappedCrossover(.dl, .fairSynergy, .uniform)
            s += "- **Fig. 5, capped.** Fair-synergy's capped mean falls below uniform's from N = \(rtiCross.map(String.init) ?? "—") on (RTI) and N = \(dlCross.map(String.init) ?? "—") on (DL); at N = \(last.agents) it is \(Self.f3(FairSynergyStats(Self.values(r, .fairSynergy, capped: true)).mean)) against uniform \(Self.f3(FairSynergyStats(Self.values(r, .uniform, capped: true)).mean)) and leximin \(Self.f3(FairSynergyStats(Self.values(r, .leximin, capped: true)).mean)) (RTI"
            if let opt = Self.cappedOptimum(r) { s += ", capped optimum \(Self.f3(FairSynergyStats(opt).mean))" }
            s += "), and \(Self.f3(FairSynergyStats(Self.values(d, .fairSynergy, capped: true)).mean)) against uniform \(Self.f3(FairSynergyStats(Self.values(d, .uniform, capped: true)).mean)) (DL). "
            s += "The paper's \"gains grow with N\" is a property of the uncapped utility: with P = \(ExperimentFormat.short(E.fig5PerAgent))·N the γ ≈ 1 agents can be given resources far above 1, and the uncapped sum rewards that linearly (RTI) or super-linearly (DL). "
            for st in Setting.allCases {
                let rs = fig5Results(last, st)
                let variants = E.allocators(st).filter { Self.fairSynergyFamily.contains($0) }
                let behindAll = variants.filter { v in Self.simpleBaselines(st).allSatisfy { Self.meanGain(rs, v, over: $0, capped: true) < 0 } }
                s += "Capped at N = \(last.agents) (\(st.rawValue)): \(behindAll.isEmpty ? "no Fair-Synergy variant is below every paper baseline" : behindAll.map(\.rawValue).joined(separator: ", ") + " below every paper baseline, random included"). "
            }
            s += "\n"
        }
        // Fig. 6.
        for c in result.fig6 {
            guard let fs = c.rows.first(where: { $0.allocator == .fairSynergy }), let num = c.rows.first(where: { $0.allocator == .num }) else { continue }
            let same = zip(fs.rho, num.rho).allSatisfy { abs($0 - $1) < 1e-9 } && zip(fs.alpha ?? [], num.alpha ?? []).allSatisfy { abs($0 - $1) < 1e-9 }
            s += "- **Fig. 6, \(c.setting.rawValue), \(c.name).** NUM gives ρ = (\(num.rho.map(Self.f3).joined(separator: ", "))), fair-synergy (\(fs.rho.map(Self.f3).joined(separator: ", "))); "
            s += same ? (c.setting == .rti ? "identical, as the paper says (with equal γ the KKT conditions are NUM's water-filling).\n" : "identical here (equal exponents, and NUM's water-filling leaves every agent the same ρ⁰ + ρ and α⁰ + α, so the marginals match).\n")
                : "fair-synergy's total is \(Self.pct(fs.report.total / num.report.total - 1)) uncapped and \(Self.pct(fs.report.totalCapped / num.report.totalCapped - 1)) capped against NUM.\n"
        }
        if let hit = result.fig6Budgets.first(where: { $0.fairSynergy.total / $0.num.total - 1 >= 0.14 }) {
            s += "  The paper's +14% (RTI) needs a larger budget in this setting: the gain first reaches it at P = \(ExperimentFormat.short(hit.budget)) (\(Self.pct(hit.fairSynergy.total / hit.num.total - 1))), where fair-synergy gives the γ = 0.9 agent ρ = \(Self.f3(hit.fairSynergyRho[2])) and U = \(Self.f3(hit.fairSynergy.utilities[2])); capped, the gain there is \(Self.pct(hit.fairSynergy.totalCapped / hit.num.totalCapped - 1)).\n"
        }
        return s
    }
}
