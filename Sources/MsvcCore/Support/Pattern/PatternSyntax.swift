/// A parsed pattern. Groups are gone (nothing reads captures: lines either match or not),
/// case-insensitive literals are already sets, and every repetition keeps its position for
/// size errors.
indirect enum PatternNode: Sendable, Equatable {
    /// Matches the empty string.
    case empty
    /// One Unicode scalar.
    case scalar(UInt32)
    /// One scalar from a set.
    case set(CharClass)
    /// Any scalar; without `dotAll` any but `\n`.
    case any(dotAll: Bool)
    /// A zero-width test.
    case assertion(Assertion)
    /// Each in turn.
    case concat([PatternNode])
    /// Any one of them.
    case alternate([PatternNode])
    /// `min` to `max` (nil: unbounded) times; `position` is the operator's 0-based offset.
    case repetition(PatternNode, min: Int, max: Int?, position: Int)
}

/// Zero-width tests.
enum Assertion: Sendable, Equatable {
    /// `\A`, or `^` without `(?m)`.
    case beginText
    /// `\z`, or `$` without `(?m)`.
    case endText
    /// `^` with `(?m)`: start of text or after `\n`.
    case beginLine
    /// `$` with `(?m)`: end of text or before `\n`.
    case endLine
    /// `\b`.
    case wordBoundary
    /// `\B`.
    case notWordBoundary
}

/// A set of scalars: sorted disjoint ranges plus Unicode properties, optionally negated.
struct CharClass: Sendable, Equatable {
    /// Sorted, disjoint, non-adjacent ranges.
    private(set) var ranges: [ClosedRange<UInt32>] = []
    /// Properties whose scalars are also in the set.
    var properties: [ScalarProperty] = []
    /// The set is everything outside `ranges` and `properties`.
    var negated = false

    /// Adds one range, keeping `ranges` sorted and merged.
    mutating func add(_ range: ClosedRange<UInt32>) { add(contentsOf: [range]) }

    /// Adds one scalar.
    mutating func add(_ scalar: UInt32) { add(contentsOf: [scalar...scalar]) }

    /// Adds many ranges at once (one sort, one merge).
    mutating func add(contentsOf extra: [ClosedRange<UInt32>]) {
        guard !extra.isEmpty else { return }
        let all = (ranges + extra).sorted { $0.lowerBound < $1.lowerBound }
        var out: [ClosedRange<UInt32>] = []
        out.reserveCapacity(all.count)
        for r in all {
            if let last = out.last, r.lowerBound <= last.upperBound &+ 1 {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        ranges = out
    }

    /// Adds everything in `other` (which must not be negated).
    mutating func formUnion(_ other: CharClass) {
        for r in other.ranges { add(r) }
        properties += other.properties
    }

    /// Whether `scalar` is in the set.
    func contains(_ scalar: UInt32) -> Bool {
        var lo = 0, hi = ranges.count
        var found = false
        while lo < hi {
            let mid = (lo + hi) / 2
            let r = ranges[mid]
            if scalar < r.lowerBound { hi = mid } else if scalar > r.upperBound { lo = mid + 1 } else { found = true; break }
        }
        if !found {
            for p in properties where p.contains(scalar) { found = true; break }
        }
        return found != negated
    }

    /// The set closed under simple case folding (`(?i)`): every case variant of every member.
    func caseFolded() -> CharClass {
        var out = self
        var extra: [ClosedRange<UInt32>] = []
        let table = CaseOrbits.shared
        for r in ranges { table.forEachVariant(in: r) { extra.append($0...$0) } }
        for p in properties { table.forEachVariant(where: p.contains) { extra.append($0...$0) } }
        out.add(contentsOf: extra)
        return out
    }
}
