import Testing

@testable import MsvcCore

@Suite("Supervisor: line splitting")
struct SupervisorLineSplitterTests {
    /// Feeds `chunks` and returns every piece as (text, continues), including the final tail.
    private func split(_ chunks: [[UInt8]], maxPiece: Int = 64 * 1024) -> [(String, Bool)] {
        var splitter = LineSplitter(maxPiece: maxPiece)
        var out: [(String, Bool)] = []
        let emit: (UnsafeBufferPointer<UInt8>, Bool) -> Void = { out.append((String(decoding: $0, as: UTF8.self), $1)) }
        for chunk in chunks { chunk.withUnsafeBufferPointer { splitter.feed($0, emit) } }
        splitter.finish(emit)
        return out
    }

    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func splitsOnNewline_andJoinsLinesAcrossChunks() {
        let pieces = split([bytes("a\nbb"), bytes("b\n\nc"), bytes("cc")])
        #expect(pieces.map(\.0) == ["a", "bbb", "", "ccc"])
        #expect(pieces.allSatisfy { !$0.1 })
    }

    @Test func emptyInput_emitsNothing_andTrailingNewlineAddsNoEmptyLine() {
        #expect(split([]).isEmpty)
        #expect(split([bytes("x\n")]).map(\.0) == ["x"])
    }

    @Test func lineOfExactlyMaxPiece_staysWhole_oneMoreByteSplits() {
        #expect(split([bytes("12345678\n")], maxPiece: 8).map(\.0) == ["12345678"])
        let over = split([bytes("123456789\n")], maxPiece: 8)
        #expect(over.map(\.0) == ["12345678", "9"])
        #expect(over.map(\.1) == [true, false])
    }

    @Test func longLineFedByteByByte_isCutIntoPieces() {
        let line = String(repeating: "z", count: 20)
        let pieces = split(bytes(line + "\n").map { [$0] }, maxPiece: 8)
        #expect(pieces.map(\.0) == ["zzzzzzzz", "zzzzzzzz", "zzzz"])
        #expect(pieces.map(\.1) == [true, true, false])
    }

    @Test func cutNeverSplitsAUTF8Character() {
        // "aaaaaaa" + "é" (2 bytes) puts the character across the 8-byte boundary.
        let pieces = split([bytes("aaaaaaaé€😀xyz\n")], maxPiece: 8)
        #expect(pieces.map(\.0).joined() == "aaaaaaaé€😀xyz")
        #expect(pieces.allSatisfy { !$0.0.contains("\u{FFFD}") })
        #expect(pieces.allSatisfy { $0.0.utf8.count <= 8 })
    }

    @Test func invalidBytes_becomeReplacementCharacters() {
        #expect(split([[0x61, 0xFF, 0x62, 0x0A]]).map(\.0) == ["a\u{FFFD}b"])
    }
}
