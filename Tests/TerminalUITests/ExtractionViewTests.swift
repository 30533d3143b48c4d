import Engine
import Foundation
import Store
import Testing
@testable import TerminalUI

/// What the explorer does with stores that record their audio: asks the engine for missing layers,
/// says how that goes, and draws an F0 row in the utterance pane.
@Suite struct ExtractionViewTests {
    /// The fixture state over a store that records audio; model tone+sex lacks layer 2.
    static func state(layer: Int = 2) -> AppState {
        var state = AppState(data: StoreSnapshot(storeName: "t.layerstore", simulated: false, tokens: Fixture.tokens(), hasAudio: true),
                             models: Fixture.models(), size: TerminalSize(columns: 120, rows: 40))
        state.model = 1
        state.layer = layer
        return state
    }

    @Test func missingLayersAreAskedForCurrentFirstThenTheHighest() {
        var s = Self.state()
        var extract = ViewNeeds.requests(s).filter { $0.key.kind == .extract }
        // Layer 2 is both the current and the highest missing layer: one job, on screen.
        #expect(extract == [JobRequest(JobKey(.extract, model: "tone+sex", layer: 2), priority: 0)])
        s.layer = 0
        extract = ViewNeeds.requests(s).filter { $0.key.kind == .extract }
        #expect(extract == [JobRequest(JobKey(.extract, model: "tone+sex", layer: 2), priority: 1000)])
        // A store without recorded audio asks for nothing: its layers cannot be computed.
        let imported = AppState(data: StoreSnapshot(storeName: "t", simulated: false, tokens: Fixture.tokens()), models: Fixture.models(),
                                size: TerminalSize(columns: 120, rows: 40))
        #expect(!ViewNeeds.requests(imported).contains { $0.key.kind == .extract })
        // Once the engine said the sources are gone, the job is not asked for again.
        s.jobNotes[JobKey(.extract, model: "tone+sex", layer: 2)] = "gone"
        #expect(!ViewNeeds.requests(s).contains { $0.key.kind == .extract })
    }

    @Test func aRunningExtractionIsKeptWhileScrubbing() {
        var s = Self.state()
        s.models[1] = ModelInfo(name: "tone+sex", layerCount: 6, presentLayers: [0], umapLayers: [])
        s.layer = 3
        s.engine = EngineProgress(current: JobKey(.extract, model: "tone+sex", layer: 3), fraction: 0.4)
        s.layer = 1
        let keys = ViewNeeds.requests(s).filter { $0.key.kind == .extract }
        #expect(keys.map(\.key.layer) == [3, 1, 5] && keys.map(\.priority) == [0, 0, 1000])
    }

    @Test func theScatterAndChartSayHowTheExtractionGoes() {
        var s = Self.state()
        s.engine = EngineProgress(current: JobKey(.extract, model: "tone+sex", layer: 2), fraction: 0.42)
        let key = LayoutKey(model: "tone+sex", layer: 2)
        var buffer = Buffer(width: 90, height: 12)
        ScatterWidget(state: s, theme: Fixture.theme, key: key, single: true, cache: ScatterCache()).render(buffer.area, into: &buffer)
        #expect(buffer.picture().contains("extracting layer 2 from the audio… 42%"))
        #expect(ChartWidget.statusNote(s) == "extracting L2 42%")
        s.engine = .idle
        s.jobNotes[JobKey(.extract, model: "tone+sex", layer: 2)] = "layer 2 of tone+sex is not in the store and cannot be computed: the checkpoint of model tone+sex is gone: /x"
        buffer = Buffer(width: 140, height: 12)
        ScatterWidget(state: s, theme: Fixture.theme, key: key, single: true, cache: ScatterCache()).render(buffer.area, into: &buffer)
        #expect(buffer.picture().contains("cannot be computed: the checkpoint of model tone+sex is gone: /x"))
        #expect(ChartWidget.statusNote(s) == "no L2: sources gone")
        // A long reason is wrapped in a narrow scatter, not cut.
        buffer = Buffer(width: 50, height: 12)
        ScatterWidget(state: s, theme: Fixture.theme, key: key, single: true, cache: ScatterCache()).render(buffer.area, into: &buffer)
        let text = buffer.picture()
        #expect(text.contains("is gone: /x") && !text.contains("…"), "\(text)")
    }

    @Test func extractedLayersReachTheState() {
        var s = Self.state()
        _ = Reducer.reduce(&s, .layersStored(model: "tone+sex", layers: [0, 1, 2]))
        #expect(s.models[1].presentLayers == [0, 1, 2])
        #expect(!ViewNeeds.requests(s).contains { $0.key.kind == .extract })
    }

    /// The F0 row: a braille contour on the frames' columns, gaps where unvoiced, the range at the right.
    @Test func pitchRowFollowsTheFrames() {
        var s = Self.state()
        s.model = 0
        s.layer = 0
        // Rising from 100 to 200 Hz over frames 0–7, unvoiced 8–9, then 150 Hz.
        let f0: [Float] = (0..<8).map { 100 * pow(2, Float($0) / 7) } + [.nan, .nan] + [150, 150]
        s.utteranceDetail = UtteranceDetail(utterance: 0, model: "tone", tasks: [], note: "no predictions", pitch: f0)
        #expect(ScreenLayout.utteranceRows(s) == ScreenLayout.utteranceRows(Fixture.state()) + UtteranceWidget.pitchRows)
        var buffer = Buffer(width: 60, height: 10)
        UtteranceWidget(state: s, theme: Fixture.theme).render(buffer.area, into: &buffer)
        let rows = (0..<10).map { buffer.line($0) }
        let top = try? #require(rows.firstIndex { $0.hasPrefix("│F0") })
        guard let top else { return }
        let columns = UtteranceGeometry.labelWidth + 1
        func cell(_ frame: Int, _ row: Int) -> Unicode.Scalar { Array(rows[top + row].unicodeScalars)[columns + frame] }
        // Frame 0 (100 Hz) sits low, frame 7 (200 Hz) high; frames 8 and 9 are empty in both rows.
        #expect(cell(0, 0) == " " && cell(0, 1) != " ")
        #expect(cell(7, 0) != " " && cell(7, 1) == " ")
        #expect(cell(8, 0) == " " && cell(8, 1) == " " && cell(9, 0) == " " && cell(9, 1) == " ")
        #expect(cell(10, 0) != " " || cell(10, 1) != " ")
        #expect(rows[top].contains("100–200 Hz"))

        s.utteranceDetail = UtteranceDetail(utterance: 0, model: "tone", tasks: [], note: "no predictions",
                                            pitchNote: "audio not found: /corpus/U1.wav")
        buffer = Buffer(width: 60, height: 10)
        UtteranceWidget(state: s, theme: Fixture.theme).render(buffer.area, into: &buffer)
        #expect(buffer.picture().contains("F0     audio not found: /corpus/U1.wav") || buffer.picture().contains("audio not found: /corpus/U1.wav"))
    }
}
