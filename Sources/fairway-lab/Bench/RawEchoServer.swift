import FairwayRuntime
import NNG

/// The raw-nng baseline's server: a REP socket on a free loopback port whose `workers`
/// contexts answer every request with the same `reply` bytes (no decoding, no state).
final class RawEchoServer {
    let port: Int
    private let rep: Socket
    private let tasks: [Task<Void, Never>]

    init(reply: [UInt8], transport: TransportSettings) throws {
        rep = try Socket(.rep, options: transport.socketOptions())
        port = try rep.listenReturningPort("tcp://127.0.0.1:0")!
        let rep = self.rep
        tasks = (0..<transport.workers).map { _ in
            Task {
                guard let ctx = try? rep.openContext() else { return }
                defer { ctx.close() }
                while !Task.isCancelled {
                    guard (try? await ctx.receive(timeout: .seconds(60))) != nil else { return }
                    try? await ctx.send(reply, timeout: .seconds(1))
                }
            }
        }
    }

    func close() {
        for t in tasks { t.cancel() }
        rep.close()
    }
}
