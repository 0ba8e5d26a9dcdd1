import CNcurses
import Foundation

/// The thin ncurses backend: copies a `CellGrid` to the terminal, writing only the cells that
/// changed since the last frame, and reads keys. Not thread-safe, like ncurses itself: only
/// the UI thread creates and uses it.
final class CursesScreen {
    private var last: CellGrid?
    private(set) var color = false
    private var pairs = false
    /// Cells written by the last `draw`, for tests and benchmarks.
    private(set) var lastWritten = 0

    /// Starts curses on the terminal; `signalFD` receives forwarded signal numbers.
    init(signalFD: Int32, noColor: Bool) {
        setlocale(LC_ALL, "")
        if setlocale(LC_CTYPE, nil).map({ String(cString: $0).lowercased().contains("utf") }) != true {
            // A terminal in the C locale still gets UTF-8: msvc always writes UTF-8.
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        setenv("ESCDELAY", "25", 0)
        initscr()
        raw()
        noecho()
        nonl()
        keypad(msvc_stdscr(), true)
        nodelay(msvc_stdscr(), true)
        curs_set(0)
        leaveok(msvc_stdscr(), true)
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            color = true
            pairs = msvc_color_pairs() >= 81
            if pairs {
                for fg in TermColor.allCases {
                    for bg in TermColor.allCases where !(fg == .default && bg == .default) {
                        init_pair(Self.pair(fg, bg), Self.curses(fg), Self.curses(bg))
                    }
                }
            } else {
                for fg in TermColor.allCases where fg != .default { init_pair(Int16(fg.rawValue), Self.curses(fg), -1) }
            }
        }
        // After initscr, so these replace ncurses' own SIGWINCH handler.
        msvc_install_terminal_guard(signalFD)
    }

    /// The terminal size now.
    var size: (width: Int, height: Int) { (Int(msvc_cols()), Int(msvc_lines())) }

    /// Reads the kernel's idea of the size after SIGWINCH and tells curses.
    func resize() -> (width: Int, height: Int) {
        var rows: Int32 = 0, cols: Int32 = 0
        if msvc_winsize(&rows, &cols) == 0 { resizeterm(rows, cols) }
        last = nil
        return size
    }

    /// Forgets what is on screen, so the next draw writes every cell (after a pager, SIGCONT).
    func invalidate() {
        last = nil
        clearok(msvc_stdscr(), true)
    }

    /// Writes the cells of `grid` that differ from the last frame, then updates the terminal.
    func draw(_ grid: CellGrid) {
        let previous = (last?.width == grid.width && last?.height == grid.height) ? last : nil
        if previous == nil { werase(msvc_stdscr()) }
        var written = 0
        var buffer: [wchar_t] = []
        buffer.reserveCapacity(grid.width * 2)
        for y in 0..<grid.height {
            var x = 0
            while x < grid.width {
                if let p = previous, p[x, y] == grid[x, y], !(grid[x, y].width == 2 && x + 1 < grid.width && p[x + 1, y] != grid[x + 1, y]) {
                    x += 1
                    continue
                }
                // A run of changed cells in one style.
                var start = x
                if grid[start, y].width == 0 && start > 0 { start -= 1 }
                let style = grid[start, y].style
                buffer.removeAll(keepingCapacity: true)
                var end = start
                while end < grid.width {
                    let cell = grid[end, y]
                    if cell.style != style { break }
                    if end > x, let p = previous, p[end, y] == cell, cell.width != 0 { break }
                    if cell.width > 0 {
                        for s in cell.text.unicodeScalars { buffer.append(wchar_t(bitPattern: s.value)) }
                    }
                    end += 1
                    written += 1
                }
                if end == start { end = start + 1 }
                // The bottom-right cell cannot be written without scrolling on some terminals;
                // curses handles it, but an ERR return there is expected and harmless.
                _ = buffer.withUnsafeBufferPointer { ptr in
                    msvc_put(Int32(y), Int32(start), ptr.baseAddress, Int32(ptr.count), attributes(style), pair(style))
                }
                x = end
            }
        }
        lastWritten = written
        last = grid
        wnoutrefresh(msvc_stdscr())
        doupdate()
    }

    /// Every key waiting on stdin.
    func readKeys() -> [Key] {
        var keys: [Key] = []
        var ch: wint_t = 0
        while true {
            let r = wget_wch(msvc_stdscr(), &ch)
            if r == ERR { break }
            if r == KEY_CODE_YES {
                switch Int32(ch) {
                case KEY_UP: keys.append(.up)
                case KEY_DOWN: keys.append(.down)
                case KEY_LEFT: keys.append(.left)
                case KEY_RIGHT: keys.append(.right)
                case KEY_PPAGE: keys.append(.pageUp)
                case KEY_NPAGE: keys.append(.pageDown)
                case KEY_HOME: keys.append(.home)
                case KEY_END: keys.append(.end)
                case KEY_ENTER: keys.append(.enter)
                case KEY_BACKSPACE: keys.append(.backspace)
                default: break
                }
                continue
            }
            switch ch {
            case 3: keys.append(.interrupt)
            case 9: keys.append(.tab)
            case 10, 13: keys.append(.enter)
            case 27: keys.append(.escape)
            case 8, 127: keys.append(.backspace)
            default:
                if ch >= 32, let scalar = Unicode.Scalar(UInt32(ch)) { keys.append(.char(Character(scalar))) }
            }
        }
        return keys
    }

    /// Leaves curses for a child program on the terminal.
    func suspend() {
        def_prog_mode()
        endwin()
        msvc_mark_curses_active(0)
    }

    /// Comes back after `suspend`.
    func resume() {
        reset_prog_mode()
        msvc_mark_curses_active(1)
        _ = resize()
        invalidate()
    }

    /// Restores the terminal for good.
    func stop() {
        msvc_remove_terminal_guard()
    }

    private func attributes(_ s: CellStyle) -> attr_t {
        var a: attr_t = 0
        if s.bold { a |= msvc_a_bold() }
        if s.dim { a |= msvc_a_dim() }
        if s.reverse || (!color && s.bg != .default) { a |= msvc_a_reverse() }
        if s.underline { a |= msvc_a_underline() }
        return a
    }

    private func pair(_ s: CellStyle) -> Int16 {
        guard color else { return 0 }
        if pairs { return Self.pair(s.fg, s.bg) }
        return Int16(s.fg.rawValue)
    }

    private static func pair(_ fg: TermColor, _ bg: TermColor) -> Int16 { Int16(bg.rawValue) * 9 + Int16(fg.rawValue) }

    private static func curses(_ c: TermColor) -> Int16 {
        c == .default ? -1 : Int16(c.rawValue - 1)
    }
}
