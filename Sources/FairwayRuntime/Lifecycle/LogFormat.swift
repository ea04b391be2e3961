import FairwayCore

/// How a daemon writes its logs to standard error (`log_format`, `--log-format`).
public enum LogFormat: String, Sendable, Hashable, CaseIterable {
    /// swift-log's human-readable lines. The default.
    case text
    /// One JSON object per line (`JSONLogHandler`): timestamp, level, label, message, metadata.
    case json
}
