import Dispatch
import Foundation

/// SIGINT/SIGTERM/SIGHUP as an async stream, with the default handlers switched off.
enum SignalStream {
    static func make(_ signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]) -> AsyncStream<Int32> {
        AsyncStream { continuation in
            var sources: [any DispatchSourceSignal] = []
            for s in signals {
                signal(s, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: s, queue: .global())
                source.setEventHandler { continuation.yield(s) }
                source.resume()
                sources.append(source)
            }
            let keep = SourceBox(sources)
            continuation.onTermination = { _ in keep.cancel() }
        }
    }

    private final class SourceBox: @unchecked Sendable {
        // Only touched at creation and once in cancel(), from onTermination.
        let sources: [any DispatchSourceSignal]
        init(_ s: [any DispatchSourceSignal]) { sources = s }
        func cancel() { sources.forEach { $0.cancel() } }
    }
}
