import Foundation
import Glibc

/// What watch mode should watch for one service.
public struct WatchSubscription: Sendable, Equatable {
    /// Who is watching (the service name).
    public var id: String
    /// Folders (watched recursively) and files, absolute.
    public var roots: [String]
    /// The service's cwd: `watch.ignore` patterns are relative to it.
    public var base: String
    /// The folder holding msvc.yaml; `.gitignore` files from here down apply.
    public var projectRoot: String
    /// `watch.ignore` patterns.
    public var ignore: [String]

    /// Creates a subscription.
    public init(id: String, roots: [String], base: String, projectRoot: String, ignore: [String]) {
        self.id = id
        self.roots = roots
        self.base = base
        self.projectRoot = projectRoot
        self.ignore = ignore
    }
}

/// What the watcher saw.
public enum WatchEvent: Sendable, Equatable {
    /// A path changed (written, moved, deleted) for subscription `id`; `created` when this
    /// event created it or moved something onto it (a file that is created and gone again by the time anyone acts, such
    /// as an editor's or an atomic write's temporary file, changed nothing).
    case changed(id: String, path: String, created: Bool)
    /// The kernel's queue overflowed: changes were lost, the trees were rescanned, and each
    /// subscription should act as if something changed.
    case overflow(id: String)
    /// A folder could not be watched: why (e.g. the inotify watch limit).
    case problem(id: String, message: String)
}

/// Watches folder trees with Linux inotify on a thread of its own (never on the cooperative
/// pool). Folders are watched recursively; new folders are picked up as they appear; ignored
/// folders are never watched; an overflow of the kernel queue triggers a rescan. Idle, it
/// costs nothing: the thread sleeps in epoll until the kernel has events.
public final class FileWatcher: Sendable {
    enum Command: Sendable {
        case add(WatchSubscription)
        case remove(String)
        case shutdown
    }

    private let poller: EventPoller
    private let inbox: ThreadMailbox<Command>
    /// Fulfilled when the thread has ended.
    let finished = OneShot<Void>()

    /// Starts the watcher thread; `deliver` gets each batch of events on that thread.
    public init(deliver: @escaping @Sendable ([WatchEvent]) -> Void) throws(LaunchError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw .system(call: "inotify_init1", errno: errno) }
        do {
            poller = try EventPoller()
        } catch {
            close(fd)
            throw error
        }
        inbox = ThreadMailbox(poller: poller) { if case .shutdown = $0 { true } else { false } }
        _ = poller.add(fd, token: 1)
        let poller = self.poller, inbox = self.inbox, finished = self.finished
        do {
            try DedicatedThread.start(name: "msvc-watch") {
                WatchLoop(fd: fd, poller: poller, inbox: inbox, deliver: deliver).run()
                close(fd)
                finished.fulfill(())
            }
        } catch {
            close(fd)
            throw error
        }
    }

    /// Starts watching for `subscription` (replacing one with the same id).
    public func add(_ subscription: WatchSubscription) { inbox.submit(.add(subscription)) }

    /// Stops watching for `id`.
    public func remove(_ id: String) { inbox.submit(.remove(id)) }

    /// Stops the thread and releases every watch.
    public func shutdown() async {
        inbox.submit(.shutdown)
        _ = await finished.wait(timeout: .seconds(5))
    }

    /// The kernel's limit on inotify watches per user (`fs.inotify.max_user_watches`).
    public static var maxUserWatches: Int? {
        (ProcFile.text("/proc/sys/fs/inotify/max_user_watches"))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// The watcher thread's state; confined to that thread.
private final class WatchLoop {
    static let mask = UInt32(IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO
                             | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)

    struct Subscriber {
        var subscription: WatchSubscription
        var rules: IgnoreRules
        /// Root folders (watched recursively).
        var folders: [String]
        /// Watched files by their folder: only these names count there.
        var files: [String: Set<String>]
    }

    let fd: Int32
    let poller: EventPoller
    let inbox: ThreadMailbox<FileWatcher.Command>
    let deliver: @Sendable ([WatchEvent]) -> Void
    var subscribers: [String: Subscriber] = [:]
    var folderOf: [Int32: String] = [:]
    var watchOf: [String: Int32] = [:]
    /// Who watches each folder.
    var watchers: [String: Set<String>] = [:]
    var pending: [WatchEvent] = []

    init(fd: Int32, poller: EventPoller, inbox: ThreadMailbox<FileWatcher.Command>, deliver: @escaping @Sendable ([WatchEvent]) -> Void) {
        self.fd = fd
        self.poller = poller
        self.inbox = inbox
        self.deliver = deliver
    }

    func run() {
        var tokens = [UInt64](repeating: 0, count: 8)
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = poller.wait(timeoutMS: -1, into: &tokens)
            for token in tokens.prefix(n) {
                if token == EventPoller.wakeToken {
                    poller.drainWake()
                    for command in inbox.take() {
                        switch command {
                        case .add(let s): add(s)
                        case .remove(let id): remove(id)
                        case .shutdown:
                            flush()
                            return
                        }
                    }
                } else {
                    readEvents(&buffer)
                }
            }
            flush()
        }
    }

    func flush() {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = []
        deliver(batch)
    }

    // MARK: Subscriptions

    func add(_ s: WatchSubscription) {
        remove(s.id)
        var sub = Subscriber(subscription: s, rules: IgnoreRules(projectRoot: s.projectRoot, base: s.base, patterns: s.ignore),
                             folders: [], files: [:])
        for root in s.roots {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir) else {
                pending.append(.problem(id: s.id, message: "watch path \(root) does not exist; create it or fix watch.paths"))
                continue
            }
            if isDir.boolValue {
                sub.folders.append(root)
            } else {
                sub.files[(root as NSString).deletingLastPathComponent, default: []].insert((root as NSString).lastPathComponent)
            }
        }
        subscribers[s.id] = sub
        scan(s.id)
    }

    /// Watches every folder of a subscriber's trees (again, after an overflow).
    func scan(_ id: String) {
        guard let sub = subscribers[id] else { return }
        for folder in sub.folders { walk(folder, id, isRoot: true) }
        for folder in sub.files.keys { watch(folder, id) }
    }

    func remove(_ id: String) {
        guard subscribers.removeValue(forKey: id) != nil else { return }
        for (folder, ids) in watchers where ids.contains(id) {
            var left = ids
            left.remove(id)
            if left.isEmpty {
                watchers[folder] = nil
                if let wd = watchOf.removeValue(forKey: folder) {
                    folderOf[wd] = nil
                    inotify_rm_watch(fd, wd)
                }
            } else {
                watchers[folder] = left
            }
        }
    }

    /// Watches `folder` and, unless ignored, every folder below it (symbolic links are not
    /// followed, so a link cannot make the walk loop).
    func walk(_ folder: String, _ id: String, isRoot: Bool = false) {
        guard let sub = subscribers[id] else { return }
        if !isRoot && sub.rules.isIgnored(folder, isFolder: true) { return }
        guard watch(folder, id) else { return }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in entries {
            let path = folder + "/" + name
            var st = stat()
            if lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { walk(path, id) }
        }
    }

    @discardableResult
    func watch(_ folder: String, _ id: String) -> Bool {
        watchers[folder, default: []].insert(id)
        if watchOf[folder] != nil { return true }
        let wd = inotify_add_watch(fd, folder, Self.mask)
        guard wd >= 0 else {
            let e = errno
            watchers[folder]?.remove(id)
            if e == ENOSPC {
                let limit = FileWatcher.maxUserWatches.map { " (fs.inotify.max_user_watches = \($0))" } ?? ""
                pending.append(.problem(id: id, message: "cannot watch \(folder): the inotify watch limit is reached\(limit); raise it with: sudo sysctl fs.inotify.max_user_watches=524288, or add the folder to watch.ignore"))
            } else if e != ENOENT && e != ENOTDIR {
                pending.append(.problem(id: id, message: "cannot watch \(folder): \(String(cString: strerror(e)))"))
            }
            return false
        }
        watchOf[folder] = wd
        folderOf[wd] = folder
        return true
    }

    // MARK: Events

    func readEvents(_ buffer: inout [UInt8]) {
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= n {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                    let wd = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                    let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let len = raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)
                    return (wd, mask, Int(len))
                }
                let nameBytes = buffer[(offset + header)..<min(n, offset + header + length)]
                let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                handle(wd: wd, mask: mask, name: name)
                offset += header + length
            }
        }
    }

    func handle(wd: Int32, mask: UInt32, name: String) {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 {
            for id in subscribers.keys {
                scan(id)
                pending.append(.overflow(id: id))
            }
            return
        }
        guard let folder = folderOf[wd] else { return }
        if mask & UInt32(IN_IGNORED) != 0 {
            folderOf[wd] = nil
            watchOf[folder] = nil
            watchers[folder] = nil
            return
        }
        let path = name.isEmpty ? folder : folder + "/" + name
        let isFolder = mask & UInt32(IN_ISDIR) != 0
        for id in watchers[folder] ?? [] {
            guard let sub = subscribers[id] else { continue }
            if let names = sub.files[folder], !sub.folders.contains(where: { folder == $0 || folder.hasPrefix($0 + "/") }) {
                guard names.contains(name) else { continue }
            }
            if name == ".gitignore" { sub.rules.invalidate(folder) }
            if !name.isEmpty && sub.rules.isIgnored(path, isFolder: isFolder) { continue }
            if isFolder && mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                // A new folder: watch it (and what it already holds) before more appears in it.
                walk(path, id)
            }
            // A rename onto a name brings it into being as much as a create does (an atomic
            // write is a create of a temporary name and a rename onto the real one).
            pending.append(.changed(id: id, path: path, created: mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0))
        }
    }
}
