import Foundation

/// Runs an e2e scenario: its steps in order, each tried up to its retry count; a failed step
/// skips the rest.
public struct ScenarioSuiteBody: SuiteBody {
    /// The scenario.
    public let scenario: Scenario
    /// Response body bytes shown in a failure.
    public static let bodyLimit = 4096

    /// OpenAPI documents that the responses of the suite's services are checked against.
    public let contracts: ResponseContracts

    /// Creates the body.
    public init(scenario: Scenario, contracts: ResponseContracts = ResponseContracts()) {
        self.scenario = scenario
        self.contracts = contracts
    }

    public var plannedCases: [String] { scenario.steps.map(\.name) }

    public func run(_ context: SuiteContext) async {
        var variables = ScenarioVariables(environment: context.environment)
        for (index, step) in scenario.steps.enumerated() {
            guard !Task.isCancelled else { return }
            context.recorder.begin(step.name)
            let started = ContinuousClock.now
            let verdict: StepVerdict?
            switch step.action {
            case .request(let request):
                verdict = await send(step, request, &variables, context)
            case .run(let command):
                verdict = await run(step, command, variables, context)
            }
            // Cancelled mid-step: the runner reports the step as cut short.
            guard let verdict, !Task.isCancelled else { return }
            let result = CaseResult(name: step.name, duration: ContinuousClock.now - started, outcome: verdict.outcome, output: verdict.output)
            context.recorder.finish(result)
            if result.isFailure {
                for later in scenario.steps[(index + 1)...] {
                    context.recorder.finish(CaseResult(name: later.name, duration: .zero,
                                                       outcome: .skipped(message: "not run: step \"\(step.name)\" failed")))
                }
                return
            }
        }
    }

    /// How a step ended, and what it printed.
    struct StepVerdict {
        var outcome: TestOutcome
        var output: String?
    }

    /// What one try of a request found.
    struct Attempt {
        var request: HTTPRequest?
        var response: HTTPResponse?
        var elapsed: Duration = .zero
        var problems: [String] = []
        var note: String?
    }

    /// Sends a request step's request until its expectations hold or its tries run out.
    func send(_ step: ScenarioStep, _ spec: ScenarioRequest, _ variables: inout ScenarioVariables,
              _ context: SuiteContext) async -> StepVerdict? {
        let started = ContinuousClock.now
        var last = Attempt()
        for attempt in 1...step.retry.attempts {
            if attempt > 1 {
                try? await Task.sleep(for: step.retry.interval)
                if Task.isCancelled { return nil }
            }
            let request: HTTPRequest
            do throws(Interpolation.Failure) {
                request = try build(spec, variables)
            } catch {
                return StepVerdict(outcome: .error(message: error.message, detail: "in \(scenario.file), step \"\(step.name)\": \(error.message)"))
            }
            last = Attempt(request: request)
            let sent = ContinuousClock.now
            guard let result = await context.http.sendUnlessCancelled(request, timeout: step.timeout) else { return nil }
            last.elapsed = ContinuousClock.now - sent
            defer {
                if let first = last.problems.first, step.retry.attempts > 1 {
                    context.recorder.note("attempt \(attempt) of \(step.retry.attempts) failed: \(first)")
                }
            }
            switch result {
            case .failure(let error):
                last.problems = [error.description]
            case .success(let response):
                last.response = response
                last.problems = check(step.expect, response, variables)
                // The services' documents are expectations too: a violation fails the attempt.
                let conformance = contracts.check(request, response, environment: context.environment)
                last.problems += conformance.problems
                last.note = conformance.note
                if last.problems.isEmpty {
                    var captured: [String: JSON] = [:]
                    let body = try? JSON.parse(bytes: response.body)
                    for (name, path) in step.captures {
                        if let value = body.flatMap(path.evaluate) {
                            captured[name] = value
                        } else {
                            last.problems.append("capture \(name): \(path) is not in the response body")
                        }
                    }
                    if last.problems.isEmpty {
                        variables.captures.merge(captured) { _, new in new }
                        return StepVerdict(outcome: .passed, output: last.note)
                    }
                }
            }
        }
        let tries = step.retry.attempts
        var message = last.problems.first ?? "failed"
        if last.problems.count > 1 { message += " (and \(last.problems.count - 1) more)" }
        if tries > 1 { message += " after \(tries) attempts" }
        let detail = Self.describe(last, attempts: tries, total: ContinuousClock.now - started, retry: step.retry)
        return StepVerdict(outcome: .failed(message: message, detail: detail), output: last.note)
    }

    /// The request with every `${VAR}` expanded.
    func build(_ spec: ScenarioRequest, _ variables: ScenarioVariables) throws(Interpolation.Failure) -> HTTPRequest {
        let url = try variables.expand(spec.url)
        var headers: [(String, String)] = []
        for (k, v) in spec.headers { headers.append((k, try variables.expand(v))) }
        var body: [UInt8] = []
        switch spec.body {
        case .none: break
        case .text(let t): body = Array(try variables.expand(t).utf8)
        case .json(let j):
            body = Array(try variables.expand(j).serialized(pretty: false).utf8)
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                headers.append(("Content-Type", "application/json"))
            }
        }
        guard let request = HTTPRequest(url: url, method: spec.method, headers: headers, body: body) else {
            let why = url.hasPrefix("https://") ? "msvc talks plain HTTP to local services" : "expected http://HOST:PORT/PATH"
            throw Interpolation.Failure(offset: 0, message: "invalid url \"\(url)\" (\(why))")
        }
        return request
    }

    /// Every way `response` misses `expect`, in words.
    func check(_ expect: ScenarioExpectation, _ response: HTTPResponse, _ variables: ScenarioVariables) -> [String] {
        var problems: [String] = []
        if let wanted = expect.status {
            if !wanted.contains(response.status) {
                problems.append("status \(response.status), expected \(wanted.map(String.init).joined(separator: " or "))")
            }
        } else if !(200...299).contains(response.status) {
            problems.append("status \(response.status), expected a 2xx status (set expect.status for another)")
        }
        for (name, matcher) in expect.headers {
            guard let value = response.header(name) else {
                problems.append("header \(name) is missing")
                continue
            }
            if let p = mismatch(matcher, value, variables) { problems.append("header \(name): \(p)") }
        }
        if let matcher = expect.body, let p = mismatch(matcher, response.text, variables) {
            problems.append("body: \(p)")
        }
        if let wanted = expect.json {
            do throws(JSONParseError) {
                let actual = try JSON.parse(bytes: response.body)
                do throws(Interpolation.Failure) {
                    let expected = try variables.expand(wanted)
                    problems += JSONMatcher.mismatches(expected: expected, actual: actual).map(\.description)
                } catch {
                    problems.append(error.message)
                }
            } catch {
                problems.append("the body is not JSON (\(error.description)), expected a JSON body")
            }
        }
        return problems
    }

    /// Why `text` does not satisfy a header or body expectation, or nil when it does.
    func mismatch(_ matcher: JSON, _ text: String, _ variables: ScenarioVariables) -> String? {
        if case .match(let re)? = JSONMatcher.special(matcher) {
            return JSONMatcher.wholeMatch(re, text) ? nil : "\(quoted(text)) does not match /\(re)/"
        }
        guard case .string(let raw) = matcher else { return nil }
        let wanted: String
        do throws(Interpolation.Failure) { wanted = try variables.expand(raw) } catch { return error.message }
        return wanted == text ? nil : "expected \(quoted(wanted)), got \(quoted(text))"
    }

    /// `s` as a JSON string, cut at 200 characters.
    func quoted(_ s: String) -> String {
        var out = ""
        JSON.quote(s.count > 200 ? String(s.prefix(197)) + "..." : s, into: &out)
        return out
    }

    /// Runs a `run:` step, with captures in its environment, until it exits 0 or its tries run out.
    func run(_ step: ScenarioStep, _ command: String, _ variables: ScenarioVariables, _ context: SuiteContext) async -> StepVerdict? {
        var environment = context.environment
        for (name, value) in variables.captures { environment[name] = ScenarioVariables.text(of: value) }
        let script: String
        do throws(Interpolation.Failure) {
            script = try variables.expand(command)
        } catch {
            return StepVerdict(outcome: .error(message: error.message, detail: "in \(scenario.file), step \"\(step.name)\": \(error.message)"))
        }
        let started = ContinuousClock.now
        var outcome = CommandOutcome(status: nil, launchError: nil, lines: [], droppedLines: 0, duration: .zero)
        for attempt in 1...step.retry.attempts {
            if attempt > 1 {
                context.recorder.note("attempt \(attempt) of \(step.retry.attempts)")
                try? await Task.sleep(for: step.retry.interval)
            }
            if Task.isCancelled { return nil }
            outcome = await context.commands.run(script, environment: environment, cwd: context.plan.cwd, echo: context.echo)
            if Task.isCancelled { return nil }
            if outcome.succeeded { return StepVerdict(outcome: .passed, output: outcome.output) }
        }
        var message = outcome.summary
        if step.retry.attempts > 1 { message += " after \(step.retry.attempts) attempts" }
        var detail = "$ \(script)\n" + outcome.tail(40).joined(separator: "\n")
        if outcome.lines.isEmpty { detail += "(no output)" }
        detail += "\n\(outcome.summary)"
        if step.retry.attempts > 1 {
            detail += " (attempt \(step.retry.attempts) of \(step.retry.attempts), \(Self.seconds(ContinuousClock.now - started)) in all)"
        }
        return StepVerdict(outcome: .failed(message: message, detail: detail), output: outcome.output)
    }
}
