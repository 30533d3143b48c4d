import Engine
import Testing
@testable import TerminalUI

/// Widgets render into a buffer; the tests compare the buffer's text with the expected picture.
@Suite struct WidgetTests {
    let theme = Fixture.theme

    func chartState() -> AppState {
        var s = Fixture.state(columns: 40, rows: 12)
        s.results[MetricKey(model: "tone", metric: .svcca)] = LayerScores(values: [
            "sex": [0: 0.9, 1: 0.6, 2: 0.2, 3: 0.1, 4: 0.1],
            "tone": [0: 0.1, 1: 0.3, 2: 0.5, 3: 0.8, 4: 0.9],
        ])
        s.layer = 2
        return s
    }

    @Test func chartDrawsOneSeriesPerLabelWithTheCurrentLayerMarked() {
        let s = chartState()
        var buffer = Buffer(width: 34, height: 12)
        ChartWidget(state: s, theme: theme).render(buffer.area, into: &buffer)
        // sex falls from 0.9, tone rises to 0.9 (markers ● and ■), final is not computed (…); the
        // guide ┊ and ▲ mark layer 2, where the legend reads its values.
        #expect(buffer.picture() == """
            ┌ SVCCA by layer · tone ─────────┐
            │1.0┤●⠢⠤⢄⣀⣀        ┊   ⢀⣀■⠤⠤⠤⠒⠒⠒■│
            │0.5┤      ⠉●⠒⣢⣄⣀⡠⠤■⠒⠊⠉⠁         │
            │0.0┤■⠤⠒⠒⠒⠊⠉■⠉   ⠉⠑●⠒⠒⠢⠤⠤●⠤⠤⠤⠤⠤⠤●│
            │   └┬──────┬──────▲─────┬──────┬│
            │    0      1      2     3      4│
            │ tone · layer 2                 │
            │ ● sex          0.200           │
            │ ■ tone         0.500           │
            │ ▲ final            …           │
            │ computed 0/5 layers            │
            └────────────────────────────────┘
            """)
        // Series keep their colours; the colour-by label (sex) is bold.
        #expect(buffer[5, 1].style.foreground == theme.series[0] && buffer[5, 1].style.attributes.contains(.bold))
        #expect(buffer[5, 3].style.foreground == theme.series[1] && !buffer[5, 3].style.attributes.contains(.bold))
    }

    @Test func anOverlaidModelIsDottedWithHollowMarkers() {
        var s = chartState()
        s.layer = 1
        s.overlay = 1
        s.results[MetricKey(model: "tone+sex", metric: .svcca)] = LayerScores(values: ["sex": [0: 0.9, 1: 0.9, 2: 0.9]])
        var buffer = Buffer(width: 60, height: 14)
        ChartWidget(state: s, theme: theme).render(buffer.area, into: &buffer)
        let text = buffer.picture()
        #expect(text.contains("SVCCA by layer · tone vs tone+sex"))
        #expect(text.contains("tone+sex ┄ (overlay)"))
        #expect(text.contains("○ sex          0.900") && text.contains("● sex          0.600"))
        // The overlay's sex line is dotted at 0.9 over layers 0–2 (row 1), with hollow markers.
        let row = buffer.line(2)
        #expect(row.filter { $0 == "○" }.count >= 2 && row.contains("⠁⠁⠁"))
    }

    @Test func theProbeMetricAndMissingResultsAreSaid() {
        var s = Fixture.state(columns: 60, rows: 20)
        s.metric = .probe
        s.jobNotes[JobKey(.probe, model: "tone", layer: 0)] = "this build has no probe runner"
        var buffer = Buffer(width: 60, height: 14)
        ChartWidget(state: s, theme: theme).render(buffer.area, into: &buffer)
        let text = buffer.picture()
        #expect(text.contains("Probe accuracy by layer · tone"))
        #expect(text.contains("probe accuracy not computed yet"))
        #expect(text.contains("this build has no pro"))
    }

    @Test func missingLayersAreMarkedOnTheAxis() {
        var s = chartState()
        s.models[0].presentLayers = [0, 1, 2]
        var buffer = Buffer(width: 34, height: 12)
        ChartWidget(state: s, theme: theme).render(buffer.area, into: &buffer)
        #expect(buffer.line(4) == "│   └┬──────┬──────▲─────×──────×│")
        #expect(buffer.picture().contains("no embeddings: L3–4"))
    }

    /// Four tokens on the corners of a square (the rest have no position).
    func cornerState() -> AppState {
        var s = Fixture.state()
        let nan = Float.nan
        s.layouts[LayoutKey(model: "tone", layer: 0)] = Layout(x: [0, 1, 0, 1] + [Float](repeating: nan, count: 8),
                                                              y: [0, 0, 1, 1] + [Float](repeating: nan, count: 8), id: 2)
        s.selectedToken = nil
        return s
    }

    @Test func scatterPutsTwoByFourDotsInACell() {
        let s = cornerState()
        var buffer = Buffer(width: 6, height: 4)
        ScatterWidget(state: s, theme: theme, key: LayoutKey(model: "tone", layer: 0), single: false, cache: ScatterCache())
            .render(buffer.area, into: &buffer)
        // A 4×2-cell plot is 8×8 dots: the corners are dots (0,0) ⠁, (7,0) ⠈, (0,7) ⡀ and (7,7) ⢀.
        #expect(buffer.picture(Rect(x: 1, y: 1, width: 4, height: 2)) == "⠁  ⠈\n⡀  ⢀")
        #expect(buffer[1, 1].style.foreground == theme.classes[0])   // all four are F
    }

    @Test func scatterWithLegendCursorAndSelectedToken() {
        var s = Fixture.state()
        var buffer = Buffer(width: 60, height: 14)
        ScatterWidget(state: s, theme: theme, key: LayoutKey(model: "tone", layer: 0), single: true, cache: ScatterCache())
            .render(buffer.area, into: &buffer)
        #expect(buffer.picture() == """
            ┌ UMAP · tone · layer 0 · colour by sex ───────────────────┐
            │  ⠂         ⠐          ⠂         ⠐   sex · 2 classes      │
            │                                     ■ F                 8│
            │                                     ■ M                 4│
            │                                                          │
            │                                                          │
            │  ⠂         ⠐          ⠂         ⠐                        │
            │                                                          │
            │                                                          │
            │                                                          │
            │                                                          │
            │  ◆         ⠠          ⠄         ⠠                        │
            │ ◆ U1 · t=0.04–0.16 s · spk A · sex F · tone 1 · final a  │
            └──────────────────────────────────────────────────────────┘
            """)
        // Tokens of U2 (the middle row) are M: the second colour.
        #expect(buffer[3, 6].style.foreground == theme.classes[1] && buffer[3, 1].style.foreground == theme.classes[0])
        // Without colour, classes are glyphs; the focused scatter shows its cursor.
        s.colorDepth = .none
        s.focus = .scatter
        var mono = Buffer(width: 60, height: 14)
        ScatterWidget(state: s, theme: theme, key: LayoutKey(model: "tone", layer: 0), single: true, cache: ScatterCache())
            .render(mono.area, into: &mono)
        #expect(mono.line(1).hasPrefix("│  ●         ●          ●         ●   sex · 2 classes"))
        #expect(mono.line(6).hasPrefix("│  ○         ○     ┼    ○         ○"))
        #expect(mono.line(2).contains("● F") && mono.line(3).contains("○ M"))
    }

    @Test func aFilterHighlightsItsClassesOverGreyContext() {
        var s = Fixture.state()
        s.colorBy = 1
        s.filters[1] = [1]   // tone "2"
        var buffer = Buffer(width: 60, height: 14)
        ScatterWidget(state: s, theme: theme, key: LayoutKey(model: "tone", layer: 0), single: true, cache: ScatterCache())
            .render(buffer.area, into: &buffer)
        let tone = s.data.tokens.labels[1]
        let layout = Fixture.gridLayout()
        let plot = ScatterGeometry(pane: buffer.area, withLegend: true).plot
        let projection = ScatterProjection(layout: layout, plot: plot, viewport: .whole)
        for token in 1..<12 {
            let dot = projection.dot(x: layout.x[token], y: layout.y[token])
            let cell = buffer[plot.x + dot.x / 2, plot.y + dot.y / 4]
            if tone.value(at: token) == "2" {
                #expect(cell.style.foreground == theme.classes[0] && cell.style.attributes.contains(.bold))
            } else {
                #expect(cell.style.foreground == theme.grey)
            }
        }
        #expect(buffer.line(1).contains("tone · filter"))
        #expect(buffer.line(2).contains("■ 2"))
        #expect(buffer.line(3).contains("■ 1"))   // grey classes listed, to click into the filter
    }

    @Test func manyClassesColourTheMostFrequentAndGreyTheRest() {
        let counts = [5, 50, 7, 30, 1]
        let coloring = ClassColoring(classCount: 5, counts: counts, paletteSize: 2, filter: nil)
        #expect(coloring.coloured == [1, 3])
        #expect(coloring.greyClasses == [0, 2, 4])
        #expect(coloring.slots(for: [0, 1, 3, -1]) == [2, 0, 1, 255])
        let short = LegendLines.entries(coloring, counts: counts, height: 4)
        #expect(short == [.title, .coloured(classIndex: 1, slot: 0), .coloured(classIndex: 3, slot: 1), .grey(classes: 3, tokens: 13)])
        let tall = LegendLines.entries(coloring, counts: counts, height: 8)
        #expect(tall.suffix(3) == [.greyClass(classIndex: 0), .greyClass(classIndex: 2), .greyClass(classIndex: 4)])
    }

    @Test func utteranceRowsShowReferencesCentresAndPredictions() {
        var s = Fixture.state()
        s.utteranceDetail = UtteranceDetail(utterance: 0, model: "tone", tasks: [
            TaskFrames(task: "tone", classes: ["1", "2", "3", "4"], argmax: (0..<40).map { Int32($0 / 10) },
                       confidence: (0..<40).map { Float($0 % 10) / 10 }),
        ])
        var buffer = Buffer(width: 60, height: 8)
        UtteranceWidget(state: s, theme: theme).render(buffer.area, into: &buffer)
        // Tokens at 0.04–0.16 s, 0.24–0.36 s, …: frames 2–8, 12–18, …; central frames 5, 15, 25, 35.
        #expect(buffer.picture() == """
            ┌ utterance U1 (1/3) · speaker A · sex F · model tone · t… ┐
            │time    ╷0.0s                    ╷0.5s                    │
            │tone      │  1  │   │  2  │   │  3   │  │  4   │          │
            │final     │  a  │   │ ou  │   │  i   │  │  an  │          │
            │centre       ▲         ▲         ▲         ▲              │
            │▸tone   1111111111222222222233333333334444444444          │
            │ conf.  ▁▁▂▃▄▅▅▆▇█▁▁▂▃▄▅▅▆▇█▁▁▂▃▄▅▅▆▇█▁▁▂▃▄▅▅▆▇█          │
            └──────────────────────────────────────────────────────────┘
            """)
        // The selected token's centre is the accent colour; confident frames have a brighter background.
        #expect(buffer[14, 4].style == theme.accentText && buffer[24, 4].style == theme.dimText)
        #expect(buffer[9, 5].style.background == theme.confidence[0] && buffer[18, 5].style.background == theme.confidence[4])
        // Predictions matching the reference at the central frames: tone 1 2 3 4 predicted 1 2 3 4.
        #expect(UtteranceWidget(state: s, theme: theme).accuracy().map { "\($0.task) \($0.correct)/\($0.total)" } == ["tone 4/4"])
    }

    @Test func aModelWithoutPredictionsSaysSo() {
        var s = Fixture.state()
        s.model = 1
        s.utteranceDetail = UtteranceDetail(utterance: 0, model: "tone+sex", tasks: [],
                                            note: "no framewise predictions for model tone+sex in this store")
        var buffer = Buffer(width: 80, height: 8)
        UtteranceWidget(state: s, theme: theme).render(buffer.area, into: &buffer)
        #expect(buffer.line(5).contains("no framewise predictions for model tone+sex in this store"))
    }

    @Test func statusBarShowsModelLayerColourAndEngineProgress() {
        var s = Fixture.state()
        s.layer = 3
        s.engine = EngineProgress(current: JobKey(.umap, model: "tone", layer: 4), fraction: 0.42, queued: 3)
        var buffer = Buffer(width: 120, height: 2)
        let bar = StatusBar(state: s, theme: theme)
        bar.renderTop(Rect(x: 0, y: 0, width: 120, height: 1), into: &buffer)
        bar.renderBottom(Rect(x: 0, y: 1, width: 120, height: 1), into: &buffer)
        #expect(buffer.line(0).hasPrefix(" layerscope │ t.layerstore │ model tone (1/2) │ layer 3/4 │ colour sex │ SVCCA"))
        #expect(buffer.line(0).hasSuffix("UMAP tone L4 ▕███▎    ▏ 42% +3 "))
        #expect(buffer.line(1).hasPrefix(" ←/→ layer  ↑/↓ label  c colour"))
        #expect(StatusBar.bar(1, width: 4) == "████" && StatusBar.bar(0, width: 2) == "  ")
    }

    @Test func screensTooSmallGetOneLine() {
        var s = Fixture.state(columns: 39, rows: 12)
        let frame = Renderer(theme: theme).render(s)
        #expect(frame.picture() == "needs ≥ 40×12 (now 39×12)" + String(repeating: "\n", count: 11))
        s.size = TerminalSize(columns: 40, rows: 12)
        let small = Renderer(theme: theme).render(s).picture()
        #expect(small.contains("SVCCA by layer"))   // the focused pane alone
        s.focus = .scatter
        #expect(Renderer(theme: theme).render(s).picture().contains("⠂"))
    }

    @Test func fullScreenHasEveryPaneAndHelpListsTheKeys() {
        var s = Fixture.state(columns: 160, rows: 48)
        let screen = ScreenLayout(s)
        #expect(screen.chart != nil && screen.scatters.count == 1 && screen.utterance != nil)
        let text = Renderer(theme: theme).render(s).picture()
        #expect(text.contains("SVCCA by layer") && text.contains("UMAP · tone · layer 0") && text.contains("utterance U1"))
        s.showHelp = true
        let help = Renderer(theme: theme).render(s).picture()
        #expect(help.contains("keys · ? or Esc closes") && help.contains("colour by the next label"))
        s.showHelp = false
        s.compare = .grid
        let grid = ScreenLayout(s)
        #expect(grid.chart == nil && grid.scatters.count == 4 && grid.compareLegend != nil)
        let compare = Renderer(theme: theme).render(s).picture()
        #expect(compare.contains("tone · layer 0") && compare.contains("tone+sex · layer 2"))
        #expect(compare.contains("layer 2 of tone+sex has no embeddings in this store"))
    }

    @Test func helpUsesTwoColumnsWhenOneIsTooTall() {
        var s = Fixture.state(columns: 200, rows: 30)
        s.showHelp = true
        let text = Renderer(theme: theme).render(s).picture()
        for binding in KeyMap.bindings { #expect(text.contains(String(binding.help.prefix(30))), "\(binding.help)") }
        #expect(!text.contains("a taller terminal"))
        s.size = TerminalSize(columns: 80, rows: 20)
        #expect(Renderer(theme: theme).render(s).picture().contains("… (a taller terminal shows all)"))
    }
}
