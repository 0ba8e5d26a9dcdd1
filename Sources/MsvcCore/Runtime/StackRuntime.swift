import Foundation
import Synchronization

/// One running stack instance, ready to embed: the instance lock, the supervisor (processes,
/// probes, restarts, balancers, logs) and, optionally, the control socket. `msvc up` (in the
/// foreground, under the dashboard, or detached) and `msvc test` (one per suite, several at
/// once in one process) both run stacks through it.
///
/// Lifecycle, as swift-service-lifecycle's ServiceGroup: `start()` takes everything the stack
/// needs or throws with all of it released; `run()` returns once the stack has stopped, and
/// cancelling the task that runs it stops the stack gracefully (reverse dependency order,
/// each service's stop signal, SIGKILL after its stop timeout) before it returns.
public final class StackRuntime: Sendable {
    /// The engine: an in-process `StackControl` for the stack.
    public let supervisor: StackSupervisor
    /// How the stack runs.
    public let options: SupervisorOptions

    private struct State {
        var lock: InstanceLock?
        var server: ControlServer?
        var serverTask: Task<Void, Never>?
        var runTask: Task<Void, Never>?
        var stopped = false
    }

    private let state = Mutex(State())

    /// Creates a runtime for `loaded`; nothing is taken until `start()`.
    public init(_ loaded: LoadedStack, options: SupervisorOptions) {
        self.options = options
        supervisor = StackSupervisor(loaded, options: options)
    }

    /// The control server's open and accepted connections (nil without a socket), for tests.
    var controlConnectionCounts: (open: Int, accepted: Int)? {
        state.withLock { $0.server }?.connectionCounts
    }

    /// Stored and live log lines of the stack.
    public var hub: LogHub { supervisor.hub }

    /// Takes the instance lock of the state folder, reaps what an earlier run left, checks and
    /// reserves ports and programs, opens the balancers and the control socket (when
    /// `options.controlSocket`), and starts the services in dependency order. Returns once they
    /// are launching; `waitUntilReady` waits for them. On any failure everything taken so far
    /// (lock, ports, listeners, threads, processes) is released before it throws.
    public func start() async throws(SupervisorError) {
        let dir = options.stateDirectory
        let lockDir = options.lockDirectory ?? dir
        do {
            try dir.create()
            try lockDir.create()
        } catch { throw .stateDirectory(error.description) }
        let lock: InstanceLock
        do {
            guard let taken = try InstanceLock.acquire(lockDir) else {
                throw SupervisorError.alreadyRunning(pid: RunRecord.read(from: lockDir.stateFile)?.supervisorPID ?? 0)
            }
            lock = taken
        } catch let error as SupervisorError {
            throw error
        } catch {
            throw .stateDirectory("\(error)")
        }
        try await supervisor.prepare()
        var server: ControlServer?
        if options.controlSocket {
            let path = options.socketPath ?? dir.socket
            do {
                server = try await ControlServer.bind(path: path)
            } catch {
                await supervisor.stopAll()
                throw .stateDirectory("cannot listen on \(path): \(error)")
            }
        }
        let supervisor = self.supervisor
        // Unstructured on purpose: the stack must outlive a cancelled caller long enough to stop
        // gracefully (cancellation would cut every stop timeout short), and `run()` awaits it.
        let runTask = Task { await supervisor.run() }
        let serverTask: Task<Void, Never>? = server.map { s in Task { _ = try? await s.run(supervisor) } }
        state.withLock {
            $0.lock = lock
            $0.server = server
            $0.serverTask = serverTask
            $0.runTask = runTask
        }
    }

    /// Waits until the stack has stopped (`stop()`, `kill()`, a `down` over the socket), then
    /// closes the socket and releases the lock. Cancelling the calling task stops the stack
    /// gracefully first. Call after `start()`.
    public func run() async {
        guard let runTask = state.withLock({ $0.runTask }) else { return }
        let supervisor = self.supervisor
        await withTaskCancellationHandler {
            await runTask.value
        } onCancel: {
            // See `start()`: the stop runs outside the cancelled task.
            Task { await supervisor.stopAll() }
        }
        await release()
    }

    /// Stops the stack gracefully (`timeout` overrides every service's stop_timeout) and
    /// waits until it has stopped and released everything.
    public func stop(timeout: Duration? = nil) async {
        await supervisor.stopAll(timeout: timeout)
        if let runTask = state.withLock({ $0.runTask }) { await runTask.value }
        await release()
    }

    /// Kills every process at once (a second Ctrl-C); `run()` then returns promptly.
    public func kill() async {
        await supervisor.killAll()
    }

    /// Waits until every service is ready, one has failed, or `timeout` passes.
    public func waitUntilReady(timeout: Duration) async -> ReadyOutcome {
        await supervisor.waitUntilReady(timeout: timeout)
    }

    /// The service-discovery variables of the running stack (`ORDERS_URL`, ...).
    public func discoveryEnvironment() async -> [String: String] {
        await supervisor.discoveryEnvironment
    }

    /// Closes the control socket (letting requests in flight finish), removes it, and drops
    /// the instance lock; once, after the supervisor has finished.
    private func release() async {
        let (server, serverTask, lock) = state.withLock { s -> (ControlServer?, Task<Void, Never>?, InstanceLock?) in
            guard !s.stopped else { return (nil, nil, nil) }
            s.stopped = true
            defer { s.server = nil; s.serverTask = nil; s.lock = nil }
            return (s.server, s.serverTask, s.lock)
        }
        if let server {
            server.close()
            await serverTask?.value
            unlink(options.socketPath ?? options.stateDirectory.socket)
        }
        // The lock goes last: once it is free, a new `up` may take this folder.
        withExtendedLifetime(lock) {}
    }
}
