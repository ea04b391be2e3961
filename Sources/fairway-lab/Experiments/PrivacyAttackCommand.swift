import ArgumentParser
import FairwayCore
import Foundation

extension FairwayLab.Experiment {
    /// §V-D / Fig. 7 of the token-scheduling paper: reconstruction attack on shared prototypes.
    struct PrivacyAttack: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "privacy-attack",
            abstract: "Reconstruction attack on released image prototypes: none, image-only, multimodal at several ε.",
            discussion: """
            Per seed one agent holds --records-per-label records of every digit and releases its prototypes (public
            text anchors, C = 1, δ = 1e-5) once per condition; the adversary optimises a grey 8×8 image with Adam
            (--steps, --lr, analytic gradient through the linear encoder and the normalisation) so that its embedding's
            cosine to each released image prototype is maximal. Scores compare the reconstruction with the true mean
            image of the cell's records. Writes attack.csv, summary.csv, SVG plots, reconstructions.svg, results.md.
            """)

        @Option(help: "Directory for CSV, SVG and markdown (created if missing).") var out: String
        @Option(help: "First seed; seeds are seed, seed+1, …") var seed: UInt64 = 0
        @Option(help: "Number of seeds.") var seeds = 10
        @Option(help: "Records of each label the agent holds.") var recordsPerLabel = 100
        @Option(help: "ε values of the multimodal release.") var epsilons = "0.5,1,2,4,8"
        @Option(help: "Adam steps (the paper uses 100; here 100 stops at embedding cosine ≈ 0.88, 300 converges).") var steps = 300
        @Option(help: "Adam learning rate, pixel units (pixels are 0…16).") var lr = 0.2
        @Option(help: "The digits CSV.") var data = "data/uci-digits-8x8.csv"

        func run() throws {
            var setting = AttackExperiment.Setting()
            let eps: [Double] = try ExperimentSupport.list(epsilons, "--epsilons")
            setting.conditions = [.none, .imageOnly] + eps.map { .multimodal($0) }
            setting.seeds = (0..<UInt64(max(1, seeds))).map { seed + $0 }
            setting.recordsPerLabel = recordsPerLabel
            setting.steps = steps
            setting.learningRate = lr
            let digits = try ExperimentSupport.loadDigits(data)
            let progress = Progress(total: AttackExperiment.work(setting), label: "cells attacked")
            let clock = ContinuousClock()
            var rows: [AttackExperiment.Row] = []
            let elapsed = try clock.measure { rows = try AttackExperiment.run(digits, setting) { progress.update($0) } }
            progress.finish()
            let report = PrivacyAttackReport(rows: rows, setting: setting, globalMean: digits.meanImage(Array(digits.records.indices))!)
            let url = try ExperimentSupport.writeFiles(report.files(), to: out)
            print("wrote \(report.files().keys.sorted().joined(separator: ", ")) to \(url.path) (\(elapsed))")
            print(report.headline())
        }
    }
}

/// CSV, SVG and markdown for the privacy-attack experiment.
struct PrivacyAttackReport {
    var rows: [AttackExperiment.Row]
    var setting: AttackExperiment.Setting
    /// Mean image of the whole data set (the "average digit" baseline).
    var globalMean: [Double]

    var conditions: [ReleaseCondition] { setting.conditions }
    var epsilons: [Double] { conditions.compactMap(\.epsilon) }
    func rows(_ c: ReleaseCondition) -> [AttackExperiment.Row] { rows.filter { $0.condition == c } }

    struct Summary {
        var cosine, centred, mse, identified, prototypeCosine, fit: MeanSE
    }
    func summary(_ c: ReleaseCondition) -> Summary {
        let r = rows(c)
        return Summary(cosine: MeanSE(r.map(\.cosine)), centred: MeanSE(r.map(\.centredCosine)), mse: MeanSE(r.map(\.mse)),
                       identified: MeanSE(r.map { $0.identified ? 1 : 0 }), prototypeCosine: MeanSE(r.map(\.prototypeCosine)), fit: MeanSE(r.map(\.fit)))
    }

    /// Baselines that use no prototype: the grey starting image and the data set's average digit.
    func baseline(_ image: [Double]) -> (cosine: MeanSE, centred: MeanSE, mse: MeanSE) {
        let truths = rows(.none).map(\.trueMean)
        let centred = Self.minus(image, globalMean)
        let cosines: [Double] = truths.map { Self.cosine(image, $0) }
        let centredCosines: [Double] = truths.map { Self.cosine(centred, Self.minus($0, globalMean)) }
        let errors: [Double] = truths.map { Self.mse(image, $0) }
        return (MeanSE(cosines), MeanSE(centredCosines), MeanSE(errors))
    }

    static func minus(_ a: [Double], _ b: [Double]) -> [Double] {
        var out = a
        for i in 0..<min(a.count, b.count) { out[i] = a[i] - b[i] }
        return out
    }
    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        var d = 0.0, na = 0.0, nb = 0.0
        for i in 0..<min(a.count, b.count) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i] }
        let n = (na * nb).squareRoot()
        return n > 0 ? d / n : 0
    }
    static func mse(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in 0..<min(a.count, b.count) { s += (a[i] - b[i]) * (a[i] - b[i]) }
        return s / Double(max(1, a.count))
    }
    var grey: [Double] { [Double](repeating: 8, count: 64) }
    /// Centred-cosine differences below this are reported as equal, however significant.
    static let negligible = 0.01

    func files() -> [String: String] {
        [
            "attack.csv": csv(), "summary.csv": summaryCSV(), "results.md": markdown(),
            "attack-centred-cosine.svg": plot(title: "Reconstruction vs true cluster mean (centred cosine)",
                                              yLabel: "centred cosine (higher = more leakage)", yRange: -0.2...1, \.centred,
                                              baselines: [("grey start", baseline(grey).centred.mean)]),
            "attack-cosine.svg": plot(title: "Reconstruction vs true cluster mean (pixel cosine)", yLabel: "cosine of pixels",
                                      yRange: 0...1, \.cosine,
                                      baselines: [("grey start", baseline(grey).cosine.mean), ("average digit", baseline(globalMean).cosine.mean)]),
            "attack-mse.svg": plot(title: "Reconstruction error (lower = more leakage)", yLabel: "MSE per pixel (pixel units²)",
                                   yRange: nil, \.mse,
                                   baselines: [("grey start", baseline(grey).mse.mean), ("average digit", baseline(globalMean).mse.mean)]),
            "reconstructions.svg": grid(),
        ]
    }

    func csv() -> String {
        var s = "mode,epsilon,label,seed,count,prototype_cosine,fit,cosine,centred_cosine,mse,identified\n"
        for r in rows {
            s += [r.condition.mode.rawValue, r.condition.epsilon.map { "\($0)" } ?? "", "\(r.label)", "\(r.seed)", "\(r.count)",
                  "\(r.prototypeCosine)", "\(r.fit)", "\(r.cosine)", "\(r.centredCosine)", "\(r.mse)", r.identified ? "1" : "0"]
                .joined(separator: ",") + "\n"
        }
        return s
    }

    func summaryCSV() -> String {
        var s = "mode,epsilon,attacks,cosine_mean,cosine_se,centred_cosine_mean,centred_cosine_se,mse_mean,mse_se,identified_rate,prototype_cosine_mean,fit_mean\n"
        for c in conditions {
            let m = summary(c)
            s += [c.mode.rawValue, c.epsilon.map { "\($0)" } ?? "", "\(m.cosine.n)", "\(m.cosine.mean)", "\(m.cosine.se)", "\(m.centred.mean)",
                  "\(m.centred.se)", "\(m.mse.mean)", "\(m.mse.se)", "\(m.identified.mean)", "\(m.prototypeCosine.mean)", "\(m.fit.mean)"]
                .joined(separator: ",") + "\n"
        }
        return s
    }

    func plot(title: String, yLabel: String, yRange: ClosedRange<Double>?, _ metric: KeyPath<Summary, MeanSE>,
              baselines: [(String, Double)]) -> String {
        let lo = epsilons.min() ?? 0.5, hi = epsilons.max() ?? 8
        var p = SVGLinePlot(title: title, xLabel: "ε of the multimodal release (δ = 1e-5, log scale)", yLabel: yLabel,
                            xScale: .log, yScale: .linear, xRange: lo...hi, yRange: yRange, xTicks: epsilons)
        p.subtitle = "\(setting.recordsPerLabel) records per cluster, mean of 10 digits × \(setting.seeds.count) seeds, Adam \(setting.steps) steps, lr \(setting.learningRate)"
        p.series.append(.init(name: "multimodal (ε, δ)-DP", points: epsilons.map { ($0, summary(.multimodal($0))[keyPath: metric].mean) },
                              color: SVGLinePlot.palette[0], marker: .circle))
        let flat: [(String, Double, String, String)] = [
            ("none (exact prototype)", summary(.none)[keyPath: metric].mean, SVGLinePlot.palette[1], "7 3"),
            ("image-only q·s = 0.01\n(no DP guarantee)", summary(.imageOnly)[keyPath: metric].mean, SVGLinePlot.palette[3], "2 3"),
        ] + baselines.map { ($0.0 + " (no prototype)", $0.1, "#999999", "4 4") }
        for (name, y, color, dash) in flat {
            p.series.append(.init(name: name, points: [(lo, y), (hi, y)], color: color, dash: dash, marker: .cross))
        }
        return p.mergingIdenticalSeries().svg()
    }

    /// Rows: true mean, then each condition; columns: digits 0–9 (the first seed).
    func grid() -> String {
        let seed = setting.seeds.first ?? 0
        let cell = 7.0, img = 8 * cell, gap = 10.0, labelW = 150.0, top = 50.0
        let lines: [(String, [Int: [Double]])] = [("true cluster mean", Dictionary(rows.filter { $0.condition == .none && $0.seed == seed }.map { ($0.label, $0.trueMean) }, uniquingKeysWith: { a, _ in a }))]
            + conditions.map { c in (c.description, Dictionary(rows.filter { $0.condition == c && $0.seed == seed }.map { ($0.label, $0.reconstruction) }, uniquingKeysWith: { a, _ in a })) }
        let width = labelW + 10 * (img + gap) + 10, height = top + Double(lines.count) * (img + gap) + 30
        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(width / 2))" y="20" text-anchor="middle" font-size="15" font-weight="bold">Reconstructions from shared image prototypes (seed \(seed))</text>
        <text x="\(f(width / 2))" y="38" text-anchor="middle" fill="#555">ink = pixel value 0 (white) … 16 (black); \(setting.recordsPerLabel) records per cluster</text>

        """
        for d in 0..<10 {
            s += "<text x=\"\(f(labelW + Double(d) * (img + gap) + img / 2))\" y=\"\(f(top - 4))\" text-anchor=\"middle\">\(d)</text>\n"
        }
        for (row, (name, images)) in lines.enumerated() {
            let y0 = top + Double(row) * (img + gap)
            s += "<text x=\"\(f(labelW - 10))\" y=\"\(f(y0 + img / 2 + 4))\" text-anchor=\"end\">\(name.replacingOccurrences(of: "ε", with: "ε "))</text>\n"
            for d in 0..<10 {
                let x0 = labelW + Double(d) * (img + gap)
                guard let pixels = images[d] else { continue }
                for i in 0..<64 {
                    let v = max(0, min(16, pixels[i]))
                    let level = Int((255 * (1 - v / 16)).rounded())
                    s += "<rect x=\"\(f(x0 + Double(i % 8) * cell))\" y=\"\(f(y0 + Double(i / 8) * cell))\" width=\"\(f(cell))\" height=\"\(f(cell))\" fill=\"rgb(\(level),\(level),\(level))\"/>\n"
                }
                s += "<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(img))\" height=\"\(f(img))\" fill=\"none\" stroke=\"#bbb\"/>\n"
            }
        }
        return s + "</svg>\n"
    }

    private func f(_ x: Double) -> String { String(format: "%.1f", x) }

    func markdown() -> String {
        let none = summary(.none), image = summary(.imageOnly)
        var table = "| condition | pixel cosine | centred cosine | MSE | label identified | cos(released, exact prototype) | attack fit |\n|---|---:|---:|---:|---:|---:|---:|\n"
        for c in conditions {
            let m = summary(c)
            table += "| \(c) | \(m.cosine.text()) | \(m.centred.text()) | \(m.mse.text(2)) | \(String(format: "%.0f%%", 100 * m.identified.mean)) | \(String(format: "%.4f", m.prototypeCosine.mean)) | \(String(format: "%.4f", m.fit.mean)) |\n"
        }
        let g = baseline(grey), avg = baseline(globalMean)
        table += "| *grey start (no prototype)* | \(g.cosine.text()) | \(g.centred.text()) | \(g.mse.text(2)) | – | – | – |\n"
        table += "| *average digit (no prototype)* | \(avg.cosine.text()) | – | \(avg.mse.text(2)) | – | – | – |\n"

        // The paper's claimed ordering, checked per ε on the centred cosine: paired differences (same records,
        // same cell) between image-only and multimodal, significant beyond 1.96 standard errors.
        func paired(_ e: Double) -> MeanSE {
            let base = Dictionary(rows(.imageOnly).map { ("\($0.seed)/\($0.label)", $0.centredCosine) }, uniquingKeysWith: { a, _ in a })
            return MeanSE(rows(.multimodal(e)).compactMap { r in base["\(r.seed)/\(r.label)"].map { $0 - r.centredCosine } })
        }
        var ordering = ""
        for e in epsilons {
            let m = summary(.multimodal(e)), d = paired(e)
            let verdict = abs(d.mean) < Self.negligible ? "equal (|Δ| < \(Self.negligible))"
                : d.mean > 1.96 * d.se ? "multimodal leaks less (holds)" : d.mean < -1.96 * d.se ? "multimodal leaks more (reversed)" : "no significant difference"
            ordering += String(format: "| %@ | %.3f | %.3f | %+.3f ± %.3f | %@ |\n", ExperimentFormat.short(e), m.centred.mean, image.centred.mean, d.mean, d.se, verdict)
        }
        let holdsAt = epsilons.filter { e in let d = paired(e); return d.mean > 1.96 * d.se && d.mean >= Self.negligible }
        let equalAt = epsilons.filter { abs(paired($0).mean) < Self.negligible }
        let holdsText = holdsAt.isEmpty ? "at no ε tested"
            : holdsAt.count == epsilons.count ? "at every ε tested" : "only at ε ∈ {\(holdsAt.map(ExperimentFormat.short).joined(separator: ", "))}"
        let smallest = epsilons.min() ?? 0.5
        let weakest = summary(.multimodal(smallest))

        return """
        # Privacy attack: reconstruction from shared prototypes (paper 1, §V-D / Fig. 7)

        Generated by `fairway-lab experiment privacy-attack` (\(setting.seeds.count) seeds × 10 digits per condition,
        \(setting.recordsPerLabel) records per label, Adam \(setting.steps) steps at lr \(setting.learningRate) as in the paper).

        **Setup.** Per seed one agent holds \(setting.recordsPerLabel) records of every digit (drawn without replacement from
        `data/uci-digits-8x8.csv`), embeds them with `AlignedLinearEncoder.digits` (d = 16) and releases its prototypes with the
        public text anchors (`PrototypeRelease`, C = 1, δ = 1e-5) once per condition. The adversary knows the encoder and, for
        each cell, gets the released image prototype; it starts from a uniform grey image (every pixel 8) and maximises the cosine
        between the encoder's embedding of its image and the prototype by projected Adam (pixels kept in [0, 16]), with the
        analytic gradient through the linear map and the normalisation. The score compares the reconstruction with the true mean
        image of the records in that cell:

        - *pixel cosine*: cosine of the raw 64-pixel vectors. Digits are non-negative, so even a grey square scores high; read it
          against the no-prototype rows.
        - *centred cosine*: cosine after subtracting the data set's average digit from both — how much of what makes this
          cluster differ from an average digit was recovered (0 = nothing).
        - *MSE* per pixel, pixel units (0…16)².
        - *label identified*: the reconstruction is closer (MSE) to this cell's true mean than to any other cell's.

        ## Results (mean ± standard error over clusters × seeds)

        \(table)
        Paper's claim, "multimodal protects more than image-only", checked on the centred cosine (paired by seed and digit;
        a difference counts when it exceeds 1.96 standard errors of the paired mean and \(Self.negligible) in size):

        | ε | multimodal | image-only | image-only − multimodal (paired) | verdict |
        |---:|---:|---:|---:|---|
        \(ordering)
        ## Discussion

        - **The attack works without any noise, but only up to the encoder's view.** Against the exact prototype (`none`) the
          optimisation reaches the prototype (fit ≈ 1) and the reconstruction has a centred cosine of
          \(String(format: "%.2f", none.centred.mean)) to the true cluster mean (the grey start: ≈ 0); digit shapes are
          recognisable in `reconstructions.svg` but blotchy and saturated. The encoder is a linear map from 64 pixels to d = 16
          followed by normalisation: it is not invertible (a 48-dimensional null space, and the norm is lost), so even the
          noiseless attack recovers only the projection the encoder sees; the rest comes from the grey start and the [0, 16]
          box, which Adam drives many pixels into. Hence the MSE (\(String(format: "%.1f", none.mse.mean))) is *worse* than
          the grey image's (\(String(format: "%.1f", g.mse.mean))) and far worse than simply guessing the public average digit
          (\(String(format: "%.1f", avg.mse.mean))): the attack leaks shape, not pixel values.
        - **Which digit a cluster is, is not a secret here.** The reconstruction is nearest to its own cluster's mean in
          \(String(format: "%.0f%%", 100 * none.identified.mean)) of clusters without noise and
          \(String(format: "%.0f%%", 100 * weakest.identified.mean)) at ε = \(ExperimentFormat.short(smallest)), but with the public
          text anchors the cell index already names the label, so identification measures nothing the release format does not say.
        - **Image-only is about as leaky as no protection.** Its noise (std q·s = 0.01 per coordinate on a prototype of norm ≈ 1)
          leaves the released direction at cosine \(String(format: "%.4f", image.prototypeCosine.mean)) to the exact one, and the
          attack scores \(String(format: "%.2f", image.centred.mean)) vs \(String(format: "%.2f", none.centred.mean)) for `none`.
          Image-only also has **no DP guarantee at all**: its text prototypes and counts are released exactly (`PrototypeRelease`).
        - **Multimodal DP protects more than image-only \(holdsText).** At ε = \(ExperimentFormat.short(smallest)) the released
          direction is at cosine \(String(format: "%.3f", weakest.prototypeCosine.mean)) to the exact one and the centred cosine
          drops to \(String(format: "%.2f", weakest.centred.mean)); as ε grows the noise on a \(setting.recordsPerLabel)-record sum
          (σ of a few units against a sum of norm ≈ \(setting.recordsPerLabel)) becomes negligible and multimodal converges to
          `none` (differences below \(Self.negligible) at ε ∈ {\(equalAt.map(ExperimentFormat.short).joined(separator: ", "))}). The protection comes entirely from noise relative to the cluster's size: the same ε protects a 10-record
          cluster far more than a 100-record one. What DP guarantees is about one record, not the cluster mean the attack
          targets; a large cluster's mean is *meant* to be released accurately, so a high score at large ε is not a DP failure.
        - The noisy count only rescales the prototype (sum / count); the attack's cosine objective is scale-invariant, so the
          count noise does not affect it.
        - "Attack fit" is the cosine the optimisation reached in embedding space. The paper's 100 Adam steps at lr 0.2 stop at a
          fit of ≈ 0.88 on this encoder (pixels span 0…16), so the default here is 300 steps, where the fit is ≈ 1.
        - Differences from the paper: CLIP ViT-B/32 on COCO photos there, a 16-dimensional linear CCA encoder on 8×8 digits
          here; the paper's Fig. 7(b) attack score is not defined precisely, so we report several.
        """
    }

    func headline() -> String {
        var s = "condition            centred-cos  pixel-cos   MSE    identified\n"
        for c in conditions {
            let m = summary(c)
            let name = c.description
            s += name + String(repeating: " ", count: max(1, 21 - name.count))
            s += String(format: "%.3f        %.3f      %6.2f  %.0f%%\n", m.centred.mean, m.cosine.mean, m.mse.mean, 100 * m.identified.mean)
        }
        return s
    }
}
