import FairwayCore
import Foundation

/// One line of `<dir>/history.jsonl`: a client operation's invocation or its outcome
/// (`ok`, `fail` — definitely not applied — or `unknown` — no answer, may have been applied),
/// or a fault's start and end (`type` = `fault`/`heal`).
struct HistoryEvent: Codable, Sendable, Hashable {
    /// Operation number (the invocation and its outcome share it); faults count separately.
    var op: Int
    /// `invoke`, `ok`, `fail`, `unknown`, `fault`, `heal`.
    var type: String
    /// Who: `client-N` (inference), `status`, `ledger`, or `nemesis`.
    var process: String
    /// What: `request`, `status`, `ledger-verify`, or the fault's kind.
    var f: String
    /// Milliseconds since the run started.
    var t_ms: Int
    /// request: the edge URL asked and the agent identity.
    var edge: String?
    var agent: String?
    /// request ok: tokens charged.
    var charged: UInt64?
    /// status ok: the coordinator's epoch and how many edge servers it counts alive.
    var epoch: UInt64?
    var edges_alive: Int?
    /// ledger-verify ok: the tree size and root (hex) the client saw, and whether it verified.
    var tree_size: UInt64?
    var root: String?
    var verified: Bool?
    /// fault/heal: the node involved and a description.
    var node: String?
    var detail: String?
    /// fail/unknown: the error text.
    var error: String?

    init(op: Int, type: String, process: String, f: String, t_ms: Int) {
        self.op = op
        self.type = type
        self.process = process
        self.f = f
        self.t_ms = t_ms
    }
}

/// Appends history events to a JSON-lines file as they happen (thread-safe).
final class HistoryRecorder: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()
    private var nextOp = 0
    private(set) var events: [HistoryEvent] = []
    let start = ContinuousClock.now
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    /// - Throws: `ConfigError` when the file cannot be created.
    init(path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let h = FileHandle(forWritingAtPath: path) else {
            throw ConfigError(field: "--dir", message: "cannot write the history file \(path)")
        }
        handle = h
    }

    /// Milliseconds since the recorder was created.
    var nowMilliseconds: Int {
        let d = ContinuousClock.now - start
        return Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
    }

    /// A fresh operation number.
    func newOp() -> Int { lock.withLock { defer { nextOp += 1 }; return nextOp } }

    /// Records `event` (its `t_ms` set to now when 0 is passed as -1).
    func record(_ event: HistoryEvent) {
        var e = event
        if e.t_ms < 0 { e.t_ms = nowMilliseconds }
        let line = (try? encoder.encode(e)).map { $0 + Data("\n".utf8) } ?? Data()
        lock.withLock {
            events.append(e)
            handle.write(line)
        }
    }

    func close() { lock.withLock { try? handle.close() } }

    /// Reads a history file back.
    /// - Throws: `ConfigError` naming the line that does not decode.
    static func load(path: String) throws -> [HistoryEvent] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(field: "history", message: "cannot read \(path)")
        }
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").enumerated().map { i, line in
            do { return try decoder.decode(HistoryEvent.self, from: Data(line.utf8)) } catch {
                throw ConfigError(field: "history", message: "\(path):\(i + 1): not a history event: \(error)")
            }
        }
    }
}
