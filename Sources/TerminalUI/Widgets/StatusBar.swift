import Engine
import Foundation

/// The top line (store, model, layer, colour-by, metric, engine progress) and the bottom line
/// (key hints, a prompt, or a message).
public struct StatusBar {
    public let state: AppState
    public let theme: Theme

    public init(state: AppState, theme: Theme) {
        self.state = state
        self.theme = theme
    }

    /// The engine part: "UMAP tone L8 ▕███▌   ▏ 42% +3", or "engine idle".
    func engineText(barWidth: Int = 8) -> String {
        guard let job = state.engine.current else {
            return state.engine.queued > 0 ? "engine: \(state.engine.queued) queued" : "engine idle"
        }
        let queued = state.engine.queued > 0 ? " +\(state.engine.queued)" : ""
        return "\(job.kind.title) \(job.model) L\(job.layer) ▕\(Self.bar(state.engine.fraction, width: barWidth))▏"
            + String(format: "%3.0f%%", state.engine.fraction * 100) + queued
    }

    /// A progress bar of `width` cells in eighths.
    static func bar(_ fraction: Double, width: Int) -> String {
        let eighths = Int((min(max(fraction, 0), 1) * Double(width * 8)).rounded(.down))
        let partial: [Character] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        var out = String(repeating: "█", count: eighths / 8)
        if out.count < width { out.append(partial[eighths % 8]) }
        return out + String(repeating: " ", count: max(0, width - out.count))
    }

    public func renderTop(_ rect: Rect, into buffer: inout Buffer) {
        guard !rect.isEmpty else { return }
        buffer.fill(rect, " ", theme.status)
        var parts = [" layerscope", state.data.storeName + (state.data.simulated ? " (SIMULATED)" : "")]
        if let model = state.currentModel {
            parts.append("model \(model.name)" + (state.models.count > 1 ? " (\(state.model + 1)/\(state.models.count))" : ""))
            parts.append("layer \(state.layer)/\(model.lastLayer)")
        }
        if let label = state.colorLabel { parts.append("colour \(label.name)") }
        if state.colorsByClusters, let label = state.clusterLabelColumn { parts.append("colour clusters (\(label.name))") }
        parts.append(state.metric.title)
        let left = parts.joined(separator: " │ ")
        let right = engineText() + " "
        let rightWidth = DisplayWidth.of(right)
        let used = buffer.write(left, x: rect.x, y: rect.y, maxWidth: max(0, rect.width - rightWidth - 1), style: theme.status.with(.bold))
        if used + rightWidth + 1 <= rect.width {
            var style = theme.status
            if state.engine.current != nil { style.foreground = theme.accent }
            buffer.write(right, x: rect.maxX - rightWidth, y: rect.y, style: style)
        }
    }

    /// Key hints for the focused pane.
    var hints: String {
        switch state.focus {
        case .chart: "←/→ layer  ↑/↓ label  c colour  m model  o overlay  a metric  v compare  Tab pane  ? help  q quit"
        case .scatter: "arrows cursor  +/- zoom  HJKL pan  f filter  c colour  [/] layer  v compare  Tab pane  ? help  q quit"
        case .utterance: "n/p utterance  ←/→ scroll  / find  [/] layer  c colour  Tab pane  ? help  q quit"
        }
    }

    public func renderBottom(_ rect: Rect, into buffer: inout Buffer) {
        guard !rect.isEmpty else { return }
        buffer.fill(rect, " ", theme.text)
        switch state.prompt {
        case .search(let text):
            buffer.write(" find utterance or speaker: \(text)▏  (Enter go, Esc cancel)", x: rect.x, y: rect.y, maxWidth: rect.width,
                         style: theme.text.with(.bold))
            return
        case .filter(let text):
            let name = state.colorLabel?.name ?? "label"
            buffer.write(" highlight \(name) classes: \(text)▏  (names separated by spaces; empty clears)", x: rect.x, y: rect.y,
                         maxWidth: rect.width, style: theme.text.with(.bold))
            return
        case nil:
            break
        }
        if let message = state.message {
            buffer.write(" " + message, x: rect.x, y: rect.y, maxWidth: rect.width, style: Style(foreground: theme.accent, background: theme.background))
            return
        }
        buffer.write(" " + hints, x: rect.x, y: rect.y, maxWidth: rect.width, style: theme.dimText)
    }
}

/// The help screen: every binding from `KeyMap.bindings`, with the panes it applies to.
public struct HelpWidget {
    public let theme: Theme

    public init(theme: Theme) {
        self.theme = theme
    }

    static var lines: [String] {
        KeyMap.bindings.map { binding in
            let where_ = binding.panes.map { " [" + $0.sorted { $0.rawValue < $1.rawValue }.map(\.title).joined(separator: ",") + "]" } ?? ""
            return DisplayWidth.pad(binding.label, to: 8) + binding.help + where_
        } + ["click   chart → that layer; scatter → nearest token; legend class → filter",
             "wheel   chart → layer; scatter → zoom; utterance → next/previous"]
    }

    public func render(_ screen: Rect, into buffer: inout Buffer) {
        let lines = Self.lines
        let longest = (lines.map { DisplayWidth.of($0) }.max() ?? 20) + 2
        // Two columns when one is too tall for the screen and the screen is wide enough.
        let columns = lines.count + 2 > screen.height - 2 && 2 * longest + 3 <= screen.width - 2 ? 2 : 1
        let perColumn = (lines.count + columns - 1) / columns
        let width = min(screen.width - 2, columns * longest + 3)
        let height = min(screen.height - 2, perColumn + 2)
        guard width > 10, height > 3 else { return }
        let box = Rect(x: screen.x + (screen.width - width) / 2, y: screen.y + (screen.height - height) / 2, width: width, height: height)
        buffer.fill(box, " ", theme.text)
        Block(title: "keys · ? or Esc closes", focused: true).render(box, into: &buffer, theme: theme)
        let inner = box.inset(1)
        let columnWidth = inner.width / columns
        for column in 0..<columns {
            var shown = Array(lines.dropFirst(column * perColumn).prefix(perColumn))
            if shown.count > inner.height {
                shown = Array(shown.prefix(inner.height - 1)) + ["… (a taller terminal shows all)"]
            }
            for (i, line) in shown.enumerated() {
                buffer.write(line, x: inner.x + 1 + column * columnWidth, y: inner.y + i, maxWidth: columnWidth - 1, style: theme.text)
            }
        }
    }
}
