import Foundation
import Glibc

/// Small files in the state folder (state.json, ports.json), replaced whole.
enum StateFile {
    /// Replaces `path` with `bytes` atomically: a new file with a name nobody can predict,
    /// created with O_EXCL and O_NOFOLLOW in the folder opened without following links, renamed
    /// over `path`. A planted link (`state.json`, `state.json.tmp`) is replaced or ignored, never
    /// written through. No fsync: these files describe a running stack, and the supervisor (an
    /// actor, on the shared pool) must not wait for the disk; the rename still shows readers
    /// the old file or the new one, never a mix.
    static func replace(_ path: String, with bytes: [UInt8]) throws {
        let (dir, name) = split(path)
        let dirFD = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard dirFD >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(dirFD) }
        for _ in 0..<16 {
            let tmp = ".\(name).\(getpid()).\(String(UInt64.random(in: 0...UInt64.max), radix: 36)).tmp"
            let fd = openat(dirFD, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd < 0, errno == EEXIST { continue }
            guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            var written = 0
            var failure: Int32 = 0
            bytes.withUnsafeBytes { raw in
                while written < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        return
                    }
                    written += n
                }
            }
            close(fd)
            if failure == 0, renameat(dirFD, tmp, dirFD, name) == 0 { return }
            let error = failure != 0 ? failure : errno
            unlinkat(dirFD, tmp, 0)
            throw POSIXError(POSIXErrorCode(rawValue: error) ?? .EIO)
        }
        throw POSIXError(.EEXIST)
    }

    static func split(_ path: String) -> (dir: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let dir = String(path[..<slash])
        return (dir.isEmpty ? "/" : dir, String(path[path.index(after: slash)...]))
    }
}
