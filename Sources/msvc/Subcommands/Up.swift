import ArgumentParser
import CMsvcSys
import Foundation
import MsvcCore
import MsvcTUI

extension MsvcCommand {
    /// `msvc up`: start the stack (or the named services and what they depend on).
    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the stack, or the named services and what they depend on.",
            discussion: """
                Logs of every service are printed merged, with an aligned service prefix: "|" stdout, \
                "!" stderr, "*" msvc's own notes. Ctrl-C stops the stack in reverse dependency order; \
                a second Ctrl-C kills it at once. -d detaches; --wait detaches and returns once all \
                services are healthy (exit 0) or one failed or the timeout passed (exit 1).
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Services to start (default: all enabled ones).") var services: [String] = []
        @Flag(name: .customShort("d"), help: "Run in the background and return.") var detach = false
        @Flag(name: .customLong("no-tui"), help: "Print merged logs instead of the dashboard.") var noTUI = false
        @Option(name: .customLong("profile"), help: "Enable services of this profile (repeatable).") var profiles: [String] = []
        @Flag(help: "Run in the background and return once all services are ready.") var wait = false
        @Option(help: "How long --wait waits (e.g. 30s, 2m).") var timeout: String = "2m"
        @Flag(name: .customLong("internal-detached"), help: .hidden) var internalDetached = false

        func run() async throws {
            try await reportingAsync(global) {
                let loaded = try global.loadStack()
                for s in services where loaded.config.services[s] == nil {
                    var m = "unknown service \"\(s)\""
                    if let g = Suggest.closest(to: s, in: Array(loaded.config.services.keys)) { m += "; did you mean \"\(g)\"?" }
                    throw CLIError.usage(m)
                }
                guard let waitFor = Units.parseDuration(timeout) else {
                    throw CLIError.usage("invalid --timeout \"\(timeout)\" (expected e.g. 30s, 2m)")
                }
                if (detach || wait) && !internalDetached {
                    try await runDetached(loaded, waitFor: wait ? waitFor : nil)
                } else {
                    try await runForeground(loaded)
                }
            }
        }

        func options(_ loaded: LoadedStack) -> SupervisorOptions {
            var o = SupervisorOptions(stateDirectory: StateDirectory.beside(configDirectory: loaded.directory))
            o.services = services
            o.profiles = profiles
            return o
        }

        func runForeground(_ loaded: LoadedStack) async throws {
            var options = options(loaded)
            // In a terminal, the dashboard shows logs; the merged printer is for pipes and --no-tui.
            let useTUI = !noTUI && !internalDetached && Dashboard.canRun
            if !internalDetached && !global.quiet && !useTUI {
                let names = Array(loaded.config.services.keys)
                let replicas = loaded.config.services.mapValues(\.replicas)
                let printer = LogPrinter(services: names, maxReplicas: Dictionary(uniqueKeysWithValues: replicas.map { ($0.key, $0.value) }),
                                         style: global.style())
                options.onLines = { printer.print($0) }
            }
            let supervisor = StackSupervisor(loaded, options: options)
            do {
                try await supervisor.prepare()
            } catch {
                throw CLIError.supervisor(error)
            }
            if let reaped = await supervisor.reaped, !reaped.reaped.isEmpty, !global.quiet {
                let list = reaped.reaped.map { "\($0.service)\($0.replica > 1 ? ".\($0.replica)" : "") (process group \($0.pgid))" }
                Console.error("reaped leftovers of an earlier run: \(list.joined(separator: ", "))")
            }
            let socket = options.stateDirectory.socket
            let server: ControlServer
            do { server = try await ControlServer.bind(path: socket) } catch {
                await supervisor.stopAll()
                throw CLIError.failed("cannot listen on \(socket): \(error)")
            }
            defer { unlink(socket) }
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await supervisor.run()
                    server.close()
                }
                group.addTask { try? await server.run(supervisor) }
                if useTUI {
                    group.addTask {
                        // The dashboard handles Ctrl-C and signals itself while it is open.
                        _ = await Dashboard.run(control: supervisor, ownsStack: true, project: loaded.config.name,
                                                graph: StackGraph(loaded.config), noColor: global.noColor)
                        // Quit (confirmed), Ctrl-C, a signal, or the stack ending: stop either way;
                        // a Ctrl-C while stopping kills at once.
                        Task { await supervisor.stopAll() }
                        for await _ in SignalStream.make() { await supervisor.killAll() }
                    }
                } else {
                    group.addTask {
                        var count = 0
                        for await _ in SignalStream.make() {
                            count += 1
                            if count == 1 {
                                if !global.quiet { Console.error("stopping (press Ctrl-C again to kill at once)") }
                                Task { await supervisor.stopAll() }
                            } else {
                                await supervisor.killAll()
                            }
                        }
                    }
                }
                // run() returns once shutdown finished and closes the socket; the server returns
                // once the requests in flight are answered; then the signal task ends.
                await group.next()
                await group.next()
                group.cancelAll()
            }
        }

        func runDetached(_ loaded: LoadedStack, waitFor: Duration?) async throws {
            let state = StateDirectory.beside(configDirectory: loaded.directory)
            do { try state.create() } catch { throw CLIError.failed("cannot create \(state.root): \(error.localizedDescription)") }
            let config = URL(fileURLWithPath: loaded.directory).appendingPathComponent((loaded.file as NSString).lastPathComponent).path
            // argv[0] may be a bare name found through PATH; the kernel knows the real file.
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
            var args = [executable, "up", "--internal-detached", "--no-tui", "-f", config]
            for p in profiles { args += ["--profile", p] }
            args += services
            let logPath = state.logs + "/msvc.log"
            let start = (try? FileManager.default.attributesOfItem(atPath: logPath)[.size] as? Int) ?? 0
            let pid = Detach.spawn(args, log: logPath)
            guard pid > 0 else { throw CLIError.failed("cannot start the background supervisor: \(String(cString: strerror(-pid)))") }
            let client = ControlClient(path: state.socket, stackDirectory: loaded.directory)
            // Ready once the socket answers; failed if the child exits first.
            while true {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid {
                    let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                    let tail = String(log.utf8.dropFirst(start)).map { String($0) } ?? ""
                    let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 70
                    throw CLIError.exit(code: code, message: tail.trimmingCharacters(in: .whitespacesAndNewlines))
                }
                if (try? await client.snapshot()) != nil { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            if !global.quiet { Console.error("started in the background (pid \(pid)); logs: \(displayPath(state.logs, cwd: FileManager.default.currentDirectoryPath))/") }
            guard let waitFor else { return }
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
