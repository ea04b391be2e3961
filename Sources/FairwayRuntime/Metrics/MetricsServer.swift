import FairwayCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A minimal HTTP/1.1 server for Prometheus: `GET /metrics` (and `HEAD`) answers 200 with
/// `FairwayMetrics.exposition()` as `text/plain; version=0.0.4`; anything else 404 (405 for
/// another method on `/metrics`). One per daemon, on swift-nio's shared event loops. The
/// exposition is rendered off the event loop (a task), so a scrape never blocks it.
public final class MetricsServer: Service, Sendable {
    /// Where it listens, as bound (the port is the real one when 0 was asked for).
    public let host: String
    public let port: Int
    private let channel: any Channel
    private let logger: Logger

    private init(host: String, port: Int, channel: any Channel, logger: Logger) {
        self.host = host
        self.port = port
        self.channel = channel
        self.logger = logger
    }

    /// `http://host:port/metrics` as bound.
    public var url: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)/metrics" }

    /// Binds `settings.address` (validated: loopback unless `allow_remote`) and starts serving.
    /// - Throws: `ConfigError` naming `metrics.address` when it cannot bind.
    public static func start(_ settings: MetricsSettings, logger: Logger,
                             render: @escaping @Sendable () -> [UInt8] = FairwayMetrics.exposition) async throws -> MetricsServer {
        try settings.validateSettings(prefix: "metrics")
        let endpoint = try MetricsEndpoint(settings.address, field: "metrics.address")
        FairwayMetrics.bootstrap()
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(ChannelOptions.backlog, value: 64)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(render: render))
                    }
                }
                .bind(host: endpoint.host, port: endpoint.port).get()
        } catch {
            throw ConfigError(field: "metrics.address", message: "cannot listen on \(settings.address): \(error)")
        }
        let port = channel.localAddress?.port ?? endpoint.port
        let server = MetricsServer(host: endpoint.host, port: port, channel: channel, logger: logger)
        logger.info("serving metrics on \(server.url)")
        return server
    }

    /// Serves until graceful shutdown or cancellation, then closes the listener.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Stops listening (open connections finish their response).
    public func close() async {
        try? await channel.close()
    }
}

/// One HTTP connection: requests in, `/metrics` or 404 out, in order (pipelining assistance
/// holds later requests until a response is complete).
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let render: @Sendable () -> [UInt8]
    private var head: HTTPRequestHead?

    init(render: @escaping @Sendable () -> [UInt8]) { self.render = render }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
            guard path == "/metrics" else {
                return respond(context: context, head: head, status: .notFound, contentType: "text/plain; charset=utf-8", body: Array("not found; try /metrics\n".utf8))
            }
            guard head.method == .GET || head.method == .HEAD else {
                return respond(context: context, head: head, status: .methodNotAllowed, contentType: "text/plain; charset=utf-8",
                               body: Array("GET /metrics only\n".utf8), extra: [("Allow", "GET, HEAD")])
            }
            // Render off the event loop; write back on it.
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            let render = self.render
            loop.makeFutureWithTask { render() }.whenSuccess { body in
                let (handler, context) = bound.value
                handler.respond(context: context, head: head, status: .ok, contentType: FairwayMetrics.contentType, body: body)
            }
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus, contentType: String,
                         body: [UInt8], extra: [(String, String)] = []) {
        let keepAlive = head.isKeepAlive
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.count)")] + extra)
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
