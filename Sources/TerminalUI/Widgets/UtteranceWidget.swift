import Foundation
import Store

/// Where the utterance pane puts things: a column of row names, then one column per 20 ms frame.
public enum UtteranceGeometry {
    public static let labelWidth = 8
}

/// One utterance on a time axis of 20 ms frames: the reference labels (boundaries and central
/// frames), then for each task head the predicted class per frame shaded by confidence.
public struct UtteranceWidget {
    public let state: AppState
    public let theme: Theme

    public init(state: AppState, theme: Theme) {
        self.state = state
        self.theme = theme
    }

    var rows: [Int32] {
        state.data.utteranceRows.indices.contains(state.utterance) ? state.data.utteranceRows[state.utterance] : []
    }

    /// Per task whose name is a label: correct / total predictions at the tokens' central frames.
    func accuracy() -> [(task: String, correct: Int, total: Int)] {
        guard let detail = state.utteranceDetail, detail.utterance == state.utterance else { return [] }
        let tokens = state.data.tokens
        return detail.tasks.compactMap { task in
            guard let label = tokens.label(named: task.task) else { return nil }
            var correct = 0, total = 0
            for row in rows.map(Int.init) {
                let frame = Int(tokens.frame[row])
                guard let reference = label.value(at: row), frame >= 0, frame < task.argmax.count else { continue }
                total += 1
                let predicted = Int(task.argmax[frame])
                if task.classes.indices.contains(predicted) && task.classes[predicted] == reference { correct += 1 }
            }
            return total > 0 ? (task.task, correct, total) : nil
        }
    }

    var title: String {
        let tokens = state.data.tokens
        guard tokens.utterances.indices.contains(state.utterance) else { return "utterance" }
        var parts = ["utterance \(tokens.utterances[state.utterance]) (\(state.utterance + 1)/\(tokens.utterances.count))",
                     "speaker \(tokens.utteranceSpeakers[state.utterance])"]
        if let first = rows.first {
            for (i, label) in tokens.labels.enumerated() where state.data.speakerLevel[i] {
                parts.append("\(label.name) \(label.value(at: Int(first)) ?? "–")")
            }
        }
        parts.append("model \(state.modelName)")
        let scores = accuracy()
        if !scores.isEmpty {
            parts.append(scores.map { "\($0.task) \($0.correct)/\($0.total)" }.joined(separator: ", ") + " at central frames")
        }
        return parts.joined(separator: " · ")
    }

    public func render(_ area: Rect, into buffer: inout Buffer) {
        Block(title: title, focused: state.focus == .utterance).render(area, into: &buffer, theme: theme)
        let inner = area.inset(1)
        guard inner.width > UtteranceGeometry.labelWidth + 2, inner.height >= 1 else { return }
        let frames = Rect(x: inner.x + UtteranceGeometry.labelWidth, y: inner.y, width: inner.width - UtteranceGeometry.labelWidth,
                          height: inner.height)
        var y = inner.y
        func rowName(_ text: String, style: Style? = nil) {
            buffer.write(DisplayWidth.truncate(text, to: UtteranceGeometry.labelWidth - 1), x: inner.x, y: y, style: style ?? theme.dimText)
        }
        rowName("time")
        drawTimeAxis(frames, y: y, into: &buffer)
        y += 1
        let tokens = state.data.tokens
        for (i, label) in tokens.labels.enumerated() where !state.data.speakerLevel[i] && y < inner.maxY {
            rowName(label.name)
            drawIntervals(label, frames: frames, y: y, into: &buffer)
            y += 1
        }
        if y < inner.maxY {
            rowName("centre")
            drawCentres(frames, y: y, into: &buffer)
            y += 1
        }
        guard y < inner.maxY else { return }
        guard let detail = state.utteranceDetail, detail.utterance == state.utterance, detail.model == state.modelName else {
            buffer.write("loading predictions…", x: frames.x, y: y, maxWidth: frames.width, style: theme.dimText)
            return
        }
        if let note = detail.note {
            buffer.write(note, x: frames.x, y: y, maxWidth: frames.width, style: theme.dimText)
            y += 1
        }
        for task in detail.tasks where y < inner.maxY {
            rowName("▸" + task.task, style: theme.text.with(.bold))
            drawPredictions(task, frames: frames, y: y, into: &buffer)
            y += 1
            if y < inner.maxY {
                rowName(" conf.")
                drawConfidence(task, frames: frames, y: y, into: &buffer)
                y += 1
            }
        }
        if y < inner.maxY, let pitch = detail.pitch {
            rowName("F0")
            let rows = min(Self.pitchRows, inner.maxY - y)
            drawPitch(pitch, frames: Rect(x: frames.x, y: y, width: frames.width, height: rows), into: &buffer)
        } else if y < inner.maxY, let note = detail.pitchNote {
            rowName("F0")
            buffer.write(note, x: frames.x, y: y, maxWidth: frames.width, style: theme.dimText)
        }
    }

    /// The screen column of frame `f`, or nil when scrolled out of view.
    func column(_ frame: Int, in frames: Rect) -> Int? {
        let x = frames.x + frame - state.utteranceScroll
        return x >= frames.x && x < frames.maxX ? x : nil
    }

    func drawTimeAxis(_ frames: Rect, y: Int, into buffer: inout Buffer) {
        // A tick every 0.5 s (25 frames), labelled in seconds.
        let first = state.utteranceScroll
        var frame = (first + 24) / 25 * 25
        while let x = column(frame, in: frames) {
            buffer.set(x, y, "╷", theme.dimText)
            buffer.write(String(format: "%.1fs", Double(frame) * TokenTable.frameDuration), x: x + 1, y: y,
                         maxWidth: min(6, frames.maxX - x - 1), style: theme.dimText)
            frame += 25
        }
    }

    func frameSpan(_ row: Int) -> (start: Int, end: Int) {
        let tokens = state.data.tokens
        let start = Int((tokens.start[row] / TokenTable.frameDuration).rounded(.down))
        let end = max(start + 1, Int((tokens.end[row] / TokenTable.frameDuration).rounded(.up)))
        return (start, end)
    }

    func drawIntervals(_ label: LabelColumn, frames: Rect, y: Int, into buffer: inout Buffer) {
        let boundary = Style(foreground: theme.border, background: theme.background)
        let labelIndex = state.labels.firstIndex { $0.name == label.name } ?? 0
        let coloring = ClassColoring(classCount: label.classes.count, counts: state.data.classCounts[labelIndex],
                                     paletteSize: state.paletteSize, filter: nil)
        for row in rows.map(Int.init) {
            let span = frameSpan(row)
            if let x = column(span.start, in: frames) { buffer.set(x, y, "│", boundary) }
            if let x = column(span.end, in: frames), buffer[x, y].isEmpty { buffer.set(x, y, "│", boundary) }
            guard let value = label.value(at: row) else { continue }
            let code = Int(label.codes[row])
            var style = theme.text
            if !state.colorDepth.classesByGlyph, let slot = coloring.slotOfClass[code] {
                style.foreground = theme.classes[slot % theme.classes.count]
            }
            if row == state.selectedToken { style.attributes.insert(.reverse) }
            let startX = frames.x + span.start + 1 - state.utteranceScroll
            let room = span.end - span.start - 1
            guard room > 0 else { continue }
            let text = DisplayWidth.truncate(value, to: room)
            var x = startX + max(0, (room - DisplayWidth.of(text)) / 2)
            for scalar in text.unicodeScalars {
                if x >= frames.x && x < frames.maxX { buffer.set(x, y, scalar, style) }
                x += DisplayWidth.of(scalar)
            }
        }
    }

    func drawCentres(_ frames: Rect, y: Int, into buffer: inout Buffer) {
        for row in rows.map(Int.init) {
            guard let x = column(Int(state.data.tokens.frame[row]), in: frames) else { continue }
            buffer.set(x, y, "▲", row == state.selectedToken ? theme.accentText : theme.dimText)
        }
    }

    func drawPredictions(_ task: TaskFrames, frames: Rect, y: Int, into buffer: inout Buffer) {
        let label = state.data.tokens.label(named: task.task)
        let labelIndex = state.labels.firstIndex { $0.name == task.task }
        let coloring = labelIndex.map {
            ClassColoring(classCount: state.labels[$0].classes.count, counts: state.data.classCounts[$0], paletteSize: state.paletteSize,
                          filter: nil)
        }
        // One-character classes (tones) are written in every frame; longer names once per run.
        let everyFrame = task.classes.allSatisfy { $0.unicodeScalars.count == 1 }
        var frame = state.utteranceScroll
        while frame < task.argmax.count, let _ = column(frame, in: frames) {
            let predicted = task.argmax[frame]
            var end = frame
            while end < task.argmax.count && task.argmax[end] == predicted { end += 1 }
            let name = task.classes.indices.contains(Int(predicted)) ? task.classes[Int(predicted)] : "?"
            let runStart = max(frame, state.utteranceScroll)
            var text = Array(name.unicodeScalars)
            if end - runStart < text.count { text = Array(text.prefix(max(1, end - runStart))) }
            for f in runStart..<end {
                guard let x = column(f, in: frames) else { break }
                var style = theme.text
                if let label, let coloring, let code = label.classes.firstIndex(of: name), let slot = coloring.slotOfClass[code],
                   !state.colorDepth.classesByGlyph {
                    style.foreground = theme.classes[slot % theme.classes.count]
                }
                let level = Self.level(task.confidence[f], of: theme.confidence.count)
                if state.colorDepth != .none && !theme.confidence.isEmpty { style.background = theme.confidence[level] }
                if task.confidence[f] >= 0.8 { style.attributes.insert(.bold) }
                let i = everyFrame ? 0 : f - runStart
                let scalar: Unicode.Scalar = i < text.count ? text[i] : (state.colorDepth == .none ? "·" : " ")
                buffer.set(x, y, scalar, style)
            }
            frame = end
        }
    }

    func drawConfidence(_ task: TaskFrames, frames: Rect, y: Int, into buffer: inout Buffer) {
        for f in state.utteranceScroll..<task.confidence.count {
            guard let x = column(f, in: frames) else { break }
            buffer.set(x, y, Glyphs.levels[Self.level(task.confidence[f], of: Glyphs.levels.count)], theme.dimText)
        }
    }

    /// Rows of the F0 contour: two braille rows give eight heights.
    public static let pitchRows = 2

    /// The F0 contour in braille, one cell per frame (its left dot column at the frame, the right
    /// one half-way to the next), on a semitone scale spanning the utterance's voiced frames plus
    /// a semitone either side; unvoiced frames are gaps. The range is written at the right end.
    func drawPitch(_ f0: [Float], frames: Rect, into buffer: inout Buffer) {
        let voiced = f0.filter { !$0.isNaN && $0 > 0 }
        guard let low = voiced.min(), let high = voiced.max() else {
            buffer.write("unvoiced", x: frames.x, y: frames.y, maxWidth: frames.width, style: theme.dimText)
            return
        }
        let bottom = 12 * log2(Double(low)) - 1, top = 12 * log2(Double(high)) + 1
        var grid = BrailleGrid(columns: frames.width, rows: frames.height)
        func dotY(_ hz: Float) -> Int {
            let fraction = (12 * log2(Double(hz)) - bottom) / (top - bottom)
            return Int(((1 - fraction) * Double(grid.dotHeight - 1)).rounded())
        }
        var previous: (x: Int, y: Int)? = nil
        for f in state.utteranceScroll..<f0.count {
            let x = 2 * (f - state.utteranceScroll)
            guard x < grid.dotWidth else { break }
            guard !f0[f].isNaN, f0[f] > 0 else {
                previous = nil
                continue
            }
            let point = (x: x, y: dotY(f0[f]))
            if let previous { grid.line(from: previous, to: point, series: 0) } else { grid.dot(point.x, point.y, series: 0) }
            previous = point
        }
        grid.draw(into: &buffer, at: (frames.x, frames.y)) { _ in theme.accentText }
        let range = "\(Int(low.rounded()))–\(Int(high.rounded())) Hz"
        let x = frames.maxX - DisplayWidth.of(range)
        if x > frames.x { buffer.write(range, x: x, y: frames.y, maxWidth: frames.maxX - x, style: theme.dimText) }
    }

    /// A probability 0…1 as one of `count` levels.
    static func level(_ p: Float, of count: Int) -> Int {
        guard count > 0, p.isFinite else { return 0 }
        return min(count - 1, max(0, Int(p * Float(count))))
    }
}
