// msvc's LinePattern against NSRegularExpression, on log lines and on patterns that
// backtrack exponentially. Built by run.sh with the engine's sources compiled in (-O).
import Foundation

func clock(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Median of `runs` timings.
func median(_ runs: Int, _ body: () -> Void) -> Double {
    (0..<runs).map { _ in clock(body) }.sorted()[runs / 2]
}

func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

// 10,000 lines a service, the size of msvc's ring; eight services.
var rng = SystemRandomNumberGenerator()
let levels = ["debug", "info", "info", "info", "warn", "error"]
let paths = ["/api/orders/", "/api/stock/", "/healthz", "/api/pay/"]
var lines: [String] = []
for i in 0..<80_000 {
    let level = levels[Int.random(in: 0..<levels.count, using: &rng)]
    let path = paths[Int.random(in: 0..<paths.count, using: &rng)] + String(Int.random(in: 1...9999, using: &rng))
    let status = [200, 200, 200, 201, 404, 500, 503][Int.random(in: 0..<7, using: &rng)]
    let text = i % 3 == 0
        ? "{\"time\":\"2026-12-01T10:\(i % 60):00Z\",\"level\":\"\(level)\",\"msg\":\"request\",\"path\":\"\(path)\",\"status\":\(status),\"ms\":\(i % 97)}"
        : "2026-12-01T10:\(i % 60):00.123Z level=\(level) GET \(path) \(status) \(i % 97)ms request_id=\(UUID().uuidString.prefix(8))"
    lines.append(text)
}
let bytes = lines.reduce(0) { $0 + $1.utf8.count }

let ordinary = [
    "error",
    "(?i)timeout|refused|ERROR",
    #"^\d{4}-\d{2}-\d{2}T.*level=(warn|error)"#,
    #"\b(GET|POST) /api/orders/\d+ 5\d\d\b"#,
    #""status":50[03]"#,
    #"request_id=[0-9A-F]{8}$"#,
]
for pattern in ordinary {
    let ours = try! LinePattern(pattern)
    let icu = try! NSRegularExpression(pattern: pattern)
    var a = 0, b = 0
    let tOurs = median(5) { a = lines.reduce(0) { $0 + (ours.matches($1) ? 1 : 0) } }
    let tICU = median(5) { b = lines.reduce(0) { $0 + (icu.firstMatch(in: $1, range: NSRange($1.startIndex..., in: $1)) != nil ? 1 : 0) } }
    precondition(a == b, "engines disagree on \(pattern): \(a) vs \(b)")
    emit(["pattern": pattern, "lines": lines.count, "matches": a, "msvc_ms": (tOurs * 1000).rounded(), "nsregex_ms": (tICU * 1000).rounded(),
          "msvc_mb_s": (Double(bytes) / tOurs / 1e6).rounded(), "nsregex_mb_s": (Double(bytes) / tICU / 1e6).rounded()])
}

// Catastrophic patterns: time per line as the line grows. NSRegularExpression doubles per
// character; ours grows linearly, so it is measured on far longer lines.
for (pattern, unit, tail) in [("(a+)+$", "a", "!"), ("(x+x+)+y", "x", "")] {
    let ours = try! LinePattern(pattern)
    let icu = try! NSRegularExpression(pattern: pattern)
    for n in [16, 20, 22, 24] {
        let line = String(repeating: unit, count: n) + tail
        let t = clock { _ = icu.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) }
        emit(["pattern": pattern, "engine": "NSRegularExpression", "line_length": n + tail.count, "ms_per_line": (t * 1e6).rounded() / 1000])
    }
    for n in [24, 1_000, 100_000, 1_000_000] {
        let line = String(repeating: unit, count: n) + tail
        let t = median(5) { precondition(!ours.matches(line)) }
        emit(["pattern": pattern, "engine": "msvc", "line_length": n + tail.count, "ms_per_line": (t * 1e6).rounded() / 1000])
    }
    // A ring of such lines: 10,000 lines of 40 characters.
    let ring = Array(repeating: String(repeating: unit, count: 40) + tail, count: 10_000)
    let t = median(5) { for l in ring { precondition(!ours.matches(l)) } }
    emit(["pattern": pattern, "engine": "msvc", "lines": 10_000, "line_length": 40 + tail.count, "ms_total": (t * 1e6).rounded() / 1000])
}

// A pattern whose DFA does not fit the cache: the engine falls back to one NFA step a byte.
let explosive = try! LinePattern("(a|b)*a(a|b){12}c")
let abLine = String((0..<1_000_000).map { _ in Bool.random() ? "a" : "b" })
let tx = median(3) { _ = explosive.matches(abLine) }
emit(["pattern": "(a|b)*a(a|b){12}c", "engine": "msvc", "line_length": 1_000_000, "ms_per_line": (tx * 1e6).rounded() / 1000])
