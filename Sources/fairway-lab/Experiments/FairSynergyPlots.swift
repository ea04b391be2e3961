import Foundation

/// Shared drawing helpers of the Fair-Synergy plots (the axis maths is `SVGLinePlot`'s).
private enum PlotText {
    static func f(_ x: Double) -> String { SVGLinePlot.f(x) }
    static func escape(_ s: String) -> String { SVGLinePlot.escape(s) }
    static func label(_ v: Double) -> String { SVGLinePlot.label(v) }

    static func header(width: Double, height: Double, title: String, subtitle: String, centre: Double) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(centre))" y="22" text-anchor="middle" font-size="15" font-weight="bold">\(escape(title))</text>
        <text x="\(f(centre))" y="40" text-anchor="middle" font-size="12" fill="#555">\(escape(subtitle))</text>

        """
    }

    /// Horizontal grid lines, y tick labels, the frame and the y label.
    static func yAxis(_ yr: ClosedRange<Double>, left: Double, top: Double, plotW: Double, plotH: Double, yLabel: String, py: (Double) -> Double) -> String {
        var s = ""
        for y in SVGLinePlot.ticks(yr, scale: .linear) where yr.contains(y) {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(y)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(y)))\" stroke=\"#e5e5e5\"/>\n"
            s += "<line x1=\"\(f(left - 5))\" y1=\"\(f(py(y)))\" x2=\"\(f(left))\" y2=\"\(f(py(y)))\" stroke=\"#333\"/>\n"
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(py(y) + 4))\" text-anchor=\"end\">\(label(y))</text>\n"
        }
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#333\"/>\n"
        s += "<text transform=\"translate(18 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">\(escape(yLabel))</text>\n"
        return s
    }
}

/// A box plot, one box per allocator: whiskers at min and max, box from the first to the third
/// quartile, a line at the median and a diamond at the mean (Fig. 4).
struct FairSynergyBoxPlot {
    struct Box {
        var name: String
        var minimum, q1, median, q3, maximum, mean: Double
        var color: String
    }

    var title: String
    var subtitle = ""
    var yLabel: String
    var boxes: [Box] = []
    /// Dashed horizontal reference lines (e.g. y = 1, where the capped accuracy saturates).
    var references: [(y: Double, label: String)] = []

    let width = 720.0, height = 460.0
    let left = 72.0, right = 24.0, top = 58.0, bottom = 110.0

    func svg() -> String {
        typealias T = PlotText
        let values = boxes.flatMap { [$0.minimum, $0.maximum] } + references.map(\.y)
        let yr = SVGLinePlot.fit(values, scale: .linear, pad: true)
        let plotW = width - left - right, plotH = height - top - bottom
        func py(_ y: Double) -> Double { top + plotH - (y - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * plotH }
        var s = T.header(width: width, height: height, title: title, subtitle: subtitle, centre: left + plotW / 2)
        s += T.yAxis(yr, left: left, top: top, plotW: plotW, plotH: plotH, yLabel: yLabel, py: py)
        for r in references where yr.contains(r.y) {
            s += "<line x1=\"\(T.f(left))\" y1=\"\(T.f(py(r.y)))\" x2=\"\(T.f(left + plotW))\" y2=\"\(T.f(py(r.y)))\" stroke=\"#C00\" stroke-dasharray=\"5,4\"/>\n"
            s += "<text x=\"\(T.f(left + plotW - 4))\" y=\"\(T.f(py(r.y) - 4))\" text-anchor=\"end\" fill=\"#C00\">\(T.escape(r.label))</text>\n"
        }
        let slot = plotW / Double(max(1, boxes.count))
        let boxW = min(46, slot * 0.55)
        for (k, b) in boxes.enumerated() {
            let cx = left + slot * (Double(k) + 0.5)
            s += "<line x1=\"\(T.f(cx))\" y1=\"\(T.f(py(b.minimum)))\" x2=\"\(T.f(cx))\" y2=\"\(T.f(py(b.q1)))\" stroke=\"\(b.color)\" stroke-width=\"1.5\"/>\n"
            s += "<line x1=\"\(T.f(cx))\" y1=\"\(T.f(py(b.q3)))\" x2=\"\(T.f(cx))\" y2=\"\(T.f(py(b.maximum)))\" stroke=\"\(b.color)\" stroke-width=\"1.5\"/>\n"
            for y in [b.minimum, b.maximum] {
                s += "<line x1=\"\(T.f(cx - boxW / 4))\" y1=\"\(T.f(py(y)))\" x2=\"\(T.f(cx + boxW / 4))\" y2=\"\(T.f(py(y)))\" stroke=\"\(b.color)\" stroke-width=\"1.5\"/>\n"
            }
            let yTop = py(b.q3), yBottom = py(b.q1)
            s += "<rect x=\"\(T.f(cx - boxW / 2))\" y=\"\(T.f(yTop))\" width=\"\(T.f(boxW))\" height=\"\(T.f(max(0.5, yBottom - yTop)))\" fill=\"\(b.color)\" fill-opacity=\"0.25\" stroke=\"\(b.color)\" stroke-width=\"1.5\"/>\n"
            s += "<line x1=\"\(T.f(cx - boxW / 2))\" y1=\"\(T.f(py(b.median)))\" x2=\"\(T.f(cx + boxW / 2))\" y2=\"\(T.f(py(b.median)))\" stroke=\"\(b.color)\" stroke-width=\"2.5\"/>\n"
            let my = py(b.mean), r = 4.5
            s += "<polygon points=\"\(T.f(cx)),\(T.f(my - r)) \(T.f(cx + r)),\(T.f(my)) \(T.f(cx)),\(T.f(my + r)) \(T.f(cx - r)),\(T.f(my))\" fill=\"white\" stroke=\"#000\" stroke-width=\"1.2\"/>\n"
            s += "<text transform=\"translate(\(T.f(cx + 4)) \(T.f(top + plotH + 14))) rotate(-30)\" text-anchor=\"end\">\(T.escape(b.name))</text>\n"
        }
        s += "<text x=\"\(T.f(left))\" y=\"\(T.f(height - 8))\" font-size=\"11\" fill=\"#555\">box: quartiles, bold line: median, whiskers: min and max, diamond: mean</text>\n"
        return s + "</svg>\n"
    }
}

/// Grouped bars: one group per (case, allocator), one bar per series (Fig. 6).
struct FairSynergyBarPlot {
    struct Series {
        var name: String
        var color: String
        var opacity = 1.0
    }

    struct Group {
        /// Under the axis; "\n" splits lines.
        var label: String
        /// Above the group's bars (e.g. the total utility); "\n" splits lines.
        var note: String
        /// One value per series.
        var values: [Double]
    }

    var title: String
    var subtitle = ""
    var yLabel: String
    var series: [Series] = []
    var groups: [Group] = []

    let width = 820.0, height = 470.0
    let left = 72.0, right = 170.0, top = 58.0, bottom = 84.0

    func svg() -> String {
        typealias T = PlotText
        let maxValue = groups.flatMap(\.values).max() ?? 1
        let yr = SVGLinePlot.fit([0, maxValue * 1.22], scale: .linear, pad: true)
        let plotW = width - left - right, plotH = height - top - bottom
        func py(_ y: Double) -> Double { top + plotH - (y - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * plotH }
        var s = T.header(width: width, height: height, title: title, subtitle: subtitle, centre: left + plotW / 2)
        s += T.yAxis(yr, left: left, top: top, plotW: plotW, plotH: plotH, yLabel: yLabel, py: py)
        let slot = plotW / Double(max(1, groups.count))
        let barW = min(22, slot * 0.8 / Double(max(1, series.count)))
        for (k, g) in groups.enumerated() {
            let cx = left + slot * (Double(k) + 0.5)
            let x0 = cx - barW * Double(series.count) / 2
            var highest = top + plotH
            for (j, v) in g.values.enumerated() where j < series.count {
                let y = py(max(0, v))
                highest = min(highest, y)
                s += "<rect x=\"\(T.f(x0 + barW * Double(j)))\" y=\"\(T.f(y))\" width=\"\(T.f(barW - 1))\" height=\"\(T.f(top + plotH - y))\" fill=\"\(series[j].color)\" fill-opacity=\"\(series[j].opacity)\" stroke=\"\(series[j].color)\"/>\n"
            }
            for (line, text) in g.note.split(separator: "\n").enumerated().reversed() {
                let lines = Double(g.note.split(separator: "\n").count)
                s += "<text x=\"\(T.f(cx))\" y=\"\(T.f(highest - 6 - 13 * (lines - 1 - Double(line))))\" text-anchor=\"middle\" font-size=\"11\">\(T.escape(String(text)))</text>\n"
            }
            for (line, text) in g.label.split(separator: "\n").enumerated() {
                s += "<text x=\"\(T.f(cx))\" y=\"\(T.f(top + plotH + 18 + 14 * Double(line)))\" text-anchor=\"middle\">\(T.escape(String(text)))</text>\n"
            }
        }
        var ly = top + 8
        let lx = left + plotW + 16
        for line in series {
            s += "<rect x=\"\(T.f(lx))\" y=\"\(T.f(ly - 6))\" width=\"18\" height=\"12\" fill=\"\(line.color)\" fill-opacity=\"\(line.opacity)\" stroke=\"\(line.color)\"/>\n"
            s += "<text x=\"\(T.f(lx + 26))\" y=\"\(T.f(ly + 4))\">\(T.escape(line.name))</text>\n"
            ly += 22
        }
        return s + "</svg>\n"
    }
}
