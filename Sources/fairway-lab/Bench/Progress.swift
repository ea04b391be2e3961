import Foundation

/// A one-line progress bar on stderr (redrawn in place on a terminal, a line per 10% otherwise).
final class Progress {
    let total: Int
    let label: String
    private let tty = isatty(2) == 1
    private var lastDecile = -1

    init(total: Int, label: String) {
        self.total = max(1, total)
        self.label = label
    }

    func update(_ done: Int) {
        let fraction = Double(min(done, total)) / Double(total)
        if tty {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            FileHandle.standardError.write(Data("\r\(bar) \(Int(fraction * 100))% \(done)/\(total) \(label)".utf8))
        } else {
            let decile = Int(fraction * 10)
            guard decile != lastDecile else { return }
            lastDecile = decile
            FileHandle.standardError.write(Data("\(decile * 10)% \(done)/\(total) \(label)\n".utf8))
        }
    }

    func finish() {
        if tty { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
