import FairwayControlJSON
import FairwayCore
import FairwayRuntime
import FairwayTestSupport
import FairwayWire
import Foundation
import NNG
import XCTest

/// Issue 9, acceptance 4: everything a real `edge-agent` process sends during a run (joins,
/// heartbeats, inference, contributions) passes through a recording nng proxy between it and its
/// edge; none of it contains one of the agent's raw records or raw embeddings, in any encoding
/// we can think of, and every released prototype differs from the exact cluster mean.
final class AgentWireRecordingTests: XCTestCase {
    static let dataset = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../data/uci-digits-8x8.csv").standardized.path
    let releases = 3
    let recordsPerRelease = 100

    /// A REP socket that forwards each request to `target` over REQ and keeps every request's bytes.
    final class RecordingProxy: @unchecked Sendable {
        let front: Socket
        let back: Socket
        let url: String
        private let lock = NSLock()
        private var recorded: [[UInt8]] = []
        private var task: Task<Void, Never>?

        init(target: String) throws {
            var options = SocketOptions()
            options.maxMessageBytes = 4 << 20
            front = try Socket(.rep, options: options)
            back = try Socket(.req, options: options)
            let port = try XCTUnwrap(front.listenReturningPort("tcp://127.0.0.1:0"))
            url = "tcp://127.0.0.1:\(port)"
            try back.dial(target)
        }

        func start() {
            task = Task { [self] in
                while !Task.isCancelled {
                    guard let request = try? await front.receive(timeout: .milliseconds(200)) else { continue }
                    lock.withLock { recorded.append(request.bytes) }
                    guard let context = try? back.openContext() else { continue }
                    defer { context.close() }
                    if let reply = try? await context.request(request.bytes, timeout: .seconds(5)) {
                        try? await front.send(reply, timeout: .seconds(1))
                    }
                }
            }
        }

        var messages: [[UInt8]] { lock.withLock { recorded } }

        func stop() {
            task?.cancel()
            front.close()
            back.close()
        }
    }

    func testNoRawRecordOrRawEmbeddingLeavesTheAgent() async throws {
        try await withProcessCluster("wire-recording", ["--edges", "1", "--agents", "0", "--epoch-ms", "1000"]) { dir, url in
            let cluster = try LocalCluster.load(directory: dir)
            let proxy = try RecordingProxy(target: cluster.edgeURLs[0])
            proxy.start()
            defer { proxy.stop() }

            let agentDir = (dir as NSString).appendingPathComponent("data/spy")
            let pid = try ProcessSpawner.spawn(try executable("edge-agent"), [
                "--count", "1", "--name-prefix", "spy", "--data-dir", agentDir, "--edges", proxy.url,
                "--heartbeat-interval-ms", "200", "--data-path", Self.dataset,
                "--data-records-per-release", "\(recordsPerRelease)", "--contribute-releases", "\(releases)",
                "--contribute-interval-ms", "200", "--privacy-epsilon", "4", "--privacy-budget-epsilon", "30",
            ], logPath: (dir as NSString).appendingPathComponent("logs/spy.log"))
            defer { kill(pid, SIGKILL) }

            await eventually(40, "every release acknowledged through the proxy") {
                guard let (code, out, _) = try? await runTool("fairwayctl", ["valuation", "--coordinator", url, "--json", "--timeout-ms", "1000"]),
                      code == 0, let v = try? JSONDecoder().decode(ValuationDocument.self, from: Data(out.utf8)) else { return false }
                return v.agents.first?.contributions == UInt64(releases)
            }
            kill(pid, SIGKILL)
            let wire = proxy.messages
            XCTAssertGreaterThan(wire.count, releases, "joins, heartbeats and contributions were recorded")
            // Wire protocol 2 encrypts every request: nothing on the wire opens as an envelope.
            XCTAssertTrue(wire.allSatisfy { (try? WireCodec.open($0)) == nil && (try? WireCodec.decode($0)) == nil }, "a plaintext envelope crossed the wire")
            // What the edge decrypted and relayed: each release as the agent signed it, stored as
            // the ledger leaf's provenance. The checks below run over the wire and these alike.
            let (code, out, err) = try await runTool("fairwayctl", ["ledger", "export", "--coordinator", url])
            XCTAssertEqual(code, 0, err)
            let leaves = try out.split(separator: "\n").map { try JSONDecoder().decode(DatRecordLine.self, from: Data($0.utf8)) }
            let released = try leaves.map { [UInt8](try XCTUnwrap(Data(base64Encoded: $0.provenance))) }
            XCTAssertEqual(released.count, releases)
            let messages = wire + released

            // What the agent holds: the first releases × recordsPerRelease records of the file.
            let records = Array(try DigitsCSV.parse(String(contentsOfFile: Self.dataset, encoding: .utf8)).prefix(releases * recordsPerRelease))
            let encoder = AlignedLinearEncoder.digits
            var images: [[Double]] = [], texts: [[Double]] = [], descriptions: Set<String> = []
            for (i, r) in records.enumerated() {
                images.append(try encoder.embedImage(r.pixels))
                let description = TextDescriptions.description(forRecord: i, label: r.label)
                descriptions.insert(description)
                texts.append(try encoder.embedText(description))
            }

            // 1. No raw embedding coordinate as a float64 in either byte order, and no two
            // consecutive coordinates as float32s (one 4-byte float32 alone would match random
            // bytes by chance about once in 10^5 positions).
            var doubleBits = Set<UInt64>(), floatPairs = Set<UInt64>()
            for v in images + texts {
                for x in v where x != 0 { doubleBits.insert(x.bitPattern); doubleBits.insert(x.bitPattern.byteSwapped) }
                for (a, b) in zip(v, v.dropFirst()) {
                    let (fa, fb) = (UInt64(Float(a).bitPattern), UInt64(Float(b).bitPattern))
                    floatPairs.insert(fa | fb << 32)  // little-endian a then b
                    floatPairs.insert((fa << 32 | fb).byteSwapped)  // big-endian a then b
                }
            }
            // 2. No raw record: its 64 pixels as bytes, its CSV row, its text description.
            let pixelRows = Set(records.map { $0.pixels.map { UInt8($0) } })
            let csvRows = records.map { $0.pixels.map { String(Int($0)) }.joined(separator: ",") }
            for (m, bytes) in messages.enumerated() {
                for offset in 0..<max(0, bytes.count - 7) {
                    let word = bytes[offset..<offset + 8].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    XCTAssertFalse(doubleBits.contains(word), "message \(m) holds a raw embedding coordinate (float64) at byte \(offset)")
                    XCTAssertFalse(floatPairs.contains(word), "message \(m) holds two raw embedding coordinates (float32) at byte \(offset)")
                }
                if bytes.count >= 64 {
                    for offset in 0...(bytes.count - 64) where pixelRows.contains(Array(bytes[offset..<offset + 64])) {
                        XCTFail("message \(m) holds a raw record's pixels at byte \(offset)")
                    }
                }
                let text = String(decoding: bytes, as: UTF8.self)
                for row in csvRows where text.contains(row) { XCTFail("message \(m) holds a raw CSV row") }
                for d in descriptions where text.contains(d) { XCTFail("message \(m) holds a record's text description") }
            }

            // 3. The released prototypes (decoded from the relayed releases) are noised: none equals
            // a raw embedding or the exact mean of the records it summarises.
            var prototypes: [Prototype] = []
            for bytes in released {
                guard let opened = try? WireCodec.open(bytes), case .contribution(let c) = opened.envelope.payload else { continue }
                XCTAssertEqual(c.mode, .multimodal)
                XCTAssertEqual(c.epsilon, 4, accuracy: 1e-12)
                prototypes += c.prototypes
            }
            XCTAssertGreaterThanOrEqual(prototypes.count, releases * DigitRecord.labelCount, "every release's prototypes were recorded")
            for p in prototypes {
                for raw in images { XCTAssertGreaterThan(distance(p.image, raw), 1e-6) }
                for raw in texts { XCTAssertGreaterThan(distance(p.text, raw), 1e-6) }
            }
            let exact = Set(try (0..<releases).flatMap { r -> [[Double]] in
                let block = records[(r * recordsPerRelease)..<((r + 1) * recordsPerRelease)]
                return try (0..<DigitRecord.labelCount).compactMap { label -> [Double]? in
                    let members = try block.filter { $0.label == label }.map { try encoder.embedImage($0.pixels) }
                    guard !members.isEmpty else { return nil }
                    return (0..<encoder.dimension).map { j in members.reduce(0) { $0 + $1[j] } / Double(members.count) }
                }
            })
            for p in prototypes { for m in exact { XCTAssertGreaterThan(distance(p.image, m), 1e-6, "a prototype equals an exact mean") } }
            await cluster.down(grace: .seconds(2))
        }
    }

    func distance(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }
}
