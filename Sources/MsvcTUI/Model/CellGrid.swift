/// The eight basic terminal colours, or the terminal's default.
public enum TermColor: UInt8, Sendable, Equatable, CaseIterable {
    case `default` = 0, black, red, green, yellow, blue, magenta, cyan, white
}

/// How one cell looks: colours and attributes.
public struct CellStyle: Sendable, Hashable {
    /// Foreground colour.
    public var fg: TermColor = .default
    /// Background colour.
    public var bg: TermColor = .default
    /// Bold.
    public var bold = false
    /// Dim.
    public var dim = false
    /// Reverse video (selection, search highlight on monochrome terminals).
    public var reverse = false
    /// Underline.
    public var underline = false

    /// The terminal's default look.
    public static let plain = CellStyle()

    /// Creates a style.
    public init(fg: TermColor = .default, bg: TermColor = .default, bold: Bool = false, dim: Bool = false,
                reverse: Bool = false, underline: Bool = false) {
        self.fg = fg
        self.bg = bg
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
        self.underline = underline
    }

    /// The same style without colours (NO_COLOR, monochrome terminals).
    public var monochrome: CellStyle {
        CellStyle(bold: bold || (fg != .default && fg != .white && !dim), dim: dim, reverse: reverse || bg != .default, underline: underline)
    }
}

/// One screen cell: the text drawn there (one grapheme, or "" for the right half of a
/// wide character), its width in columns, and its style.
public struct Cell: Sendable, Equatable {
    /// The grapheme; empty for the continuation of a wide character.
    public var text: String
    /// Columns: 1, 2 for wide characters, 0 for a continuation cell.
    public var width: UInt8
    /// Colours and attributes.
    public var style: CellStyle

    /// A blank cell.
    public static let blank = Cell(text: " ", width: 1, style: .plain)

    /// Creates a cell.
    public init(text: String, width: UInt8, style: CellStyle) {
        self.text = text
        self.width = width
        self.style = style
    }
}

/// A rectangle of cells the renderer draws into and the backend copies to the terminal.
public struct CellGrid: Sendable, Equatable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Row-major cells.
    public private(set) var cells: [Cell]

    /// A blank grid.
    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// The cell at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Fills a rectangle with spaces of `style`.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, style: CellStyle) {
        let blank = Cell(text: " ", width: 1, style: style)
        for row in max(0, y)..<min(height, y + h) {
            for col in max(0, x)..<min(width, x + w) { cells[row * width + col] = blank }
        }
    }

    /// Writes `text` at (x, y) with `style`, clipped at `limit` columns (default: the right
    /// edge); returns the column after the last one written. Wide characters that would
    /// straddle the limit are replaced by a space; control characters are shown as `?`.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: CellStyle, limit: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        let end = min(width, limit ?? width)
        var col = x
        for ch in text {
            if col >= end { break }
            var w = CellGrid.width(of: ch)
            var shown = String(ch)
            if w < 0 { shown = "?"; w = 1 }
            if w == 0 {
                // A lone combining mark: attach it to the previous cell.
                if col > x, col - 1 < width, col - 1 >= 0 { self[col - 1, y].text += shown }
                continue
            }
            if col < 0 { col += w; continue }
            if col + w > end {
                cells[y * width + col] = Cell(text: " ", width: 1, style: style)
                col += 1
                break
            }
            if col > 0, cells[y * width + col].width == 0 {
                // Overwriting the right half of a wide character: blank its left half.
                cells[y * width + col - 1] = Cell(text: " ", width: 1, style: cells[y * width + col - 1].style)
            }
            cells[y * width + col] = Cell(text: shown, width: UInt8(w), style: style)
            if w == 2 { cells[y * width + col + 1] = Cell(text: "", width: 0, style: style) }
            col += w
        }
        return col
    }

    /// Applies `change` to the style of cells [x, x+count) in row y.
    public mutating func restyle(x: Int, y: Int, count: Int, _ change: (inout CellStyle) -> Void) {
        guard y >= 0, y < height else { return }
        for col in max(0, x)..<min(width, x + count) { change(&cells[y * width + col].style) }
    }

    /// Columns a grapheme takes: 0 (combining), 1, 2 (East Asian wide, emoji), or -1 for
    /// control characters. A fixed table rather than wcwidth, so it does not depend on the
    /// locale and renders the same in tests and on every machine.
    public static func width(of ch: Character) -> Int {
        if let v = ch.asciiValue { return v < 0x20 || v == 0x7F ? -1 : 1 }
        guard let first = ch.unicodeScalars.first else { return 0 }
        if first.properties.generalCategory == .control { return -1 }
        if ch.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        return scalarWidth(first)
    }

    private static let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
            0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
            0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
            0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
            0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
            0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
            0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
            0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF,
            0x1F004...0x1F004, 0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251,
            0x1F300...0x1F320, 0x1F32D...0x1F335, 0x1F337...0x1F37C, 0x1F37E...0x1F393, 0x1F3A0...0x1F3CA,
            0x1F3CF...0x1F3D3, 0x1F3E0...0x1F3F0, 0x1F3F4...0x1F3F4, 0x1F3F8...0x1F43E, 0x1F440...0x1F440,
            0x1F442...0x1F4FC, 0x1F4FF...0x1F53D, 0x1F54B...0x1F54E, 0x1F550...0x1F567, 0x1F57A...0x1F57A,
            0x1F595...0x1F596, 0x1F5A4...0x1F5A4, 0x1F5FB...0x1F64F, 0x1F680...0x1F6C5, 0x1F6CC...0x1F6CC,
            0x1F6D0...0x1F6D2, 0x1F6D5...0x1F6D7, 0x1F6EB...0x1F6EC, 0x1F6F4...0x1F6FC, 0x1F7E0...0x1F7EB,
            0x1F90C...0x1F93A, 0x1F93C...0x1F945, 0x1F947...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x3FFFD,
    ]

    /// Columns one scalar takes (see `width(of:)`).
    static func scalarWidth(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0x200B { return 0 }
        if v < 0x1100 { return 1 }
        var lo = 0, hi = wide.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if v < wide[mid].lowerBound { hi = mid - 1 } else if v > wide[mid].upperBound { lo = mid + 1 } else { return 2 }
        }
        return 1
    }

    /// Columns a string takes (control characters count as the one `?` shown for them).
    public static func width(of text: String) -> Int {
        text.reduce(0) { acc, ch in
            let w = width(of: ch)
            return acc + (w < 0 ? 1 : w)
        }
    }

    /// The grid as plain text, one line per row, trailing spaces kept so columns line up.
    public var text: String {
        var out = ""
        for y in 0..<height {
            for x in 0..<width { out += cells[y * width + x].text }
            out += "\n"
        }
        return out
    }
}
