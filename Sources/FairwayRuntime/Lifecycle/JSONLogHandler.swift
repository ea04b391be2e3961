import Foundation
import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line (`log_format: json`):
/// `{"timestamp":"2026-12-02T15:55:23.123Z","level":"info","label":"fairway.coordinator","message":"…","metadata":{…}}`,
/// with `source`, `file`, `function` and `line` beside them. Metadata values keep their shape:
/// strings, arrays and dictionaries. Each line is written with one `write(2)`, so lines from
/// many threads never interleave.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let label: String
    private let write: @Sendable (String) -> Void

    /// A handler writing to standard error.
    public static func standardError(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) -> JSONLogHandler {
        JSONLogHandler(label: label, metadataProvider: metadataProvider) { line in
            var bytes = Array(line.utf8)
            bytes.append(0x0A)
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Foundation.write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
                    if n <= 0 { if errno == EINTR { continue } else { return } }
                    offset += n
                }
            }
        }
    }

    /// - Parameter write: receives each line, without its newline.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {
        var merged = self.metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit { merged.merge(explicit) { _, new in new } }
        var out = "{\"timestamp\":"
        Self.quote(Self.timestamp(), into: &out)
        out += ",\"level\":"
        Self.quote(level.rawValue, into: &out)
        out += ",\"label\":"
        Self.quote(label, into: &out)
        out += ",\"message\":"
        Self.quote(message.description, into: &out)
        out += ",\"metadata\":"
        Self.encode(.dictionary(merged), into: &out)
        out += ",\"source\":"
        Self.quote(source, into: &out)
        out += ",\"file\":"
        Self.quote(file, into: &out)
        out += ",\"function\":"
        Self.quote(function, into: &out)
        out += ",\"line\":\(line)}"
        write(out)
    }

    /// Now, in RFC 3339 UTC with milliseconds.
    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ts.tv_nsec / 1_000_000), 3))Z"
    }

    private static func encode(_ value: Logger.Metadata.Value, into out: inout String) {
        switch value {
        case .string(let s): quote(s, into: &out)
        case .stringConvertible(let c): quote(c.description, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                encode(item, into: &out)
            }
            out += "]"
        case .dictionary(let d):
            out += "{"
            for (i, key) in d.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                quote(key, into: &out)
                out += ":"
                encode(d[key]!, into: &out)
            }
            out += "}"
        }
    }

    /// `s` as a JSON string (RFC 8259 escapes).
    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
