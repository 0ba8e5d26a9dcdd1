import Foundation

/// Reads files under /proc and /sys whole. Their size is reported as 0 (or one page), and
/// Foundation's `String(contentsOfFile:)` and `FileManager.contents(atPath:)` stop after the
/// first 4 KiB: /proc/net/tcp with a few hundred sockets, or a long /proc/self/mountinfo,
/// would be cut short without an error.
public enum ProcFile {
    /// The file's bytes, read until end of file; nil when it cannot be opened or read.
    public static func data(_ path: String) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                out.append(contentsOf: buffer[0..<n])
            } else if n == 0 {
                return out
            } else if errno != EINTR {
                return nil
            }
        }
    }

    /// The file as UTF-8 text (invalid bytes replaced); nil when it cannot be read.
    public static func text(_ path: String) -> String? {
        data(path).map { String(decoding: $0, as: UTF8.self) }
    }
}
