import ArgumentParser
import FairwayWire
import Foundation

extension FairwayLab {
    /// `fairway-lab wire-json FILE…`: how Fairway's Swift code reads message bytes, one JSON line
    /// per file, for cross-implementation checks against the Python and C clients.
    struct WireJSON: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "wire-json",
            abstract: "Decode protobuf message files the way Fairway does; one JSON line per file.",
            discussion: """
            Each FILE holds one serialised message of --type (envelope = fairway.v1.Envelope, signed-envelope = \
            fairway.v1.SignedEnvelope, frame = fairway.v1.Frame). Output per file: \
            {"file": F, "type": T, "message": M, "accepted": B, "code": C, "field": D, "protobuf_error": E} where M is \
            the protobuf decoded by swift-protobuf as proto3 JSON with the .proto field names (null if the bytes are not \
            that message), B whether Fairway's own decoder accepts it (envelope: WireCodec.decode, every field's domain; \
            signed-envelope: WireCodec.open, the signature too; frame: SessionFrame.decode), and C and D the refusal's \
            error code and field when it does not (null otherwise). Exit status 0 whatever the verdicts; 2 if a file \
            cannot be read.
            """)

        @Option(help: "Message type: envelope, signed-envelope or frame.") var type: String = "envelope"
        @Argument(help: "Files, each one serialised message.") var files: [String]

        func run() throws {
            guard let messageType = WireInspection.MessageType(rawValue: type) else {
                throw ValidationError("--type must be one of \(WireInspection.MessageType.allCases.map(\.rawValue).joined(separator: ", ")), got \(type)")
            }
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("fairway-lab wire-json: cannot read \(file)\n".utf8))
                    throw ExitCode(2)
                }
                let reading = WireInspection.read([UInt8](data), as: messageType)
                var out = JSONObjectWriter()
                out.raw("file", quoted(file))
                out.raw("type", quoted(messageType.rawValue))
                out.raw("message", reading.json ?? "null")
                out.raw("accepted", reading.refusal == nil ? "true" : "false")
                out.raw("code", reading.refusal.map { quoted($0.code.name) } ?? "null")
                out.raw("field", reading.refusal.map { quoted($0.field) } ?? "null")
                out.raw("protobuf_error", reading.protobufError.map(quoted) ?? "null")
                print(out.text)
            }
        }

        private func quoted(_ s: String) -> String {
            let data = try! JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])
            return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        }
    }
}
