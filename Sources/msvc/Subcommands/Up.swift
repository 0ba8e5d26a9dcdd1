import ArgumentParser
import CMsvcSys
import Foundation
import MsvcCore
import MsvcTUI

extension MsvcCommand {
    /// `msvc up`: start the stack (or the named services and what they depend on), or apply
    /// msvc.yaml to the stack already running.
    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "up",
            abstract: "Start the stack, or the named services and what they depend on.",
            discussion: """
                Logs of every service are printed merged, with an aligned service prefix: "|" stdout, \
                "!" stderr, "*" msvc's own notes. In a terminal the dashboard opens instead; q there asks \
                whether to stop the stack or detach and leave it running. Ctrl-C stops the stack in \
                reverse dependency order; a second Ctrl-C kills it at once. -d detaches; --wait detaches and returns once all \
                services are healthy (exit 0) or one failed or the timeout passed (exit 1). On a stack \
                already running from this msvc.yaml, up applies the file: new services start, changed \
                ones restart (rolling), removed ones stop, and the rest keep running.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Services to start (default: all enabled ones).") var services: [String] = []
        @Flag(name: .customShort("d"), help: "Run in the background and return.") var detach = false
        @Flag(name: .customLong("no-tui"), help: "Print merged logs instead of the dashboard.") var noTUI = false
        @Option(name: .customLong("profile"), help: "Enable services of this profile (repeatable).") var profiles: [String] = []
        @Flag(help: "Run in the background and return once all services are ready.") var wait = false
        @Option(help: "How long --wait waits (e.g. 30s, 2m).") var timeout: String = "2m"
        @Flag(name: .customLong("watch"), help: "Watch every service for changes (those without watch: use its defaults).") var watchAll = false
        @Flag(name: .customLong("no-watch"), help: "Watch nothing, even services with watch:.") var noWatch = false
        @Flag(name: .customLong("internal-detached"), help: .hidden) var internalDetached = false

        func run() async throws {
            try await reportingAsync(global) {
                let loaded = try global.loadStack()
                try checkSelection(loaded.config)
                if watchAll && noWatch { throw CLIError.usage("--watch and --no-watch exclude each other; pick one") }
                guard let waitFor = Units.parseDuration(timeout) else {
                    throw CLIError.usage("invalid --timeout \"\(timeout)\" (expected e.g. 30s, 2m)")
                }
                let state = StateDirectory.beside(configDirectory: loaded.directory)
                if !internalDetached, InstanceLock.isHeld(state) {
                    try await reconcile(loaded, state: state, waitFor: wait ? waitFor : nil)
                } else if (detach || wait) && !internalDetached {
                    try await runDetached(loaded, state: state, waitFor: wait ? waitFor : nil)
                } else {
                    try await runForeground(loaded, state: state)
                }
            }
        }

        /// Unknown services and profiles are usage errors, named with did-you-mean.
        func checkSelection(_ config: StackConfig) throws {
            for s in services where config.services[s] == nil {
                var m = "unknown service \"\(s)\""
                if let g = Suggest.closest(to: s, in: Array(config.services.keys)) { m += "; did you mean \"\(g)\"?" }
                throw CLIError.usage(m)
            }
            let known = Set(config.services.values.flatMap(\.profiles))
            for p in profiles where !known.contains(p) {
                var m = "unknown profile \"\(p)\""
                if let g = Suggest.closest(to: p, in: Array(known)) {
                    m += "; did you mean \"\(g)\"?"
                } else {
                    m += known.isEmpty ? " (no service in msvc.yaml has profiles:)" : " (profiles in msvc.yaml: \(known.sorted().joined(separator: ", ")))"
                }
                throw CLIError.usage(m)
            }
        }

        func options(_ loaded: LoadedStack, state: StateDirectory) -> SupervisorOptions {
            var o = SupervisorOptions(stateDirectory: state)
            o.services = services
            o.profiles = profiles
            o.controlSocket = true
            o.trimMemory = true
            o.watch = watchAll ? .all : noWatch ? .off : .configured
            return o
        }

        /// The stack runs already: apply msvc.yaml to it (docker compose `up -d` semantics).
        func reconcile(_ loaded: LoadedStack, state: StateDirectory, waitFor: Duration?) async throws {
            let client = ControlClient(path: state.socket, stackDirectory: loaded.directory)
            // A supervisor that has just taken the folder opens its socket a moment later.
            _ = await answers(client, within: .seconds(10))
            let file = URL(fileURLWithPath: loaded.directory).appendingPathComponent((loaded.file as NSString).lastPathComponent).path
            let result = try await client.apply(file: file, services: services, profiles: profiles,
                                                environment: ProcessInfo.processInfo.environment)
            if !global.quiet { Console.error(result.summary) }
            guard result.ok else { throw CLIError.exit(code: 1, message: "") }
            if let waitFor { try await waitReady(client, waitFor) }
        }

        func runForeground(_ loaded: LoadedStack, state: StateDirectory) async throws {
            var options = options(loaded, state: state)
            // In a terminal, the dashboard shows logs; the merged printer is for pipes and --no-tui.
            if !noTUI && !internalDetached && Dashboard.canRun {
                try await runWithDashboard(loaded, state: state)
                return
            }
            if !internalDetached && !global.quiet {
                let names = Array(loaded.config.services.keys)
                let printer = LogPrinter(services: names, maxReplicas: Dictionary(uniqueKeysWithValues: loaded.config.services.map { ($0.key, $0.value.replicas) }),
                                         style: global.style(), problemsToStderr: true)
                options.onLines = { printer.print($0) }
            }
            let runtime = StackRuntime(loaded, options: options)
            do {
                try await runtime.start()
            } catch {
                throw CLIError.supervisor(error)
            }
            if let reaped = await runtime.supervisor.reaped, !global.quiet {
                func name(_ service: String, _ replica: Int) -> String {
                    ReplicaID(service: service, replica: replica).label(replicas: loaded.config.services[service]?.replicas ?? 1)
                }
                if !reaped.reaped.isEmpty {
                    let list = reaped.reaped.map { "\(name($0.service, $0.replica)) (process group \($0.pgid))" }
                    Console.error("reaped leftovers of an earlier run: \(list.joined(separator: ", "))")
                }
                if !reaped.escaped.isEmpty {
                    let list = reaped.escaped.map { "\(name($0.service, $0.replica)) (pid \($0.pid), had left its process group)" }
                    Console.error("reaped escaped processes of an earlier run: \(list.joined(separator: ", "))")
                }
                if !reaped.unverified.isEmpty {
                    let list = reaped.unverified.map { "pid \($0.pid)" }.joined(separator: ", ")
                    Console.error("left alone: \(list) named in .msvc/run/state.json, but nothing shows they belong to this stack")
                }
            }
            let quiet = global.quiet
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await runtime.run() }
                group.addTask {
                    var count = 0
                    for await _ in SignalStream.make() {
                        count += 1
                        if count == 1 {
                            if !quiet { Console.error("stopping (press Ctrl-C again to kill at once)") }
                            Task { await runtime.stop() }
                        } else {
                            await runtime.kill()
                        }
                    }
                }
                // run() returns once the stack has stopped and its socket is closed; then the
                // signal task ends.
                await group.next()
                group.cancelAll()
            }
        }

        func runDetached(_ loaded: LoadedStack, state: StateDirectory, waitFor: Duration?) async throws {
            guard let pid = try await startBackground(loaded, state: state, waitFor: waitFor) else { return }
            if !global.quiet { Console.error("started in the background (pid \(pid)); logs: \(displayPath(state.logs, cwd: FileManager.default.currentDirectoryPath))/") }
            if let waitFor { try await waitReady(ControlClient(path: state.socket, stackDirectory: loaded.directory), waitFor) }
        }

        /// Starts the supervisor in the background and returns its pid once it answers on the
        /// socket; nil when another `up` won the folder at the same moment and the file was
        /// applied to its stack instead.
        func startBackground(_ loaded: LoadedStack, state: StateDirectory, waitFor: Duration?) async throws -> Int32? {
            do { try state.create() } catch { throw CLIError.failed("cannot prepare \(state.root): \(error.description)") }
            let config = URL(fileURLWithPath: loaded.directory).appendingPathComponent((loaded.file as NSString).lastPathComponent).path
            // argv[0] may be a bare name found through PATH; the kernel knows the real file.
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
            var args = [executable, "up", "--internal-detached", "--no-tui", "-f", config]
            for p in profiles { args += ["--profile", p] }
            if watchAll { args.append("--watch") }
            if noWatch { args.append("--no-watch") }
            args += services
            let logPath = state.logs + "/msvc.log"
            let start = (try? FileManager.default.attributesOfItem(atPath: logPath)[.size] as? Int) ?? 0
            let pid = Detach.spawn(args, log: logPath)
            guard pid > 0 else { throw CLIError.failed("cannot start the background supervisor: \(String(cString: strerror(-pid)))") }
            let client = ControlClient(path: state.socket, stackDirectory: loaded.directory)
            // Ready once our child answers on the socket; failed if it exits first. Another
            // `up` started at the same moment may win the folder: then our child exits, and
            // the file is applied to the winner's stack instead.
            while true {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid {
                    if InstanceLock.isHeld(state), await answers(client, within: .seconds(10)) != nil {
                        try await reconcile(loaded, state: state, waitFor: waitFor)
                        return nil
                    }
                    let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                    let tail = String(log.utf8.dropFirst(start)).map { String($0) } ?? ""
                    let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 70
                    throw CLIError.exit(code: code, message: tail.trimmingCharacters(in: .whitespacesAndNewlines))
                }
                if let answering = try? await client.snapshot(), answering.pid == pid { return pid }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        /// `msvc up` in a terminal: the supervisor runs in the background, as `up -d` starts it,
        /// and the dashboard attaches to it, so quitting can stop the stack or leave it running
        /// (docs/DECISIONS.md, "msvc up's dashboard attaches to a background supervisor").
        func runWithDashboard(_ loaded: LoadedStack, state: StateDirectory) async throws {
            guard let pid = try await startBackground(loaded, state: state, waitFor: nil) else { return }
            let client = ControlClient(path: state.socket, stackDirectory: loaded.directory)
            let exit = await Dashboard.run(control: client, ownsStack: true, project: loaded.config.name, noColor: global.noColor)
            switch exit {
            case .detached:
                if !global.quiet {
                    Console.error("left running in the background (pid \(pid)); \"msvc dash\" shows it again, \"msvc down\" stops it")
                }
            case .stackGone:
                if !global.quiet { Console.error("the stack stopped") }
            case .stopStack:
                // Stop in reverse dependency order; a Ctrl-C meanwhile has the supervisor kill at
                // once (its second signal does that; the shutdown request was the first stop).
                if !global.quiet { Console.error("stopping (press Ctrl-C again to kill at once)") }
                await withTaskGroup(of: Void.self) { stopping in
                    stopping.addTask { _ = try? await client.shutdown(timeout: nil) }
                    stopping.addTask {
                        for await _ in SignalStream.make() {
                            kill(pid, SIGINT)
                            try? await Task.sleep(for: .milliseconds(100))
                            kill(pid, SIGINT)
                        }
                    }
                    await stopping.next()
                    stopping.cancelAll()
                }
                _ = await InstanceLock.waitForRelease(state, seconds: 10)
            }
        }

        /// The pid of the supervisor answering on the socket, polled for at most `limit`.
        func answers(_ client: ControlClient, within limit: Duration) async -> Int32? {
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                if let s = try? await client.snapshot() { return s.pid }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return nil
        }

        /// `--wait`: exit 0 once every service is ready, 1 naming what failed or is still pending.
        func waitReady(_ client: ControlClient, _ waitFor: Duration) async throws {
            switch try await client.waitUntilReady(timeout: waitFor) {
            case .ready:
                if !global.quiet { Console.error("all services are ready") }
            case .failed(let service, let reason):
                throw CLIError.failed("\(service) failed: \(reason)")
            case .timedOut(let pending):
                throw CLIError.failed("not ready after \(timeout): \(pending.joined(separator: "; "))")
            }
        }
    }
}

/// Starting the detached supervisor.
enum Detach {
    static func spawn(_ args: [String], log: String) -> pid_t {
        var cargs = args.map { strdup($0) }
        cargs.append(nil)
        defer { cargs.forEach { free($0) } }
        return cargs.withUnsafeBufferPointer { msvc_spawn_detached($0.baseAddress!, log) }
    }
}
