import Foundation
import Glibc

/// The `.msvc/` folder of one stack instance: run/msvc.sock, run/state.json, run/lock, logs/, data/.
public struct StateDirectory: Sendable {
    /// The `.msvc` folder.
    public let root: String

    /// Creates the layout rooted at `root`.
    public init(root: String) { self.root = root }

    /// The layout beside msvc.yaml.
    public static func beside(configDirectory: String) -> StateDirectory {
        StateDirectory(root: (configDirectory as NSString).appendingPathComponent(".msvc"))
    }

    /// `run/`, owner-only.
    public var run: String { root + "/run" }
    /// The control socket.
    public var socket: String { run + "/msvc.sock" }
    /// The pid record.
    public var stateFile: String { run + "/state.json" }
    /// The instance lock, held by the running supervisor.
    public var lockFile: String { run + "/lock" }
    /// The log folder.
    public var logs: String { root + "/logs" }
    /// Services' own data for this instance, exported as `MSVC_STATE_DIR`.
    public var data: String { root + "/data" }

    /// The log file of one replica: `orders.log`, `orders.2.log`.
    public func logFile(service: String, replica: Int) -> String {
        logs + "/" + (replica == 1 ? service : "\(service).\(replica)") + ".log"
    }

    /// Creates the folders, owner-only (0700), and checks that each is a real folder of this
    /// user that nobody else can write: run state is acted on later (pids to reap, a socket
    /// to answer), so a planted link or folder must never be trusted.
    public func create() throws(StateDirectoryError) {
        for path in [root, logs, data, run] { try Self.secureFolder(path) }
    }

    /// Makes `path` (creating it if missing) an owner-only folder of the current user; refuses
    /// a symbolic link, a non-folder, another owner, or a folder others may write to.
    static func secureFolder(_ path: String) throws(StateDirectoryError) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            if errno == ENOENT {
                // Missing parents are created as any `mkdir -p` would; only msvc's own folders are checked.
                let parent = (path as NSString).deletingLastPathComponent
                do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
                    throw .system(parent, ENOENT)
                }
                if mkdir(path, 0o700) != 0 && errno != EEXIST { throw .system(path, errno) }
            } else {
                throw .system(path, errno)
            }
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            var st = stat()
            if lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK { throw .symlink(path) }
            if errno == ENOTDIR { throw .notFolder(path) }
            throw .system(path, errno)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .system(path, errno) }
        guard st.st_uid == geteuid() else { throw .foreignOwner(path, uid: st.st_uid) }
        if st.st_mode & 0o022 != 0 { throw .writableByOthers(path, mode: st.st_mode & 0o777) }
        if st.st_mode & 0o077 != 0, fchmod(fd, 0o700) != 0 { throw .system(path, errno) }
    }
}

/// Why a state folder cannot be used.
public enum StateDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// It is a symbolic link.
    case symlink(String)
    /// Something other than a folder is in the way.
    case notFolder(String)
    /// Another user owns it.
    case foreignOwner(String, uid: UInt32)
    /// Group or others may write to it.
    case writableByOthers(String, mode: UInt32)
    /// A system call failed.
    case system(String, Int32)

    public var description: String {
        switch self {
        case .symlink(let p):
            return "\(p) is a symbolic link; msvc keeps run state only in a real folder. Remove the link (rm \(p)) and run again"
        case .notFolder(let p):
            return "\(p) is not a folder; move it away and run again"
        case .foreignOwner(let p, let uid):
            return "\(p) belongs to another user (uid \(uid)); msvc trusts run state only in the user's own folder. Remove it (or run msvc as its owner)"
        case .writableByOthers(let p, let mode):
            return "\(p) can be written by other users (mode \(String(mode, radix: 8))); its contents cannot be trusted. Remove it and run again"
        case .system(let p, let e):
            return "\(p): \(String(cString: strerror(e)))"
        }
    }
}
