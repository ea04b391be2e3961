import ArgumentParser
import FairwayCore
import Foundation

extension FairwayLab.Bench {
    /// The valuation pipeline's pure steps at the sizes an agent and the coordinator see them.
    struct Valuation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prototype release (records/s), novelty-catalog matching (prototypes/s) and DAT-ledger appends against raw SQLite inserts.",
            discussion: """
            (a) An agent's DP prototype release (`PrototypeRelease`, multimodal, ε = 1, δ = 1e-5, C = 1): --records \
            records of random unit image and text vectors of --dimensions, --anchors public anchors, noise from the \
            OS CSPRNG as in the agent. (b) The coordinator's catalog (`NoveltyCatalog`): --prototypes prototypes \
            drawn around --clusters random directions (cosine ≈ 0.95 to their own, so most match) applied one by one \
            to an empty catalog. Each is run --repeats times after one warm-up; medians are reported. \
            (c) DAT-ledger appends through the coordinator's code (leaf, hash, Merkle append, receipt, its SQLite \
            tables, WAL + synchronous FULL) against raw SQLite inserts of the same precomputed rows into a table of the \
            same schema opened the same way: --appends rows, --ledger-batch per transaction; the ratio ledger/raw \
            (target ≥ 0.5) is the number to read.
            """)

        @Option(help: "(a) records per release.") var records = 1_000
        @Option(help: "Embedding dimension d.") var dimensions = 16
        @Option(help: "(a) public anchors (cells).") var anchors = 10
        @Option(help: "(b) prototypes applied to the catalog.") var prototypes = 10_000
        @Option(help: "(b) directions the prototypes are drawn around.") var clusters = 100
        @Option(help: "(c) ledger appends (and raw inserts) per run.") var appends = 500
        @Option(help: "(c) appends per transaction (1 = each acknowledged alone, the worst case).") var ledgerBatch = 1
        @Option(help: "Measured repetitions of each part.") var repeats = 5
        @Option(help: "Seed for the data (the release noise uses the system CSPRNG).") var seed: UInt64 = 1
        @Flag(help: "Print one JSON line instead of a table.") var json = false

        func validate() throws {
            guard records > 0, dimensions > 0, anchors > 0, prototypes > 0, clusters > 0, repeats > 0, appends > 0, ledgerBatch > 0 else {
                throw ValidationError("--records, --dimensions, --anchors, --prototypes, --clusters, --appends, --ledger-batch and --repeats must be positive")
            }
        }

        struct Result: Codable {
            var records, dimensions, anchors, prototypes, clusters, repeats: Int
            /// (a) median records per second through one whole release (clip, assign, snap, noise).
            var releaseRecordsPerSecond: Double
            var releaseMilliseconds: Double
            var sigma, sensitivity, noiseMultiplier: Double
            /// (b) median prototypes per second applied to the catalog, and what the catalog ended with.
            var catalogPrototypesPerSecond: Double
            var catalogMilliseconds: Double
            var catalogClusters: Int
            var matched, founded, noise: Int
            /// (c) median ledger appends per second, raw inserts per second of the same rows, and their ratio.
            var ledgerAppendsPerSecond: Double
            var rawInsertsPerSecond: Double
            var ledgerToRawRatio: Double
            var appends: Int
            var ledgerBatch: Int
        }

        func run() async throws {
            var data = SeededGenerator(seed: seed)
            func unitVector() -> [Double] {
                while true {
                    let x = (0..<dimensions).map { _ in data.nextStandardNormal() }
                    let n = L2Clipping.norm(x)
                    if n > 0 { return x.map { $0 / n } }
                }
            }
            let clock = ContinuousClock()
            let progress = Progress(total: 3 * (repeats + 1), label: "runs (release, catalog, ledger)")
            var done = 0

            // (a) Prototype release.
            let anchorVectors = (0..<anchors).map { _ in unitVector() }
            let rows = (0..<records).map { _ in PrototypeRecord(image: unitVector(), text: unitVector()) }
            let settings = PrototypeReleaseSettings()
            var csprng = SystemRandomNumberGenerator()
            var releaseTimes: [Double] = []
            var last: PrototypeReleaseResult?
            for run in 0...repeats {
                var result: PrototypeReleaseResult?
                let t = try clock.measure {
                    result = try PrototypeRelease.release(rows, partition: .anchors(anchorVectors), settings: settings, using: &csprng)
                }
                last = result
                if run > 0 { releaseTimes.append(t.milliseconds / 1000) }
                done += 1
                progress.update(done)
            }

            // (b) Catalog matching.
            let centres = (0..<clusters).map { _ in unitVector() }
            let candidates: [(vector: [Double], count: Int)] = (0..<prototypes).map { i in
                let c = centres[i % clusters]
                let jitter = unitVector()
                // cos(c, p) ≈ 0.95 for p = 0.95·c + 0.31·(a random unit direction) in d ≥ 16.
                let p = zip(c, jitter).map { 0.95 * $0 + 0.31 * $1 }
                return (p, Int(data.next() % 100) + 1)
            }
            var catalogTimes: [Double] = []
            var final = NoveltyCatalog()
            var tally = (matched: 0, founded: 0, noise: 0)
            for run in 0...repeats {
                var catalog = NoveltyCatalog()
                var credits: [NoveltyCatalog.Credit] = []
                credits.reserveCapacity(prototypes)
                let t = clock.measure {
                    for p in candidates { credits.append(catalog.apply(prototype: p.vector, count: p.count)) }
                }
                if run > 0 { catalogTimes.append(t.milliseconds / 1000) }
                final = catalog
                tally = (credits.filter { $0.kind == .matched }.count, credits.filter { $0.kind == .founded }.count,
                         credits.filter { $0.kind == .noise }.count)
                done += 1
                progress.update(done)
            }

            // (c) Ledger appends against raw inserts.
            let base = done
            let ledger = try LedgerAppendBench(appends: appends, batch: ledgerBatch, repeats: repeats).run { run in progress.update(base + run + 1) }
            progress.finish()

            let release = median(releaseTimes), catalogTime = median(catalogTimes)
            let r = Result(
                records: records, dimensions: dimensions, anchors: anchors, prototypes: prototypes, clusters: clusters, repeats: repeats,
                releaseRecordsPerSecond: Double(records) / release, releaseMilliseconds: release * 1000,
                sigma: last?.sigma ?? .nan, sensitivity: last?.sensitivity ?? .nan, noiseMultiplier: last?.noiseMultiplier ?? .nan,
                catalogPrototypesPerSecond: Double(prototypes) / catalogTime, catalogMilliseconds: catalogTime * 1000,
                catalogClusters: final.clusters.count, matched: tally.matched, founded: tally.founded, noise: tally.noise,
                ledgerAppendsPerSecond: ledger.ledgerAppendsPerSecond, rawInsertsPerSecond: ledger.rawInsertsPerSecond,
                ledgerToRawRatio: ledger.ratio, appends: appends, ledgerBatch: ledgerBatch)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(r), as: UTF8.self))
            } else {
                print("""
                    (a) prototype release  \(records) records, d = \(dimensions), \(anchors) anchors: \
                    \(String(format: "%.0f", r.releaseRecordsPerSecond)) records/s (\(String(format: "%.2f", r.releaseMilliseconds)) ms per release; \
                    σ = \(String(format: "%.4f", r.sigma)), Δ = \(String(format: "%.6f", r.sensitivity)), z = \(String(format: "%.4f", r.noiseMultiplier)))
                    (b) catalog matching   \(prototypes) prototypes around \(clusters) directions: \
                    \(String(format: "%.0f", r.catalogPrototypesPerSecond)) prototypes/s (\(String(format: "%.2f", r.catalogMilliseconds)) ms; \
                    \(r.catalogClusters) clusters, \(r.matched) matched, \(r.founded) founded, \(r.noise) noise)
                    (c) ledger append      \(appends) rows, \(ledgerBatch) per transaction, WAL + synchronous FULL: \
                    \(String(format: "%.0f", r.ledgerAppendsPerSecond)) appends/s vs \(String(format: "%.0f", r.rawInsertsPerSecond)) raw inserts/s: \
                    ratio \(String(format: "%.2f", r.ledgerToRawRatio)) (target ≥ 0.5; provenance \(ledger.provenanceBytes) B per leaf)
                    """)
            }
        }

        func median(_ xs: [Double]) -> Double {
            let s = xs.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
    }
}
