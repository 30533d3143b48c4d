/// Every key binding, in one table: the help screen lists it and `action(for:in:)` reads it, so
/// the two cannot disagree. Pane-specific bindings come first and win over global ones.
public enum KeyMap {
    /// One binding: the keys, the panes where it applies (all when nil), what it does.
    public struct Binding: Sendable {
        public let keys: [Key]
        public let label: String
        public let panes: Set<Pane>?
        public let action: Action
        public let help: String
    }

    private static func ch(_ c: Character) -> Key { .character(c) }

    public static let bindings: [Binding] = [
        Binding(keys: [.left, ch("h")], label: "← h", panes: [.chart], action: .layerStep(-1), help: "previous layer"),
        Binding(keys: [.right, ch("l")], label: "→ l", panes: [.chart], action: .layerStep(1), help: "next layer"),
        Binding(keys: [.up, ch("k")], label: "↑ k", panes: [.chart], action: .colorStep(-1), help: "highlight (and colour by) the previous label"),
        Binding(keys: [.down, ch("j")], label: "↓ j", panes: [.chart], action: .colorStep(1), help: "highlight (and colour by) the next label"),
        Binding(keys: [.left, ch("h")], label: "← h", panes: [.scatter], action: .moveCursor(dx: -1, dy: 0), help: "move the cursor (selects the nearest token)"),
        Binding(keys: [.right, ch("l")], label: "→ l", panes: [.scatter], action: .moveCursor(dx: 1, dy: 0), help: "move the cursor right"),
        Binding(keys: [.up, ch("k")], label: "↑ k", panes: [.scatter], action: .moveCursor(dx: 0, dy: -1), help: "move the cursor up"),
        Binding(keys: [.down, ch("j")], label: "↓ j", panes: [.scatter], action: .moveCursor(dx: 0, dy: 1), help: "move the cursor down"),
        Binding(keys: [.left, ch("h")], label: "← h", panes: [.utterance], action: .scrollFrames(-10), help: "scroll the time axis back"),
        Binding(keys: [.right, ch("l")], label: "→ l", panes: [.utterance], action: .scrollFrames(10), help: "scroll the time axis on"),
        Binding(keys: [.up, ch("k")], label: "↑ k", panes: [.utterance], action: .utteranceStep(-1), help: "previous utterance"),
        Binding(keys: [.down, ch("j")], label: "↓ j", panes: [.utterance], action: .utteranceStep(1), help: "next utterance"),

        Binding(keys: [ch("["), .pageUp], label: "[ PgUp", panes: nil, action: .layerStep(-1), help: "previous layer (any pane)"),
        Binding(keys: [ch("]"), .pageDown], label: "] PgDn", panes: nil, action: .layerStep(1), help: "next layer (any pane)"),
        Binding(keys: [ch("g"), .home], label: "g Home", panes: nil, action: .layerFirst, help: "first layer"),
        Binding(keys: [ch("G"), .end], label: "G End", panes: nil, action: .layerLast, help: "last layer"),
        Binding(keys: [ch("c")], label: "c", panes: nil, action: .colorStep(1), help: "colour by the next label (sex → tone → final → clusters → …)"),
        Binding(keys: [ch("C")], label: "C", panes: nil, action: .colorStep(-1), help: "colour by the previous label"),
        Binding(keys: [ch("m")], label: "m", panes: nil, action: .modelNext, help: "next model"),
        Binding(keys: [ch("o")], label: "o", panes: nil, action: .overlayNext, help: "overlay another model's curves (cycles, then off)"),
        Binding(keys: [ch("a")], label: "a", panes: nil, action: .toggleMetric, help: "chart: SVCCA → probe accuracy → clusters NMI"),
        Binding(keys: [ch("v")], label: "v", panes: nil, action: .compareNext, help: "compare: first/last layer, then × two models, then off"),
        Binding(keys: [ch("f")], label: "f", panes: nil, action: .startFilter, help: "filter: highlight classes (type names, Enter)"),
        Binding(keys: [ch("F")], label: "F", panes: nil, action: .clearFilter, help: "clear the filter"),
        Binding(keys: [ch("+"), ch("=")], label: "+ =", panes: nil, action: .zoomIn, help: "zoom in at the cursor"),
        Binding(keys: [ch("-"), ch("_")], label: "-", panes: nil, action: .zoomOut, help: "zoom out"),
        Binding(keys: [ch("0")], label: "0", panes: nil, action: .resetView, help: "show the whole layout"),
        Binding(keys: [ch("H"), .shiftLeft], label: "H S-←", panes: nil, action: .pan(dx: -1, dy: 0), help: "pan left"),
        Binding(keys: [ch("L"), .shiftRight], label: "L S-→", panes: nil, action: .pan(dx: 1, dy: 0), help: "pan right"),
        Binding(keys: [ch("K"), .shiftUp], label: "K S-↑", panes: nil, action: .pan(dx: 0, dy: -1), help: "pan up"),
        Binding(keys: [ch("J"), .shiftDown], label: "J S-↓", panes: nil, action: .pan(dx: 0, dy: 1), help: "pan down"),
        Binding(keys: [ch("n")], label: "n", panes: nil, action: .utteranceStep(1), help: "next utterance"),
        Binding(keys: [ch("p")], label: "p", panes: nil, action: .utteranceStep(-1), help: "previous utterance"),
        Binding(keys: [ch("/")], label: "/", panes: nil, action: .startSearch, help: "find an utterance id or speaker"),
        Binding(keys: [.tab], label: "Tab", panes: nil, action: .focusNext, help: "next pane"),
        Binding(keys: [.backTab], label: "S-Tab", panes: nil, action: .focusPrevious, help: "previous pane"),
        Binding(keys: [ch("?")], label: "?", panes: nil, action: .toggleHelp, help: "this help"),
        Binding(keys: [ch("q"), .control("c")], label: "q ^C", panes: nil, action: .quit, help: "quit"),
    ]

    /// The action a key stands for in the current state, if any.
    public static func action(for key: Key, in state: AppState) -> Action? {
        switch key {
        case .resize(let size): return .resize(size)
        case .mouse(let event):
            switch event.kind {
            case .press: return .click(x: event.x, y: event.y)
            case .wheelUp: return .wheel(up: true, x: event.x, y: event.y)
            case .wheelDown: return .wheel(up: false, x: event.x, y: event.y)
            }
        default: break
        }
        if key == .control("c") { return .quit }
        if state.prompt != nil {
            switch key {
            case .enter: return .promptSubmit
            case .escape: return .promptCancel
            case .backspace: return .promptBackspace
            case .character(let c): return .promptInput(c)
            default: return nil
            }
        }
        if state.showHelp {
            switch key {
            case .character("?"), .character("q"), .escape, .enter: return .toggleHelp
            default: break
            }
        }
        for binding in bindings where binding.keys.contains(key) {
            if let panes = binding.panes, !panes.contains(state.focus) { continue }
            return binding.action
        }
        return nil
    }
}
