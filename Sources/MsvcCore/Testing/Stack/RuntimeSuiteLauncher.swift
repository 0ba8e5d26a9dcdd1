import Foundation

/// `SuiteStackLauncher` on `StackRuntime`: each copy is a runtime of its own in this process,
/// on its own state folder and ports. This is the only file of `msvc test` that knows the runtime.
public struct RuntimeSuiteLauncher: SuiteStackLauncher {
    /// Creates the launcher.
    public init() {}

    public func start(_ request: SuiteStackRequest) async throws(SuiteStackError) -> any SuiteStack {
        var options = SupervisorOptions(stateDirectory: request.stateDirectory, environment: request.environment)
        options.services = request.services
        // A test copy never reacts to edits: the suite runs against what it started with.
        options.watch = .off
        if let project = request.publishedAs {
            options.controlSocket = true
            options.socketPath = project.socket
            options.lockDirectory = project
            options.applyRefusal = "this stack is a test copy left running by msvc test --keep-up; stop it with \"msvc down\", then run msvc up"
        }
        let runtime = StackRuntime(request.stack, options: options)
        do {
            try await runtime.start()
        } catch {
            throw SuiteStackError(error.description, missingProgram: error.isMissingProgram)
        }
        return RuntimeSuiteStack(runtime)
    }
}

/// A copy run by an in-process `StackRuntime`.
final class RuntimeSuiteStack: SuiteStack {
    let runtime: StackRuntime
    /// `run()`, ending once the copy has stopped (here, or by `msvc down` over its socket).
    private let running: Task<Void, Never>

    init(_ runtime: StackRuntime) {
        self.runtime = runtime
        // The copy outlives the call that started it, so it cannot be a child task of that call.
        running = Task { await runtime.run() }
    }

    var control: any StackControl { runtime.supervisor }

    var dataDirectory: String? { runtime.options.stateDirectory.data }

    func stop() async {
        // `StackRuntime.stop` completes its graceful stop even in a cancelled task.
        let runtime = self.runtime, running = self.running
        await Task {
            await runtime.stop()
            await running.value
        }.value
    }

    func kill() async { await runtime.kill() }

    func finished() async { await running.value }
}
