import Glibc

/// Gives back memory a supervisor used only while its stack started: the heap malloc keeps
/// free, and the pages of msvc's own program code mapped then (parsing msvc.yaml, checking
/// programs, launching), which an idle supervisor never runs again.
///
/// Code pages are clean and backed by the program file: dropping them from msvc's page tables
/// frees nothing another process could not reclaim anyway, but it is what a resident-set
/// figure counts (half of an idle supervisor's). Code that runs again faults back in from the
/// page cache (docs/DECISIONS.md, "An idle supervisor trims its memory").
enum MemoryTrim {
    /// Returns free heap and unmaps the program's code pages; they come back as they run.
    static func run() {
        if let trim = mallocTrim { _ = trim(0) }
        guard let exe = programPath() else { return }
        for range in codeMappings(of: exe) {
            _ = madvise(UnsafeMutableRawPointer(bitPattern: range.lowerBound), Int(range.upperBound - range.lowerBound), MADV_DONTNEED)
        }
    }

    /// glibc's `malloc_trim`, which Swift's Glibc module does not declare; nil with another C library.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()

    /// The running program's file, as /proc/self/maps names it.
    static func programPath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The executable, never-written mappings of `path` (its code): `r-xp` lines of
    /// /proc/self/maps. Mappings that were written (relocated data, even when read-only now)
    /// are never touched: dropping those would lose what was written.
    static func codeMappings(of path: String) -> [Range<UInt>] {
        guard let file = fopen("/proc/self/maps", "r") else { return [] }
        defer { fclose(file) }
        var ranges: [Range<UInt>] = []
        var line = [CChar](repeating: 0, count: 8192)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "r-xp",
                  fields[5...].joined(separator: " ").trimmingSuffix("\n") == path else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let low = UInt(bounds[0], radix: 16), let high = UInt(bounds[1], radix: 16), low < high
            else { continue }
            ranges.append(low..<high)
        }
        return ranges
    }
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> Substring {
        hasSuffix(suffix) ? dropLast(suffix.count) : self[...]
    }
}
