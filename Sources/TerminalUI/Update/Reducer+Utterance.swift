import Store

/// Moving between utterances, searching, filtering and selecting tokens.
extension Reducer {
    /// Selects `token`: its utterance opens in the utterance pane, scrolled so its frame shows.
    static func select(_ state: inout AppState, token: Int, moveCursor: Bool) {
        let tokens = state.data.tokens
        guard token >= 0, token < tokens.count else { return }
        state.selectedToken = token
        let utterance = Int(tokens.utterance[token])
        if utterance != state.utterance {
            state.utterance = utterance
            state.utteranceScroll = 0
        }
        revealFrame(&state, Int(tokens.frame[token]))
        if moveCursor { followSelection(&state) }
    }

    static func stepUtterance(_ state: inout AppState, _ delta: Int) {
        let count = state.data.tokens.utterances.count
        guard count > 0 else { return }
        let target = ((state.utterance + delta) % count + count) % count
        openUtterance(&state, target)
    }

    static func openUtterance(_ state: inout AppState, _ utterance: Int) {
        state.utterance = utterance
        state.utteranceScroll = 0
        if let first = state.data.utteranceRows[utterance].first {
            select(&state, token: Int(first), moveCursor: true)
        }
    }

    /// Frames the utterance pane has room for.
    static func visibleFrames(_ state: AppState) -> Int {
        guard let rect = ScreenLayout(state).utterance else { return 0 }
        return max(0, rect.width - 2 - UtteranceGeometry.labelWidth)
    }

    /// Frames of the current utterance: the predictions' length, else the end of its last token.
    static func frameCount(_ state: AppState) -> Int {
        if let detail = state.utteranceDetail, detail.utterance == state.utterance, detail.frameCount > 0 {
            return detail.frameCount
        }
        let rows = state.data.utteranceRows.indices.contains(state.utterance) ? state.data.utteranceRows[state.utterance] : []
        let end = rows.map { state.data.tokens.end[Int($0)] }.max() ?? 0
        return Int((end / TokenTable.frameDuration).rounded(.up)) + 1
    }

    static func scrollFrames(_ state: inout AppState, _ delta: Int) {
        let limit = max(0, frameCount(state) - visibleFrames(state))
        state.utteranceScroll = min(max(state.utteranceScroll + delta, 0), limit)
    }

    static func revealFrame(_ state: inout AppState, _ frame: Int) {
        let visible = visibleFrames(state)
        guard visible > 0 else { return }
        if frame < state.utteranceScroll || frame >= state.utteranceScroll + visible {
            state.utteranceScroll = max(0, frame - visible / 2)
        }
        scrollFrames(&state, 0)
    }

    /// Jumps to the next utterance (after the current one, wrapping) whose id or speaker matches:
    /// an exact id first, then ids containing the text, then speakers containing it.
    static func search(_ state: inout AppState, _ text: String) {
        let query = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !query.isEmpty else { return }
        let tokens = state.data.tokens
        let count = tokens.utterances.count
        if let exact = tokens.utterances.firstIndex(where: { $0.lowercased() == query }) {
            openUtterance(&state, exact)
            return
        }
        let order = (1...max(count, 1)).map { (state.utterance + $0) % max(count, 1) }
        if let hit = order.first(where: { tokens.utterances[$0].lowercased().contains(query) }) {
            openUtterance(&state, hit)
        } else if let hit = order.first(where: { tokens.utteranceSpeakers[$0].lowercased().contains(query) }) {
            openUtterance(&state, hit)
        } else {
            state.message = "no utterance or speaker matches '\(text)'"
        }
    }

    /// Highlights the named classes of the colour-by label; an empty list clears the filter.
    static func applyFilter(_ state: inout AppState, _ text: String) {
        guard let label = state.colorLabel else { return }
        let names = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        if names.isEmpty {
            state.filters[state.colorBy] = nil
            return
        }
        var chosen = Set<Int32>()
        var unknown: [String] = []
        for name in names {
            if let index = label.classes.firstIndex(where: { $0.lowercased() == name.lowercased() }) {
                chosen.insert(Int32(index))
            } else {
                unknown.append(name)
            }
        }
        if !unknown.isEmpty {
            let known = label.classes.prefix(12).joined(separator: " ") + (label.classes.count > 12 ? " …" : "")
            state.message = "\(label.name) has no class \(unknown.map { "'\($0)'" }.joined(separator: ", ")) (classes: \(known))"
        }
        state.filters[state.colorBy] = chosen.isEmpty ? nil : chosen
        if let token = state.selectedToken, !chosen.isEmpty, !chosen.contains(label.codes[token]) {
            selectNearest(&state)
        }
    }
}
