import Foundation

/// The `.msvc/` folder of one stack instance: run/msvc.sock, run/state.json, logs/.
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
    /// The log folder.
    public var logs: String { root + "/logs" }
    /// Services' own data for this instance, exported as `MSVC_STATE_DIR`.
    public var data: String { root + "/data" }

    /// The log file of one replica: `orders.log`, `orders.2.log`.
    public func logFile(service: String, replica: Int) -> String {
        logs + "/" + (replica == 1 ? service : "\(service).\(replica)") + ".log"
    }

    /// Creates the folders (run/ with mode 0700).
    public func create() throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: logs, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: data, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: run, withIntermediateDirectories: true)
        chmod(run, 0o700)
    }
}

/// What `state.json` records so that a later msvc can reap what a crashed one left behind.
public struct RunRecord: Sendable, Equatable {
    /// One process group msvc started.
    public struct Group: Sendable, Equatable {
        public var service: String
        public var replica: Int
        public var pgid: Int32
        /// The leader's start time in clock ticks since boot (/proc/PID/stat field 22), so a
        /// recycled pid is never mistaken for ours.
        public var startTicks: UInt64

        /// Creates a record.
        public init(service: String, replica: Int, pgid: Int32, startTicks: UInt64) {
            self.service = service
            self.replica = replica
            self.pgid = pgid
            self.startTicks = startTicks
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

    /// Creates a record.
    public init(supervisorPID: Int32, supervisorStartTicks: UInt64, project: String, groups: [Group]) {
        self.supervisorPID = supervisorPID
        self.supervisorStartTicks = supervisorStartTicks
        self.project = project
        self.groups = groups
    }

    var json: JSON {
        .object([
            ("pid", .int(Int(supervisorPID))),
            ("start_ticks", .int(Int(supervisorStartTicks))),
            ("project", .string(project)),
            ("groups", .array(groups.map { g in
                .object([("service", .string(g.service)), ("replica", .int(g.replica)),
                         ("pgid", .int(Int(g.pgid))), ("start_ticks", .int(Int(g.startTicks)))])
            })),
        ])
    }

    init?(json: JSON) {
        guard let pid = json["pid"]?.intValue, let ticks = json["start_ticks"]?.intValue else { return nil }
        supervisorPID = Int32(pid)
        supervisorStartTicks = UInt64(ticks)
        project = json["project"]?.stringValue ?? ""
        groups = (json["groups"]?.arrayValue ?? []).compactMap { g in
            guard let s = g["service"]?.stringValue, let r = g["replica"]?.intValue, let p = g["pgid"]?.intValue,
                  let t = g["start_ticks"]?.intValue else { return nil }
            return Group(service: s, replica: r, pgid: Int32(p), startTicks: UInt64(t))
        }
    }

    /// Writes the record atomically (write to a temporary file, then rename).
    public func write(to path: String) throws {
        let tmp = path + ".tmp"
        try json.serialized().write(toFile: tmp, atomically: false, encoding: .utf8)
        guard rename(tmp, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Reads a record, or nil when there is none (or it is unreadable).
    public static func read(from path: String) -> RunRecord? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let json = try? JSON.parse(text) else { return nil }
        return RunRecord(json: json)
    }
}

/// Facts about live processes, from /proc.
public enum ProcInfo {
    /// Field 22 of /proc/PID/stat: start time in clock ticks since boot.
    public static func startTicks(of pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command come fields 3...; start time is field 22, index 19 here.
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    /// Pids of every live process whose process group is `pgid` (zombies, which have
    /// exited and only wait to be reaped, are not counted).
    public static func members(ofGroup pgid: Int32) -> [Int32] {
        var out: [Int32] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, Int32(fields[2]) == pgid, fields[0] != "Z" { out.append(pid) }
        }
        return out
    }
}

/// Reaps what an earlier msvc left running, using its state.json.
public enum LeftoverReaper {
    /// What a reap found.
    public struct Report: Sendable, Equatable {
        /// A supervisor that is still alive (a stack already running), if any.
        public var liveSupervisor: Int32?
        /// Groups killed: service, replica, process group id and how many processes it had.
        public var reaped: [(service: String, replica: Int, pgid: Int32, processes: Int)]

        public static func == (a: Report, b: Report) -> Bool {
            a.liveSupervisor == b.liveSupervisor && a.reaped.map(\.service) == b.reaped.map(\.service)
                && a.reaped.map(\.pgid) == b.reaped.map(\.pgid)
        }
    }

    /// Kills every recorded group whose leader is still the process we started, unless the
    /// recorded supervisor is itself alive (then nothing is touched).
    public static func reap(_ dir: StateDirectory) -> Report {
        guard let record = RunRecord.read(from: dir.stateFile) else { return Report(liveSupervisor: nil, reaped: []) }
        if record.supervisorPID != getpid(), ProcInfo.startTicks(of: record.supervisorPID) == record.supervisorStartTicks {
            return Report(liveSupervisor: record.supervisorPID, reaped: [])
        }
        var reaped: [(String, Int, Int32, Int)] = []
        for g in record.groups {
            let members = ProcInfo.members(ofGroup: g.pgid)
            guard !members.isEmpty else { continue }
            // The leader may be gone while children remain; then trust the group id only if no
            // process in it started before the recorded leader did.
            let leaderOK = ProcInfo.startTicks(of: g.pgid).map { $0 == g.startTicks }
                ?? members.allSatisfy { (ProcInfo.startTicks(of: $0) ?? 0) >= g.startTicks }
            guard leaderOK else { continue }
            kill(-g.pgid, SIGKILL)
            reaped.append((g.service, g.replica, g.pgid, members.count))
        }
        try? FileManager.default.removeItem(atPath: dir.stateFile)
        return Report(liveSupervisor: nil, reaped: reaped)
    }
}
