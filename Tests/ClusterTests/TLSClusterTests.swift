import FairwayControlJSON
import FairwayRuntime
import FairwayTestSupport
import Foundation
import XCTest

/// The cluster over tls+tcp:// with mutual TLS, as real processes; clients without a
/// valid certificate cannot connect.
final class TLSClusterTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tls").path

    func testClusterRunsOverMutualTLSAndRefusesClientsWithoutAValidCertificate() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fairway-tls-\(UUID().uuidString.prefix(8))").path
        let ca = "\(fixtures)/ca.pem", node = "\(fixtures)/node.pem", rogue = "\(fixtures)/rogue.pem"
        let (code, out, err) = try await runTool("fairwayctl", ["cluster", "up", "--edges", "2", "--agents", "4", "--dir", dir,
                                                                "--bin-dir", binDirectory, "--wait-s", "0",
                                                                "--tls-ca-file", ca, "--tls-cert-key-file", node])
        XCTAssertEqual(code, 0, err)
        defer { _ = Task { await (try? LocalCluster.load(directory: dir))?.down(grace: .seconds(2)) } }
        let url = out.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(url.hasPrefix("tls+tcp://127.0.0.1:"), url)

        let withCert = ["--tls-ca-file", ca, "--tls-cert-key-file", node]
        await eventually(15, "7 alive nodes over tls+tcp") {
            guard let nodes = await statusJSON(url, extra: withCert) else { return false }
            return nodes.count == 7 && nodes.allSatisfy { $0.state == "alive" }
        }

        // A certificate from another CA: no connection, so no status.
        let (rogueCode, _, rogueErr) = try await runTool("fairwayctl", ["status", "--coordinator", url, "--timeout-ms", "1500",
                                                                        "--tls-ca-file", ca, "--tls-cert-key-file", rogue])
        XCTAssertNotEqual(rogueCode, 0)
        XCTAssertTrue(rogueErr.contains("no-reply"), rogueErr)
        // Plain TCP to the TLS port: no connection either.
        let plain = url.replacingOccurrences(of: "tls+tcp://", with: "tcp://")
        let (plainCode, _, plainErr) = try await runTool("fairwayctl", ["status", "--coordinator", plain, "--timeout-ms", "1500"])
        XCTAssertNotEqual(plainCode, 0)
        XCTAssertTrue(plainErr.contains("no-reply"), plainErr)
        // A tls+tcp URL without certificates is a configuration error, said as such.
        let (noCertCode, _, noCertErr) = try await runTool("fairwayctl", ["status", "--coordinator", url])
        XCTAssertNotEqual(noCertCode, 0)
        XCTAssertTrue(noCertErr.contains("transport.tls"), noCertErr)

        let forced = await (try LocalCluster.load(directory: dir)).down(grace: .seconds(5))
        XCTAssertEqual(forced, [], "every node shut down gracefully")
    }
}
