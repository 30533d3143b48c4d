import Foundation
import Store

/// Computes one kind of job and writes its result into the store (through `withWriteLock`,
/// `AtomicNpyWriter` and `register` / `saveAnalyses`), so a later start finds it there.
public protocol JobRunner: Sendable {
    /// The kinds of job this runner computes.
    var kinds: Set<JobKind> { get }
    /// Whether the store already holds the job's result.
    func isStored(_ key: JobKey, in store: EmbeddingStore) throws -> Bool
    /// Computes and stores the result; checks `context.checkCancelled()` often and throws
    /// `JobCancelled` when the view moved away.
    func run(_ key: JobKey, in store: EmbeddingStore, context: JobContext) throws
}

/// Thrown by a runner that cannot compute its job here (the sources it needs are gone, say); the
/// engine reports it as `.unavailable(reason)` and does not try again.
public struct JobUnavailable: Error, Equatable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// Thrown by a job that noticed its cancellation.
public struct JobCancelled: Error, Equatable {
    public init() {}
}

/// A running job's line back to the engine: cancellation, progress and intermediate layouts.
public final class JobContext: @unchecked Sendable {
    public let key: JobKey
    private let lock = NSLock()
    private var cancelled = false
    private let onProgress: @Sendable (Double, String) -> Void
    private let onLayout: @Sendable ([Float], Double) -> Void

    init(key: JobKey, onProgress: @escaping @Sendable (Double, String) -> Void,
         onLayout: @escaping @Sendable ([Float], Double) -> Void) {
        self.key = key
        self.onProgress = onProgress
        self.onLayout = onLayout
    }

    /// A context that is never cancelled and reports nowhere (for running a job outside the engine).
    public static func detached(_ key: JobKey) -> JobContext {
        JobContext(key: key, onProgress: { _, _ in }, onLayout: { _, _ in })
    }

    /// Whether the view no longer wants this job.
    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// Throws `JobCancelled` once the job has been cancelled.
    public func checkCancelled() throws {
        if isCancelled { throw JobCancelled() }
    }

    func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    /// Reports how far the job is (0…1) and what it is doing.
    public func report(_ fraction: Double, _ note: String = "") {
        onProgress(min(max(fraction, 0), 1), note)
    }

    /// Publishes an intermediate 2-D layout (x, y per token) so the scatter draws before convergence.
    public func publish(layout points: [Float], fraction: Double) {
        onLayout(points, fraction)
    }
}
