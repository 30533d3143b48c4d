import Engine
import Foundation
import Store

/// A braille UMAP scatter of one (model, layer): 2×4 dots per cell, each cell in the colour of its
/// majority class (or that class's glyph without colour), the selected token and the cursor marked.
public struct ScatterWidget {
    public let state: AppState
    public let theme: Theme
    public let key: LayoutKey
    /// The single scatter has a legend, token line and cursor; compare panels are bare.
    public let single: Bool
    public let cache: ScatterCache

    public init(state: AppState, theme: Theme, key: LayoutKey, single: Bool, cache: ScatterCache) {
        self.state = state
        self.theme = theme
        self.key = key
        self.single = single
        self.cache = cache
    }

    var title: String {
        var parts = single ? ["UMAP · \(key.model) · layer \(key.layer)"] : ["\(key.model) · layer \(key.layer)"]
        if single, let label = state.colorLabel { parts.append("colour by \(label.name)") }
        if single, state.colorsByClusters, let label = state.clusterLabelColumn {
            parts.append("colour by clusters (k = \(label.classes.count), as \(label.name))")
        }
        if let layout = state.layouts[key], !layout.isFinal { parts.append(String(format: "UMAP %.0f%%", layout.progress * 100)) }
        if single && state.viewport.zoom > 1 { parts.append(String(format: "zoom ×%g", state.viewport.zoom)) }
        return parts.joined(separator: " · ")
    }

    public func render(_ area: Rect, into buffer: inout Buffer) {
        Block(title: title, focused: single && state.focus == .scatter).render(area, into: &buffer, theme: theme)
        let geometry = ScatterGeometry(pane: area, withLegend: single)
        let points = PointColoring(state: state, key: key, tokens: state.data.tokens.count)
        if let legend = geometry.legend {
            if state.colorsByClusters {
                ClusterLegendWidget(state: state, theme: theme, key: key, coloring: points.coloring).render(legend, into: &buffer)
            } else {
                LegendWidget(state: state, theme: theme, coloring: points.coloring).render(legend, into: &buffer)
            }
        }
        guard !geometry.plot.isEmpty else { return }
        guard let layout = state.layouts[key] else {
            writeCenteredWrapped(missingMessage(), in: geometry.plot, into: &buffer, style: theme.dimText)
            return
        }
        let viewport = single ? state.viewport : .whole
        let projection = ScatterProjection(layout: layout, plot: geometry.plot, viewport: viewport)
        drawPoints(layout: layout, plot: geometry.plot, projection: projection, viewport: viewport, points: points, into: &buffer)
        drawMarks(layout: layout, plot: geometry.plot, projection: projection, into: &buffer)
        if let info = geometry.info { drawInfo(info, into: &buffer) }
    }

    /// Why there is no scatter yet.
    func missingMessage() -> String {
        let job = JobKey(.umap, model: key.model, layer: key.layer)
        if let model = state.models.first(where: { $0.name == key.model }), !model.presentLayers.contains(key.layer) {
            if let note = state.jobNotes[JobKey(.extract, model: key.model, layer: key.layer)] { return note }
            if let running = state.engine.current, running.kind == .extract, running.model == key.model, running.layer >= key.layer {
                return String(format: "extracting layer %d from the audio… %.0f%%", key.layer, state.engine.fraction * 100)
            }
            return "layer \(key.layer) of \(key.model) has no embeddings in this store"
        }
        if let note = state.jobNotes[job] { return note }
        if state.engine.current == job {
            return String(format: "computing the UMAP of layer %d… %.0f%%", key.layer, state.engine.fraction * 100)
        }
        return "UMAP of layer \(key.layer) not computed yet (queued)"
    }

    func drawPoints(layout: Layout, plot: Rect, projection: ScatterProjection, viewport: Viewport, points: PointColoring,
                    into buffer: inout Buffer) {
        cache.positions(layout: layout, plot: plot, projection: projection, viewport: viewport)
        let coloring = points.coloring
        cache.slots(label: state.colorBy, source: points.source, codes: points.codes, coloring: coloring)
        let slots = coloring.greySlot + 1
        let raster = cache.raster(columns: plot.width, rows: plot.height, slots: slots)
        let byGlyph = state.colorDepth.classesByGlyph
        let preferred: Range<Int>? = coloring.filtered ? 0..<coloring.greySlot : nil
        var styles = (0..<slots).map { slot -> Style in
            let color = slot < coloring.greySlot ? theme.classes[slot % max(theme.classes.count, 1)] : theme.grey
            return Style(foreground: color, background: theme.background)
        }
        if coloring.filtered { for s in 0..<coloring.greySlot { styles[s].attributes.insert(.bold) } }
        if byGlyph { styles[coloring.greySlot].attributes.insert(.dim) }
        let columns = plot.width
        raster.bits.withUnsafeBufferPointer { bits in
            for index in 0..<bits.count where bits[index] != 0 {
                guard let slot = raster.majority(index, preferred: preferred) else { continue }
                let x = plot.x + index % columns, y = plot.y + index / columns
                if byGlyph {
                    let glyph = slot < coloring.greySlot ? Glyphs.classGlyph(slot) : Glyphs.context
                    buffer.set(x, y, glyph, styles[slot])
                } else {
                    buffer.set(x, y, raw: Braille.base + UInt32(bits[index]), styles[slot])
                }
            }
        }
    }

    func drawMarks(layout: Layout, plot: Rect, projection: ScatterProjection, into buffer: inout Buffer) {
        if let token = state.selectedToken, token < layout.count {
            let dot = projection.dot(x: layout.x[token], y: layout.y[token])
            if dot.x >= 0, dot.y >= 0, dot.x < projection.dotWidth, dot.y < projection.dotHeight {
                buffer.set(plot.x + dot.x / 2, plot.y + dot.y / 4, Glyphs.selected, theme.accentText)
            }
        }
        guard single, state.focus == .scatter else { return }
        let cursor = projection.dot(state.cursor)
        if cursor.x >= 0, cursor.y >= 0, cursor.x < projection.dotWidth, cursor.y < projection.dotHeight {
            let x = plot.x + cursor.x / 2, y = plot.y + cursor.y / 4
            if buffer[x, y].isEmpty {
                buffer.set(x, y, "┼", theme.accentText)
            } else {
                buffer.restyle(x, y) { $0.attributes.insert(.reverse) }
            }
        }
    }

    /// The selected token's utterance, time, speaker and labels.
    func drawInfo(_ rect: Rect, into buffer: inout Buffer) {
        guard let token = state.selectedToken, token < state.data.tokens.count else {
            buffer.write("move the cursor (Tab to this pane, arrows) to pick a token", x: rect.x + 1, y: rect.y,
                         maxWidth: rect.width - 1, style: theme.dimText)
            return
        }
        let tokens = state.data.tokens
        var parts = [tokens.utterances[Int(tokens.utterance[token])],
                     String(format: "t=%.2f–%.2f s", tokens.start[token], tokens.end[token]),
                     "spk \(tokens.speaker(at: token))"]
        for label in tokens.labels { parts.append("\(label.name) \(label.value(at: token) ?? "–")") }
        buffer.set(rect.x + 1, rect.y, Glyphs.selected, theme.accentText)
        buffer.write(parts.joined(separator: " · "), x: rect.x + 3, y: rect.y, maxWidth: rect.width - 3, style: theme.text)
    }
}

/// The scatter's legend: the colour-by label, its coloured classes with counts, and the grey rest.
public struct LegendWidget {
    public let state: AppState
    public let theme: Theme
    public let coloring: ClassColoring

    public func render(_ rect: Rect, into buffer: inout Buffer) {
        guard let label = state.colorLabel, !rect.isEmpty else { return }
        let counts = state.data.classCounts[state.colorBy]
        let byGlyph = state.colorDepth.classesByGlyph
        let width = rect.width - 1
        let painter = LegendRowPainter(theme: theme, byGlyph: byGlyph, x: rect.x + 1, width: width)
        for (row, entry) in LegendLines.entries(coloring, counts: counts, height: rect.height).enumerated() {
            let y = rect.y + row, x = rect.x + 1
            switch entry {
            case .title:
                let title = coloring.filtered ? "\(label.name) · filter" : "\(label.name) · \(label.classes.count) classes"
                buffer.write(DisplayWidth.truncate(title, to: width), x: x, y: y, style: theme.text.with(.bold))
            case .coloured(let classIndex, let slot):
                painter.colouredMark(slot: slot, filtered: coloring.filtered, y: y, into: &buffer)
                let name = DisplayWidth.pad(label.classes[classIndex], to: max(1, width - 9))
                buffer.write(name + DisplayWidth.pad(grouped(counts[classIndex]), to: 7, alignRight: true),
                             x: x + 2, y: y, maxWidth: width - 2, style: theme.text)
            case .greyClass(let classIndex):
                painter.greyMark(y: y, into: &buffer)
                let name = DisplayWidth.pad(label.classes[classIndex], to: max(1, width - 9))
                buffer.write(name + DisplayWidth.pad(grouped(counts[classIndex]), to: 7, alignRight: true),
                             x: x + 2, y: y, maxWidth: width - 2, style: theme.dimText)
            case .grey(let classes, let tokens):
                painter.greySummary(groups: classes, tokens: tokens, filtered: coloring.filtered, y: y, into: &buffer)
            case .more(let n):
                buffer.write("… +\(n) classes", x: x + 2, y: y, maxWidth: width - 2, style: theme.dimText)
            }
        }
    }
}

/// 12345 → "12,345".
func grouped(_ n: Int) -> String {
    let digits = String(n)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return out
}
