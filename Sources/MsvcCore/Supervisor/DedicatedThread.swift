import CMsvcSys
import Glibc

/// Starts long-lived OS threads for blocking work that must stay off the cooperative pool.
enum DedicatedThread {
    private final class Body {
        let name: String
        let run: @Sendable () -> Void
        init(name: String, run: @escaping @Sendable () -> Void) {
            self.name = name
            self.run = run
        }
    }

    /// Starts a detached thread named `name` (at most 15 bytes show) running `body`.
    static func start(name: String, _ body: @escaping @Sendable () -> Void) throws(LaunchError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let context = Unmanaged.passRetained(Body(name: name, run: body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attributes, { raw in
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            msvc_set_thread_name(body.name)
            body.run()
            return nil
        }, context)
        if rc != 0 {
            Unmanaged<Body>.fromOpaque(context).release()
            throw .system(call: "pthread_create", errno: rc)
        }
    }
}

/// An epoll instance plus an eventfd that other threads use to wake the owning thread.
/// Token 0 is the wake-up; callers use any other token for their descriptors.
final class EventPoller: Sendable {
    /// The token reported when `wake()` was called.
    static let wakeToken: UInt64 = 0

    private let epollFD: Int32
    private let wakeFD: Int32

    /// Creates the epoll instance and registers the wake-up eventfd.
    init() throws(LaunchError) {
        let ep = msvc_epoll_create()
        guard ep >= 0 else { throw .system(call: "epoll_create1", errno: -ep) }
        let ev = msvc_eventfd()
        guard ev >= 0 else {
            close(ep)
            throw .system(call: "eventfd", errno: -ev)
        }
        let rc = msvc_epoll_add(ep, ev, Self.wakeToken)
        guard rc == 0 else {
            close(ep)
            close(ev)
            throw .system(call: "epoll_ctl", errno: -rc)
        }
        epollFD = ep
        wakeFD = ev
    }

    deinit {
        close(epollFD)
        close(wakeFD)
    }

    /// Wakes the owning thread; safe from any thread.
    func wake() { msvc_eventfd_signal(wakeFD) }

    /// Clears the wake-up after the owning thread saw it.
    func drainWake() { msvc_eventfd_drain(wakeFD) }

    /// Watches `fd` for input under `token`.
    func add(_ fd: Int32, token: UInt64) -> Int32 { -msvc_epoll_add(epollFD, fd, token) }

    /// Watches `fd` for priority data under `token` (cgroup.events reports changes so).
    func addPriority(_ fd: Int32, token: UInt64) -> Int32 { -msvc_epoll_add_pri(epollFD, fd, token) }

    /// Stops watching `fd` (call before closing it).
    func remove(_ fd: Int32) { _ = msvc_epoll_remove(epollFD, fd) }

    /// Blocks until something is ready or `timeoutMS` passes (-1: forever); returns the tokens.
    func wait(timeoutMS: Int32, into buffer: inout [UInt64]) -> Int {
        let n = buffer.withUnsafeMutableBufferPointer { msvc_epoll_wait(epollFD, $0.baseAddress, Int32($0.count), timeoutMS) }
        return n < 0 ? 0 : Int(n)
    }
}

/// A NULL-terminated `char **` built from Swift strings; freed on deinit. Thread-confined.
final class CStringArray {
    /// The array to hand to C.
    let pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    /// Copies `strings`.
    init(_ strings: [String]) {
        count = strings.count
        pointer = .allocate(capacity: strings.count + 1)
        for (i, s) in strings.enumerated() { pointer[i] = strdup(s) }
        pointer[strings.count] = nil
    }

    deinit {
        for i in 0..<count { free(pointer[i]) }
        pointer.deallocate()
    }
}
