import ArgumentParser
import CMsvcSys
import Foundation
import MsvcCore

extension MsvcCommand {
    /// `msvc test`: run suites, each on exactly the services it needs.
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Run unit, contract, integration and end-to-end suites, each on the services it needs.",
            discussion: """
                Each suite starts its own copy of the services it needs (needs: or provider:, plus what \
                they depend on) on automatic ports with a fresh state folder (.msvc/test/SUITE/), waits \
                until they are ready, runs, and stops them. unit runs each service's test: command in its \
                cwd, without a stack; contract verifies pacts or OpenAPI documents against their provider. \
                Suite commands get the discovery environment (ORDERS_URL, ...) and \
                MSVC_SUITE. Exit 0 when every case passed, 1 when one failed, 65 when a suite is invalid. \
                Ctrl-C stops every suite's services; a second Ctrl-C kills them at once.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Kinds to run: unit, contract, integration, e2e or all (default: all).",
                  completion: .list(["unit", "contract", "integration", "e2e", "all"]))
        var kinds: [String] = []
        @Option(name: .customLong("suite"), help: ArgumentHelp("Run only this suite (repeatable); for unit, a service.", valueName: "name"))
        var suites: [String] = []
        @Option(help: ArgumentHelp("Also write a JUnit XML report to this file.", valueName: "file"), completion: .file())
        var junit: String?
        @Flag(help: "Print the results as one JSON document instead of the summary.")
        var json = false
        @Flag(name: .customLong("keep-up"), help: "Leave the suites' services running afterwards (msvc ps, logs and down reach them).")
        var keepUp = false
        @Flag(help: "Run against the stack already running from this msvc.yaml instead of starting copies.")
        var reuse = false
        @Option(help: ArgumentHelp("How many suites run at once, each on its own copy of its services.", valueName: "n"))
        var parallel = 1
        @Option(help: ArgumentHelp("Time limit of a suite that sets no timeout: (e.g. 5m).", valueName: "duration"))
        var timeout = "10m"
        @Flag(name: .customLong("internal-keep-up"), help: .hidden) var internalKeepUp = false
        @Option(name: .customLong("internal-service"), help: .hidden) var internalServices: [String] = []

        func run() async throws {
            try await reportingAsync(global) {
                if internalKeepUp { return try await serveKeptUp() }
                let selection: SuiteSelection
                do throws(SuitePlanError) {
                    selection = SuiteSelection(kinds: try SuiteSelection.kinds(kinds), names: suites)
                } catch {
                    throw CLIError.usage(error.description)
                }
                guard parallel >= 1, parallel <= 64 else { throw CLIError.usage("--parallel must be 1 to 64, not \(parallel)") }
                guard let limit = Units.parseDuration(timeout), limit > .zero else {
                    throw CLIError.usage("invalid --timeout \"\(timeout)\" (expected e.g. 90s, 5m)")
                }
                if keepUp && reuse {
                    throw CLIError.usage("--keep-up and --reuse do not combine: with --reuse the stack keeps running anyway")
                }
                let loaded = try global.loadStack()
                let environment = ProcessInfo.processInfo.environment
                let plans: [SuitePlan]
                do throws(SuitePlanError) {
                    plans = try SuitePlanner(loaded: loaded, defaultTimeout: limit, environment: environment).plan(selection)
                } catch {
                    switch error {
                    case .invalid(let list): throw CLIError.invalidConfig(ConfigError(list))
                    case .usage(let m): throw CLIError.usage(m)
                    }
                }
                try await runPlans(plans, loaded: loaded, environment: environment, selection: selection)
            }
        }

        /// Runs the planned suites on copies, the reused stack or a kept one; prints and writes the reports.
    func runPlans(_ plans: [SuitePlan], loaded: LoadedStack, environment: [String: String], selection: SuiteSelection) async throws {
            var source: SuiteStackSource = .isolated(RuntimeSuiteLauncher())
            var kept: KeptStack?
            if reuse {
                let client = try global.client()
                guard (try? await client.snapshot()) != nil else {
                    throw CLIError.failed("no stack is running from \(loaded.file); start it with \"msvc up -d\", or run without --reuse")
                }
                source = .shared(ControlledSuiteStack(control: client))
            } else if keepUp, plans.contains(where: \.needsStack) {
                let services = loaded.config.services.keys.elements.filter { s in plans.contains { $0.services.contains(s) } }
                let started = try await KeptStack.start(loaded, services: services, quiet: global.quiet)
                kept = started
                source = .shared(started.stack)
            }
            let commands: CommandRunner
            do { commands = try CommandRunner() } catch { throw CLIError.failed("cannot start suite commands: \(error)") }
            var options = SuiteRunOptions(source: source, environment: environment)
            options.parallel = parallel
            let printer = ProgressPrinter(style: global.style(forStderr: true), quiet: global.quiet, verbose: global.verbose)
            options.progress = { printer.print($0) }
            if global.verbose { options.echo = { plan, line in Console.error("  \(plan.name) | \(line)") } }
            let runner = SuiteRunner(loaded: loaded, options: options, commands: commands)
            if plans.isEmpty, !global.quiet {
                let what = selection.kinds.isEmpty ? "" : selection.kinds.map(\.rawValue).joined(separator: " or ") + " "
                Console.error("no \(what)suites to run in \(loaded.file)")
            }
            let result = await Self.runInterruptibly(runner, plans, quiet: global.quiet)
            await commands.shutdown()
            if json {
                Console.out(result.json().serialized())
            } else if !plans.isEmpty {
                Console.out(ConsoleReport(color: global.style().enabled).render(result), terminator: "")
            }
            if let junit { try write(result.junit().xml(), to: junit) }
            if let kept {
                if result.interrupted {
                    await kept.stack.stop()
                } else if !global.quiet {
                    Console.error(await kept.howToReach(loaded))
                }
            }
            if result.interrupted { throw CLIError.exit(code: 1, message: global.quiet ? "" : "interrupted") }
            if !result.passed { throw CLIError.exit(code: result.missingProgram ? 69 : 1, message: "") }
        }

        /// Runs the suites; the first Ctrl-C (or SIGTERM) cancels them, the second kills everything.
        static func runInterruptibly(_ runner: SuiteRunner, _ plans: [SuitePlan], quiet: Bool) async -> TestRunResult {
            let work = Task { await runner.run(plans) }
            let signals = Task {
                var count = 0
                for await _ in SignalStream.make() {
                    count += 1
                    if count == 1 {
                        if !quiet { Console.error("stopping every suite (press Ctrl-C again to kill at once)") }
                        work.cancel()
                    } else {
                        await runner.killAll()
                    }
                }
            }
            let result = await work.value
            signals.cancel()
            return result
        }

        /// Writes a report, creating its folder.
    func write(_ text: String, to path: String) throws {
            let cwd = FileManager.default.currentDirectoryPath
            let full = path.hasPrefix("/") ? path : (cwd as NSString).appendingPathComponent(path)
            do {
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: full), options: .atomic)
            } catch {
                throw CLIError.failed("cannot write \(path): \(error.localizedDescription); check that the folder is writable")
            }
        }

        /// The detached msvc behind `--keep-up`: runs the copy, publishes it as this msvc.yaml's
        /// running stack (control socket and run record), and exits once it is stopped.
        func serveKeptUp() async throws {
            let loaded = try global.loadStack()
            let project = StateDirectory.beside(configDirectory: loaded.directory)
            let dir = SuiteIsolation.stateDirectory(suite: KeptStack.folder, configDirectory: loaded.directory)
            let stack: any SuiteStack
            do {
                try project.create()
                try SuiteIsolation.makeFresh(dir)
                let request = SuiteStackRequest(stack: SuiteIsolation.remapPorts(loaded).stack, services: internalServices,
                                                stateDirectory: dir, environment: ProcessInfo.processInfo.environment,
                                                publishedAs: project)
                stack = try await RuntimeSuiteLauncher().start(request)
            } catch let error as SuiteStackError {
                throw CLIError.exit(code: error.missingProgram ? 69 : 1, message: "error: \(error.message)")
            }
            // The copy holds the project's instance lock: `msvc up` finds it (and refuses to
            // apply the file to a test copy), and `msvc down` waits for it.
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await stack.finished() }
                group.addTask {
                    for await _ in SignalStream.make() {
                        await stack.stop()
                        return
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
    }
}

/// The copy `--keep-up` leaves running, served by a detached msvc.
struct KeptStack {
    /// Its state folder under `.msvc/test/`.
    static let folder = "keep-up"

    /// The background msvc.
    let pid: pid_t
    /// The copy, through the control socket.
    let stack: ControlledSuiteStack
    /// The copy's state folder.
    let state: StateDirectory

    /// Starts the detached msvc for `services` and returns once its control socket answers.
    static func start(_ loaded: LoadedStack, services: [String], quiet: Bool) async throws -> KeptStack {
        let project = StateDirectory.beside(configDirectory: loaded.directory)
        let client = ControlClient(path: project.socket, stackDirectory: loaded.directory)
        if InstanceLock.isHeld(project), let running = try? await client.snapshot() {
            throw CLIError.failed("a stack is already running from \(loaded.file) (msvc pid \(running.pid)); test it with --reuse, or stop it with \"msvc down\" first")
        }
        let state = SuiteIsolation.stateDirectory(suite: folder, configDirectory: loaded.directory)
        do { try FileManager.default.createDirectory(atPath: (state.root as NSString).deletingLastPathComponent, withIntermediateDirectories: true) } catch {
            throw CLIError.failed("cannot create \(state.root): \(error.localizedDescription)")
        }
        let config = URL(fileURLWithPath: loaded.directory).appendingPathComponent((loaded.file as NSString).lastPathComponent).path
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let args = [executable, "test", "--internal-keep-up", "--file", config] + services.flatMap { ["--internal-service", $0] }
        let logPath = state.root + ".log"
        try? FileManager.default.removeItem(atPath: logPath)
        let pid = Detach.spawn(args, log: logPath)
        guard pid > 0 else { throw CLIError.failed("cannot start the background msvc: \(String(cString: strerror(-pid)))") }
        while true {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let log = ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 70
                throw CLIError.exit(code: code == 0 ? 1 : code, message: log.isEmpty ? "error: the background msvc exited at once" : log)
            }
            if (try? await client.snapshot()) != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return KeptStack(pid: pid, stack: ControlledSuiteStack(control: client, dataDirectory: state.data), state: state)
    }

    /// What is left running and how to reach it.
    func howToReach(_ loaded: LoadedStack) async -> String {
        var lines = ["left running (msvc pid \(pid)), on its own ports and state folder \(displayPath(state.root, cwd: FileManager.default.currentDirectoryPath))/:"]
        if let snapshot = try? await stack.control.snapshot() {
            let width = snapshot.services.map(\.name.count).max() ?? 0
            for s in snapshot.services {
                let address = s.port.map { "http://127.0.0.1:\($0)" } ?? "no port"
                lines.append("  \(s.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(address)")
            }
        }
        lines.append("msvc ps, msvc logs and msvc test --reuse reach it; msvc down stops it")
        return lines.joined(separator: "\n")
    }
}

/// Prints suite progress on stderr: starting, waiting, running, done.
struct ProgressPrinter: Sendable {
    let style: Style
    let quiet: Bool
    let verbose: Bool

    /// Prints one event, unless quiet.
    func print(_ event: SuiteProgress) {
        guard !quiet else { return }
        switch event {
        case .starting(let plan):
            let list = plan.services.joined(separator: ", ")
            Console.error(style.dim("\(plan.name): starting \(list)"))
        case .waiting(let plan):
            Console.error(style.dim("\(plan.name): waiting until its services are ready"))
        case .running(let plan):
            Console.error(style.dim("\(plan.name): running \(plan.kind == .unit ? "its unit tests" : "(\(plan.kind.rawValue))")"))
        case .caseFinished(let plan, let result):
            guard verbose else { return }
            let mark = result.isFailure ? style.red("✗") : (result.outcome == .passed ? style.green("✓") : "-")
            Console.error("  \(plan.name) \(mark) \(result.name)")
        case .stopping(let plan):
            if verbose { Console.error(style.dim("\(plan.name): stopping its services")) }
        case .finished(let suite):
            let c = suite.counts
            let time = String(format: "%.2f s", Double(Units.milliseconds(suite.duration)) / 1000)
            if suite.allSkipped {
                Console.error("\(style.yellow("skipped")) \(suite.name) (\(c.skipped) case\(c.skipped == 1 ? "" : "s") not run)")
            } else if suite.passed {
                Console.error("\(style.green("passed")) \(suite.name) (\(c.passed) case\(c.passed == 1 ? "" : "s") in \(time))")
            } else {
                Console.error("\(style.red("FAILED")) \(suite.name) (\(c.failed + c.errors) of \(suite.cases.count) failed, \(time))")
            }
        }
    }
}
