import FairwayCore

/// Where an agent process's private records come from (YAML `data.*`). Records never leave the
/// process: only DP prototypes do.
public struct AgentDataSettings: Sendable, Hashable, SettingsSchema {
    /// CSV of 8×8 digit images with a label column (the format of `data/uci-digits-8x8.csv`).
    /// "" = this process has no data and releases nothing. Default "".
    public var path = ""
    /// Keep only records with these labels (0–9); empty = all. Default: all.
    public var labels: [String] = []
    /// Records summarised by each release. Default 100.
    public var recordsPerRelease = 100
    /// Identity i of the process holds the records at positions ≡ i (mod count) of the
    /// filtered file, in file order; release r summarises the r-th block of them.
    public init() {}

    public static let fields: [SettingField<Self>] = [
        .text("path", \.path),
        .list("labels", \.labels) { labels, field in
            for (i, l) in labels.enumerated() where Int(l).map({ !(0...9).contains($0) }) ?? true {
                throw ConfigError(field: "\(field)[\(i)]", message: "must be a digit label 0–9, got \"\(l)\"")
            }
        },
        .integer("records_per_release", \.recordsPerRelease, in: 1...1_000_000),
    ]

    public var labelSet: Set<Int>? { labels.isEmpty ? nil : Set(labels.compactMap { Int($0) }) }
}

/// How each release is privatised and what budget it may spend (YAML `privacy.*`). See
/// `docs/privacy.md` for the neighbouring relation and the sensitivity.
public struct AgentPrivacySettings: Sendable, Hashable, SettingsSchema {
    /// `multimodal` (the paper's method), `image-only` (the Image-DP baseline: no guarantee) or
    /// `none`. Default multimodal.
    public var mode: PrivacyMode = .multimodal
    /// ε of each release. Default 1.
    public var epsilon: Double = 1
    /// δ of each release. Default 1e-6.
    public var delta: Double = 1e-6
    /// σ calibration: `analytic` (Balle & Wang 2018) or `classical` (the paper's eq. 21,
    /// refused where it is not private). Default analytic.
    public var calibration: Calibration = .analytic
    /// L2 clipping bound C of each embedding. Default 1.
    public var clip: Double = 1
    /// The (ε, δ) budget of each identity over all its releases (RDP accountant). Default (8, 1e-5).
    public var budgetEpsilon: Double = 8
    public var budgetDelta: Double = 1e-5

    public enum Calibration: String, Sendable, Hashable, CaseIterable { case analytic, classical }

    public init() {}

    public static let fields: [SettingField<Self>] = [
        .choice("mode", \.mode),
        .number("epsilon", \.epsilon, in: 1e-6...100),
        .number("delta", \.delta, in: 1e-300...0.1),
        .choice("calibration", \.calibration),
        .number("clip", \.clip, in: 1e-6...1e6),
        .number("budget_epsilon", \.budgetEpsilon, in: 1e-6...1e6),
        .number("budget_delta", \.budgetDelta, in: 1e-300...0.1),
    ]

    public func validateCombinations() throws {
        guard delta <= budgetDelta else {
            throw ConfigError(field: "delta", message: "a release's δ (\(delta)) cannot exceed the budget's δ (\(budgetDelta))")
        }
    }
}
