import Logging

extension Logger.Level {
    /// Parses `trace|debug|info|notice|warning|error|critical`; throws `ConfigError` naming `field`.
    public static func parse(_ s: String, field: String = "log_level") throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: s.lowercased()) else {
            throw ConfigError(field: field, message: "'\(s)' is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return level
    }
}
