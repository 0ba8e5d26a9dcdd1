import CMsvcSys
import Foundation
import Synchronization

/// Reads the stdout and stderr pipes of many processes on one dedicated epoll thread and hands
/// their lines, in order per stream, to a sink.
///
/// Back-pressure: the sink runs on the reader thread, so a slow sink slows reading, pipes fill and
/// the writing processes block in write(2). Nothing is dropped and memory stays bounded (one
/// 64 KiB buffer plus at most one pending line per stream). The sink must therefore not wait
/// for the capture or the launcher, or it deadlocks; handing lines to a queue, a file or a
/// lock-protected buffer is fine.
public final class OutputCapture: Sendable {
    /// Receives the lines read from one pipe in one go (at least one line, all of the same stream).
    public typealias Sink = @Sendable ([LogLine]) -> Void

    /// The state shared with the reader thread.
    let core: CaptureCore

    /// Starts the reader thread.
    public init(sink: @escaping Sink) throws(LaunchError) {
        core = try CaptureCore(sink: sink)
    }

    deinit { core.submit(.shutdown) }

    /// Reads `stdout` and `stderr` (read ends; ownership passes to the capture) until end of
    /// file, then calls `onClosed` once both are done and every line was handed to the sink.
    public func attach(stdout: Int32, stderr: Int32, source: LogSource, onClosed: @escaping @Sendable () -> Void) {
        let pipes = [(stdout, LogStream.stdout), (stderr, LogStream.stderr)]
        if !core.submit(.attach(pipes.map { .init(fd: $0.0, stream: $0.1) }, source, onClosed)) {
            close(stdout)
            close(stderr)
            onClosed()
        }
    }

    /// Drains what is readable now, emits pending partial lines, closes every pipe and stops the
    /// thread. Shut launchers down first: a process still writing gets EPIPE afterwards.
    public func shutdown(timeout: Duration = .seconds(5)) async {
        core.submit(.shutdown)
        _ = await core.finished.wait(timeout: timeout)
    }
}

/// State shared between `OutputCapture` and its thread.
final class CaptureCore: Sendable {
    /// A pipe to read.
    struct PipeEnd: Sendable {
        /// The read end.
        var fd: Int32
        /// Which stream it carries.
        var stream: LogStream
    }

    /// Work for the reader thread.
    enum Command: Sendable {
        /// Start reading these pipes; call the closure once all have ended.
        case attach([PipeEnd], LogSource, @Sendable () -> Void)
        /// Drain, close every pipe and stop the thread.
        case shutdown
    }

    /// Watches the pipes and the wake-up eventfd.
    let poller: EventPoller
    private let inbox: ThreadMailbox<Command>
    /// Fulfilled when the thread has finished.
    let finished = OneShot<Void>()

    /// Creates the poller and starts the reader thread, which keeps this object alive until shutdown.
    init(sink: @escaping OutputCapture.Sink) throws(LaunchError) {
        poller = try EventPoller()
        inbox = ThreadMailbox(poller: poller) { if case .shutdown = $0 { true } else { false } }
        try DedicatedThread.start(name: "msvc-output") { [self] in
            CaptureLoop(core: self, sink: sink).run()
        }
    }

    /// Queues `command` and wakes the thread; false once shut down.
    @discardableResult
    func submit(_ command: Command) -> Bool { inbox.submit(command) }

    /// Takes the queued commands (the owning thread only).
    func takeCommands() -> [Command] { inbox.take() }
}

/// The reader thread's state; created on that thread and never shared.
final class CaptureLoop {
    private final class Reader {
        let fd: Int32
        let stream: LogStream
        let group: Group
        var splitter = LineSplitter()
        init(fd: Int32, stream: LogStream, group: Group) {
            self.fd = fd
            self.stream = stream
            self.group = group
        }
    }

    /// The pipes of one process; `onClosed` runs when the last one ends.
    private final class Group {
        let source: LogSource
        let onClosed: @Sendable () -> Void
        var open: Int
        init(source: LogSource, open: Int, onClosed: @escaping @Sendable () -> Void) {
            self.source = source
            self.open = open
            self.onClosed = onClosed
        }
    }

    private static let bufferSize = 64 * 1024

    private let core: CaptureCore
    private let sink: OutputCapture.Sink
    private var readers: [UInt64: Reader] = [:]
    private var nextToken: UInt64 = 1
    private var seq: UInt64 = 0
    private var stopping = false
    private let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: CaptureLoop.bufferSize)

    /// Creates the loop state (on the reader thread).
    init(core: CaptureCore, sink: @escaping OutputCapture.Sink) {
        self.core = core
        self.sink = sink
    }

    deinit { buffer.deallocate() }

    /// Runs until shutdown.
    func run() {
        var tokens = [UInt64](repeating: 0, count: 64)
        while !stopping {
            let n = core.poller.wait(timeoutMS: -1, into: &tokens)
            for token in tokens.prefix(n) {
                if token == EventPoller.wakeToken {
                    core.poller.drainWake()
                    for command in core.takeCommands() { handle(command) }
                } else if let reader = readers[token] {
                    readOnce(reader, token: token)
                }
            }
        }
        // Drain what is already buffered (bounded: a writer that is still running could keep a
        // pipe full forever), then close everything.
        for (token, reader) in readers {
            var reads = 0
            while reads < 64, readers[token] != nil, readOnce(reader, token: token) > 0 { reads += 1 }
            if readers[token] != nil { end(reader, token: token) }
        }
        core.finished.fulfill(())
    }

    private func handle(_ command: CaptureCore.Command) {
        switch command {
        case .attach(let pipes, let source, let onClosed):
            let group = Group(source: source, open: pipes.count, onClosed: onClosed)
            for pipe in pipes {
                let token = nextToken
                nextToken += 1
                let reader = Reader(fd: pipe.fd, stream: pipe.stream, group: group)
                readers[token] = reader
                if core.poller.add(pipe.fd, token: token) != 0 { end(reader, token: token) }
            }
        case .shutdown:
            stopping = true
        }
    }

    /// One read of at most 64 KiB, so one busy process cannot starve the others.
    /// Returns the bytes read; 0 at end of file or when nothing was ready.
    @discardableResult
    private func readOnce(_ reader: Reader, token: UInt64) -> Int {
        let n = msvc_read(reader.fd, buffer.baseAddress, buffer.count)
        if n == -Int(EAGAIN) { return 0 }
        if n <= 0 {
            end(reader, token: token)
            return 0
        }
        var lines: [LogLine] = []
        let now = Date()
        reader.splitter.feed(UnsafeBufferPointer(rebasing: buffer[..<n])) { bytes, continues in
            lines.append(makeLine(reader, bytes, continues, now))
        }
        if !lines.isEmpty { sink(lines) }
        return n
    }

    private func end(_ reader: Reader, token: UInt64) {
        var lines: [LogLine] = []
        let now = Date()
        reader.splitter.finish { bytes, continues in lines.append(makeLine(reader, bytes, continues, now)) }
        if !lines.isEmpty { sink(lines) }
        core.poller.remove(reader.fd)
        close(reader.fd)
        readers[token] = nil
        reader.group.open -= 1
        if reader.group.open == 0 { reader.group.onClosed() }
    }

    private func makeLine(_ reader: Reader, _ bytes: UnsafeBufferPointer<UInt8>, _ continues: Bool, _ now: Date) -> LogLine {
        seq += 1
        return LogLine(
            source: reader.group.source, stream: reader.stream, text: String(decoding: bytes, as: UTF8.self),
            timestamp: now, seq: seq, continues: continues)
    }
}
