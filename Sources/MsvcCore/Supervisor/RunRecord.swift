import Foundation

/// What `state.json` records so that a later msvc can reap what a crashed one left behind.
///
/// Nothing in it is trusted on its own: `LeftoverReaper` acts on a recorded process only when
/// it still runs with the recorded start time and carries this stack's mark.
public struct RunRecord: Sendable, Equatable {
    /// One process group msvc started.
    public struct Group: Sendable, Equatable {
        /// The service.
        public var service: String
        /// The replica number.
        public var replica: Int
        /// The process group id (the leader's pid).
        public var pgid: Int32
        /// The leader's start time in clock ticks since boot (/proc/PID/stat field 22), so a
        /// recycled pid is never mistaken for ours.
        public var startTicks: UInt64
        /// The group's own cgroup under cgroup containment.
        public var cgroup: String?
        /// Processes started from the group that left it, as known when the record was written.
        public var escaped: [ProcessIdentity]

        /// Creates a record.
        public init(service: String, replica: Int, pgid: Int32, startTicks: UInt64, cgroup: String? = nil,
                    escaped: [ProcessIdentity] = []) {
            self.service = service
            self.replica = replica
            self.pgid = pgid
            self.startTicks = startTicks
            self.cgroup = cgroup
            self.escaped = escaped
        }

        /// The record of a running process: its group, cgroup and escaped processes.
        public init(service: String, replica: Int, process: LaunchedProcess) {
            self.init(service: service, replica: replica, pgid: process.pgid,
                      startTicks: process.startTicks, cgroup: process.cgroupPath,
                      escaped: process.escapedProcesses)
        }
    }

    /// The supervisor's pid.
    public var supervisorPID: Int32
    /// The supervisor's start time in ticks.
    public var supervisorStartTicks: UInt64
    /// The project name.
    public var project: String
    /// The groups alive now.
    public var groups: [Group]
    /// The launcher's cgroup under cgroup containment (every group's cgroup is below it).
    public var cgroup: String?

    /// Creates a record.
    public init(supervisorPID: Int32, supervisorStartTicks: UInt64, project: String, groups: [Group], cgroup: String? = nil) {
        self.supervisorPID = supervisorPID
        self.supervisorStartTicks = supervisorStartTicks
        self.project = project
        self.groups = groups
        self.cgroup = cgroup
    }

    /// The record of this process as supervisor, with `containment` from its launcher.
    public static func current(project: String, groups: [Group], containment: ProcessContainment?) -> RunRecord {
        let me = getpid()
        return RunRecord(supervisorPID: me, supervisorStartTicks: ProcInfo.startTicks(of: me) ?? 0, project: project,
                         groups: groups, cgroup: containment?.cgroupPath)
    }

    var json: JSON {
        var fields: [(String, JSON)] = [
            ("pid", .int(Int(supervisorPID))),
            ("start_ticks", .int(Int(supervisorStartTicks))),
            ("project", .string(project)),
        ]
        if let cgroup { fields.append(("cgroup", .string(cgroup))) }
        fields.append(("groups", .array(groups.map { g in
            var group: [(String, JSON)] = [("service", .string(g.service)), ("replica", .int(g.replica)),
                                           ("pgid", .int(Int(g.pgid))), ("start_ticks", .int(Int(g.startTicks)))]
            if let cgroup = g.cgroup { group.append(("cgroup", .string(cgroup))) }
            if !g.escaped.isEmpty {
                group.append(("escaped", .array(g.escaped.map { e in
                    .object([("pid", .int(Int(e.pid))), ("start_ticks", .int(Int(e.startTicks)))])
                })))
            }
            return .object(group)
        })))
        return .object(fields)
    }

    /// Reads a record written by this or an earlier version (fields added later are optional).
    init?(json: JSON) {
        guard let pid = json["pid"]?.intValue, let ticks = json["start_ticks"]?.intValue,
              let pid32 = Int32(exactly: pid), ticks >= 0 else { return nil }
        supervisorPID = pid32
        supervisorStartTicks = UInt64(ticks)
        project = json["project"]?.stringValue ?? ""
        cgroup = json["cgroup"]?.stringValue
        groups = (json["groups"]?.arrayValue ?? []).compactMap { g in
            guard let s = g["service"]?.stringValue, let r = g["replica"]?.intValue, let p = g["pgid"]?.intValue,
                  let pgid = Int32(exactly: p), pgid > 1, let t = g["start_ticks"]?.intValue, t >= 0 else { return nil }
            let escaped = (g["escaped"]?.arrayValue ?? []).compactMap { e -> ProcessIdentity? in
                guard let pid = e["pid"]?.intValue, let pid32 = Int32(exactly: pid), pid32 > 1,
                      let start = e["start_ticks"]?.intValue, start >= 0 else { return nil }
                return ProcessIdentity(pid: pid32, startTicks: UInt64(start))
            }
            return Group(service: s, replica: r, pgid: pgid, startTicks: UInt64(t), cgroup: g["cgroup"]?.stringValue,
                         escaped: escaped)
        }
    }

    /// The largest state.json read; anything bigger is not a record msvc wrote.
    static let maxSize = 4 << 20

    /// Writes the record atomically (`StateFile.replace`).
    public func write(to path: String) throws {
        try StateFile.replace(path, with: Array(json.serialized().utf8))
    }

    /// Reads a record, or nil when there is none, it is not a regular file (a link, a FIFO), it is
    /// too large, or it does not parse.
    public static func read(from path: String) -> RunRecord? {
        let (dir, name) = StateFile.split(path)
        let dirFD = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard dirFD >= 0 else { return nil }
        defer { close(dirFD) }
        let fd = openat(dirFD, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size <= maxSize else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var got = 0
        while got < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        guard let json = try? JSON.parse(String(decoding: bytes.prefix(got), as: UTF8.self)) else { return nil }
        return RunRecord(json: json)
    }

    /// Removes the record at `path` (a link there is removed, not followed).
    public static func remove(at path: String) {
        let (dir, name) = StateFile.split(path)
        let dirFD = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard dirFD >= 0 else { return }
        unlinkat(dirFD, name, 0)
        close(dirFD)
    }
}
