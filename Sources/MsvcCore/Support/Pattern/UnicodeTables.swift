/// A Unicode property a class can test: `\w`, `\d`, `\s`, `\p{..}`, each possibly negated.
struct ScalarProperty: Sendable, Equatable {
    /// Which property.
    enum Kind: Sendable, Equatable {
        /// `\w`: Alphabetic, marks, decimal digits, connector punctuation, ZWNJ and ZWJ (as ICU).
        case word
        /// `\d`: decimal digits (general category Nd).
        case digit
        /// `\s`: Unicode White_Space.
        case space
        /// `\p{..}`: general categories, one bit per category (see `categoryBit`).
        case categories(UInt64)
        /// `\p{Any}`.
        case any
    }

    /// Which property.
    var kind: Kind
    /// `\W`, `\D`, `\S`, `\P{..}`.
    var negated = false

    /// Whether `v` has the property.
    func contains(_ v: UInt32) -> Bool {
        let yes: Bool
        switch kind {
        case .word: yes = Self.isWord(v)
        case .digit: yes = v < 0x80 ? (v >= 0x30 && v <= 0x39) : (Unicode.Scalar(v).map { $0.properties.generalCategory == .decimalNumber } ?? false)
        case .space:
            yes = v < 0x80 ? (v == 0x20 || (v >= 0x09 && v <= 0x0D)) : (Unicode.Scalar(v)?.properties.isWhitespace ?? false)
        case .categories(let mask):
            yes = Unicode.Scalar(v).map { mask & (1 << Self.categoryBit($0.properties.generalCategory)) != 0 } ?? false
        case .any: yes = true
        }
        return yes != negated
    }

    /// Whether `v` is a word character for `\w` and `\b`.
    static func isWord(_ v: UInt32) -> Bool {
        if v < 0x80 {
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x5F
        }
        if v == 0x200C || v == 0x200D { return true }
        guard let s = Unicode.Scalar(v) else { return false }
        if s.properties.isAlphabetic { return true }
        switch s.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    /// The category names `\p{..}` accepts, with their bit masks.
    static let categoryNames: [String: UInt64] = {
        let groups: [(String, [Unicode.GeneralCategory])] = [
            ("Lu", [.uppercaseLetter]), ("Ll", [.lowercaseLetter]), ("Lt", [.titlecaseLetter]),
            ("Lm", [.modifierLetter]), ("Lo", [.otherLetter]),
            ("L", [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter]),
            ("Mn", [.nonspacingMark]), ("Mc", [.spacingMark]), ("Me", [.enclosingMark]),
            ("M", [.nonspacingMark, .spacingMark, .enclosingMark]),
            ("Nd", [.decimalNumber]), ("Nl", [.letterNumber]), ("No", [.otherNumber]),
            ("N", [.decimalNumber, .letterNumber, .otherNumber]),
            ("Pc", [.connectorPunctuation]), ("Pd", [.dashPunctuation]), ("Ps", [.openPunctuation]),
            ("Pe", [.closePunctuation]), ("Pi", [.initialPunctuation]), ("Pf", [.finalPunctuation]),
            ("Po", [.otherPunctuation]),
            ("P", [.connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                   .initialPunctuation, .finalPunctuation, .otherPunctuation]),
            ("Sm", [.mathSymbol]), ("Sc", [.currencySymbol]), ("Sk", [.modifierSymbol]), ("So", [.otherSymbol]),
            ("S", [.mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol]),
            ("Zs", [.spaceSeparator]), ("Zl", [.lineSeparator]), ("Zp", [.paragraphSeparator]),
            ("Z", [.spaceSeparator, .lineSeparator, .paragraphSeparator]),
            ("Cc", [.control]), ("Cf", [.format]), ("Cs", [.surrogate]), ("Co", [.privateUse]), ("Cn", [.unassigned]),
            ("C", [.control, .format, .surrogate, .privateUse, .unassigned]),
        ]
        var out: [String: UInt64] = [:]
        for (name, cats) in groups { out[name] = cats.reduce(0) { $0 | (1 << categoryBit($1)) } }
        return out
    }()

    /// A stable bit index per general category.
    static func categoryBit(_ c: Unicode.GeneralCategory) -> UInt64 {
        switch c {
        case .uppercaseLetter: 0
        case .lowercaseLetter: 1
        case .titlecaseLetter: 2
        case .modifierLetter: 3
        case .otherLetter: 4
        case .nonspacingMark: 5
        case .spacingMark: 6
        case .enclosingMark: 7
        case .decimalNumber: 8
        case .letterNumber: 9
        case .otherNumber: 10
        case .connectorPunctuation: 11
        case .dashPunctuation: 12
        case .openPunctuation: 13
        case .closePunctuation: 14
        case .initialPunctuation: 15
        case .finalPunctuation: 16
        case .otherPunctuation: 17
        case .mathSymbol: 18
        case .currencySymbol: 19
        case .modifierSymbol: 20
        case .otherSymbol: 21
        case .spaceSeparator: 22
        case .lineSeparator: 23
        case .paragraphSeparator: 24
        case .control: 25
        case .format: 26
        case .surrogate: 27
        case .privateUse: 28
        case .unassigned: 29
        @unknown default: 29
        }
    }
}

/// Simple case folding as orbits: sets of scalars that are case variants of one another
/// (`k`, `K` and the Kelvin sign). Built once, on the first case-insensitive pattern.
final class CaseOrbits: Sendable {
    /// The table, built on first use.
    static let shared = CaseOrbits()

    /// Every scalar with case variants, sorted.
    private let scalars: [UInt32]
    /// Orbit number of each scalar in `scalars`.
    private let orbitOf: [UInt32: Int]
    /// The members of each orbit.
    private let orbits: [[UInt32]]

    private init() {
        var parent: [UInt32: UInt32] = [:]
        func find(_ x: UInt32) -> UInt32 {
            var x = x
            while let p = parent[x], p != x { x = p }
            return x
        }
        func union(_ a: UInt32, _ b: UInt32) {
            if parent[a] == nil { parent[a] = a }
            if parent[b] == nil { parent[b] = b }
            let ra = find(a), rb = find(b)
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        // Every cased scalar is below U+20000; full mappings to several scalars (ß → SS)
        // are not simple folds and are left out, as in RE2.
        for v in UInt32(0)...0x1FFFF {
            guard let s = Unicode.Scalar(v), s.properties.changesWhenCaseMapped else { continue }
            for mapped in [s.properties.lowercaseMapping, s.properties.uppercaseMapping, s.properties.titlecaseMapping] {
                let u = mapped.unicodeScalars
                if u.count == 1, let m = u.first, m.value != v { union(v, m.value) }
            }
        }
        var byRoot: [UInt32: Int] = [:]
        var orbits: [[UInt32]] = []
        var orbitOf: [UInt32: Int] = [:]
        for v in parent.keys.sorted() {
            let root = find(v)
            let index: Int
            if let i = byRoot[root] { index = i } else { index = orbits.count; byRoot[root] = index; orbits.append([]) }
            orbits[index].append(v)
            orbitOf[v] = index
        }
        self.scalars = parent.keys.sorted()
        self.orbitOf = orbitOf
        self.orbits = orbits
    }

    /// `v` and its case variants.
    func variants(of v: UInt32) -> [UInt32] {
        orbitOf[v].map { orbits[$0] } ?? [v]
    }

    /// Calls `body` with every case variant of every cased scalar in `range`.
    func forEachVariant(in range: ClosedRange<UInt32>, _ body: (UInt32) -> Void) {
        var lo = 0, hi = scalars.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if scalars[mid] < range.lowerBound { lo = mid + 1 } else { hi = mid }
        }
        var i = lo
        while i < scalars.count, scalars[i] <= range.upperBound {
            for m in orbits[orbitOf[scalars[i]]!] { body(m) }
            i += 1
        }
    }

    /// Calls `body` with every member of each orbit that has a member satisfying `test`.
    func forEachVariant(where test: (UInt32) -> Bool, _ body: (UInt32) -> Void) {
        for orbit in orbits where orbit.contains(where: test) {
            for m in orbit { body(m) }
        }
    }
}
