import ArgumentParser
import FairwayNoise
import Foundation

extension FairwayLab {
    /// `fairway-lab noise-vectors --input FILE`: replays every Noise test vector whose protocol
    /// FairwayNoise implements, with both parties, byte for byte.
    struct NoiseVectors: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "noise-vectors",
            abstract: "Replay Noise test vectors (cacophony format) against FairwayNoise; one JSON line.",
            discussion: """
            Input: {"vectors": [V…]} as in Tests/Reference/noise-vectors.json (its meta.format). For every vector \
            whose protocol is implemented (25519, ChaChaPoly, SHA256; the one-way, interactive and deferred patterns with pskN modifiers), \
            both parties run every message: each one written must equal the published ciphertext, each published \
            ciphertext must read back to its payload, h must equal handshake_hash where given, and both sides must \
            learn the peer's static key. Output: {"passed": n, "failed": [ids], "skipped": [ids]} (skipped: \
            protocols not implemented); the mismatches of failed vectors go to stderr. Exit status 1 if any vector \
            failed. Bad input: the field on stderr, exit status 2.
            """)

        @Option(help: "The vector file, or - for standard input.") var input: String

        func run() throws {
            let parsed = try NoiseVectorsInput.read(from: input)
            var passed = 0
            var failed: [String] = []
            for vector in parsed.vectors {
                let problems = vector.replay()
                if problems.isEmpty {
                    passed += 1
                } else {
                    failed.append(vector.id)
                    for problem in problems {
                        FileHandle.standardError.write(Data("fairway-lab noise-vectors: \(vector.id) (\(vector.protocolName)): \(problem)\n".utf8))
                    }
                }
            }
            var out = JSONObjectWriter()
            out.raw("passed", "\(passed)")
            out.raw("failed", Self.json(failed))
            out.raw("skipped", Self.json(parsed.skipped))
            print(out.text)
            if !failed.isEmpty { throw ExitCode.failure }
        }

        static func json(_ strings: [String]) -> String {
            let data = (try? JSONSerialization.data(withJSONObject: strings, options: [.withoutEscapingSlashes])) ?? Data("[]".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }
}
