import FairwayCore
import FairwayWire
import Foundation

/// Builds an identity's DP releases from the process's private records (paper 1, §IV): each
/// record is embedded in the shared space (image and its text description, `Encoder`),
/// assigned to the nearest public anchor (the text embedding of its label's phrasings, which
/// are public), clipped, summed per anchor and noised (`PrototypeRelease`). Raw records and
/// raw embeddings stay in this type; only the release leaves it. `fairwayctl submit` builds its
/// release with the same type.
public struct ReleaseMaker: Sendable {
    /// One record's embeddings (never sent).
    struct Embedded: Sendable {
        var image: [Double]
        var text: [Double]
    }

    let settings: EdgeAgentSettings
    let encoder: any Encoder
    /// Public anchors of the partition: one per label, the unit mean of its phrasings' text embeddings.
    let anchors: [[Double]]
    /// Each identity's records, embedded, in file order.
    let holdings: [[Embedded]]

    public init(settings: EdgeAgentSettings, identities: Int, encoder: any Encoder = AlignedLinearEncoder.digits) throws {
        self.settings = settings
        self.encoder = encoder
        let path = settings.data.path
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError(field: "data.path", message: "cannot read \(path): \(error.localizedDescription)")
        }
        let records: [DigitRecord]
        do { records = try DigitsCSV.parse(text) } catch { throw ConfigError(field: "data.path", message: "\(path): \(error)") }
        let wanted = settings.data.labelSet
        var holdings = Array(repeating: [Embedded](), count: identities)
        var position = 0
        for (index, r) in records.enumerated() where wanted?.contains(r.label) ?? true {
            let e = Embedded(image: try encoder.embedImage(r.pixels),
                             text: try encoder.embedText(TextDescriptions.description(forRecord: index, label: r.label)))
            holdings[position % identities].append(e)
            position += 1
        }
        self.holdings = holdings
        self.anchors = try (0..<DigitRecord.labelCount).map { label in
            let phrasings = try TextDescriptions.phrasings(for: label).map { try encoder.embedText($0) }
            let mean = (0..<encoder.dimension).map { j in phrasings.reduce(0) { $0 + $1[j] } / Double(phrasings.count) }
            return try unitNormalised(mean, what: "anchor \(label)")
        }
    }

    public func recordCount(identity: Int) -> Int { holdings[identity].count }

    /// Release `sequence` (from 1) of identity `identity`: its `sequence`-th block of records,
    /// privatised; nil when the identity has no records left for it. `charge` is what the
    /// release costs the identity's budget (nil in modes without a guarantee).
    public func make(identity: Int, sequence: UInt64) throws -> (contribution: Contribution, charge: RDPAccountant.Mechanism?)? {
        let n = settings.data.recordsPerRelease
        let all = holdings[identity]
        let start = Int(sequence - 1) * n
        guard start < all.count else { return nil }
        let block = all[start..<min(all.count, start + n)]
        var random = SystemRandomNumberGenerator()  // getrandom(2): a CSPRNG
        let release = try PrototypeRelease.release(
            block.map { PrototypeRecord(image: $0.image, text: $0.text) }, partition: .anchors(anchors), settings: releaseSettings,
            using: &random)
        let contribution = Contribution(
            prototypes: release.prototypes.map { Prototype(image: $0.imageEmbedding, text: $0.textEmbedding, count: $0.count) },
            mode: settings.privacy.mode, epsilon: release.epsilon ?? 0, delta: release.delta ?? 0, noiseMultiplier: release.noiseMultiplier ?? 0,
            sequence: sequence, records: UInt32(block.count), countSigma: release.mode == .multimodal ? release.sigma : 0)
        return (contribution, release.charge)
    }

    var releaseSettings: PrototypeReleaseSettings {
        var s = PrototypeReleaseSettings()
        s.mode = settings.privacy.mode
        s.epsilon = settings.privacy.epsilon
        s.delta = settings.privacy.delta
        s.clippingBound = settings.privacy.clip
        s.calibration = settings.privacy.calibration == .analytic ? .analytic : .classical
        return s
    }
}
