import ArgumentParser
import Engine
import Foundation
import Numerics
import Store
import TerminalUI

/// The explorer's frame time and startup: `explorer render`, `explorer startup STORE`, and
/// `explorer prepare STORE` (stores a layout and SVCCA results, as a finished engine would).
struct ExplorerBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explorer", abstract: "Explorer frame render time and startup to the first frame.",
        subcommands: [Render.self, Startup.self, Prepare.self])

    /// State → buffer → diff for a large scatter, with no terminal.
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Median frame time for a synthetic scatter.")

        @Option(help: "Tokens in the scatter.") var tokens = 100_000
        @Option(help: "Screen columns.") var columns = 200
        @Option(help: "Screen rows.") var rows = 60
        @Option(help: "Frames per measurement.") var frames = 300

        func run() throws {
            var state = BenchState.make(tokens: tokens, columns: columns, rows: rows)
            let renderer = Renderer(theme: .builtinDark)
            var previous = renderer.render(state)
            func frame() -> Int {
                let buffer = renderer.render(state)
                let changed = buffer.changedCells(since: previous).count
                previous = buffer
                return changed
            }
            // Scrubbing layers: every frame shows another layout, so screen positions are recomputed.
            var scrub: [Double] = []
            var changed = 0
            for i in 0..<frames {
                _ = Reducer.reduce(&state, .setLayer(i % 2 == 0 ? 1 : 0))
                scrub.append(BenchClock.seconds { changed += frame() })
            }
            // Moving the cursor over one layout: positions are cached, the scatter is rasterised again.
            _ = Reducer.reduce(&state, .focusNext)
            var cursor: [Double] = []
            for i in 0..<frames {
                _ = Reducer.reduce(&state, .moveCursor(dx: i % 2 == 0 ? 1 : -1, dy: 0))
                cursor.append(BenchClock.seconds { _ = frame() })
            }
            BenchClock.report([
                "tokens": Double(tokens), "columns": Double(columns), "rows": Double(rows),
                "layer_change_frame_ms_median": BenchClock.median(scrub) * 1000,
                "layer_change_frame_ms_p90": percentile(scrub, 0.9) * 1000,
                "cursor_frame_ms_median": BenchClock.median(cursor) * 1000,
                "cells_changed_per_layer_change": Double(changed) / Double(frames),
            ])
        }

        func percentile(_ values: [Double], _ p: Double) -> Double {
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
    }

    /// Process start to the first full frame (offscreen), with peak memory.
    struct Startup: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Startup to the first full frame on a store.")

        @Argument(help: "The store.") var store: String
        @Option(help: "Screen columns.") var columns = 200
        @Option(help: "Screen rows.") var rows = 60

        @Flag(help: "Also time the loading steps one by one (a second pass over the same store).") var steps = false

        func run() throws {
            let started = DispatchTime.now().uptimeNanoseconds
            defer { if steps { try? timeSteps() } }
            let session = try ExplorerSession(ExploreOptions(store: URL(fileURLWithPath: store)), theme: .builtinDark,
                                              size: TerminalSize(columns: columns, rows: rows), colorDepth: .full)
            let loaded = DispatchTime.now().uptimeNanoseconds
            let frame = session.render()
            _ = frame.changedCells(since: nil)
            let drawn = DispatchTime.now().uptimeNanoseconds
            let hasScatter = frame.cells.contains { $0.scalar > 0x2800 && $0.scalar <= 0x28FF }
            BenchClock.report([
                "load_ms": Double(loaded - started) / 1e6,
                "first_frame_ms": Double(drawn - started) / 1e6,
                "peak_rss_mb": BenchClock.peakResidentBytes() / 1e6,
                "tokens": Double(session.state.data.tokens.count),
                "scatter_drawn": hasScatter ? 1 : 0,
                "svcca_layers": Double(session.state.results.values.first?.values.values.first?.count ?? 0),
            ])
        }

        /// Times each loading step on its own and prints them (milliseconds) on standard error.
        func timeSteps() throws {
            var times: [(String, Double)] = []
            func step<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
                let start = DispatchTime.now().uptimeNanoseconds
                let result = try body()
                times.append((name, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6))
                return result
            }
            let opened = try step("open store") { try EmbeddingStore(opening: URL(fileURLWithPath: store)) }
            let tokens = try step("tokens()") { try opened.tokens() }
            _ = step("snapshot indexes") { StoreSnapshot(storeName: "x", simulated: false, tokens: tokens) }
            let loader = StoreLoader(store: opened)
            let models = try step("models()") { try loader.models() }
            _ = try step("results") { try loader.results(model: models[0].name, metric: .svcca) }
            if models[0].umapLayers.contains(0) {
                _ = try step("layout L0") { try loader.layout(LayoutKey(model: models[0].name, layer: 0), tokens: tokens.count) }
            }
            FileHandle.standardError.write(Data((times.map { "\($0.0): \(String(format: "%.1f", $0.1)) ms" }.joined(separator: "\n") + "\n").utf8))
        }
    }

    /// Prints the time of each loading step, for finding what startup spends its time on.
    /// Stores, for the first model, a 2-D layout of layer 0 (a projection of the layer on two fixed
    /// directions, standing in for a UMAP) and stand-in SVCCA values for every layer and label, so
    /// startup can be measured as it is once the engine has run.
    struct Prepare: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store a layout and SVCCA results for the startup benchmark.")

        @Argument(help: "The store.") var store: String

        func run() throws {
            let store = try EmbeddingStore(opening: URL(fileURLWithPath: store))
            guard let model = try store.models().first else { throw StoreError(store.url, "has no model") }
            let tokens = try store.tokens()
            let layer = try store.layer(model: model.name, layer: 0).view
            var layout = Matrix<Float>(rows: layer.rows, cols: 2)
            layer.forEachBlock(rows: 4096) { range, block in
                for (i, row) in range.enumerated() {
                    var a: Float = 0, b: Float = 0
                    for c in 0..<layer.cols {
                        let v = block[i * layer.cols + c]
                        a += c % 3 == 0 ? v : 0
                        b += c % 5 == 1 ? v : -v * 0.1
                    }
                    layout[row, 0] = a
                    layout[row, 1] = b
                }
            }
            try store.withWriteLock {
                let target = try store.newArrayPath(model: model.name, name: "umap-L00.npy")
                try AtomicNpyWriter.write(layout, as: .float32, to: target.url)
                try store.register(model: nil, arrays: [
                    ArrayRecord(model: model.name, kind: .umap, layer: 0, path: target.relative, dtype: .float32, rows: layer.rows,
                                cols: 2, bytes: 64 + layer.rows * 8, params: "{\"bench_stand_in\": true}"),
                ])
                var records: [AnalysisRecord] = []
                for l in 0..<model.layerCount {
                    for (j, label) in tokens.labels.enumerated() {
                        let value = 0.5 + 0.4 * sin(Double(l + j) / 4)
                        records.append(AnalysisRecord(model: model.name, kind: "svcca", layer: l, label: label.name,
                                                      params: "{\"bench_stand_in\": true}", inputs: "bench", result: "{\"value\": \(value)}"))
                    }
                }
                try store.saveAnalyses(records)
            }
            print("stored a stand-in layout of layer 0 and SVCCA for \(model.layerCount) layers of \(model.name)")
        }
    }
}

/// A synthetic explorer state: tokens in utterances of 10, three labels, two layouts of Gaussian
/// clusters by tone (deterministic).
enum BenchState {
    static func make(tokens n: Int, columns: Int, rows: Int) -> AppState {
        var generator = SplitMix(seed: 7)
        let utterances = (n + 9) / 10
        let speaker = (0..<utterances).map { "S\($0 % 200)" }
        var sex: [String?] = [], tone: [String?] = [], final: [String?] = []
        var start: [Double] = [], end: [Double] = [], frame: [Int32] = [], utterance: [Int32] = []
        for i in 0..<n {
            let u = i / 10
            utterance.append(Int32(u))
            let s = Double(i % 10) * 0.25
            start.append(s)
            end.append(s + 0.2)
            frame.append(Int32(TokenTable.centralFrame(start: s, end: s + 0.2)))
            sex.append(u % 200 % 2 == 0 ? "F" : "M")
            tone.append(String(Int(generator.next() % 5) + 1))
            final.append("f\(generator.next() % 35)")
        }
        let table = TokenTable(utterances: (0..<utterances).map { "U\($0)" }, utteranceSpeakers: speaker, utterance: utterance,
                               start: start, end: end, frame: frame,
                               labels: [LabelColumn(name: "sex", values: sex), LabelColumn(name: "tone", values: tone),
                                        LabelColumn(name: "final", values: final)])
        let data = StoreSnapshot(storeName: "bench.layerstore", simulated: true, tokens: table)
        let model = ModelInfo(name: "m", layerCount: 25, presentLayers: Set(0..<25), umapLayers: [0, 1])
        var state = AppState(data: data, models: [model], size: TerminalSize(columns: columns, rows: rows), colorBy: 1)
        for layer in 0..<2 {
            var x = [Float](repeating: 0, count: n), y = [Float](repeating: 0, count: n)
            let codes = table.labels[1].codes
            for i in 0..<n {
                let c = Float(codes[i]) + Float(layer) * 0.5
                x[i] = 4 * cos(c * 1.3) + generator.gaussian()
                y[i] = 4 * sin(c * 1.3) + generator.gaussian()
            }
            state.layouts[LayoutKey(model: "m", layer: layer)] = Layout(x: x, y: y, id: layer + 1)
        }
        var scores = LayerScores()
        for (j, label) in table.labels.enumerated() {
            scores.values[label.name] = Dictionary(uniqueKeysWithValues: (0..<25).map { ($0, 0.5 + 0.4 * sin(Double($0 + j) / 4)) })
        }
        state.results[MetricKey(model: "m", metric: .svcca)] = scores
        state.selectedToken = 0
        return state
    }
}

/// A small deterministic random number generator (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal value (Box–Muller).
    mutating func gaussian() -> Float {
        let u = max(Double(next() >> 11) / Double(1 << 53), 1e-300), v = Double(next() >> 11) / Double(1 << 53)
        return Float((-2 * log(u)).squareRoot() * cos(2 * .pi * v))
    }
}
