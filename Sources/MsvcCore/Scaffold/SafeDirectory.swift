import Foundation

/// A folder opened by descriptor, whose entries are created, renamed and removed with the
/// `*at` calls and `O_NOFOLLOW`: nothing done through it follows a symbolic link, even one
/// planted after the checks ran. `msvc new` writes only through these.
final class SafeDirectory {
    /// What an entry is, without following links.
    enum Kind { case file, directory, link, other }

    /// The open folder.
    let fd: Int32
    /// The folder's path, for messages.
    let path: String

    /// Opens `path`; the last component must not be a link unless `follow` (the project
    /// folder itself may be reached through links the user made).
    init(path: String, follow: Bool) throws(ScaffoldError) {
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW))
        self.path = path
        guard fd >= 0 else { throw Self.failure("cannot open", path) }
    }

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// The entry `name`, or nil when there is none.
    func kind(_ name: String) -> Kind? {
        var st = stat()
        guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .link
        default: return .other
        }
    }

    /// Mode and owner of the entry `name` (not followed).
    func status(_ name: String) -> stat? {
        var st = stat()
        return fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? st : nil
    }

    /// The sub-folder `name`, or nil when missing; a link or a file there is an error.
    func child(_ name: String) throws(ScaffoldError) -> SafeDirectory? {
        let c = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        if c >= 0 { return SafeDirectory(fd: c, path: path + "/" + name) }
        if errno == ENOENT { return nil }
        if errno == ELOOP || kind(name) == .link { throw .linkInTheWay(path + "/" + name) }
        throw Self.failure("cannot open", path + "/" + name)
    }

    /// Creates the sub-folder `name` and opens it.
    func makeChild(_ name: String, mode: mode_t = 0o755) throws(ScaffoldError) -> SafeDirectory {
        guard mkdirat(fd, name, mode) == 0 else { throw Self.failure("cannot create", path + "/" + name) }
        guard let c = try child(name) else { throw Self.failure("cannot open", path + "/" + name) }
        return c
    }

    /// Creates the file `name`, which must not exist, with `bytes`; then sets its mode (and
    /// owner when given, as far as permitted).
    func writeNew(_ name: String, _ bytes: [UInt8], mode: mode_t, owner: (uid_t, gid_t)? = nil) throws(ScaffoldError) {
        let f = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard f >= 0 else { throw Self.failure("cannot create", path + "/" + name) }
        defer { close(f) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(f, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                let error = Self.failure("cannot write", path + "/" + name)
                unlinkat(fd, name, 0)
                throw error
            }
            offset += n
        }
        if let (uid, gid) = owner { _ = fchown(f, uid, gid) }
        // After chown, which may clear set-id bits; umask does not apply to fchmod.
        fchmod(f, mode)
        guard fsync(f) == 0 else {
            let error = Self.failure("cannot write", path + "/" + name)
            unlinkat(fd, name, 0)
            throw error
        }
    }

    /// Renames the entry `name` to `newName` in `other`, refusing to replace anything. Files
    /// and links move by link-then-unlink, which fails on an existing name (renameat2's
    /// RENAME_NOREPLACE is not in Swift's Glibc module).
    func rename(_ name: String, to other: SafeDirectory, _ newName: String) throws(ScaffoldError) {
        if kind(name) != .directory {
            if linkat(fd, name, other.fd, newName, 0) == 0 {
                unlinkat(fd, name, 0)
                return
            }
            guard errno != EEXIST else { throw Self.failure("cannot move \(path)/\(name) to", other.path + "/" + newName) }
        }
        if other.kind(newName) != nil { errno = EEXIST } else if renameat(fd, name, other.fd, newName) == 0 { return }
        throw Self.failure("cannot move \(path)/\(name) to", other.path + "/" + newName)
    }

    /// Renames the entry `name` over `newName` in `other` (an atomic replace).
    func replace(_ name: String, in other: SafeDirectory, _ newName: String) throws(ScaffoldError) {
        guard renameat(fd, name, other.fd, newName) == 0 else {
            throw Self.failure("cannot replace", other.path + "/" + newName)
        }
    }

    /// Removes the file or link `name`; true when it is gone.
    @discardableResult
    func remove(_ name: String) -> Bool { unlinkat(fd, name, 0) == 0 || errno == ENOENT }

    /// Removes the folder `name` and everything in it, never following links; true when gone.
    @discardableResult
    func removeTree(_ name: String) -> Bool {
        guard kind(name) == .directory else { return remove(name) }
        if let dir = try? child(name) {
            for entry in dir.entries() { _ = dir.removeTree(entry) }
        }
        return unlinkat(fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT
    }

    /// Removes the folder `name` if it is empty; true when it is gone.
    @discardableResult
    func removeEmpty(_ name: String) -> Bool { unlinkat(fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT }

    /// The names in this folder.
    func entries() -> [String] {
        let d = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard d >= 0, let stream = fdopendir(d) else { return [] }
        defer { closedir(stream) }
        var out: [String] = []
        while let e = readdir(stream) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }

    private static func failure(_ what: String, _ path: String) -> ScaffoldError {
        .io("\(what) \(path): \(String(cString: strerror(errno)))")
    }
}
