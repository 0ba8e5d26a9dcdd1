/// A lazily built DFA over a `PatternProgram`. A state is a set of program positions plus
/// what the previous scalar was (for `^`, `\b`); its transition on a scalar is computed by
/// one NFA step the first time and cached, so a line costs one table lookup per byte once
/// warm. When the cache outgrows its budget it is dropped and rebuilt, so memory stays
/// bounded and the worst case is one NFA step per scalar: linear in the input, whatever
/// the pattern. Not thread-safe; `LinePattern` serializes use.
struct PatternDFA: Sendable {
    private struct Key: Hashable, Sendable {
        var pcs: [Int32]
        var context: UInt8
    }

    /// Context bits: what the previous scalar was.
    private static let atStart: UInt8 = 1, afterWord: UInt8 = 2, afterNewline: UInt8 = 4
    /// Transition-table values below zero.
    private static let unknown: Int32 = -1, matched: Int32 = -2, dead: Int32 = -3
    /// Cache budget: states, and program positions stored across all states.
    static let maxStates = 2_000, maxStoredPositions = 200_000, maxOtherEntries = 100_000

    /// The program whose states this caches.
    let program: PatternProgram
    private let contextMask: UInt8
    private var keys: [Key] = []
    private var index: [Key: Int32] = [:]
    /// 128 entries per state for ASCII bytes.
    private var ascii: [Int32] = []
    /// Other scalars, per state.
    private var other: [[UInt32: Int32]] = []
    /// Whether the text may end in each state: -1 unknown, 0 no, 1 yes.
    private var atEnd: [Int8] = []
    private var storedPositions = 0, otherEntries = 0
    /// The start state's index, or -1 until interned (again, after a reset).
    private var startState: Int32 = -1
    /// Times the cache was dropped (for tests and benchmarks).
    private(set) var resets = 0
    // Scratch space for NFA steps.
    private var mark: [UInt32]
    private var generation: UInt32 = 0
    private var stack: [Int32] = []

    /// An empty cache for `program`.
    init(_ program: PatternProgram) {
        self.program = program
        var mask: UInt8 = 0
        if program.usesStart { mask |= Self.atStart }
        if program.usesWord { mask |= Self.afterWord }
        if program.usesNewline { mask |= Self.afterNewline }
        contextMask = mask
        mark = Array(repeating: 0, count: program.ops.count)
    }

    /// Whether the pattern matches anywhere in `text` (valid UTF-8).
    mutating func matches(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        if startState < 0 { startState = intern(Key(pcs: [program.start], context: Self.atStart & contextMask)).state }
        var state = startState
        var i = 0
        let n = text.count
        let resetsBefore = resets
        while i < n {
            // A pattern whose DFA keeps outgrowing the cache (such as (a|b)*a(a|b){12}) is run
            // as a plain NFA for the rest of the line: no interning, no hashing.
            if resets - resetsBefore > 2 { return simulate(text, from: i, key: keys[Int(state)]) }
            // The hot loop: ASCII bytes with cached transitions.
            let (stop, reached) = ascii.withUnsafeBufferPointer { table -> (Int, Int32) in
                var s = state, j = i
                while j < n {
                    let b = text[j]
                    if b >= 0x80 { break }
                    let t = table[Int(s) &* 128 &+ Int(b)]
                    if t < 0 { break }
                    s = t
                    j &+= 1
                }
                return (j, s)
            }
            i = stop
            state = reached
            guard i < n else { break }
            let (scalar, length) = Self.decode(text, at: i)
            var target = scalar < 0x80 ? ascii[Int(state) * 128 + Int(scalar)] : (other[Int(state)][scalar] ?? Self.unknown)
            if target == Self.unknown { target = transition(from: state, on: scalar) }
            if target == Self.matched { return true }
            if target == Self.dead { return false }
            state = target
            i += length
        }
        if atEnd[Int(state)] < 0 { atEnd[Int(state)] = step(keys[Int(state)], on: nil).matched ? 1 : 0 }
        return atEnd[Int(state)] == 1
    }

    /// Decodes the scalar at `i` of valid UTF-8.
    private static func decode(_ t: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
        let b0 = UInt32(t[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(t[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 { return ((b0 & 0x0F) << 12 | UInt32(t[i + 1] & 0x3F) << 6 | UInt32(t[i + 2] & 0x3F), 3) }
        return ((b0 & 0x07) << 18 | UInt32(t[i + 1] & 0x3F) << 12 | UInt32(t[i + 2] & 0x3F) << 6 | UInt32(t[i + 3] & 0x3F), 4)
    }

    /// Computes and caches the transition of `state` on `scalar`.
    private mutating func transition(from state: Int32, on scalar: UInt32) -> Int32 {
        let result = step(keys[Int(state)], on: scalar)
        let target: Int32
        var cache = true
        if result.matched {
            target = Self.matched
        } else if result.pcs.isEmpty {
            target = Self.dead
        } else {
            var context: UInt8 = 0
            if ScalarProperty.isWord(scalar) { context |= Self.afterWord }
            if scalar == 0x0A { context |= Self.afterNewline }
            let interned = intern(Key(pcs: result.pcs, context: context & contextMask))
            target = interned.state
            cache = !interned.reset
        }
        if cache {
            if scalar < 0x80 {
                ascii[Int(state) * 128 + Int(scalar)] = target
            } else {
                other[Int(state)][scalar] = target
                otherEntries += 1
            }
        }
        return target
    }

    /// One NFA step: follows splits, jumps and assertions from `key` with `scalar` next (nil:
    /// the end of the text), then consumes it. Reports a match reached before consuming.
    private mutating func step(_ key: Key, on scalar: UInt32?) -> (matched: Bool, pcs: [Int32]) {
        generation &+= 1
        if generation == 0 {
            for j in mark.indices { mark[j] = 0 }
            generation = 1
        }
        stack.removeAll(keepingCapacity: true)
        stack.append(contentsOf: key.pcs)
        var out: [Int32] = []
        let ops = program.ops, next = program.next
        while let pc = stack.popLast() {
            let p = Int(pc)
            if mark[p] == generation { continue }
            mark[p] = generation
            switch ops[p] {
            case .match:
                return (true, [])
            case .split(let other):
                stack.append(other)
                stack.append(next[p])
            case .jump:
                stack.append(next[p])
            case .assert(let a):
                if holds(a, context: key.context, next: scalar) { stack.append(next[p]) }
            case .scalar(let v):
                if scalar == v { out.append(next[p]) }
            case .set(let k):
                if let scalar, program.classes[k].contains(scalar) { out.append(next[p]) }
            case .any:
                if scalar != nil { out.append(next[p]) }
            case .anyButNewline:
                if let scalar, scalar != 0x0A { out.append(next[p]) }
            }
        }
        guard scalar != nil else { return (false, []) }
        if !program.anchoredStart { out.append(program.start) }
        out.sort()
        var unique: [Int32] = []
        unique.reserveCapacity(out.count)
        for pc in out where unique.last != pc { unique.append(pc) }
        return (false, unique)
    }

    /// Runs the NFA directly from `key` at byte `i` to the end of `text`.
    private mutating func simulate(_ text: UnsafeBufferPointer<UInt8>, from start: Int, key: Key) -> Bool {
        var current = key.pcs
        var context = key.context
        var next: [Int32] = []
        var i = start
        while i < text.count {
            let (scalar, length) = Self.decode(text, at: i)
            if advance(current, context: context, on: scalar, into: &next) { return true }
            if next.isEmpty { return false }
            swap(&current, &next)
            context = 0
            if ScalarProperty.isWord(scalar) { context |= Self.afterWord }
            if scalar == 0x0A { context |= Self.afterNewline }
            context &= contextMask
            i += length
        }
        return step(Key(pcs: current, context: context), on: nil).matched
    }

    /// One NFA step into `out` (cleared first), without sorting; true when a match was reached.
    private mutating func advance(_ pcs: [Int32], context: UInt8, on scalar: UInt32, into out: inout [Int32]) -> Bool {
        out.removeAll(keepingCapacity: true)
        generation &+= 1
        if generation == 0 {
            for j in mark.indices { mark[j] = 0 }
            generation = 1
        }
        stack.removeAll(keepingCapacity: true)
        stack.append(contentsOf: pcs)
        let ops = program.ops, next = program.next
        while let pc = stack.popLast() {
            let p = Int(pc)
            if mark[p] == generation { continue }
            mark[p] = generation
            switch ops[p] {
            case .match: return true
            case .split(let other): stack.append(other); stack.append(next[p])
            case .jump: stack.append(next[p])
            case .assert(let a): if holds(a, context: context, next: scalar) { stack.append(next[p]) }
            case .scalar(let v): if scalar == v { out.append(next[p]) }
            case .set(let k): if program.classes[k].contains(scalar) { out.append(next[p]) }
            case .any: out.append(next[p])
            case .anyButNewline: if scalar != 0x0A { out.append(next[p]) }
            }
        }
        if !program.anchoredStart { out.append(program.start) }
        // Positions reached twice would only be expanded once; drop them to keep lists short.
        generation &+= 1
        if generation == 0 {
            for j in mark.indices { mark[j] = 0 }
            generation = 1
        }
        var unique = 0
        for pc in out where mark[Int(pc)] != generation {
            mark[Int(pc)] = generation
            out[unique] = pc
            unique += 1
        }
        out.removeLast(out.count - unique)
        return false
    }

    private func holds(_ a: Assertion, context: UInt8, next: UInt32?) -> Bool {
        switch a {
        case .beginText: return context & Self.atStart != 0
        case .beginLine: return context & (Self.atStart | Self.afterNewline) != 0
        case .endText: return next == nil
        case .endLine: return next == nil || next == 0x0A
        case .wordBoundary, .notWordBoundary:
            let before = context & Self.afterWord != 0
            let after = next.map(ScalarProperty.isWord) ?? false
            return (before != after) == (a == .wordBoundary)
        }
    }

    /// The state for `key`, added if new; drops the whole cache first when it is over budget.
    private mutating func intern(_ key: Key) -> (state: Int32, reset: Bool) {
        if let s = index[key] { return (s, false) }
        var reset = false
        if keys.count >= Self.maxStates || storedPositions + key.pcs.count > Self.maxStoredPositions
            || otherEntries > Self.maxOtherEntries {
            keys.removeAll(keepingCapacity: true)
            index.removeAll(keepingCapacity: true)
            ascii.removeAll(keepingCapacity: true)
            other.removeAll(keepingCapacity: true)
            atEnd.removeAll(keepingCapacity: true)
            storedPositions = 0
            otherEntries = 0
            startState = -1
            resets += 1
            reset = true
        }
        let s = Int32(keys.count)
        keys.append(key)
        index[key] = s
        ascii.append(contentsOf: repeatElement(Self.unknown, count: 128))
        other.append([:])
        atEnd.append(-1)
        storedPositions += key.pcs.count
        return (s, reset)
    }
}
