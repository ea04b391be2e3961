import FairwayCore
import Foundation

/// Helpers shared by the privacy and valuation experiments.
enum ExperimentSupport {
    /// Parses and embeds the digits CSV (a few seconds' work is done here once).
    static func loadDigits(_ path: String) throws -> ExperimentDigits {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try ExperimentDigits(records: DigitsCSV.parse(text))
    }

    static func writeFiles(_ files: [String: String], to out: String) throws -> URL {
        let url = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files.sorted(by: { $0.key < $1.key }) {
            try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return url
    }

    /// Parses "1,2,5" into numbers.
    static func list<T: LosslessStringConvertible>(_ s: String, _ name: String) throws -> [T] {
        let parts = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap { T($0) }
        guard !values.isEmpty, values.count == parts.count else { throw ValidationErrorText("\(name): expected a comma-separated list, got \(s)") }
        return values
    }

    struct ValidationErrorText: Error, CustomStringConvertible { let description: String; init(_ d: String) { description = d } }
}

/// Names of the catalog rules the valuation experiments compare (`NoveltyCatalog.Settings.countSigmas`).
enum CatalogRule {
    /// For CSV columns and file names: "paper" (countSigmas 0) or "gated-3sigma".
    static func id(_ k: Double) -> String { k == 0 ? "paper" : "gated-\(ExperimentFormat.short(k))sigma" }
    /// For tables, legends and prose: "paper rule" or "σ-gated (3σ)".
    static func label(_ k: Double) -> String { k == 0 ? "paper rule" : "σ-gated (\(ExperimentFormat.short(k))σ)" }
}

/// Mean and standard error of a sample.
struct MeanSE {
    var n: Int
    var mean: Double
    var se: Double

    init(_ xs: [Double]) {
        n = xs.count
        mean = xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count)
        if xs.count > 1 {
            let m = mean
            let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)
            se = (v / Double(xs.count)).squareRoot()
        } else {
            se = 0
        }
    }

    func text(_ digits: Int = 3) -> String { String(format: "%.\(digits)f ± %.\(digits)f", mean, se) }
}
