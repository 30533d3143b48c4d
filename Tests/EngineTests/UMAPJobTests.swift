import Analysis
import Engine
import Foundation
import Numerics
import Store
import Testing

/// The engine running the Analysis module's UMAP runner: frames published while it runs, the
/// layout stored as umap-Lnn.npy, the next layer started from its neighbour's layout.
@Suite struct UMAPJobTests {
    @Test func umapJobsPublishFramesAndStoreAlignedLayouts() throws {
        let fixture = try TestStore(tokens: 80, dim: 6, present: [0, 1], layerCount: 2)
        let store = try fixture.open()
        let log = EventLog()
        let engine = Engine(store: store, runners: [UMAPJobRunner()]) { log.append($0) }
        defer { engine.stop() }
        let first = JobKey(.umap, model: "m", layer: 0), second = JobKey(.umap, model: "m", layer: 1)
        engine.want([JobRequest(first, priority: 0), JobRequest(second, priority: 1)])
        #expect(log.wait(seconds: 60) { $0.finished.count == 2 })
        #expect(log.finished == [first, second])
        let frames = log.all.compactMap { if case .partialLayout(let key, let points, let fraction) = $0 { (key, points.count, fraction) } else { nil } }
        #expect(frames.contains { $0.0 == first && $0.1 == 160 && $0.2 < 1 })
        let runner = UMAPRunner(store: store)
        let stored = try #require(try runner.stored(model: "m", layer: 1))
        #expect(stored.record.rows == 80 && stored.record.cols == 2)
        #expect(stored.provenance?.alignedTo == 0)
        let firstStored = try runner.stored(model: "m", layer: 0)
        #expect(firstStored != nil && firstStored?.provenance?.alignedTo == nil)
        #expect(try UMAPJobRunner().isStored(second, in: store))
        let layout = try store.open(stored.record).view.matrix(rows: 0..<80)
        #expect(layout.storage.allSatisfy { $0.isFinite })
    }
}
