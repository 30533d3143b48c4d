import Engine
import Foundation
import Numerics
import Store
import Testing

/// The scheduler with small real jobs: order by priority, cancellation when the view moves away,
/// pre-emption of background work, persistence through the store, and jobs that cannot run.
@Suite struct EngineTests {
    let umap1 = JobKey(.umap, model: "m", layer: 1)
    let umap2 = JobKey(.umap, model: "m", layer: 2)
    let svcca0 = JobKey(.svcca, model: "m", layer: 0)

    @Test func runsOnScreenWorkFirstThenNeighbours() throws {
        let fixture = try TestStore()
        let store = try fixture.open()
        let runner = ProjectionRunner()
        let log = EventLog()
        let engine = Engine(store: store, runners: [runner]) { log.append($0) }
        defer { engine.stop() }
        engine.want([
            JobRequest(umap2, priority: JobRequest.backgroundPriority + 1),
            JobRequest(svcca0, priority: 1000),
            JobRequest(umap1, priority: 0),
        ])
        #expect(log.wait { $0.finished.count == 3 })
        #expect(log.finished == [umap1, svcca0, umap2])
        #expect(runner.startedJobs == [umap1, svcca0, umap2])
    }

    @Test func resultsAreStoredAndReusedOnTheNextStart() throws {
        let fixture = try TestStore()
        do {
            let store = try fixture.open()
            let runner = ProjectionRunner()
            let log = EventLog()
            let engine = Engine(store: store, runners: [runner]) { log.append($0) }
            engine.want([JobRequest(umap1, priority: 0), JobRequest(svcca0, priority: 1)])
            #expect(log.wait { $0.finished.count == 2 })
            engine.stop()
            // The layout went through the write protocol: registered, readable, no temporary files.
            let record = try #require(try store.arrays(model: "m", kind: .umap).first { $0.layer == 1 })
            let layout = try store.open(record).view.matrix(rows: 0..<fixture.tokens)
            for r in 0..<fixture.tokens {
                #expect(layout[r, 0] == fixture.layers[1][r, 0] && layout[r, 1] == fixture.layers[1][r, 1])
            }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: store.url.appendingPathComponent("arrays/m").path)
            #expect(!leftovers.contains { $0.hasPrefix(AtomicNpyWriter.temporaryPrefix) })
            // A partial layout was published before the final one.
            #expect(log.all.contains { if case .partialLayout(let key, let points, _) = $0 { key == umap1 && points.count == 2 * fixture.tokens } else { false } })
        }
        // A second engine on the same store finds both results and runs nothing.
        let store = try fixture.open()
        let scores = try ResultsReader.scores(in: store, model: "m", kind: .svcca)
        let tokens = try store.tokens()
        for label in tokens.labels {
            let expected = ProjectionRunner.expectedMean(fixture.layers[0], codes: label.codes)
            #expect(abs((scores.value(label.name, 0) ?? .nan) - expected) < 1e-9)
        }
        let runner = ProjectionRunner()
        let log = EventLog()
        let engine = Engine(store: store, runners: [runner]) { log.append($0) }
        defer { engine.stop() }
        engine.want([JobRequest(umap1, priority: 0), JobRequest(svcca0, priority: 1)])
        #expect(log.wait { $0.finished.count == 2 })
        #expect(runner.startedJobs.isEmpty)
    }

    @Test func cancelsAJobTheViewMovedAwayFrom() throws {
        let fixture = try TestStore()
        let store = try fixture.open()
        let runner = ProjectionRunner()
        runner.hold(umap1)
        let log = EventLog()
        let engine = Engine(store: store, runners: [runner]) { log.append($0) }
        defer { engine.stop() }
        engine.want([JobRequest(umap1, priority: 0)])
        #expect(log.wait { _ in runner.startedJobs == [self.umap1] })
        #expect(engine.progress.current == umap1)
        engine.want([JobRequest(umap2, priority: 0)])
        #expect(log.wait { $0.cancelled == [self.umap1] && $0.finished == [self.umap2] })
        #expect(try store.arrays(model: "m", kind: .umap).map(\.layer) == [2])
        // Wanted again later, the cancelled job runs from the start.
        runner.release(umap1)
        engine.want([JobRequest(umap1, priority: 0)])
        #expect(log.wait { $0.finished == [self.umap2, self.umap1] })
    }

    @Test func onScreenWorkPreemptsBackgroundWork() throws {
        let fixture = try TestStore()
        let store = try fixture.open()
        let runner = ProjectionRunner()
        runner.hold(umap2)
        let log = EventLog()
        let engine = Engine(store: store, runners: [runner]) { log.append($0) }
        defer { engine.stop() }
        let background = JobRequest(umap2, priority: JobRequest.backgroundPriority + 1)
        engine.want([background])
        #expect(log.wait { _ in runner.startedJobs == [self.umap2] })
        // Still wanted, but something on screen now waits: the neighbour's job yields.
        engine.want([background, JobRequest(umap1, priority: 0)])
        #expect(log.wait { $0.finished.first == self.umap1 })
        #expect(log.cancelled == [umap2])
        runner.release(umap2)
        #expect(log.wait { $0.finished == [self.umap1, self.umap2] })
        // A background job is not pre-empted by other background work.
        let umap0 = JobKey(.umap, model: "m", layer: 0)
        runner.hold(umap0)
        engine.want([JobRequest(umap0, priority: JobRequest.backgroundPriority + 1)])
        #expect(log.wait { _ in runner.startedJobs.last == umap0 })
        engine.want([JobRequest(umap0, priority: JobRequest.backgroundPriority + 1),
                     JobRequest(svcca0, priority: JobRequest.backgroundPriority + 2)])
        usleep(50_000)
        #expect(!log.cancelled.contains(umap0))
        runner.release(umap0)
        #expect(log.wait { $0.finished.suffix(2) == [umap0, self.svcca0] })
    }

    @Test func reportsProgressOfTheRunningJob() throws {
        let fixture = try TestStore()
        let store = try fixture.open()
        let runner = ProjectionRunner()
        let log = EventLog()
        let engine = Engine(store: store, runners: [runner]) { log.append($0) }
        defer { engine.stop() }
        engine.want([JobRequest(umap1, priority: 0), JobRequest(umap2, priority: 1)])
        #expect(log.wait { $0.finished.count == 2 })
        let progress = log.all.compactMap { if case .progress(let p) = $0 { p } else { nil } }
        #expect(progress.contains { $0.current == umap1 && $0.fraction == 0 && $0.queued == 1 })
        #expect(progress.contains { $0.current == umap1 && $0.fraction == 0.5 && $0.note == "half way" })
        #expect(progress.last == EngineProgress.idle)
    }

    @Test func jobsThatCannotRunAreReportedOnceAndNotRetried() throws {
        let fixture = try TestStore()
        let store = try fixture.open()
        let runner = ProjectionRunner(kinds: [.umap])
        let failing = JobKey(.umap, model: "m", layer: 0)
        runner.fail(failing)
        let log = EventLog()
        let engine = Engine(store: store, runners: [runner]) { log.append($0) }
        defer { engine.stop() }
        let missingLayer = JobKey(.umap, model: "m", layer: 3)
        let noRunner = JobKey(.probe, model: "m", layer: 1)
        engine.want([JobRequest(missingLayer, priority: 0), JobRequest(noRunner, priority: 1), JobRequest(failing, priority: 2)])
        func settled(_ log: EventLog) -> [String] {
            log.all.compactMap {
                switch $0 {
                case .unavailable(let key, let reason): "\(key): \(reason)"
                case .failed(let key, let message): "\(key): \(message)"
                default: nil
                }
            }
        }
        #expect(log.wait { settled($0).count == 3 })
        #expect(settled(log) == [
            "UMAP m L3: layer 3 of m has no embeddings in the store",
            "probe m L1: this build has no probe runner",
            "UMAP m L0: test: planted failure",
        ])
        engine.want([JobRequest(missingLayer, priority: 0), JobRequest(noRunner, priority: 1), JobRequest(failing, priority: 2)])
        usleep(100_000)
        #expect(settled(log).count == 3)
        #expect(runner.startedJobs == [failing])
    }
}
