import Foundation
import Numerics
import Store

/// The committed fixtures that scripts/make_speechmodel_fixtures.py made with transformers 5.23.
enum Fixture {
    static var root: URL {
        get throws {
            guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
                throw StoreError("Fixtures", "missing from the test bundle")
            }
            return url
        }
    }

    static func checkpoint(_ name: String) throws -> URL { try root.appendingPathComponent("checkpoints/\(name)") }
    static func audio(_ name: String) throws -> URL { try root.appendingPathComponent("audio/\(name)") }
    static func expected(_ name: String) throws -> NpyArray { try NpyArray(url: root.appendingPathComponent("expected/\(name).npy")) }
    static func resampling(_ name: String) throws -> NpyArray { try NpyArray(url: root.appendingPathComponent("resampling/\(name).npy")) }
}

/// A little-endian float32 `.npy` array of any rank, read whole.
struct NpyArray {
    let shape: [Int]
    let values: [Float]

    init(url: URL) throws {
        let data = try Data(contentsOf: url)
        let header = try data.withUnsafeBytes { try NpyHeader.parse($0, file: url.path) }
        guard let header, header.dtype == .float32, !header.fortranOrder else {
            throw StoreError(url, "expected a float32 C-order .npy")
        }
        shape = header.shape
        let count = header.shape.reduce(1, *)
        values = data.withUnsafeBytes { raw in
            (0..<count).map { raw.loadUnaligned(fromByteOffset: header.dataOffset + 4 * $0, as: Float.self) }
        }
    }

    /// Slice `index` along the first axis, as a matrix of the remaining two axes.
    func matrix(_ index: Int) -> Matrix<Float> {
        let (rows, cols) = (shape[1], shape[2])
        return Matrix(rows: rows, cols: cols, storage: Array(values[(index * rows * cols)..<((index + 1) * rows * cols)]))
    }

    /// The whole array as a matrix (two axes).
    var matrix: Matrix<Float> { Matrix(rows: shape[0], cols: shape[1], storage: values) }
}

/// max |a − b| over max |b|: the parity measure the issue sets (≤ 1e-4).
func relativeError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "sizes differ: \(a.count) and \(b.count)")
    var worst: Float = 0
    var scale: Float = 0
    for (x, y) in zip(a, b) {
        worst = max(worst, abs(x - y))
        scale = max(scale, abs(y))
    }
    return scale > 0 ? worst / scale : worst
}

/// A scratch folder removed when the value is released.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("speechmodel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// A copy of a fixture checkpoint to corrupt.
    func copyCheckpoint(_ name: String) throws -> URL {
        let target = url.appendingPathComponent(name)
        try FileManager.default.copyItem(at: try Fixture.checkpoint(name), to: target)
        return target
    }
}
