/// Checks strings against Java `DateTimeFormatter` patterns (`yyyy-MM-dd'T'HH:mm:ssXXX`), the
/// format language of Pact's date, time and datetime matchers.
enum DateTimePattern {
    /// A piece of a pattern: literal text, or a run of one pattern letter.
    enum Token: Equatable {
        case literal(String)
        case field(Character, Int)
    }

    /// Splits a pattern into letter runs and literal text; nil with a reason when invalid.
    static func tokens(_ pattern: String) -> Result<[Token], PactFormatError> {
        var out: [Token] = []
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "'" {
                var text = ""
                i += 1
                var closed = false
                while i < chars.count {
                    if chars[i] == "'" {
                        if i + 1 < chars.count, chars[i + 1] == "'" { text.append("'"); i += 2; continue }
                        closed = true
                        i += 1
                        break
                    }
                    text.append(chars[i])
                    i += 1
                }
                guard closed else { return .failure(PactFormatError("unterminated quote in date pattern '\(pattern)'")) }
                out.append(.literal(text.isEmpty ? "'" : text))
            } else if c.isASCII, c.isLetter {
                var n = 0
                while i < chars.count, chars[i] == c { n += 1; i += 1 }
                guard "GuyDMLdQqYwWEecFaBhKkHmsSAnNVvzOXxZ".contains(c) else {
                    return .failure(PactFormatError("unknown pattern letter '\(c)' in '\(pattern)'"))
                }
                out.append(.field(c, n))
            } else if c == "[" || c == "]" || c == "{" || c == "}" || c == "#" {
                return .failure(PactFormatError("'\(c)' is not supported in date pattern '\(pattern)'"))
            } else {
                out.append(.literal(String(c)))
                i += 1
            }
        }
        return .success(out)
    }

    /// Month names, for `MMM` and `MMMM`.
    static let months = ["january", "february", "march", "april", "may", "june", "july", "august",
                         "september", "october", "november", "december"]
    /// Day names, for `E`.
    static let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    /// Nil when `value` matches `pattern` exactly, else why not.
    static func validate(_ value: String, format pattern: String) -> String? {
        let toks: [Token]
        switch tokens(pattern) {
        case .success(let t): toks = t
        case .failure(let e): return e.message
        }
        var s = Substring(value)
        var day: Int?, month: Int?, year: Int?

        func digits(_ min: Int, _ max: Int) -> Int? {
            let run = s.prefix { $0.isASCII && $0.isNumber }.prefix(max)
            guard run.count >= min, let n = Int(run) else { return nil }
            s = s.dropFirst(run.count)
            return n
        }
        func number(_ min: Int, _ max: Int, _ range: ClosedRange<Int>) -> Int? {
            let saved = s
            guard let n = digits(min, max), range.contains(n) else { s = saved; return nil }
            return n
        }
        func word(_ options: [String]) -> Int? {
            let lower = s.lowercased()
            for (i, o) in options.enumerated().sorted(by: { $0.element.count > $1.element.count }) where lower.hasPrefix(o) {
                s = s.dropFirst(o.count)
                return i
            }
            return nil
        }
        func offset(colon: Bool?, allowZ: Bool, minutesOptional: Bool = false) -> Bool {
            if allowZ, s.first == "Z" { s = s.dropFirst(); return true }
            guard let sign = s.first, sign == "+" || sign == "-" else { return false }
            s = s.dropFirst()
            guard number(2, 2, 0...18) != nil else { return false }
            if minutesOptional, s.isEmpty || !(s.first!.isNumber || s.first == ":") { return true }
            if colon == true {
                guard s.first == ":" else { return minutesOptional }
                s = s.dropFirst()
            } else if colon == nil, s.first == ":" {
                s = s.dropFirst()
            }
            return number(2, 2, 0...59) != nil
        }

        for t in toks {
            switch t {
            case .literal(let text):
                guard s.hasPrefix(text) else { return "expected '\(text)' at '\(s)'" }
                s = s.dropFirst(text.count)
            case .field(let c, let n):
                var ok = true
                switch c {
                case "G": ok = word(["ad", "bc", "anno domini", "before christ"]) != nil
                case "u", "y", "Y":
                    if n == 2 { year = number(2, 2, 0...99).map { 2000 + $0 }; ok = year != nil } else {
                        year = digits(n == 1 ? 1 : n, n == 1 ? 9 : max(n, 4)); ok = year != nil
                    }
                case "M", "L":
                    if n <= 2 { month = number(1, 2, 1...12) } else if n == 3 {
                        month = word(months.map { String($0.prefix(3)) }).map { $0 + 1 }
                    } else { month = word(months).map { $0 + 1 } }
                    ok = month != nil
                case "d": day = number(1, 2, 1...31); ok = day != nil
                case "D": ok = number(1, 3, 1...366) != nil
                case "Q", "q":
                    ok = n <= 2 ? number(1, 2, 1...4) != nil : word(["q1", "q2", "q3", "q4", "1st quarter", "2nd quarter", "3rd quarter", "4th quarter"]) != nil
                case "w": ok = number(1, 2, 1...53) != nil
                case "W", "F": ok = number(1, 1, 0...6) != nil
                case "E": ok = (n <= 3 ? word(days.map { String($0.prefix(3)) }) : word(days)) != nil
                case "e", "c":
                    ok = n <= 2 ? number(1, 1, 1...7) != nil : (n == 3 ? word(days.map { String($0.prefix(3)) }) : word(days)) != nil
                case "a": ok = word(["am", "pm"]) != nil
                case "B": ok = word(["in the morning", "in the afternoon", "in the evening", "at night", "noon", "midnight"]) != nil
                case "H": ok = number(1, 2, 0...23) != nil
                case "k": ok = number(1, 2, 1...24) != nil
                case "K": ok = number(1, 2, 0...11) != nil
                case "h": ok = number(1, 2, 1...12) != nil
                case "m": ok = number(1, 2, 0...59) != nil
                case "s": ok = number(1, 2, 0...60) != nil
                case "S": ok = digits(1, n) != nil
                case "A", "n", "N": ok = digits(1, 19) != nil
                case "V", "v":
                    let id = s.prefix { $0.isLetter || $0.isNumber || $0 == "/" || $0 == "_" || $0 == "-" || $0 == "+" }
                    ok = id.contains("/") || id == "UTC" || id == "Z" || id == "GMT"
                    if ok { s = s.dropFirst(id.count) }
                case "z":
                    let name = s.prefix { $0.isLetter }
                    ok = name.count >= 2
                    if ok { s = s.dropFirst(name.count) }
                    if ok, s.first == "+" || s.first == "-" { ok = offset(colon: nil, allowZ: false, minutesOptional: true) }
                case "O":
                    guard s.hasPrefix("GMT") else { ok = false; break }
                    s = s.dropFirst(3)
                    if s.first == "+" || s.first == "-" {
                        s = s.dropFirst()
                        ok = number(1, 2, 0...18) != nil
                        if ok, s.first == ":" { s = s.dropFirst(); ok = number(2, 2, 0...59) != nil }
                    }
                case "X", "x":
                    let z = c == "X"
                    switch n {
                    case 1: ok = offset(colon: false, allowZ: z, minutesOptional: true)
                    case 2, 4: ok = offset(colon: false, allowZ: z)
                    default: ok = offset(colon: true, allowZ: z)
                    }
                case "Z":
                    if n <= 3 { ok = offset(colon: false, allowZ: false) } else if n == 4 {
                        if s.hasPrefix("GMT") { s = s.dropFirst(3); ok = s.isEmpty || offset(colon: true, allowZ: false) } else { ok = offset(colon: true, allowZ: true) }
                    } else { ok = offset(colon: true, allowZ: true) }
                default: ok = false
                }
                if !ok { return "'\(s)' does not match '\(String(repeating: c, count: n))'" }
            }
        }
        guard s.isEmpty else { return "remaining unmatched characters at '\(s)'" }
        if let day, let month {
            let y = year ?? 2001
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
            let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            if day > lengths[month - 1] { return "\(day) is not a valid day for month \(month)" }
        }
        return nil
    }
}
