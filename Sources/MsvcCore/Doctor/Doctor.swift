import Foundation

/// One finding of `msvc doctor` (and of the checks `msvc up` runs first).
public struct DoctorFinding: Sendable, Equatable {
    /// How bad it is.
    public enum Status: String, Sendable, Equatable {
        /// Fine.
        case ok
        /// Worth knowing; does not stop `up`.
        case warning
        /// Stops `up` (or a service) until fixed.
        case problem
    }

    /// The group it belongs to: programs, ports, state, containment, watch, terminal.
    public var category: String
    /// What was checked (`python3`, `port 8080`).
    public var subject: String
    /// The verdict.
    public var status: Status
    /// What was found (`Python 3.11.7`, `in use by pid 4711 (nginx)`).
    public var detail: String
    /// The command or edit that fixes it, when there is a problem.
    public var fix: String?
    /// The services it concerns.
    public var services: [String]

    /// Creates a finding.
    public init(category: String, subject: String, status: Status, detail: String, fix: String? = nil, services: [String] = []) {
        self.category = category
        self.subject = subject
        self.status = status
        self.detail = detail
        self.fix = fix
        self.services = services
    }
}

/// The machine checks of `msvc doctor`: programs and toolchains the stack needs, ports,
/// stale run state, watch limits. Core checks only; the executable adds the terminal's.
public enum Doctor {
    /// The PATH programs are looked up in.
    static func searchPath(_ environment: [String: String]) -> [String] {
        (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
    }

    /// The absolute path of `program` (as the supervisor would find it), or nil.
    public static func locate(_ program: String, cwd: String, environment: [String: String]) -> String? {
        let fm = FileManager.default
        if program.contains("/") {
            let full = program.hasPrefix("/") ? program : (cwd as NSString).appendingPathComponent(program)
            return fm.isExecutableFile(atPath: full) ? full : nil
        }
        return searchPath(environment).map { "\($0)/\(program)" }.first { fm.isExecutableFile(atPath: $0) }
    }

    /// The program a command starts: the first word (for `shell: true` scripts, the first word
    /// of the script unless it is a shell keyword or an assignment).
    static func program(of command: String) -> String? {
        let words = (try? ShellWords.split(command)) ?? command.split(separator: " ").map(String.init)
        let wrappers: Set<String> = ["exec", "env", "nice", "time", "nohup"]
        // Shell keywords and builtins: what runs after them cannot be told from the text.
        let unknowable: Set<String> = ["cd", "if", "for", "while", "until", "case", "select", "function", "export", "set",
                                       "source", ".", "(", "{", "!", "eval", "trap", "wait", "read", "ulimit", "umask",
                                       "exit", "return", "shift", "alias", "unset", "local", "declare", "typeset",
                                       "readonly", "builtin", "command", "type", "hash", ":", "let", "getopts"]
        for w in words {
            if let eq = w.firstIndex(of: "="), eq != w.startIndex, !w.hasPrefix("-") { continue }  // VAR=value
            if wrappers.contains(w) || w.hasPrefix("-") { continue }
            if unknowable.contains(w) { return nil }
            return w.trimmingCharacters(in: CharacterSet(charactersIn: ";&|"))
        }
        return nil
    }

    /// The toolchain a `language:` needs, with the argument that prints its version.
    static func toolchain(_ language: String?) -> (program: String, versionArguments: [String])? {
        switch language?.lowercased() {
        case "python": return ("python3", ["--version"])
        case "node", "javascript", "typescript": return ("node", ["--version"])
        case "go", "golang": return ("go", ["version"])
        case "swift": return ("swift", ["--version"])
        case "java", "kotlin": return ("java", ["-version"])
        case "rust": return ("cargo", ["--version"])
        case "ruby": return ("ruby", ["--version"])
        default: return nil
        }
    }

    /// Every program the stack needs: each service's command, build and test programs, its
    /// language's toolchain, and the programs of test suites' `run:` commands; with the
    /// services that need them.
    public static func neededPrograms(_ stack: StackConfig, directory: String) -> [(program: String, cwd: String, services: [String], version: [String], blocksUp: Bool)] {
        var order: [String] = []
        var needs: [String: (cwd: String, services: Set<String>, version: [String], blocksUp: Bool)] = [:]
        func add(_ program: String?, _ service: String, cwd: String, version: [String] = ["--version"], blocksUp: Bool = false) {
            guard let program, !program.isEmpty, !program.contains("${") else { return }
            if needs[program] == nil {
                order.append(program)
                needs[program] = (cwd, [], version, false)
            }
            needs[program]!.services.insert(service)
            if blocksUp { needs[program]!.blocksUp = true }
        }
        for (name, s) in stack.services where !s.disabled {
            let cwd = s.cwd.hasPrefix("/") ? s.cwd : URL(fileURLWithPath: directory).appendingPathComponent(s.cwd).standardized.path
            add(commandProgram(s.command), name, cwd: cwd, blocksUp: true)
            if let b = s.build { add(program(of: b), name, cwd: cwd) }
            if let t = s.test { add(program(of: t), name, cwd: cwd) }
            if let tool = toolchain(s.language) { add(tool.program, name, cwd: cwd, version: tool.versionArguments) }
        }
        for suite in stack.tests.integration + stack.tests.e2e {
            if let run = suite.run { add(program(of: run), "tests: \(suite.name)", cwd: directory) }
        }
        return order.map { p in (p, needs[p]!.cwd, needs[p]!.services.sorted(), needs[p]!.version, needs[p]!.blocksUp) }
    }

    /// The program a service's command starts, when it can be told without running it.
    public static func commandProgram(_ command: CommandSpec) -> String? {
        switch command {
        case .argv(let args): return args.first
        case .shell(let script): return program(of: script)
        }
    }

    /// Checks that each needed program exists, with its version.
    public static func programs(_ stack: StackConfig, directory: String, environment: [String: String]) async -> [DoctorFinding] {
        let needed = neededPrograms(stack, directory: directory)
        return await withTaskGroup(of: (Int, DoctorFinding).self) { group in
            for (i, need) in needed.enumerated() {
                group.addTask {
                    guard let path = locate(need.program, cwd: need.cwd, environment: environment) else {
                        let install = installHint(need.program)
                        return (i, DoctorFinding(category: "programs", subject: need.program, status: need.blocksUp ? .problem : .warning,
                                                 detail: "not found in PATH\(need.program.contains("/") ? " (relative to \(need.cwd))" : "")",
                                                 fix: install, services: need.services))
                    }
                    let version = await versionLine(path, need.version)
                    return (i, DoctorFinding(category: "programs", subject: need.program, status: .ok,
                                             detail: version.map { "\($0) (\(path))" } ?? path, services: need.services))
                }
            }
            var out: [(Int, DoctorFinding)] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// How to get a missing program on Debian/Ubuntu, when it is a well-known one.
    static func installHint(_ program: String) -> String {
        let packages = ["python3": "python3", "node": "nodejs", "npm": "npm", "go": "golang-go", "java": "default-jdk",
                        "cargo": "cargo", "ruby": "ruby", "tmux": "tmux", "psql": "postgresql-client", "redis-server": "redis-server"]
        if let pkg = packages[program] { return "sudo apt-get install -y \(pkg)" }
        if program == "swift" { return "install Swift from https://swift.org/install and put its bin folder on PATH" }
        return "install \(program), or fix the command in msvc.yaml"
    }

    /// The first line a program prints for its version, within two seconds; nil otherwise.
    static func versionLine(_ path: String, _ arguments: [String]) async -> String? {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: path)
                process.arguments = arguments
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = pipe
                process.standardInput = FileHandle.nullDevice
                do { try process.run() } catch {
                    continuation.resume(returning: nil)
                    return
                }
                let deadline = Date().addingTimeInterval(2)
                while process.isRunning && Date() < deadline { usleep(10_000) }
                if process.isRunning {
                    process.terminate()
                    continuation.resume(returning: nil)
                    return
                }
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init)
                continuation.resume(returning: line?.trimmingCharacters(in: .whitespaces))
            }
            thread.start()
        }
    }

    /// Fixed ports of the stack: free, or held by whom.
    public static func ports(_ stack: StackConfig, running: Bool) -> [DoctorFinding] {
        var out: [DoctorFinding] = []
        for (name, s) in stack.services where !s.disabled {
            for (portName, spec) in s.allPorts {
                guard case .fixed(let port) = spec else { continue }
                let what = portName.isEmpty ? name : "\(name).\(portName)"
                if PortAllocator.isFree(port) {
                    out.append(DoctorFinding(category: "ports", subject: "port \(port)", status: .ok, detail: "free for \(what)", services: [name]))
                } else if running {
                    out.append(DoctorFinding(category: "ports", subject: "port \(port)", status: .ok, detail: "in use by this stack (\(what))", services: [name]))
                } else {
                    let owner = PortAllocator.owner(of: port)
                    let kill = owner?.pid.map { "stop it (kill \($0)), or give \(what) another port (or auto) in msvc.yaml" }
                        ?? "stop the program holding it, or give \(what) another port (or auto) in msvc.yaml"
                    out.append(DoctorFinding(category: "ports", subject: "port \(port)", status: .problem,
                                             detail: "needed by \(what), in use by \(owner?.description ?? "another process")", fix: kill, services: [name]))
                }
            }
        }
        return out
    }

    /// The run folder: a stack running, stale state of a supervisor that died, leftovers.
    public static func runState(_ dir: StateDirectory, stack: StackConfig? = nil) -> [DoctorFinding] {
        if InstanceLock.isHeld(dir) {
            let pid = RunRecord.read(from: dir.stateFile)?.supervisorPID
            return [DoctorFinding(category: "state", subject: ".msvc/run", status: .ok,
                                  detail: "a stack is running here\(pid.map { " (msvc pid \($0))" } ?? "")")]
        }
        guard let record = RunRecord.read(from: dir.stateFile) else {
            return [DoctorFinding(category: "state", subject: ".msvc/run", status: .ok, detail: "no stack running, no stale state")]
        }
        var leftovers: [String] = []
        for g in record.groups {
            let members = ProcInfo.members(ofGroup: g.pgid)
            guard !members.isEmpty, ProcInfo.startTicks(of: g.pgid).map({ $0 == g.startTicks }) ?? true else { continue }
            let name = ReplicaID(service: g.service, replica: g.replica).label(replicas: stack?.services[g.service]?.replicas ?? 1)
            leftovers.append("\(name) (process group \(g.pgid), \(members.count) process\(members.count == 1 ? "" : "es"))")
        }
        if leftovers.isEmpty {
            return [DoctorFinding(category: "state", subject: ".msvc/run/state.json", status: .warning,
                                  detail: "left by a supervisor that is gone (msvc pid \(record.supervisorPID)); nothing of it still runs",
                                  fix: "msvc up removes it (or rm .msvc/run/state.json)")]
        }
        return [DoctorFinding(category: "state", subject: "leftovers", status: .warning,
                              detail: "a supervisor that is gone (msvc pid \(record.supervisorPID)) left running: \(leftovers.joined(separator: ", "))",
                              fix: "msvc up reaps them first (or kill them: \(record.groups.map { "kill -9 -\($0.pgid)" }.joined(separator: "; ")))")]
    }

    /// Below this much free space on the disk of `.msvc/logs`, doctor warns before lines go missing.
    public static let lowLogSpace = 64 * 1024 * 1024

    /// Log files: lines the running stack could not write (a full disk), and the free space
    /// left for them. `available` is the free bytes of the disk holding `logs`, when known.
    public static func logFiles(_ snapshot: StackSnapshot?, logs: String, available: Int?) -> [DoctorFinding] {
        var out: [DoctorFinding] = []
        for service in snapshot?.services ?? [] {
            for r in service.replicas {
                guard let p = r.logFileProblem else { continue }
                out.append(DoctorFinding(category: "logs", subject: r.name ?? service.name, status: .warning,
                                         detail: "\(p.missingLines) line\(p.missingLines == 1 ? "" : "s") not written to \(p.path) (\(p.error)); msvc logs and the dashboard still have them",
                                         fix: "free space on that disk (df -h \(logs)); writing resumes by itself and marks the gap in the file",
                                         services: [service.name]))
            }
        }
        if let available {
            let mib = available / (1024 * 1024)
            if available < lowLogSpace {
                out.append(DoctorFinding(category: "logs", subject: ".msvc/logs", status: .warning,
                                         detail: "only \(mib) MiB free on the disk holding the log files",
                                         fix: "free space (df -h \(logs)); when it runs out, msvc keeps the lines in memory and counts what the files miss"))
            } else if out.isEmpty {
                out.append(DoctorFinding(category: "logs", subject: ".msvc/logs", status: .ok, detail: "\(mib) MiB free for the log files"))
            }
        }
        return out
    }

    /// Free bytes for an unprivileged user on the disk holding `path` (or its nearest existing
    /// parent), nil when it cannot be read.
    public static func availableBytes(at path: String) -> Int? {
        var p = path
        while !FileManager.default.fileExists(atPath: p), p != "/", !p.isEmpty { p = (p as NSString).deletingLastPathComponent }
        var st = statvfs()
        guard statvfs(p, &st) == 0 else { return nil }
        return Int(st.f_bavail) * Int(st.f_frsize)
    }

    /// inotify limits, when the stack watches files.
    public static func watchLimits(_ stack: StackConfig) -> [DoctorFinding] {
        let watched = stack.services.values.filter { $0.watch != nil }.map(\.name)
        guard let limit = FileWatcher.maxUserWatches else {
            return watched.isEmpty ? [] : [DoctorFinding(category: "watch", subject: "inotify", status: .warning,
                                                         detail: "cannot read fs.inotify.max_user_watches", services: watched)]
        }
        let low = limit < 65_536 && !watched.isEmpty
        return [DoctorFinding(category: "watch", subject: "fs.inotify.max_user_watches", status: low ? .warning : .ok,
                              detail: "\(limit) folder watches per user" + (watched.isEmpty ? "" : "; watched: \(watched.sorted().joined(separator: ", "))"),
                              fix: low ? "sudo sysctl fs.inotify.max_user_watches=524288 (one watch per watched folder)" : nil,
                              services: watched)]
    }

    /// How msvc keeps every process it starts from outliving it.
    public static func containment() -> [DoctorFinding] {
        switch ProcessContainment.probe() {
        case .cgroup(let path):
            return [DoctorFinding(category: "containment", subject: "cgroup v2", status: .ok,
                                  detail: "every service runs in a cgroup of its own below \((path as NSString).deletingLastPathComponent); nothing it starts can escape (setsid, new process groups)")]
        case .descendantTracking:
            return [DoctorFinding(category: "containment", subject: "descendant tracking", status: .ok,
                                  detail: "no cgroup can be created here, so msvc follows every descendant through /proc and hands them to its watchdog; a daemon that clears its environment and escapes within a second of msvc being killed can survive",
                                  fix: "to use cgroups: run msvc where the user may create cgroup v2 folders (a delegated systemd user slice)")]
        }
    }
}
