import NIOCore

/// Splits a byte stream into newline-terminated frames (the control protocol is JSON lines).
struct LineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    /// Longest line accepted; a control request is far smaller.
    let limit = 16 << 20

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: 0x0A) else {
            if buffer.readableBytes > limit { throw ControlError.protocolError("line longer than \(limit) bytes") }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        let line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}

extension JSON {
    /// Parses one protocol line where it lies in the socket's buffer, without copying it.
    static func parse(line: ByteBuffer) throws -> JSON {
        try line.withUnsafeReadableBytes { raw in try JSON.parse(buffer: raw.assumingMemoryBound(to: UInt8.self)) }
    }
}
