import CNcursesw
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The only code that talks to ncurses: sets the terminal up, writes the cells that changed since
/// the last frame, reads keys and mouse events, and gives the terminal back. Every method wraps
/// the ncurses calls it names.
public final class NcursesTerminal {
    private var screen: OpaquePointer?
    private var pairs: [PairKey: Int16] = [:]
    private var pairLimit = 0
    private var restored = false
    public private(set) var colorDepth: ColorDepth = .none
    /// A note for the status line about the locale (nil when it is UTF-8).
    public private(set) var localeWarning: String?

    private struct PairKey: Hashable {
        let foreground: Int16
        let background: Int16
    }

    /// Sets the locale (`setlocale`, falling back to C.UTF-8 so braille shows), opens the terminal
    /// (`newterm`), and switches to raw, no-echo, keypad, mouse and colour mode.
    public init(noColor: Bool) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError("the explorer needs an interactive terminal (use `layerscope info STORE` for a text summary)")
        }
        setlocale(LC_ALL, "")
        if !Self.isUTF8() {
            if setlocale(LC_CTYPE, "C.UTF-8") != nil && Self.isUTF8() {
                localeWarning = "the locale is not UTF-8; using C.UTF-8 for braille (set LANG to a UTF-8 locale)"
            } else {
                localeWarning = "the locale is not UTF-8: braille and box characters will not show (set LANG=C.UTF-8)"
            }
        }
        guard let screen = ls_newterm() else {
            throw TerminalError("cannot use the terminal '\(ProcessInfo.processInfo.environment["TERM"] ?? "")' (is TERM set?)")
        }
        self.screen = screen
        set_term(screen)
        ls_install_fatal_signal_handlers()
        raw()
        noecho()
        nonl()
        keypad(ls_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        mouseinterval(0)
        mousemask(ls_button_events, nil)
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            let colors = Int(ls_colors())
            colorDepth = colors >= 256 ? .full : .basic(max(8, min(colors, 16)))
            pairLimit = min(Int(ls_color_pairs()), Int(Int16.max))
        }
    }

    deinit { restore() }

    /// Gives the terminal back (`endwin`); safe to call more than once.
    public func restore() {
        guard !restored else { return }
        restored = true
        curs_set(1)
        endwin()
        if let screen { delscreen(screen) }
        screen = nil
        ls_remove_fatal_signal_handlers()
    }

    /// The terminal's size now (`LINES`, `COLS`).
    public var size: TerminalSize { TerminalSize(columns: Int(ls_cols()), rows: Int(ls_lines())) }

    /// Writes the cells of `frame` that differ from `previous` (`setcchar`, `mvadd_wch`) and shows
    /// them (`refresh`). Returns how many cells were written.
    @discardableResult
    public func draw(_ frame: Buffer, previous: Buffer?) -> Int {
        if previous == nil || previous?.width != frame.width || previous?.height != frame.height {
            clearok(ls_stdscr(), true)
        }
        let changed = frame.changedCells(since: previous)
        var cell = cchar_t()
        var text: [wchar_t] = [0, 0]
        for index in changed {
            let c = frame.cells[index]
            if c.isContinuation { continue }
            text[0] = wchar_t(bitPattern: c.scalar)
            let pair = pairNumber(c.style)
            setcchar(&cell, &text, attributes(c.style.attributes), pair, nil)
            // The bottom-right cell makes ncurses report a scroll it did not do; the cell is written anyway.
            _ = mvadd_wch(Int32(index / frame.width), Int32(index % frame.width), &cell)
        }
        refresh()
        return changed.count
    }

    private func attributes(_ a: TextAttributes) -> attr_t {
        var result = ls_attr_normal
        if a.contains(.bold) { result |= ls_attr_bold }
        if a.contains(.dim) { result |= ls_attr_dim }
        if a.contains(.reverse) { result |= ls_attr_reverse }
        if a.contains(.underline) { result |= ls_attr_underline }
        if a.contains(.italic) { result |= ls_attr_italic }
        return result
    }

    /// The colour pair for a style, made on first use (`init_pair`); 0 (the terminal's colours)
    /// without colour or when the pairs run out.
    private func pairNumber(_ style: Style) -> Int16 {
        let depth: Int
        switch colorDepth {
        case .none: return 0
        case .basic(let n): depth = n
        case .full: depth = 256
        }
        let fg = depth < 256 ? style.foreground.reduced(to: depth) : style.foreground
        let bg = depth < 256 ? style.background.reduced(to: depth) : style.background
        if fg.isDefault && bg.isDefault { return 0 }
        let key = PairKey(foreground: fg.index, background: bg.index)
        if let known = pairs[key] { return known }
        let number = pairs.count + 1
        guard number < pairLimit else { return 0 }
        init_pair(Int16(number), fg.index, bg.index)
        pairs[key] = Int16(number)
        return Int16(number)
    }

    /// Waits up to `milliseconds` (`timeout`, `wget_wch`) for a key; nil when none came.
    public func readKey(milliseconds: Int32) -> Key? {
        timeout(milliseconds)
        var value: wint_t = 0
        let status = wget_wch(ls_stdscr(), &value)
        if status == ERR { return nil }
        if status == ls_key_code_yes() { return functionKey(Int32(value)) }
        return characterKey(UInt32(value))
    }

    private func characterKey(_ code: UInt32) -> Key? {
        switch code {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(UInt8(code) + 96)))
        default:
            guard let scalar = Unicode.Scalar(code) else { return nil }
            return .character(Character(scalar))
        }
    }

    private func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_SR: return .shiftUp
        case KEY_SF: return .shiftDown
        case KEY_SLEFT: return .shiftLeft
        case KEY_SRIGHT: return .shiftRight
        case KEY_BTAB: return .backTab
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_BACKSPACE, KEY_DC: return .backspace
        case KEY_ENTER: return .enter
        case ls_key_resize(): return .resize(size)
        case ls_key_mouse():
            var event = MEVENT()
            guard getmouse(&event) == OK else { return nil }
            let state = event.bstate
            if state & ls_button4_pressed != 0 { return .mouse(MouseEvent(.wheelUp, x: Int(event.x), y: Int(event.y))) }
            if state & ls_button5_pressed != 0 { return .mouse(MouseEvent(.wheelDown, x: Int(event.x), y: Int(event.y))) }
            if state & (ls_button1_pressed | ls_button1_clicked) != 0 {
                return .mouse(MouseEvent(.press, x: Int(event.x), y: Int(event.y)))
            }
            return nil
        default: return nil
        }
    }

    private static func isUTF8() -> Bool {
        guard let codeset = ls_codeset() else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }
}

/// The terminal cannot be used: one line saying why.
public struct TerminalError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
