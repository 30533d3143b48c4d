import Dispatch
import Foundation
import Numerics

/// A flag that stops a UMAP run at its next check (between steps and between epochs); it may be
/// set from any thread, and a run given it ends with `UMAPError.cancelled`.
public final class UMAPCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    public init() {}

    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }
}

extension UMAP {
    /// The run's frames as an async sequence, computed on a background queue (never on the
    /// concurrency pool, which a layout of many seconds would block): a `.preview`, the
    /// `.initialized` layout, one `.optimizing` frame every `frameInterval` epochs, then `.finished`.
    /// A consumer slower than the layout sees the newest frames (older ones are dropped, the final
    /// one never). Ending the iteration early, or cancelling its task, cancels the run at its next
    /// check; errors (bad input) end the sequence by throwing.
    public func frames(_ data: Matrix<Float>, initialLayout: Matrix<Float>? = nil,
                       cancellation: UMAPCancellation = UMAPCancellation()) -> AsyncThrowingStream<UMAPFrame, Error> {
        AsyncThrowingStream(bufferingPolicy: .bufferingNewest(2)) { continuation in
            continuation.onTermination = { _ in cancellation.cancel() }
            let umap = self
            DispatchQueue.global(qos: .userInitiated).async {
                do {
                    _ = try umap.fit(data, initialLayout: initialLayout, progress: { continuation.yield($0) },
                                     isCancelled: { cancellation.isCancelled })
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
        }
    }
}
