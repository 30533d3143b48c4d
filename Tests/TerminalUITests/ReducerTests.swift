import Engine
import Testing
@testable import TerminalUI

/// Every key binding as a plain function call on the pure reducer.
@Suite struct ReducerTests {
    func reduce(_ state: AppState, _ actions: Action...) -> (AppState, [Effect]) {
        var s = state
        var effects: [Effect] = []
        for action in actions { effects += Reducer.reduce(&s, action) }
        return (s, effects)
    }

    @Test func quitAsksTheLoopToStop() {
        let (s, effects) = reduce(Fixture.state(), .quit)
        #expect(s.quitting && effects == [.quit])
    }

    @Test func helpTogglesAndAnyOtherKeyClosesIt() {
        var (s, _) = reduce(Fixture.state(), .toggleHelp)
        #expect(s.showHelp)
        (s, _) = reduce(s, .toggleHelp)
        #expect(!s.showHelp)
        (s, _) = reduce(s, .toggleHelp, .colorStep(1))
        #expect(!s.showHelp && s.colorBy == 1)
    }

    @Test func tabCyclesThePanes() {
        let start = Fixture.state()
        #expect(reduce(start, .focusNext).0.focus == .scatter)
        #expect(reduce(start, .focusNext, .focusNext).0.focus == .utterance)
        #expect(reduce(start, .focusNext, .focusNext, .focusNext).0.focus == .chart)
        #expect(reduce(start, .focusPrevious).0.focus == .utterance)
    }

    @Test func layerKeysStepClampAndJump() {
        let start = Fixture.state()
        #expect(reduce(start, .layerStep(1)).0.layer == 1)
        #expect(reduce(start, .layerStep(-1)).0.layer == 0)
        #expect(reduce(start, .layerLast).0.layer == 4)
        #expect(reduce(start, .layerLast, .layerStep(1)).0.layer == 4)
        #expect(reduce(start, .layerLast, .layerFirst).0.layer == 0)
        #expect(reduce(start, .setLayer(3)).0.layer == 3)
        #expect(reduce(start, .setLayer(99)).0.layer == 4)
    }

    @Test func aLayerWithAStoredLayoutIsLoadedAndTheCursorFollowsTheSelectedToken() {
        var start = Fixture.state()
        start.selectedToken = 3
        let (s, effects) = reduce(start, .layerStep(1))
        #expect(effects == [.loadLayout(LayoutKey(model: "tone", layer: 1))])
        // Layer 1's layout is the grid mirrored: token 3 moves from the right edge to the left.
        let mirrored = Layout(x: (0..<12).map { Float(3 - $0 % 4) }, y: (0..<12).map { Float($0 / 4) }, id: 7)
        let (loaded, _) = reduce(s, .layoutLoaded(LayoutKey(model: "tone", layer: 1), mirrored))
        let b = mirrored.bounds
        #expect(abs(loaded.cursor.u - (0 - b.minX) / (b.maxX - b.minX)) < 1e-6)
        #expect(abs(loaded.cursor.v - (0 - b.minY) / (b.maxY - b.minY)) < 1e-6)
        #expect(loaded.selectedToken == 3)
        // No stored layout for layer 2: nothing to load; the engine is asked instead.
        #expect(reduce(loaded, .layerStep(1)).1.isEmpty)
    }

    @Test func layoutsFarFromTheViewAreDropped() {
        var s = Fixture.state()
        for layer in 1...4 { s.layouts[LayoutKey(model: "tone", layer: layer)] = Fixture.gridLayout(id: 10 + layer) }
        s.layouts[LayoutKey(model: "tone+sex", layer: 0)] = Fixture.gridLayout(id: 20)
        let (after, _) = reduce(s, .layoutLoaded(LayoutKey(model: "tone", layer: 0), Fixture.gridLayout(id: 30)))
        #expect(Set(after.layouts.keys.map(\.layer)) == [0, 1, 2])
        #expect(after.layouts.keys.allSatisfy { $0.model == "tone" })
    }

    @Test func aPartialLayoutNeverReplacesAFinalOne() {
        let s = Fixture.state()
        let key = LayoutKey(model: "tone", layer: 0)
        let (after, _) = reduce(s, .layoutLoaded(key, Fixture.gridLayout(id: 9, progress: 0.5)))
        #expect(after.layouts[key]?.id == 1)
    }

    @Test func colourCyclesThroughTheLabelsAndTheClusters() {
        let start = Fixture.state()
        #expect(start.colorLabel?.name == "sex")
        #expect(reduce(start, .colorStep(1)).0.colorLabel?.name == "tone")
        #expect(reduce(start, .colorStep(1), .colorStep(1), .colorStep(1)).0.colorsByClusters)
        #expect(reduce(start, .colorStep(1), .colorStep(1), .colorStep(1), .colorStep(1)).0.colorLabel?.name == "sex")
        #expect(reduce(start, .colorStep(-1)).0.colorsByClusters)
        #expect(reduce(start, .colorStep(-1), .colorStep(-1)).0.colorLabel?.name == "final")
    }

    @Test func nextModelKeepsTheLayerInRangeAndLoadsItsPredictions() {
        let (s, effects) = reduce(Fixture.state(), .layerLast, .modelNext)
        #expect(s.modelName == "tone+sex" && s.layer == 2)
        #expect(effects.contains(.loadUtterance(model: "tone+sex", utterance: 0)))
        #expect(reduce(s, .modelNext).0.modelName == "tone")
    }

    @Test func overlayCyclesThroughTheOtherModelsThenOff() {
        let start = Fixture.state()
        let (on, _) = reduce(start, .overlayNext)
        #expect(on.overlayModel?.name == "tone+sex")
        #expect(reduce(on, .overlayNext).0.overlay == nil)
        // The overlaid model becoming the current one ends the overlay.
        #expect(reduce(on, .modelNext).0.overlay == nil)
    }

    @Test func metricCycles() {
        #expect(reduce(Fixture.state(), .toggleMetric).0.metric == .probe)
        #expect(reduce(Fixture.state(), .toggleMetric, .toggleMetric).0.metric == .nmi)
        #expect(reduce(Fixture.state(), .toggleMetric, .toggleMetric, .toggleMetric).0.metric == .svcca)
    }

    @Test func compareShowsFirstAndLastLayersThenTwoModels() {
        let (two, effects) = reduce(Fixture.state(), .compareNext)
        #expect(two.visibleLayouts == [LayoutKey(model: "tone", layer: 0), LayoutKey(model: "tone", layer: 4)])
        #expect(effects.isEmpty)   // layer 0 is in memory, layer 4 is not stored
        let (four, _) = reduce(two, .compareNext)
        #expect(four.visibleLayouts.map(\.model) == ["tone", "tone", "tone+sex", "tone+sex"])
        #expect(four.visibleLayouts.map(\.layer) == [0, 4, 0, 2])
        #expect(reduce(four, .compareNext).0.compare == .off)
        var single = Fixture.state()
        single.models.removeLast()
        #expect(reduce(single, .compareNext, .compareNext).0.compare == .off)
    }

    @Test func cursorStepsOneCellAndSelectsTheNearestToken() throws {
        var s = Fixture.state()
        s.focus = .scatter
        let layout = try #require(s.currentLayout)
        // Put the cursor on token 5 at (1, 1).
        let b = layout.bounds
        s.cursor = UnitPoint((1 - b.minX) / (b.maxX - b.minX), (1 - b.minY) / (b.maxY - b.minY))
        let (_, projection, _) = try #require(Reducer.singleScatter(s))
        let (one, _) = reduce(s, .moveCursor(dx: 1, dy: 0))
        #expect(abs(one.cursor.u - (s.cursor.u + 2 * projection.unitsPerDot.u)) < 1e-6)
        #expect(one.selectedToken == 5 && one.utterance == 1)
        // Far enough right, token 6 at (2, 1) is nearer.
        var far = s
        for _ in 0..<12 { far = reduce(far, .moveCursor(dx: 1, dy: 0)).0 }
        #expect(far.selectedToken == 6)
        // Down the screen is down the layout: from (1, 1) towards token 1 at (1, 0).
        var down = s
        for _ in 0..<8 { down = reduce(down, .moveCursor(dx: 0, dy: 1)).0 }
        #expect(down.selectedToken == 1 && down.utterance == 0)
    }

    @Test func selectingATokenInAnotherUtteranceOpensIt() {
        var s = Fixture.state()
        s.focus = .scatter
        s.cursor = UnitPoint(0.99, 0.99)   // near token 11, in U3
        let (after, effects) = reduce(s, .moveCursor(dx: 0, dy: 0))
        #expect(after.selectedToken == 11 && after.utterance == 2)
        #expect(effects == [.loadUtterance(model: "tone", utterance: 2)])
    }

    @Test func theFilterRestrictsWhichTokensTheCursorSelects() {
        var s = Fixture.state()
        s.focus = .scatter
        s.colorBy = 1
        s.cursor = UnitPoint(0, 0)   // token 0 (tone 1) is nearest
        s.filters[1] = [2]           // tone "3"
        let (after, _) = reduce(s, .moveCursor(dx: 0, dy: 0))
        let tone = s.data.tokens.labels[1]
        #expect(tone.value(at: after.selectedToken ?? 0) == "3")
    }

    @Test func zoomKeepsTheCursorInPlaceAndResetShowsEverything() throws {
        var s = Fixture.state()
        s.cursor = UnitPoint(0.25, 0.75)
        let before = try #require(Reducer.singleScatter(s)).projection.dot(s.cursor)
        let (zoomed, _) = reduce(s, .zoomIn)
        #expect(zoomed.viewport.zoom == 2)
        let after = try #require(Reducer.singleScatter(zoomed)).projection.dot(zoomed.cursor)
        #expect(abs(after.x - before.x) <= 1 && abs(after.y - before.y) <= 1)
        #expect(reduce(zoomed, .zoomOut).0.viewport == .whole)
        #expect(reduce(zoomed, .zoomIn, .resetView).0.viewport == .whole)
        #expect(reduce(s, .zoomOut).0.viewport == .whole)
        var deep = s
        for _ in 0..<10 { deep = reduce(deep, .zoomIn).0 }
        #expect(deep.viewport.zoom == Viewport.maximumZoom)
    }

    @Test func panMovesByAQuarterViewAndStaysInTheLayout() {
        let (zoomed, _) = reduce(Fixture.state(), .zoomIn, .zoomIn)
        let (right, _) = reduce(zoomed, .pan(dx: 1, dy: 0))
        #expect(right.viewport.center.u > zoomed.viewport.center.u && right.viewport.center.v == zoomed.viewport.center.v)
        let (up, _) = reduce(zoomed, .pan(dx: 0, dy: -1))
        #expect(up.viewport.center.v > zoomed.viewport.center.v)
        var edge = zoomed
        for _ in 0..<50 { edge = reduce(edge, .pan(dx: -1, dy: 0)).0 }
        #expect(edge.viewport.center.u == 0)
    }

    @Test func utteranceStepsWrapAndSelectTheFirstToken() {
        let (next, effects) = reduce(Fixture.state(), .utteranceStep(1))
        #expect(next.utterance == 1 && next.selectedToken == 4)
        #expect(effects == [.loadUtterance(model: "tone", utterance: 1)])
        #expect(reduce(Fixture.state(), .utteranceStep(-1)).0.utterance == 2)
    }

    @Test func searchFindsIdsThenSpeakersAndSaysWhenNothingMatches() {
        func search(_ text: String, from state: AppState = Fixture.state()) -> AppState {
            var s = reduce(state, .startSearch).0
            for c in text { s = reduce(s, .promptInput(c)).0 }
            return reduce(s, .promptSubmit).0
        }
        #expect(search("u3").utterance == 2)
        #expect(search("b").utterance == 1)          // speaker B
        let again = search("a", from: search("u3"))    // speaker A again, after U3: wraps to U1
        #expect(again.utterance == 0)
        let missing = search("zz")
        #expect(missing.utterance == 0 && missing.message == "no utterance or speaker matches 'zz'")
        var typing = reduce(Fixture.state(), .startSearch, .promptInput("x"), .promptInput("y"), .promptBackspace).0
        #expect(typing.prompt == .search("x"))
        typing = reduce(typing, .promptCancel).0
        #expect(typing.prompt == nil && typing.utterance == 0)
    }

    @Test func filterHighlightsNamedClassesAndNamesUnknownOnes() {
        var s = reduce(Fixture.state(), .colorStep(1), .startFilter).0
        for c in "1 4 9" { s = reduce(s, .promptInput(c)).0 }
        s = reduce(s, .promptSubmit).0
        #expect(s.filter == [0, 3])
        #expect(s.message?.hasPrefix("tone has no class '9'") == true)
        // The prompt starts from the current filter; the filter belongs to its label.
        #expect(reduce(s, .startFilter).0.prompt == .filter("1 4"))
        #expect(reduce(s, .colorStep(1)).0.filter == nil)
        #expect(reduce(s, .clearFilter).0.filter == nil)
        #expect(reduce(s, .startFilter, .promptBackspace, .promptBackspace, .promptBackspace, .promptSubmit).0.filter == nil)
    }

    @Test func scrollingTheTimeAxisStaysWithinTheUtterance() {
        var s = Fixture.state(columns: 60, rows: 30)
        s.focus = .utterance
        // The narrow layout shows the utterance pane alone: 58 − 8 columns of frames for 40 frames.
        #expect(reduce(s, .scrollFrames(10)).0.utteranceScroll == 0)
        s.size = TerminalSize(columns: 40, rows: 30)
        let limit = Reducer.frameCount(s) - Reducer.visibleFrames(s)
        #expect(limit > 0)
        #expect(reduce(s, .scrollFrames(10)).0.utteranceScroll == min(10, limit))
        #expect(reduce(s, .scrollFrames(1000)).0.utteranceScroll == limit)
        #expect(reduce(s, .scrollFrames(-5)).0.utteranceScroll == 0)
    }

    @Test func clicksPickALayerATokenOrALegendClass() throws {
        let s = Fixture.state()
        let screen = ScreenLayout(s)
        let chart = try #require(screen.chart)
        let g = ChartGeometry(pane: chart, legendLines: ChartWidget.legendLineCount(s))
        let (layered, _) = reduce(s, .click(x: g.column(layer: 3, lastLayer: 4), y: g.plot.y + 1))
        #expect(layered.layer == 3 && layered.focus == .chart)

        let geometry = ScatterGeometry(pane: screen.scatters[0], withLegend: true)
        let (picked, _) = reduce(s, .click(x: geometry.plot.maxX - 1, y: geometry.plot.y))
        #expect(picked.focus == .scatter && picked.selectedToken == 11)

        let legend = try #require(geometry.legend)
        let (filtered, _) = reduce(s, .click(x: legend.x + 2, y: legend.y + 2))   // line 2: the second class, M
        #expect(filtered.filter == [1])
        // Filtered, the legend lists M (coloured) then F (grey): clicking F adds it, clicking M removes it.
        #expect(reduce(filtered, .click(x: legend.x + 2, y: legend.y + 2)).0.filter == [0, 1])
        #expect(reduce(filtered, .click(x: legend.x + 2, y: legend.y + 1)).0.filter == nil)
    }

    @Test func theWheelStepsLayersZoomsOrChangesUtterance() throws {
        let s = Fixture.state()
        let screen = ScreenLayout(s)
        let chart = try #require(screen.chart), scatter = screen.scatters[0], utterance = try #require(screen.utterance)
        #expect(reduce(s, .wheel(up: true, x: chart.x + 5, y: chart.y + 5)).0.layer == 1)
        #expect(reduce(s, .wheel(up: true, x: scatter.x + 5, y: scatter.y + 5)).0.viewport.zoom == 2)
        #expect(reduce(s, .wheel(up: false, x: utterance.x + 5, y: utterance.y + 2)).0.utterance == 1)
    }

    @Test func resizeAndNewsFromTheStoreAndEngine() {
        var (s, _) = reduce(Fixture.state(), .resize(TerminalSize(columns: 30, rows: 10)))
        #expect(s.size == TerminalSize(columns: 30, rows: 10) && !ScreenLayout(s).usable)
        let scores = LayerScores(values: ["tone": [0: 0.5]])
        (s, _) = reduce(s, .resultsLoaded(MetricKey(model: "tone", metric: .svcca), scores))
        #expect(s.results[MetricKey(model: "tone", metric: .svcca)] == scores)
        let job = JobKey(.umap, model: "tone", layer: 2)
        (s, _) = reduce(s, .engineProgress(EngineProgress(current: job, fraction: 0.4)), .jobNote(job, "no runner"))
        #expect(s.engine.current == job && s.jobNotes[job] == "no runner")
        (s, _) = reduce(s, .layoutStored(LayoutKey(model: "tone", layer: 2)))
        #expect(s.models[0].umapLayers.contains(2))
        (s, _) = reduce(s, .layoutDropped(LayoutKey(model: "tone", layer: 0)))
        #expect(s.layouts.isEmpty && !s.models[0].umapLayers.contains(0))
        let detail = UtteranceDetail(utterance: 1, model: "tone", tasks: [])
        #expect(reduce(s, .utteranceLoaded(detail)).0.utteranceDetail == nil)   // not the open utterance
        #expect(reduce(s, .utteranceStep(1), .utteranceLoaded(detail)).0.utteranceDetail == detail)
    }
}
