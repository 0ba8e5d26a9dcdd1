import Foundation

/// A suite that is one command: `run:` of an integration or e2e suite, or a service's `test:`
/// for `msvc test unit`. It passes when the command exits 0.
public struct CommandSuiteBody: SuiteBody {
    /// The command as written (run through `/bin/sh -c`).
    public let command: String
    /// Start-time variable names of the stack: references to them are expanded from the
    /// suite's environment before the shell sees the command, as for services.
    public let startTimeNames: Set<String>

    /// Creates the body.
    public init(command: String, startTimeNames: Set<String>) {
        self.command = command
        self.startTimeNames = startTimeNames
    }

    public var plannedCases: [String] { [command] }

    public func run(_ context: SuiteContext) async {
        let script = Discovery.resolveDeferred(command, known: context.environment, names: startTimeNames)
        context.recorder.begin(command)
        let outcome = await context.commands.run(script, environment: context.environment, cwd: context.plan.cwd,
                                                 echo: context.echo)
        guard !Task.isCancelled else { return }
        let result: TestOutcome
        if outcome.succeeded {
            result = .passed
        } else if let launch = outcome.launchError {
            result = .error(message: "could not start: \(launch)", detail: "$ \(script)\n\(launch)")
        } else {
            var detail = "$ \(script)   (in \(context.plan.cwd))\n"
            detail += outcome.lines.isEmpty ? "(no output)" : outcome.tail(60).joined(separator: "\n")
            if outcome.lines.count > 60 || outcome.droppedLines > 0 {
                detail = "(last 60 of \(outcome.lines.count + outcome.droppedLines) output lines)\n" + detail
            }
            detail += "\n" + outcome.summary
            result = .failed(message: outcome.summary, detail: detail)
        }
        context.recorder.finish(CaseResult(name: command, duration: outcome.duration, outcome: result, output: outcome.output))
    }
}

/// A contract suite while no verifier is plugged in: reported as skipped, never as passed.
public struct UnverifiedContractBody: SuiteBody {
    /// The suite.
    public let suite: ContractSuite

    /// Creates the body.
    public init(suite: ContractSuite) { self.suite = suite }

    public var plannedCases: [String] { [suite.pact ?? suite.openapi ?? suite.name] }

    public func run(_ context: SuiteContext) async {
        context.recorder.finish(CaseResult(name: plannedCases[0], duration: .zero,
                                           outcome: .skipped(message: "contract verification is not built into this msvc yet")))
    }
}
