import NIOCore

/// Splits a byte stream into newline-terminated frames (the control protocol is JSON lines),
/// refusing a line longer than `limit` before it has buffered more than that.
struct LineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    /// Longest line accepted.
    let limit: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: 0x0A) else {
            if buffer.readableBytes > limit { throw ControlError.usage("a request line is longer than \(limit) bytes") }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        guard length <= limit else { throw ControlError.usage("a request line is longer than \(limit) bytes") }
        let line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A last line without its newline is still a request (`printf '{"op":"snapshot"}' | nc -U`).
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            let line = buffer.readSlice(length: buffer.readableBytes)!
            context.fireChannelRead(wrapInboundOut(line))
        }
        return .needMoreData
    }
}

/// Completes a promise when the peer closes its side (or the channel goes away): a stream
/// (`follow`, `changes`) ends then, even while no line is being written.
final class InputClosedWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Completed once.
    let promise: EventLoopPromise<Void>
    private var done = false

    /// A watcher completing `promise`.
    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    private func complete() {
        guard !done else { return }
        done = true
        promise.succeed()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed { complete() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { complete() }
}
