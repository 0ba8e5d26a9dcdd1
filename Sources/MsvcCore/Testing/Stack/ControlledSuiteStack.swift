import Foundation

/// A stack that runs outside this process and is reached through its control socket: the one
/// already running from msvc.yaml (`--reuse`), or the copy a detached msvc keeps up
/// (`--keep-up`). The suites share it; the runner never stops it.
public struct ControlledSuiteStack: SuiteStack {
    /// The control socket's client.
    public let control: any StackControl
    /// The stack's data folder, when known.
    public let dataDirectory: String?

    /// Wraps `control`; `dataDirectory` is the stack's `MSVC_STATE_DIR` when known.
    public init(control: any StackControl, dataDirectory: String? = nil) {
        self.control = control
        self.dataDirectory = dataDirectory
    }

    public func stop() async {
        _ = try? await control.shutdown(timeout: nil)
    }

    public func kill() async {
        _ = try? await control.shutdown(timeout: .zero)
    }

    public func finished() async {
        while (try? await control.snapshot()) != nil {
            try? await Task.sleep(for: .milliseconds(100))
            if Task.isCancelled { return }
        }
    }
}
