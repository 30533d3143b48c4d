import Foundation
import Store

#if canImport(Glibc)
import Glibc
#endif

/// The background job scheduler. The view says what it wants (`want`), most urgent first; the
/// engine runs one job at a time on its own thread, in priority order, cancels a running job the
/// view no longer wants, skips what the store already holds, and reports through `onEvent`.
public final class Engine: @unchecked Sendable {
    private let store: EmbeddingStore
    private let runners: [JobKind: any JobRunner]
    private let onEvent: @Sendable (EngineEvent) -> Void

    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var wanted: [JobRequest] = []
    private var running: (key: JobKey, context: JobContext)?
    private var settled: [JobKey: Settled] = [:]
    private var stopping = false
    private var thread: Thread?
    private var finishedThread = false
    private var lastProgress = EngineProgress.idle
    private var lastPublished: UInt64 = 0
    /// Progress reports closer together than this are folded into the next one.
    private static let progressInterval: UInt64 = 50_000_000

    private enum Settled { case done, failed, unavailable }

    /// `niceness` lowers the engine thread's scheduling priority so key presses win the CPU.
    public init(store: EmbeddingStore, runners: [any JobRunner], niceness: Int32 = 10,
                onEvent: @escaping @Sendable (EngineEvent) -> Void) {
        self.store = store
        var byKind: [JobKind: any JobRunner] = [:]
        for runner in runners { for kind in runner.kinds where byKind[kind] == nil { byKind[kind] = runner } }
        self.runners = byKind
        self.onEvent = onEvent
        let thread = Thread { [weak self] in
            #if canImport(Glibc)
            // On Linux a thread's nice value is its own: only the engine yields, not the interface.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
            #endif
            self?.workLoop()
        }
        thread.name = "layerscope-engine"
        thread.stackSize = 8 << 20
        self.thread = thread
        thread.start()
    }

    deinit {
        stop()
    }

    /// The kinds some runner computes.
    public var computableKinds: Set<JobKind> { Set(runners.keys) }

    /// Replaces the wish list. A running job that is not on it is cancelled; jobs already done,
    /// failed or unavailable are not run again.
    public func want(_ requests: [JobRequest]) {
        condition.lock()
        var seen = Set<JobKey>()
        wanted = requests.filter { settled[$0.key] == nil && seen.insert($0.key).inserted }
            .sorted { ($0.priority, $0.key) < ($1.priority, $1.key) }
        if let running {
            // Cancel a job the view moved away from: no longer wanted, or now background work
            // while something on screen waits.
            let mine = wanted.first { $0.key == running.key }
            let urgentWaiting = wanted.contains { !$0.isBackground && $0.key != running.key }
            if mine == nil || (mine?.isBackground == true && urgentWaiting) {
                // A pre-empted job stays on the list and runs again after the urgent work.
                running.context.cancel()
            } else {
                wanted.removeAll { $0.key == running.key }
            }
        }
        let progress = progressLocked()
        condition.signal()
        condition.unlock()
        publish(progress)
    }

    /// Forgets that `key` was done or failed, so it can run again (after its result was deleted, say).
    public func forget(_ key: JobKey) {
        condition.lock()
        settled[key] = nil
        condition.unlock()
    }

    /// Cancels the running job and waits for the engine thread to end, at most `timeout` seconds:
    /// a job notices cancellation between its steps, and one step of a large layer can take a while.
    /// Leaving earlier is safe: a write cut short leaves the store as it was (docs/STORE.md).
    /// Returns whether the thread ended.
    @discardableResult
    public func stop(timeout: Double = .infinity) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        wanted = []
        running?.context.cancel()
        condition.broadcast()
        let deadline = Date().addingTimeInterval(min(timeout, 1e9))
        while thread != nil && !finishedThread && Date() < deadline {
            condition.wait(until: min(deadline, Date().addingTimeInterval(0.05)))
        }
        if finishedThread { thread = nil }
        return thread == nil
    }

    /// What the engine is doing now.
    public var progress: EngineProgress {
        condition.lock()
        defer { condition.unlock() }
        return progressLocked()
    }

    private func progressLocked() -> EngineProgress {
        guard let running else { return EngineProgress(queued: wanted.count) }
        var progress = lastProgress
        progress.current = running.key
        progress.queued = wanted.count
        return progress
    }

    private func publish(_ progress: EngineProgress) {
        onEvent(.progress(progress))
    }

    private func workLoop() {
        while true {
            condition.lock()
            while wanted.isEmpty && !stopping { condition.wait() }
            if stopping {
                finishedThread = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let request = wanted.removeFirst()
            let key = request.key
            let context = JobContext(
                key: key,
                onProgress: { [weak self] fraction, note in self?.jobProgress(key, fraction, note) },
                onLayout: { [weak self] points, fraction in self?.onEvent(.partialLayout(key, points: points, fraction: fraction)) })
            running = (key, context)
            lastProgress = EngineProgress(current: key, fraction: 0, note: "", queued: wanted.count)
            let started = lastProgress
            condition.unlock()

            publish(started)
            let outcome = execute(key, context: context)

            condition.lock()
            running = nil
            switch outcome {
            case .finished, .alreadyStored: settled[key] = .done
            case .failed: settled[key] = .failed
            case .unavailable: settled[key] = .unavailable
            case .cancelled: break
            }
            let after = progressLocked()
            condition.unlock()

            switch outcome {
            case .finished, .alreadyStored: onEvent(.finished(key))
            case .cancelled: onEvent(.cancelled(key))
            case .failed(let message): onEvent(.failed(key, message: message))
            case .unavailable(let reason): onEvent(.unavailable(key, reason: reason))
            }
            publish(after)
        }
    }

    private enum Outcome {
        case finished, alreadyStored, cancelled
        case failed(String)
        case unavailable(String)
    }

    private func execute(_ key: JobKey, context: JobContext) -> Outcome {
        guard let runner = runners[key.kind] else {
            return .unavailable("this build has no \(key.kind.title) runner")
        }
        do {
            if key.kind.needsEmbeddings, try !store.presentLayers(model: key.model).contains(key.layer) {
                return .unavailable("layer \(key.layer) of \(key.model) has no embeddings in the store")
            }
            if try runner.isStored(key, in: store) { return .alreadyStored }
            try context.checkCancelled()
            try runner.run(key, in: store, context: context)
            return .finished
        } catch is JobCancelled {
            return .cancelled
        } catch let error as JobUnavailable {
            return .unavailable(error.reason)
        } catch {
            return context.isCancelled ? .cancelled : .failed("\(error)")
        }
    }

    private func jobProgress(_ key: JobKey, _ fraction: Double, _ note: String) {
        condition.lock()
        guard running?.key == key else {
            condition.unlock()
            return
        }
        lastProgress.fraction = fraction
        lastProgress.note = note
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastPublished >= Self.progressInterval || fraction >= 1 else {
            condition.unlock()
            return
        }
        lastPublished = now
        let progress = progressLocked()
        condition.unlock()
        publish(progress)
    }
}
