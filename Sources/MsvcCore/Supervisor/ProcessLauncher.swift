import CMsvcSys
import Glibc
import Synchronization

/// Starts processes, each in its own process group, and guarantees none outlives msvc, nor
/// anything they start, even a process that leaves the group.
///
/// All forks happen on one long-lived dedicated thread: PR_SET_PDEATHSIG follows the thread that
/// forked, so forking from a pool thread or a short-lived thread could kill a service when that
/// thread exits. The same thread reaps leaders through pidfds and epoll, and tracks each group
/// until it is empty. A watchdog process (see `msvc_watchdog_start`) kills every registered
/// group, escaped process and cgroup if msvc dies, including by SIGKILL.
///
/// Processes that leave their group (`setsid`, `setpgid`, a `set -m` job) are kept within reach
/// by `containment`: a cgroup per process where msvc may create one, descendant tracking
/// otherwise.
///
/// Several launchers may live in one process (one per stack instance); each has its own thread,
/// watchdog and cgroup, and nothing is shared except the process-wide subreaper flag.
public final class ProcessLauncher: Sendable {
    /// Launcher settings.
    public struct Options: Sendable {
        /// Run a watchdog that kills every group when msvc dies. Only tests turn it off.
        public var watchdog = true
        /// Make msvc a child subreaper (see `becomeChildSubreaper`), so orphaned members of a
        /// group are reaped by msvc at once instead of whenever init gets to them; until they
        /// are reaped, their zombies keep the group looking alive.
        public var adoptOrphans = true
        /// Put each process in a cgroup of its own when msvc may create one (cgroup v2 with
        /// `cgroup.kill`); otherwise, or when false, track descendants. Defaults to true unless
        /// `MSVC_CONTAINMENT=tracking`.
        public var cgroups = ProcessContainment.cgroupsWanted()
        /// Called on the launcher thread whenever a tracked process that left its group appears
        /// or ends (descendant tracking), so the caller can record `escapedProcesses` again.
        public var onTrackingChange: (@Sendable () -> Void)?

        /// The defaults: watchdog on, orphans adopted, cgroups where possible.
        public init() {}
    }

    /// The state shared with the launcher thread.
    let core: LauncherCore

    /// Starts the launcher thread; stdout and stderr of every process go to `capture`.
    public init(capture: OutputCapture, options: Options = Options()) throws(LaunchError) {
        if options.adoptOrphans { try Self.becomeChildSubreaper() }
        let cgroup = options.cgroups ? Cgroup.makeStackCgroup() : nil
        core = try LauncherCore(capture: capture, options: options, cgroup: cgroup)
    }

    /// How processes that leave their group are kept within reach, decided when the launcher
    /// started: `.cgroup(path)` or `.descendantTracking`.
    public var containment: ProcessContainment {
        core.cgroup.map { .cgroup(path: $0.path) } ?? .descendantTracking
    }

    deinit { core.submit(.shutdown) }

    /// Starts `spec` and returns once the program has been exec'd; a missing program or cwd is
    /// reported here, precisely, instead of as an exit code.
    public func launch(_ spec: LaunchSpec) async throws(LaunchError) -> LaunchedProcess {
        try Self.validate(spec)
        let reply = OneShot<Result<LaunchedProcess, LaunchError>>()
        guard core.submit(.launch(spec, reply)) else { throw .launcherStopped }
        // Not cancellable: once submitted, the process may already run and must be handed back.
        return try await reply.waitIgnoringCancellation().get()
    }

    /// SIGKILLs every group still running (and everything that left one), waits up to `timeout`
    /// for them to go, stops the watchdog and the thread and removes the cgroup. Later launches
    /// fail with `launcherStopped`.
    public func shutdown(timeout: Duration = .seconds(5)) async {
        core.submit(.shutdown)
        _ = await core.finished.wait(timeout: timeout)
    }

    /// The watchdog's pid once one runs (for diagnostics and tests).
    public var watchdogPID: Int32? {
        let pid = core.watchdogPID.load(ordering: .relaxed)
        return pid > 0 ? pid : nil
    }

    /// Makes this whole process a child subreaper (PR_SET_CHILD_SUBREAPER): orphaned
    /// grandchildren are re-parented to msvc instead of init, and the launcher owning their
    /// group reaps them. Process-wide and never undone; calling it again is harmless. Orphans
    /// of processes started some other way (and outside every launcher's groups) stay zombies
    /// until msvc exits.
    public static func becomeChildSubreaper() throws(LaunchError) {
        let rc = msvc_set_child_subreaper(1)
        guard rc == 0 else { throw .system(call: "prctl(PR_SET_CHILD_SUBREAPER)", errno: -rc) }
        // Genuinely process-wide state, so a process-wide flag.
        subreaperEnabled.store(true, ordering: .relaxed)
    }

    /// Whether `becomeChildSubreaper` was called; launchers then sweep their groups for orphans.
    static let subreaperEnabled = Atomic<Bool>(false)

    private static func validate(_ spec: LaunchSpec) throws(LaunchError) {
        guard let program = spec.arguments.first, !program.isEmpty else { throw .emptyCommand }
        for arg in spec.arguments where arg.utf8.contains(0) {
            throw .invalidArgument("argument contains a NUL byte: \(arg.debugDescription)")
        }
        for (key, value) in spec.environment {
            if key.isEmpty || key.utf8.contains(UInt8(ascii: "=")) || key.utf8.contains(0) {
                throw .invalidArgument("bad environment variable name \(key.debugDescription)")
            }
            if value.utf8.contains(0) { throw .invalidArgument("value of \(key) contains a NUL byte") }
        }
        if spec.cwd.utf8.contains(0) { throw .invalidArgument("cwd contains a NUL byte") }
    }
}

/// The state shared between the public launcher, its processes and the launcher thread.
final class LauncherCore: Sendable {
    /// Work for the launcher thread.
    enum Command: Sendable {
        /// Spawn and answer through the one-shot.
        case launch(LaunchSpec, OneShot<Result<LaunchedProcess, LaunchError>>)
        /// A group was signalled: check it for emptiness soon.
        case poke(Int32)
        /// Tests only: close the watchdog socket as if msvc had died.
        case abandonWatchdog
        /// Kill every group, wait for them, stop the watchdog and the thread.
        case shutdown
    }

    /// Watches leader pidfds, the watchdog and the wake-up eventfd.
    let poller: EventPoller
    private let inbox: ThreadMailbox<Command>
    /// Fulfilled when the thread has finished.
    let finished = OneShot<Void>()
    /// The current watchdog pid, 0 when none.
    let watchdogPID = Atomic<Int32>(0)
    /// The launcher's cgroup under cgroup containment.
    let cgroup: Cgroup?

    /// Creates the poller and starts the launcher thread, which keeps this object alive until shutdown.
    init(capture: OutputCapture, options: ProcessLauncher.Options, cgroup: Cgroup?) throws(LaunchError) {
        self.cgroup = cgroup
        do {
            poller = try EventPoller()
        } catch {
            cgroup?.remove()
            throw error
        }
        inbox = ThreadMailbox(poller: poller) { if case .shutdown = $0 { true } else { false } }
        // The thread keeps the core alive until shutdown; the public launcher's deinit asks for it.
        do {
            try DedicatedThread.start(name: "msvc-launcher") { [self] in
                LauncherLoop(core: self, capture: capture, options: options).run()
            }
        } catch {
            cgroup?.remove()
            throw error
        }
    }

    /// Queues `command` and wakes the thread; false once shut down.
    @discardableResult
    func submit(_ command: Command) -> Bool { inbox.submit(command) }

    /// Takes the queued commands (the owning thread only).
    func takeCommands() -> [Command] { inbox.take() }
}
