#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// OS randomness (`/dev/urandom`, which never blocks once the kernel's pool is initialised;
/// `arc4random_buf` on Darwin), fetched in 4 KiB blocks and handed out in order, each byte
/// once. Not a generator of its own: every byte comes from the OS.
final class RandomPool: Sendable {
    static let shared = RandomPool()
    private static let block = 4096
    private let state = Mutex<(buffer: [UInt8], next: Int)>(([], RandomPool.block))

    /// `count` (≤ 4096) fresh random bytes.
    func bytes(_ count: Int) -> [UInt8] {
        precondition(count <= Self.block)
        return state.withLock { s in
            if s.next + count > s.buffer.count {
                s.buffer = Self.fetch(Self.block)
                s.next = 0
            }
            defer { s.next += count }
            return Array(s.buffer[s.next..<s.next + count])
        }
    }

    private static func fetch(_ n: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        out.withUnsafeMutableBytes { buf in
            #if canImport(Glibc)
            let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
            precondition(fd >= 0, "cannot open /dev/urandom: errno \(errno)")
            defer { close(fd) }
            var filled = 0
            while filled < n {
                let got = read(fd, buf.baseAddress! + filled, n - filled)
                if got > 0 { filled += got } else { precondition(got < 0 && errno == EINTR, "reading /dev/urandom failed: errno \(errno)") }
            }
            #else
            arc4random_buf(buf.baseAddress!, n)
            #endif
        }
        return out
    }
}
