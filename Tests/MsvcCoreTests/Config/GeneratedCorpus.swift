/// Corpus inputs made at test time: too large or too binary to commit.
enum GeneratedCorpus {
    /// Names of generated cases that are valid on purpose (they test size, not mistakes).
    static let mayLoad: Set<String> = ["93-five-megabytes-chain"]

    /// The generated cases.
    static let cases: [CorpusCase] = [
        CorpusCase(name: "90-deep-nesting-flow") {
            Array(("services: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n").utf8)
        },
        CorpusCase(name: "91-deep-nesting-block") {
            Array((String(repeating: "- ", count: 10_000) + "x\n").utf8)
        },
        CorpusCase(name: "92-deep-nesting-maps") {
            Array((String(repeating: "{a: ", count: 10_000) + "x" + String(repeating: "}", count: 10_000) + "\n").utf8)
        },
        CorpusCase(name: "93-five-megabytes-chain", make: { fiveMegabyteChain() }, limit: .seconds(30)),
        CorpusCase(name: "94-five-megabytes-wide-env", make: { fiveMegabyteEnv() }, limit: .seconds(30)),
        CorpusCase(name: "95-five-megabytes-one-line", make: { fiveMegabyteLine() }, limit: .seconds(30)),
        CorpusCase(name: "96-binary-garbage") { garbage(seed: 96, count: 4096) },
        CorpusCase(name: "97-ascii-garbage") { asciiGarbage(seed: 97, count: 4096) },
        CorpusCase(name: "98-over-size-limit", make: { overLimit() }, limit: .seconds(10)),
    ]

    static let fiveMegabytes = 5 << 20

    /// Services `s0`...`s19999`, each depending on the next one and padded with a comment
    /// to 5 MB: a valid file whose dependency chain is 20,000 deep from the first service
    /// (a recursive graph walk overflows the stack on it).
    static func fiveMegabyteChain() -> [UInt8] {
        let services = 20_000
        let padding = "    # " + String(repeating: "padding ", count: fiveMegabytes / services / 8) + "\n"
        var text = "name: big\nservices:\n"
        for i in 0..<services {
            text += "  s\(i):\n\(padding)    command: ./run \(i)\n"
            if i + 1 < services { text += "    depends_on: [s\(i + 1)]\n" }
        }
        return Array(text.utf8)
    }

    /// One service whose env map has hundreds of thousands of keys, the last one repeated.
    static func fiveMegabyteEnv() -> [UInt8] {
        var text = "services:\n  orders:\n    command: ./orders\n    env:\n"
        var i = 0
        while text.utf8.count < fiveMegabytes {
            text += "      K\(i): v\(i)\n"
            i += 1
        }
        text += "      K0: again\n"
        return Array(text.utf8)
    }

    /// A 5 MB value on one line, then a typo after it (its position must still be right).
    static func fiveMegabyteLine() -> [UInt8] {
        let text = "services:\n  orders:\n    command: ./orders\n    description: "
            + String(repeating: "word ", count: fiveMegabytes / 5) + "\n    prot: 80\n"
        return Array(text.utf8)
    }

    /// Seeded random bytes.
    static func garbage(seed: UInt64, count: Int) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    /// Seeded random printable ASCII with YAML punctuation and newlines: valid UTF-8 nonsense.
    static func asciiGarbage(seed: UInt64, count: Int) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        let alphabet = Array("abc xyz:-[]{}&*!|>'\"%@`#,?\n\t0123".utf8)
        return (0..<count).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
    }

    /// A file just over the 16 MiB limit.
    static func overLimit() -> [UInt8] {
        let line = Array("# padding padding padding padding padding padding padding padding\n".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity((16 << 20) + line.count)
        while bytes.count <= 16 << 20 { bytes += line }
        return bytes
    }
}
