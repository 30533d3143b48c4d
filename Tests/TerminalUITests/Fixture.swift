import Engine
import Foundation
import Store
@testable import TerminalUI

/// Small in-memory explorer states for reducer and widget tests: no store, no terminal.
enum Fixture {
    /// 3 utterances of 4 tokens: U1 and U3 by speaker A (F), U2 by B (M); tone 1–4 and finals.
    static func tokens() -> TokenTable {
        var utterance: [Int32] = [], start: [Double] = [], end: [Double] = [], frame: [Int32] = []
        var sex: [String?] = [], tone: [String?] = [], final: [String?] = []
        let finals = ["a", "an", "i", "ou"]
        for u in 0..<3 {
            for t in 0..<4 {
                let s = 0.04 + Double(t) * 0.2
                utterance.append(Int32(u))
                start.append(s)
                end.append(s + 0.12)
                frame.append(Int32(TokenTable.centralFrame(start: s, end: s + 0.12)))
                sex.append(u == 1 ? "M" : "F")
                tone.append(String((t + u) % 4 + 1))
                final.append(finals[(t * 3 + u) % 4])
            }
        }
        return TokenTable(utterances: ["U1", "U2", "U3"], utteranceSpeakers: ["A", "B", "A"], utterance: utterance,
                          start: start, end: end, frame: frame,
                          labels: [LabelColumn(name: "sex", values: sex), LabelColumn(name: "tone", values: tone),
                                   LabelColumn(name: "final", values: final)])
    }

    static func models() -> [ModelInfo] {
        [ModelInfo(name: "tone", layerCount: 5, presentLayers: [0, 1, 2, 3, 4], umapLayers: [0, 1],
                   tasks: [TaskInfo(name: "tone", classes: ["1", "2", "3", "4"], probabilities: false)]),
         ModelInfo(name: "tone+sex", layerCount: 3, presentLayers: [0, 1], umapLayers: [])]
    }

    /// The 12 tokens on a 4×3 grid: token i at (i % 4, i / 4).
    static func gridLayout(id: Int = 1, progress: Double = 1) -> Layout {
        Layout(x: (0..<12).map { Float($0 % 4) }, y: (0..<12).map { Float($0 / 4) }, progress: progress, id: id)
    }

    static func state(columns: Int = 120, rows: Int = 40, layout: Bool = true) -> AppState {
        var state = AppState(data: StoreSnapshot(storeName: "t.layerstore", simulated: false, tokens: tokens()),
                             models: models(), size: TerminalSize(columns: columns, rows: rows))
        if layout { state.layouts[LayoutKey(model: "tone", layer: 0)] = gridLayout() }
        state.selectedToken = 0
        return state
    }

    /// A theme whose colours are easy to tell apart in assertions.
    static let theme = Theme.builtinDark
}
