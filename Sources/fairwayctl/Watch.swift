import ArgumentParser
import FairwayControlJSON
import FairwayCore
import FairwayRuntime
import FairwayWire
import Foundation

extension Fairwayctl {
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Redraw the status table every --interval-ms until interrupted or --count refreshes (with --json: one status JSON line per refresh).",
            discussion: "A refresh that fails prints the error (on stderr) and watching goes on; the exit status is 1 if the last refresh failed.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Ask this node instead of the coordinator.") var url: String?
        @Option(name: .customLong("interval-ms"), help: "Time between refreshes (ms).") var intervalMs: Int64 = 1000
        @Option(help: "Stop after this many refreshes (0 = until interrupted).") var count = 0
        @Flag(help: "Print one JSON line per refresh: the status document (as `status --json`) with \"refresh\" and \"at_unix_ms\".") var json = false

        struct Line: Encodable {
            var refresh: Int
            var at_unix_ms: Int64
            var status: StatusDocument
        }

        func run() async throws {
            guard intervalMs > 0 else { throw fail(ConfigError(field: "--interval-ms", message: "must be positive, got \(intervalMs)")) }
            guard count >= 0 else { throw fail(ConfigError(field: "--count", message: "must be 0 or more, got \(count)")) }
            let client = try connection.client(url: url)
            defer { client.close() }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let terminal = isatty(STDOUT_FILENO) == 1
            var n = 0
            var lastFailed = false
            while count == 0 || n < count {
                if n > 0 { try? await Task.sleep(for: .milliseconds(intervalMs)) }
                if Task.isCancelled { break }
                n += 1
                let now = WallClock.now()
                do {
                    guard case .statusReply(let status) = try await client.call(.statusRequest) else {
                        throw FairwayError(.malformed, "unexpected reply to a status request")
                    }
                    lastFailed = false
                    if json {
                        print(String(decoding: try encoder.encode(Line(refresh: n, at_unix_ms: now.unixMilliseconds, status: StatusDocument(status))), as: UTF8.self))
                    } else {
                        if terminal { print("\u{1B}[H\u{1B}[2J", terminator: "") }  // home, clear: redraw in place
                        print("refresh \(n) every \(intervalMs) ms (\(ISO8601DateFormatter().string(from: Date())))")
                        print(StatusTable.render(status, now: now))
                        if !terminal { print("") }
                    }
                } catch {
                    lastFailed = true
                    FileHandle.standardError.write(Data("fairwayctl: refresh \(n): \(error)\n".utf8))
                }
                fflush(nil)  // each refresh shows at once, also through a pipe
            }
            if lastFailed { throw ExitCode(1) }
        }
    }
}
