import Foundation

/// A small, dependency-free SVG line plot: axes with "nice" ticks (linear or log), light grid,
/// a title, axis labels, one line + marker style per series and a legend on the right.
struct SVGLinePlot {
    enum Scale { case linear, log }
    /// `none`: a plain line (for a fitted curve drawn through many points).
    enum Marker { case circle, square, triangle, diamond, cross, none }

    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
        var color: String
        var dash: String? = nil
        var marker: Marker = .circle
    }

    var title: String
    /// A smaller grey line under the title (the setup), or "".
    var subtitle = ""
    var xLabel: String
    var yLabel: String
    var xScale: Scale = .linear
    var yScale: Scale = .linear
    /// Fixed axis ranges; nil = fitted to the data.
    var xRange: ClosedRange<Double>? = nil
    var yRange: ClosedRange<Double>? = nil
    /// Explicit x ticks (e.g. the α values of a sweep); nil = automatic.
    var xTicks: [Double]? = nil
    var series: [Series] = []

    /// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies).
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    static let markers: [Marker] = [.circle, .square, .triangle, .diamond, .cross]

    let width = 720.0, height = 440.0
    let left = 72.0, right = 210.0, top = 58.0, bottom = 58.0

    func svg() -> String {
        let all = series.flatMap(\.points)
        let xr = xRange ?? Self.fit(all.map(\.x), scale: xScale, pad: false)
        let yr = yRange ?? Self.fit(all.map(\.y), scale: yScale, pad: true)
        let plotW = width - left - right, plotH = height - top - bottom
        func t(_ v: Double, _ scale: Scale) -> Double { scale == .log ? log10(max(v, .leastNormalMagnitude)) : v }
        func px(_ x: Double) -> Double {
            left + (t(x, xScale) - t(xr.lowerBound, xScale)) / (t(xr.upperBound, xScale) - t(xr.lowerBound, xScale)) * plotW
        }
        func py(_ y: Double) -> Double {
            top + plotH - (t(y, yScale) - t(yr.lowerBound, yScale)) / (t(yr.upperBound, yScale) - t(yr.lowerBound, yScale)) * plotH
        }
        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(left + plotW / 2))" y="22" text-anchor="middle" font-size="15" font-weight="bold">\(escape(title))</text>
        <text x="\(f(left + plotW / 2))" y="40" text-anchor="middle" font-size="12" fill="#555">\(escape(subtitle))</text>

        """
        // Grid and ticks.
        let xt = (xTicks ?? Self.ticks(xr, scale: xScale)).filter { xr.contains($0) }
        let yt = Self.ticks(yr, scale: yScale).filter { yr.contains($0) }
        for x in xt {
            s += "<line x1=\"\(f(px(x)))\" y1=\"\(f(top))\" x2=\"\(f(px(x)))\" y2=\"\(f(top + plotH))\" stroke=\"#e5e5e5\"/>\n"
            s += "<line x1=\"\(f(px(x)))\" y1=\"\(f(top + plotH))\" x2=\"\(f(px(x)))\" y2=\"\(f(top + plotH + 5))\" stroke=\"#333\"/>\n"
            s += "<text x=\"\(f(px(x)))\" y=\"\(f(top + plotH + 19))\" text-anchor=\"middle\">\(label(x))</text>\n"
        }
        for y in yt {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(y)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(y)))\" stroke=\"#e5e5e5\"/>\n"
            s += "<line x1=\"\(f(left - 5))\" y1=\"\(f(py(y)))\" x2=\"\(f(left))\" y2=\"\(f(py(y)))\" stroke=\"#333\"/>\n"
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(py(y) + 4))\" text-anchor=\"end\">\(label(y))</text>\n"
        }
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#333\"/>\n"
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 16))\" text-anchor=\"middle\" font-size=\"13\">\(escape(xLabel))</text>\n"
        s += "<text transform=\"translate(18 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">\(escape(yLabel))</text>\n"
        // Series, clipped to the plot area.
        s += "<clipPath id=\"plot\"><rect x=\"\(f(left))\" y=\"\(f(top - 6))\" width=\"\(f(plotW))\" height=\"\(f(plotH + 12))\"/></clipPath>\n"
        s += "<g clip-path=\"url(#plot)\">\n"
        for line in series where !line.points.isEmpty {
            let path = line.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            let dash = line.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"\(dash)/>\n"
            for p in line.points { s += marker(line.marker, at: px(p.x), py(p.y), color: line.color) }
        }
        s += "</g>\n"
        // Legend.
        var ly = top + 8
        let lx = left + plotW + 16
        for line in series {
            let dash = line.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            s += "<line x1=\"\(f(lx))\" y1=\"\(f(ly))\" x2=\"\(f(lx + 30))\" y2=\"\(f(ly))\" stroke=\"\(line.color)\" stroke-width=\"2\"\(dash)/>\n"
            s += marker(line.marker, at: lx + 15, ly, color: line.color)
            for (k, text) in line.name.split(separator: "\n").enumerated() {
                s += "<text x=\"\(f(lx + 38))\" y=\"\(f(ly + 4 + 15 * Double(k)))\">\(escape(String(text)))</text>\n"
            }
            ly += 22 + 15 * Double(line.name.split(separator: "\n").count - 1)
        }
        return s + "</svg>\n"
    }

    /// The same plot with series whose points coincide (within `tolerance`, relative to the
    /// y range) drawn once, named "A\n= B", so no line hides another without a word.
    func mergingIdenticalSeries(tolerance: Double = 1e-9) -> SVGLinePlot {
        var merged: [Series] = []
        let ys = series.flatMap { $0.points.map(\.y) }
        let scale = max(1e-300, (ys.max() ?? 1) - (ys.min() ?? 0))
        for line in series {
            if let k = merged.firstIndex(where: { other in
                other.points.count == line.points.count && zip(other.points, line.points).allSatisfy {
                    $0.x == $1.x && abs($0.y - $1.y) <= tolerance * scale
                }
            }) {
                merged[k].name += "\n= " + line.name
            } else {
                merged.append(line)
            }
        }
        var copy = self
        copy.series = merged
        return copy
    }

    private func marker(_ m: Marker, at x: Double, _ y: Double, color: String) -> String {
        let r = 4.0
        switch m {
        case .none:
            return ""
        case .circle:
            return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(r))\" fill=\"\(color)\"/>\n"
        case .square:
            return "<rect x=\"\(f(x - r))\" y=\"\(f(y - r))\" width=\"\(f(2 * r))\" height=\"\(f(2 * r))\" fill=\"white\" stroke=\"\(color)\" stroke-width=\"1.5\"/>\n"
        case .triangle:
            return "<polygon points=\"\(f(x)),\(f(y - r - 1)) \(f(x - r - 1)),\(f(y + r)) \(f(x + r + 1)),\(f(y + r))\" fill=\"\(color)\"/>\n"
        case .diamond:
            return "<polygon points=\"\(f(x)),\(f(y - r - 1)) \(f(x + r + 1)),\(f(y)) \(f(x)),\(f(y + r + 1)) \(f(x - r - 1)),\(f(y))\" fill=\"white\" stroke=\"\(color)\" stroke-width=\"1.5\"/>\n"
        case .cross:
            return "<path d=\"M\(f(x - r)),\(f(y - r)) L\(f(x + r)),\(f(y + r)) M\(f(x - r)),\(f(y + r)) L\(f(x + r)),\(f(y - r))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
        }
    }

    // MARK: axis helpers

    static func fit(_ values: [Double], scale: Scale, pad: Bool) -> ClosedRange<Double> {
        let usable = scale == .log ? values.filter { $0 > 0 } : values
        guard var lo = usable.min(), var hi = usable.max() else { return scale == .log ? 0.1...1 : 0...1 }
        if scale == .log {
            lo = pow(10, (log10(lo)).rounded(.down))
            hi = pow(10, (log10(hi)).rounded(.up))
            if lo == hi { hi = lo * 10 }
            return lo...hi
        }
        if lo == hi { lo -= 1; hi += 1 }
        if pad {
            let step = niceStep((hi - lo) / 5)
            lo = (lo / step).rounded(.down) * step
            hi = (hi / step).rounded(.up) * step
        }
        return lo...hi
    }

    static func niceStep(_ raw: Double) -> Double {
        let magnitude = pow(10, log10(raw).rounded(.down))
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10
        return nice * magnitude
    }

    static func ticks(_ range: ClosedRange<Double>, scale: Scale) -> [Double] {
        switch scale {
        case .linear:
            let step = niceStep((range.upperBound - range.lowerBound) / 5)
            var x = (range.lowerBound / step).rounded(.up) * step
            var out: [Double] = []
            while x <= range.upperBound + step * 1e-9 {
                out.append(abs(x) < step * 1e-9 ? 0 : x)
                x += step
            }
            return out
        case .log:
            let lo = Int(log10(range.lowerBound).rounded(.down)), hi = Int(log10(range.upperBound).rounded(.up))
            let multiples: [Double] = hi - lo <= 2 ? [1, 2, 5] : [1]
            return (lo...hi).flatMap { e in multiples.map { $0 * pow(10, Double(e)) } }
        }
    }

    private func label(_ v: Double) -> String { Self.label(v) }
    private func f(_ x: Double) -> String { Self.f(x) }
    private func escape(_ s: String) -> String { Self.escape(s) }

    /// A tick label: at most 4 decimals, trailing zeros dropped; scientific outside [1e-3, 1e5).
    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1e-3 && abs(v) < 1e5 {
            var s = String(format: "%.4f", v)
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
            return s
        }
        return String(format: "%.0e", v)
    }

    /// A coordinate with one decimal.
    static func f(_ x: Double) -> String { String(format: "%.1f", x) }

    /// Text escaped for SVG.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
