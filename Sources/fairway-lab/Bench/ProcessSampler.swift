import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time and resident memory of a process, read from `/proc/<pid>` (Linux).
struct ProcessSample: Sendable {
    /// User + system CPU time, seconds.
    var cpuSeconds: Double
    /// Resident set size, bytes.
    var residentBytes: Double

    /// The process's sample now, or nil if it is gone.
    static func read(_ pid: pid_t) -> ProcessSample? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command's closing parenthesis: state is field 3; utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var rss = 0.0
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
           let kb = Double(line.split(separator: " ").dropFirst().first ?? "") {
            rss = kb * 1024
        }
        return ProcessSample(cpuSeconds: (utime + stime) / ticks, residentBytes: rss)
    }

    /// This process's own CPU time (user + system), seconds.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
