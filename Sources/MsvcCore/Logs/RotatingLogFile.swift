import Foundation

/// An append-only log file that rotates by size: `orders.log` → `orders.log.1` → … → `.log.N`.
/// Not thread-safe: one writer owns it (the output reader for that process).
public final class RotatingLogFile {
    /// The current file's path.
    public let path: String
    /// Size at which the file rotates.
    public let maxSize: Int
    /// Rotated files kept.
    public let keep: Int
    private var fd: Int32 = -1
    private var size = 0

    /// Opens (appending to) `path`, creating its folder.
    public init(path: String, maxSize: Int = 10 << 20, keep: Int = 3) throws {
        self.path = path
        self.maxSize = maxSize
        self.keep = keep
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try open()
    }

    private func open() throws {
        fd = Foundation.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var st = stat()
        size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    }

    /// Appends bytes (whole lines), rotating first when they would overflow the file.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard fd >= 0, bytes.count > 0 else { return }
        if size > 0 && size + bytes.count > maxSize { rotate() }
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
        size += bytes.count
    }

    /// Appends text.
    public func write(_ text: String) {
        var t = text
        t.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    private func rotate() {
        close(fd)
        let fm = FileManager.default
        try? fm.removeItem(atPath: "\(path).\(keep)")
        if keep > 1 {
            for i in stride(from: keep - 1, through: 1, by: -1) {
                try? fm.moveItem(atPath: "\(path).\(i)", toPath: "\(path).\(i + 1)")
            }
        }
        try? fm.moveItem(atPath: path, toPath: "\(path).1")
        try? open()
    }

    deinit { if fd >= 0 { close(fd) } }
}
