import Foundation
import NNG
import XCTest

/// tls+tcp:// with mutual TLS: certificates in Tests/Fixtures/tls were made by
/// scripts/gen-certs.sh (test-only keys; `rogue.pem` chains to a different CA).
final class TLSTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tls").path
    var node: TLSOptions { TLSOptions(certificateAndKeyFile: "\(fixtures)/node.pem", caFile: "\(fixtures)/ca.pem") }
    var rogue: TLSOptions { TLSOptions(certificateAndKeyFile: "\(fixtures)/rogue.pem", caFile: "\(fixtures)/ca.pem") }

    func echoServer(_ tls: TLSOptions) throws -> (Socket, Int, Task<Void, Never>) {
        let rep = try Socket(.rep)
        let port = try rep.listen("tls+tcp://127.0.0.1:0", tls: tls)!
        let task = Task {
            while !Task.isCancelled {
                guard let m = try? await rep.receive(timeout: .seconds(10)) else { return }
                try? await rep.send(m.bytes)
            }
        }
        return (rep, port, task)
    }

    func testMutualTLSRoundTrip() async throws {
        let (rep, port, task) = try echoServer(node)
        defer { task.cancel(); rep.close() }
        let req = try Socket(.req)
        defer { req.close() }
        try req.dial("tls+tcp://127.0.0.1:\(port)", tls: node)
        let ctx = try req.openContext()
        defer { ctx.close() }
        let reply = try await ctx.request(Array("over tls".utf8), timeout: .seconds(5))
        XCTAssertEqual(String(decoding: reply, as: UTF8.self), "over tls")
    }

    func testClientWithCertificateFromAnotherCACannotConnect() async throws {
        let (rep, port, task) = try echoServer(node)
        defer { task.cancel(); rep.close() }
        let req = try Socket(.req)
        defer { req.close() }
        try req.dial("tls+tcp://127.0.0.1:\(port)", tls: rogue)
        let ctx = try req.openContext()
        defer { ctx.close() }
        do {
            _ = try await ctx.request(Array("let me in".utf8), timeout: .milliseconds(1500))
            XCTFail("a client with a certificate from another CA was served")
        } catch let e as NNGError {
            XCTAssertTrue(e.isTimeout, "\(e)")
        }
    }

    func testPlainTCPClientCannotTalkToATLSListener() async throws {
        let (rep, port, task) = try echoServer(node)
        defer { task.cancel(); rep.close() }
        let req = try Socket(.req)
        defer { req.close() }
        try req.dial("tcp://127.0.0.1:\(port)")
        let ctx = try req.openContext()
        defer { ctx.close() }
        do {
            _ = try await ctx.request(Array("plain".utf8), timeout: .milliseconds(1500))
            XCTFail("a plain-tcp client was served by a TLS listener")
        } catch let e as NNGError {
            XCTAssertTrue(e.isTimeout, "\(e)")
        }
    }

    func testMissingCertificateFileIsAClearError() throws {
        let rep = try Socket(.rep)
        defer { rep.close() }
        XCTAssertThrowsError(try rep.listen("tls+tcp://127.0.0.1:0", tls: TLSOptions(certificateAndKeyFile: "/nonexistent.pem", caFile: "\(fixtures)/ca.pem"))) {
            XCTAssertTrue("\($0)".contains("/nonexistent.pem"), "\($0)")
        }
    }
}
