import Synchronization

/// Commands for a dedicated thread: any thread submits, the owning thread takes them all at
/// once after its poller wakes. Closed for good once a closing command is submitted.
final class ThreadMailbox<Command: Sendable>: Sendable {
    private let box = Mutex<(commands: [Command], closed: Bool)>(([], false))
    private let poller: EventPoller
    private let closes: @Sendable (Command) -> Bool

    /// A mailbox that wakes `poller`; `closes` says which command is the last one accepted.
    init(poller: EventPoller, closes: @escaping @Sendable (Command) -> Bool) {
        self.poller = poller
        self.closes = closes
    }

    /// Queues `command` and wakes the thread; false once closed.
    @discardableResult
    func submit(_ command: Command) -> Bool {
        let accepted = box.withLock { box -> Bool in
            guard !box.closed else { return false }
            box.commands.append(command)
            if closes(command) { box.closed = true }
            return true
        }
        if accepted { poller.wake() }
        return accepted
    }

    /// Takes every queued command (the owning thread only).
    func take() -> [Command] {
        box.withLock { box in
            defer { box.commands = [] }
            return box.commands
        }
    }
}
