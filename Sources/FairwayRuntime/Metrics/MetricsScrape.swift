import FairwayCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// Reads a daemon's `/metrics` over HTTP/1.1 (swift-nio): what a Prometheus server would
/// scrape, for benchmarks and harnesses that watch a cluster from outside.
public enum MetricsScrape {
    /// One sample of the exposition: metric name, labels, value.
    public struct Sample: Sendable, Hashable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    /// GETs `url` (`http://host:port/path`) and returns the body.
    /// - Throws: `ConfigError` for a URL it cannot use; the connection's error, or a
    ///   `ConfigError` naming the status, when the scrape fails.
    public static func fetch(_ url: String, timeout: Duration = .seconds(5)) async throws -> String {
        guard url.hasPrefix("http://") else { throw ConfigError(field: "url", message: "only http:// URLs are scraped, got \(url)") }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let hostPort = rest[..<slash]
        let path = slash == rest.endIndex ? "/" : String(rest[slash...])
        guard let colon = hostPort.lastIndex(of: ":"), let port = Int(hostPort[hostPort.index(after: colon)...]) else {
            throw ConfigError(field: "url", message: "\(url) names no port")
        }
        let host = String(hostPort[..<colon]).trimmingCharacters(in: ["[", "]"])
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: (HTTPResponseStatus, [UInt8]).self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(BodyCollector(promise: promise))
                }
            }
            .connect(host: host, port: port).get()
        } catch {
            promise.fail(error)  // never leak it
            throw error
        }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: String(hostPort))
        head.headers.add(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
        let timer = group.next().scheduleTask(in: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000)) {
            promise.fail(ConfigError(field: "url", message: "no answer from \(url) within \(timeout)"))
        }
        defer { timer.cancel(); channel.close(promise: nil) }
        let (status, body) = try await promise.futureResult.get()
        guard status == .ok else { throw ConfigError(field: "url", message: "\(url) answered \(status.code)") }
        return String(decoding: body, as: UTF8.self)
    }

    /// The samples of a text exposition (format 0.0.4), comments skipped.
    public static func parse(_ text: String) -> [Sample] {
        text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
            let key = line[..<space]
            guard let brace = key.firstIndex(of: "{") else { return Sample(name: String(key), labels: [:], value: value) }
            var labels: [String: String] = [:]
            for pair in key[key.index(after: brace)...].dropLast().split(separator: ",") {
                guard let eq = pair.firstIndex(of: "=") else { continue }
                labels[String(pair[..<eq])] = String(pair[pair.index(after: eq)...]).trimmingCharacters(in: ["\""])
            }
            return Sample(name: String(key[..<brace]), labels: labels, value: value)
        }
    }

    /// Σ of the samples named `name` whose labels include every pair of `matching`.
    public static func sum(_ samples: [Sample], _ name: String, _ matching: [String: String] = [:]) -> Double {
        samples.lazy.filter { s in s.name == name && matching.allSatisfy { s.labels[$0.key] == $0.value } }.reduce(0) { $0 + $1.value }
    }
}

/// Collects one HTTP response (status and body) into a promise.
private final class BodyCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    private let promise: EventLoopPromise<(HTTPResponseStatus, [UInt8])>
    private var status: HTTPResponseStatus = .ok
    private var body: [UInt8] = []
    private var done = false

    init(promise: EventLoopPromise<(HTTPResponseStatus, [UInt8])>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = head.status
        case .body(let buffer): body += buffer.readableBytesView
        case .end:
            done = true
            promise.succeed((status, body))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done { done = true; promise.fail(error) }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        promise.fail(ConfigError(field: "url", message: "connection closed before the response ended"))
    }
}
