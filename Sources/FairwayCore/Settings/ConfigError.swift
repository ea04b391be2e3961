/// A configuration value is missing, malformed or out of range.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// Path of the offending setting, e.g. `membership.heartbeat_interval_ms` or `--count`.
    public var field: String
    public var message: String
    /// The config file involved, if any.
    public var file: String?

    public init(field: String, message: String, file: String? = nil) {
        self.field = field
        self.message = message
        self.file = file
    }

    public var description: String {
        "invalid configuration\(file.map { " in \($0)" } ?? ""): \(field): \(message)"
    }
}

extension ConfigError {
    /// Runs `parse`, reporting any error as a `ConfigError` for `field`.
    public static func parsing<T>(_ field: String, _ parse: () throws -> T) throws -> T {
        do { return try parse() } catch let e as ConfigError { throw e } catch let e as FairwayError {
            throw ConfigError(field: field, message: e.message)
        } catch {
            throw ConfigError(field: field, message: "\(error)")
        }
    }
}
