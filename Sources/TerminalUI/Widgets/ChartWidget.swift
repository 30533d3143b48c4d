import Engine
import Foundation

/// The line chart of SVCCA (or probe accuracy, or the clusters' NMI) per layer: one series per label, the current layer
/// marked, an overlaid model drawn dotted with hollow markers, and a legend with the values at the
/// current layer.
public struct ChartWidget {
    public let state: AppState
    public let theme: Theme

    public init(state: AppState, theme: Theme) {
        self.state = state
        self.theme = theme
    }

    /// One drawn series: a label of a model.
    struct Series {
        let label: Int
        let name: String
        let overlay: Bool
        let values: [Int: Double]
    }

    var series: [Series] {
        var all: [Series] = []
        for (overlay, model) in [(false, state.currentModel), (true, state.overlayModel)] {
            guard let model else { continue }
            let scores = state.results[MetricKey(model: model.name, metric: state.metric)]
            for (i, label) in state.labels.enumerated() {
                all.append(Series(label: i, name: label.name, overlay: overlay, values: scores?.values[label.name] ?? [:]))
            }
        }
        return all
    }

    /// The legend, one line each: a heading per model, then its labels with the current layer's value.
    func legendLines() -> [(text: String, glyph: Unicode.Scalar?, style: Style)] {
        var lines: [(String, Unicode.Scalar?, Style)] = []
        for (overlay, model) in [(false, state.currentModel), (true, state.overlayModel)] {
            guard let model else { continue }
            let heading = overlay ? "\(model.name) ┄ (overlay)" : "\(model.name) · layer \(state.layer)"
            lines.append((heading, nil, theme.text.with(.bold)))
            let scores = state.results[MetricKey(model: model.name, metric: state.metric)]
            for (i, label) in state.labels.enumerated() {
                let value: String
                if !model.presentLayers.contains(state.layer) {
                    value = "×"
                } else if let v = scores?.value(label.name, state.layer) {
                    value = String(format: "%.3f", v)
                } else {
                    value = "…"
                }
                var style = Style(foreground: seriesColor(i), background: theme.background)
                if i == state.highlightedLabel { style.attributes.insert(.bold) }
                let name = DisplayWidth.pad(label.name, to: 12)
                lines.append((name + DisplayWidth.pad(value, to: 6, alignRight: true), Glyphs.seriesGlyph(i, overlay: overlay), style))
            }
        }
        if let note = statusNote() { lines.append((note, nil, theme.dimText)) }
        return lines
    }

    private func seriesColor(_ label: Int) -> TerminalColor {
        state.colorDepth == .none ? theme.foreground : theme.seriesColor(label)
    }

    /// Lines the legend takes (the reducer needs it to place the plot as the widget does).
    public static func legendLineCount(_ state: AppState) -> Int {
        let models = 1 + (state.overlayModel == nil ? 0 : 1)
        return models * (1 + state.labels.count) + (statusNote(state) == nil ? 0 : 1)
    }

    func statusNote() -> String? { Self.statusNote(state) }

    /// What is missing or being computed for the primary model, in a few words.
    static func statusNote(_ state: AppState) -> String? {
        guard let model = state.currentModel else { return nil }
        let missing = (0..<model.layerCount).filter { !model.presentLayers.contains($0) }
        if !missing.isEmpty {
            if let running = state.engine.current, running.kind == .extract, running.model == model.name {
                return String(format: "extracting L%@ %.0f%%", LayerList.format(missing), state.engine.fraction * 100)
            }
            let gone = state.jobNotes.contains { $0.key.kind == .extract && $0.key.model == model.name }
            return gone ? "no L\(LayerList.format(missing)): sources gone" : "no embeddings: L" + LayerList.format(missing)
        }
        let names = state.labels.map(\.name)
        let scores = state.results[MetricKey(model: model.name, metric: state.metric)]
        if let failure = scores?.firstFailure { return "failed: " + failure }
        let done = scores?.completeLayers(labels: names).count ?? 0
        if done < model.layerCount {
            if let note = state.jobNotes.first(where: { $0.key.kind == state.metric.jobKind && $0.key.model == model.name })?.value {
                return note
            }
            return "computed \(done)/\(model.layerCount) layers"
        }
        return nil
    }

    public func render(_ area: Rect, into buffer: inout Buffer) {
        let overlayName = state.overlayModel.map { " vs \($0.name)" } ?? ""
        let title = "\(state.metric.chartTitle) by layer · \(state.modelName)\(overlayName)"
        Block(title: title, focused: state.focus == .chart).render(area, into: &buffer, theme: theme)
        let legend = legendLines()
        let geometry = ChartGeometry(pane: area, legendLines: Self.legendLineCount(state))
        guard geometry.plot.width >= 4, geometry.plot.height >= 2, let model = state.currentModel else { return }
        let last = model.lastLayer
        drawAxes(geometry, model: model, into: &buffer)
        drawSeries(geometry, lastLayer: last, into: &buffer)
        drawLegend(legend, in: geometry.legend, into: &buffer)
        if series.allSatisfy({ $0.values.isEmpty }) {
            let message = statusNote().map { "\(state.metric.title) not computed yet · \($0)" } ?? "\(state.metric.title) not computed yet"
            writeCentered(message, in: geometry.plot, into: &buffer, style: theme.dimText)
        }
    }

    private func drawAxes(_ g: ChartGeometry, model: ModelInfo, into buffer: inout Buffer) {
        let axis = Style(foreground: theme.dim, background: theme.background)
        let plot = g.plot
        let middle = g.dotY(value: 0.5) / 4
        for row in 0..<plot.height {
            let y = plot.y + row
            let label = row == 0 ? "1.0┤" : row == plot.height - 1 ? "0.0┤" : row == middle ? "0.5┤" : "   │"
            buffer.write(label, x: g.yAxis.x, y: y, maxWidth: g.yAxis.width, style: axis)
        }
        guard g.xAxis.height >= 1 else { return }
        buffer.set(g.yAxis.maxX - 1, g.xAxis.y, "└", axis)
        for x in plot.x..<plot.maxX { buffer.set(x, g.xAxis.y, "─", axis) }
        let last = model.lastLayer
        let spacing = Double(plot.width) / Double(max(last, 1))
        let stride = [1, 2, 5, 10, 20, 50].first { spacing * Double($0) >= 3 } ?? 100
        for layer in 0...last {
            let x = g.column(layer: layer, lastLayer: last)
            if !model.presentLayers.contains(layer) {
                buffer.set(x, g.xAxis.y, "×", Style(foreground: theme.missing, background: theme.background))
            } else if layer % stride == 0 {
                buffer.set(x, g.xAxis.y, "┬", axis)
            }
            if layer % stride == 0 && g.xAxis.height >= 2 {
                buffer.write(String(layer), x: x, y: g.xAxis.y + 1, style: axis)
            }
        }
        let x = g.column(layer: state.layer, lastLayer: last)
        buffer.set(x, g.xAxis.y, "▲", theme.accentText)
        if g.xAxis.height >= 2 {
            let text = String(state.layer)
            let start = min(x, plot.maxX - text.count)
            buffer.fill(Rect(x: start - 1, y: g.xAxis.y + 1, width: text.count + 2, height: 1), " ", theme.text)
            buffer.write(text, x: start, y: g.xAxis.y + 1, style: theme.accentText)
        }
    }

    private func drawSeries(_ g: ChartGeometry, lastLayer: Int, into buffer: inout Buffer) {
        var grid = BrailleGrid(columns: g.plot.width, rows: g.plot.height)
        // The colour-by label goes last so it is drawn on top.
        let ordered = series.enumerated().sorted { a, b in
            let ka = (a.element.label == state.highlightedLabel ? 1 : 0, a.element.overlay ? 0 : 1)
            let kb = (b.element.label == state.highlightedLabel ? 1 : 0, b.element.overlay ? 0 : 1)
            return ka < kb
        }
        for (index, s) in ordered {
            let layers = s.values.keys.filter { $0 >= 0 && $0 <= lastLayer }.sorted()
            for (i, layer) in layers.enumerated() {
                guard let value = s.values[layer] else { continue }
                let a = (g.dotX(layer: layer, lastLayer: lastLayer), g.dotY(value: value))
                if i + 1 < layers.count, layers[i + 1] == layer + 1, let next = s.values[layers[i + 1]] {
                    let b = (g.dotX(layer: layers[i + 1], lastLayer: lastLayer), g.dotY(value: next))
                    grid.line(from: a, to: b, series: index, dotted: s.overlay)
                } else {
                    grid.dot(a.0, a.1, series: index)
                }
            }
        }
        let all = series
        grid.draw(into: &buffer, at: (g.plot.x, g.plot.y)) { index in
            let s = all[index]
            var style = Style(foreground: seriesColor(s.label), background: theme.background)
            if s.label == state.highlightedLabel && !s.overlay { style.attributes.insert(.bold) }
            return style
        }
        // The current layer's guide, in cells no line passes through.
        let guideX = g.column(layer: state.layer, lastLayer: lastLayer) - g.plot.x
        for row in 0..<g.plot.height where grid.isEmpty(column: guideX, row: row) {
            buffer.set(g.plot.x + guideX, g.plot.y + row, "┊", theme.dimText)
        }
        // Markers where layers are far enough apart, and always at the current layer.
        let roomy = g.plot.width >= 2 * max(lastLayer, 1)
        for (index, s) in ordered {
            for (layer, value) in s.values where layer >= 0 && layer <= lastLayer && (roomy || layer == state.layer) {
                let x = g.plot.x + g.dotX(layer: layer, lastLayer: lastLayer) / 2
                let y = g.plot.y + g.dotY(value: value) / 4
                var style = Style(foreground: seriesColor(s.label), background: theme.background)
                if s.label == state.highlightedLabel { style.attributes.insert(.bold) }
                _ = index
                buffer.set(x, y, Glyphs.seriesGlyph(s.label, overlay: s.overlay), style)
            }
        }
    }

    private func drawLegend(_ lines: [(text: String, glyph: Unicode.Scalar?, style: Style)], in rect: Rect, into buffer: inout Buffer) {
        for (row, line) in lines.prefix(rect.height).enumerated() {
            let y = rect.y + row
            var x = rect.x + 1
            if let glyph = line.glyph {
                buffer.set(x, y, glyph, line.style)
                x += 2
            }
            buffer.write(line.text, x: x, y: y, maxWidth: rect.maxX - x, style: line.glyph == nil ? line.style : theme.text.with(line.style.attributes))
        }
    }
}

/// Layer lists as people write them: "3–5, 9".
public enum LayerList {
    public static func format(_ layers: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        let sorted = layers.sorted()
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(j > i ? "\(sorted[i])–\(sorted[j])" : "\(sorted[i])")
            i = j + 1
        }
        return parts.joined(separator: ", ")
    }
}
