import Foundation

/// An append-only log file that rotates by size: `orders.log` → `orders.log.1` → … → `.log.N`.
/// Created owner-only (0600), never through a symbolic link. A write is all or nothing: when
/// the disk fills halfway through, the file is cut back so it never ends in half a line.
/// Not thread-safe: one writer owns it.
public final class RotatingLogFile {
    /// Why a write did not happen.
    public struct WriteError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The `errno` of the failed call.
        public var code: Int32
        /// `strerror` text, e.g. "No space left on device".
        public var description: String { String(cString: strerror(code)) }
    }

    /// The current file's path.
    public let path: String
    /// Size at which the file rotates.
    public let maxSize: Int
    /// Rotated files kept.
    public let keep: Int
    /// The write(2) to use; tests inject failures here when they cannot fill a real disk.
    let writeCall: (Int32, UnsafeRawPointer, Int) -> Int
    private var fd: Int32 = -1
    private var size = 0
    /// A failed write left a partial line that could not be cut off: start with a newline.
    private var brokenLine = false

    /// Prepares `path` (creating its folder, owner-only); the file is opened on first write,
    /// and again after a failure, so a missing folder or a full disk is retried, not fatal.
    public init(path: String, maxSize: Int = 10 << 20, keep: Int = 3) {
        self.path = path
        self.maxSize = maxSize
        self.keep = keep
        writeCall = { Foundation.write($0, $1, $2) }
    }

    /// The same, with an injected write(2).
    init(path: String, maxSize: Int, keep: Int = 3, writeCall: @escaping (Int32, UnsafeRawPointer, Int) -> Int) {
        self.path = path
        self.maxSize = maxSize
        self.keep = keep
        self.writeCall = writeCall
    }

    private func open() throws(WriteError) {
        let folder = (path as NSString).deletingLastPathComponent
        if mkdir(folder, 0o700) != 0 && errno != EEXIST {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        fd = Foundation.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw WriteError(code: errno) }
        var st = stat()
        if fstat(fd, &st) == 0 {
            size = Int(st.st_size)
            // A file from an older msvc may be readable by others; logs can hold secrets.
            if st.st_mode & 0o077 != 0 { fchmod(fd, st.st_mode & 0o700) }
        }
    }

    /// Appends bytes (whole lines), rotating first when they would overflow the file. Either
    /// every byte is written or none is.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(WriteError) {
        guard bytes.count > 0 else { return }
        if fd >= 0, size > 0, size + bytes.count > maxSize { rotate() }
        if fd < 0 { try open() }
        if brokenLine {
            var newline: UInt8 = 0x0A
            guard writeCall(fd, &newline, 1) == 1 else { throw WriteError(code: errno) }
            size += 1
            brokenLine = false
        }
        var offset = 0
        while offset < bytes.count {
            let n = writeCall(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                cutBack(offset)
                throw WriteError(code: code)
            }
            if n == 0 {
                cutBack(offset)
                throw WriteError(code: ENOSPC)
            }
            offset += n
        }
        size += bytes.count
    }

    /// Appends bytes held in an array.
    public func write(_ bytes: [UInt8]) throws(WriteError) {
        let result = bytes.withUnsafeBytes { b in Result { () throws(WriteError) in try write(b) } }
        try result.get()
    }

    /// Appends text.
    public func write(_ text: String) throws(WriteError) {
        try write(Array(text.utf8))
    }

    /// Removes the `written` bytes of a failed write from the end of the file.
    private func cutBack(_ written: Int) {
        guard written > 0 else { return }
        var st = stat()
        if fstat(fd, &st) == 0, ftruncate(fd, st.st_size - off_t(written)) == 0 { return }
        brokenLine = true
        size += written
    }

    private func rotate() {
        close(fd)
        fd = -1
        let fm = FileManager.default
        try? fm.removeItem(atPath: "\(path).\(keep)")
        if keep > 1 {
            for i in stride(from: keep - 1, through: 1, by: -1) {
                try? fm.moveItem(atPath: "\(path).\(i)", toPath: "\(path).\(i + 1)")
            }
        }
        try? fm.moveItem(atPath: path, toPath: "\(path).1")
        size = 0
        brokenLine = false
    }

    deinit { if fd >= 0 { close(fd) } }
}
