/// A pattern compiled to a Thompson NFA: instructions that consume one scalar, split, jump,
/// test a zero-width assertion, or report a match. Immutable once built.
struct PatternProgram: Sendable {
    /// One instruction; `next` holds where it continues.
    enum Op: Sendable, Equatable {
        /// Consumes this scalar.
        case scalar(UInt32)
        /// Consumes a scalar in `classes[index]`.
        case set(Int)
        /// Consumes any scalar.
        case any
        /// Consumes any scalar but `\n`.
        case anyButNewline
        /// Continues at `next` and at this position too.
        case split(Int32)
        /// Continues at `next` without consuming.
        case jump
        /// Continues at `next` when the assertion holds.
        case assert(Assertion)
        /// The pattern matched.
        case match
    }

    /// Most instructions a pattern may compile to: each input scalar may cost a pass over all
    /// of them when the DFA cache cannot help, so this bounds the worst case per scalar.
    static let maxInstructions = 10_000

    private(set) var ops: [Op] = []
    private(set) var next: [Int32] = []
    private(set) var classes: [CharClass] = []
    /// Where matching starts.
    private(set) var start: Int32 = 0
    /// Every match must start at the beginning of the text (`^...` or `\A...`).
    private(set) var anchoredStart = false
    /// The pattern tests the start of the text (`^`, `\A`).
    private(set) var usesStart = false
    /// The pattern tests word boundaries (`\b`, `\B`).
    private(set) var usesWord = false
    /// The pattern tests line starts under `(?m)`.
    private(set) var usesNewline = false

    /// Compiles `node`; throws when the expanded program would be too large.
    init(_ node: PatternNode) throws(PatternError) {
        let done = append(.match, next: -1)
        start = try emit(node, next: done, repetition: nil)
        anchoredStart = Self.anchored(node)
    }

    @discardableResult
    private mutating func append(_ op: Op, next: Int32) -> Int32 {
        ops.append(op)
        self.next.append(next)
        switch op {
        case .assert(.beginText): usesStart = true
        case .assert(.beginLine): usesStart = true; usesNewline = true
        case .assert(.wordBoundary), .assert(.notWordBoundary): usesWord = true
        default: break
        }
        return Int32(ops.count - 1)
    }

    /// Emits `node` so that it continues at `next`; returns its entry. `repetition` is the
    /// position of the innermost repetition, blamed when the program grows too large.
    private mutating func emit(_ node: PatternNode, next: Int32, repetition: Int?) throws(PatternError) -> Int32 {
        if ops.count > Self.maxInstructions {
            guard let repetition else {
                throw PatternError(at: 0, "the pattern is too long (over \(Self.maxInstructions) steps); shorten it")
            }
            throw PatternError(at: repetition, "the pattern is too large once its repetitions are expanded (over \(Self.maxInstructions) steps); use smaller counts, or + and * instead of large {n,m}")
        }
        switch node {
        case .empty:
            return next
        case .scalar(let v):
            return append(.scalar(v), next: next)
        case .set(let set):
            classes.append(set)
            return append(.set(classes.count - 1), next: next)
        case .any(let dotAll):
            return append(dotAll ? .any : .anyButNewline, next: next)
        case .assertion(let a):
            return append(.assert(a), next: next)
        case .concat(let items):
            var entry = next
            for item in items.reversed() { entry = try emit(item, next: entry, repetition: repetition) }
            return entry
        case .alternate(let branches):
            var entry = try emit(branches[branches.count - 1], next: next, repetition: repetition)
            for branch in branches.dropLast().reversed() {
                let b = try emit(branch, next: next, repetition: repetition)
                entry = append(.split(entry), next: b)
            }
            return entry
        case .repetition(let body, let min, let max, let position):
            var entry: Int32
            if let max {
                // Optional copies nest, (x(x)?)?, so each may stop early without
                // alternatives growing with the count.
                entry = next
                for _ in 0..<(max - min) {
                    let copy = try emit(body, next: entry, repetition: position)
                    entry = append(.split(next), next: copy)
                }
            } else {
                // A loop: the split is emitted first, then the body that jumps back to it.
                let loop = append(.split(next), next: -1)
                let copy = try emit(body, next: loop, repetition: position)
                self.next[Int(loop)] = copy
                entry = loop
            }
            for _ in 0..<min { entry = try emit(body, next: entry, repetition: position) }
            return entry
        }
    }

    /// Whether every match of `node` must start at the beginning of the text.
    private static func anchored(_ node: PatternNode) -> Bool {
        switch node {
        case .assertion(.beginText): return true
        case .concat(let items): return items.first.map(anchored) ?? false
        case .alternate(let branches): return branches.allSatisfy(anchored)
        case .repetition(let body, let min, _, _): return min > 0 && anchored(body)
        default: return false
        }
    }
}
