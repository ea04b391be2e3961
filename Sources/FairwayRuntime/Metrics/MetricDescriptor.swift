/// One metric Fairway exports: its Prometheus name, type, labels and meaning. Declared once in
/// `FairwayMetrics.all`; the exposition's `# HELP` lines and the README's list come from it.
public struct MetricDescriptor: Sendable, Hashable {
    /// Prometheus metric types Fairway uses.
    public enum Kind: String, Sendable, Hashable {
        case counter, gauge, histogram
    }

    /// Full name, `fairway_` prefixed; counters end in `_total`, durations in `_seconds`.
    public let name: String
    public let kind: Kind
    /// Label names, in the order the shells give them.
    public let labels: [String]
    /// What it measures, with its unit (the `# HELP` text).
    public let help: String

    public init(_ name: String, _ kind: Kind, labels: [String], _ help: String) {
        self.name = name
        self.kind = kind
        self.labels = labels
        self.help = help
    }
}
