import Foundation
import Logging
import ServiceLifecycle

/// Runs a daemon's services until SIGTERM or SIGINT, then shuts them down gracefully.
public enum Daemon {
    /// Bootstraps logging to stderr at `level`, as text lines or JSON lines. Call once, first
    /// thing in `main`.
    public static func bootstrapLogging(level: Logger.Level, format: LogFormat = .text) {
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }

    /// Runs `services` until a termination signal; returns after they stopped.
    public static func run(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
