import Numerics
import Testing

@Suite("sparse matrices, Lanczos, seeded random numbers")
struct SparseEigenTests {
    /// A symmetric matrix with a known spectrum: a path graph's adjacency, eigenvalues 2cos(πj/(n+1)).
    static func pathGraph(_ n: Int) -> SparseMatrix {
        var rows: [Int32] = [], cols: [Int32] = [], vals: [Float] = []
        for i in 0..<(n - 1) {
            rows += [Int32(i), Int32(i + 1)]
            cols += [Int32(i + 1), Int32(i)]
            vals += [1, 1]
        }
        return SparseMatrix(rows: n, cols: n, tripletRows: rows, tripletColumns: cols, tripletValues: vals)
    }

    @Test("triplets are summed, sorted and transposed like scipy's coo → csr")
    func triplets() {
        let m = SparseMatrix(rows: 3, cols: 3, tripletRows: [2, 0, 2, 0, 1], tripletColumns: [1, 2, 1, 0, 1],
                             tripletValues: [1, 2, 3, 4, 0])
        #expect(m.rowStart == [0, 2, 2, 3])
        #expect(m.columns == [0, 2, 1])
        #expect(m.values == [4, 2, 4])
        let t = m.transposed()
        #expect(t.rowStart == [0, 1, 2, 3] && t.columns == [0, 2, 0] && t.values == [4, 4, 2])
        let symmetric = SparseMatrix(rows: 4, cols: 4, tripletRows: [0, 2, 1, 3], tripletColumns: [2, 0, 3, 1],
                                     tripletValues: [1, 1, 1, 1])
        let (count, labels) = symmetric.connectedComponents()
        #expect(count == 2 && labels == [0, 1, 0, 1])
    }

    @Test("Lanczos finds the largest eigenpairs of a path graph, deflated or not")
    func lanczosPath() throws {
        let n = 400
        let a = Self.pathGraph(n)
        let result = try LanczosEigen.largest(count: 3, size: n, tolerance: 1e-8, maxOperatorCalls: 20_000, seed: 1) { x, y in
            a.multiply(x, into: y)
        }
        for j in 0..<3 {
            let expected = 2 * cos(Double.pi * Double(j + 1) / Double(n + 1))
            #expect(abs(result.values[j] - expected) < 1e-9)
            #expect(result.residuals[j] < 1e-7)
        }
        // Deflating the top eigenvector leaves the next three.
        let top = (0..<n).map { sin(Double.pi * Double($0 + 1) / Double(n + 1)) }
        let norm = top.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let deflated = try LanczosEigen.largest(count: 2, size: n, deflating: [top.map { $0 / norm }], tolerance: 1e-8,
                                                maxOperatorCalls: 20_000, seed: 2) { x, y in a.multiply(x, into: y) }
        #expect(abs(deflated.values[0] - 2 * cos(2 * Double.pi / Double(n + 1))) < 1e-9)
        #expect(abs(deflated.values[1] - 2 * cos(3 * Double.pi / Double(n + 1))) < 1e-9)
    }

    @Test("Lanczos agrees with LAPACK on a dense random symmetric matrix")
    func lanczosDense() throws {
        let n = 60
        var random = SeededRandom(seed: 9)
        var m = Matrix<Double>(rows: n, cols: n)
        for i in 0..<n {
            for j in 0...i {
                let v = random.normal()
                m[i, j] = v
                m[j, i] = v
            }
        }
        let (values, _) = try LAPACK.symmetricEigen(m)
        let result = try LanczosEigen.largest(count: 4, size: n, tolerance: 1e-10, seed: 3) { x, y in
            for i in 0..<n {
                var s = 0.0
                for j in 0..<n { s += m[i, j] * x[j] }
                y[i] = s
            }
        }
        for j in 0..<4 { #expect(abs(result.values[j] - values[n - 1 - j]) < 1e-8) }
    }

    @Test("a seed and stream give one sequence; streams differ; indices stay in range")
    func seededRandom() {
        var a = SeededRandom(seed: 5, stream: 1), b = SeededRandom(seed: 5, stream: 1), c = SeededRandom(seed: 5, stream: 2)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<7000 { counts[a.index(below: 7)] += 1 }
        #expect(counts.allSatisfy { $0 > 850 && $0 < 1150 })
        let normals = (0..<20_000).map { _ in a.normal() }
        let mean = normals.reduce(0, +) / 20_000
        let variance = normals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 20_000
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
    }

    @Test("blocked squared distances equal the direct ones")
    func squaredDistances() {
        var random = SeededRandom(seed: 4)
        let dim = 37
        let a = (0..<(5 * dim)).map { _ in Float(random.normal()) }
        let b = (0..<(7 * dim)).map { _ in Float(random.normal()) }
        var na = [Float](repeating: 0, count: 5), nb = [Float](repeating: 0, count: 7)
        var out = [Float](repeating: 0, count: 35)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                SquaredDistances.rowNorms(pa.baseAddress!, rows: 5, cols: dim, into: &na)
                SquaredDistances.rowNorms(pb.baseAddress!, rows: 7, cols: dim, into: &nb)
                SquaredDistances.block(queries: pa.baseAddress!, queryCount: 5, queryNorms: na, references: pb.baseAddress!,
                                       referenceCount: 7, referenceNorms: nb, dim: dim, into: &out)
                for i in 0..<5 {
                    for j in 0..<7 {
                        let direct = SquaredDistances.between(pa.baseAddress! + i * dim, pb.baseAddress! + j * dim, dim: dim)
                        #expect(abs(out[i * 7 + j] - direct) < 1e-3)
                        var naive: Float = 0
                        for c in 0..<dim { naive += (a[i * dim + c] - b[j * dim + c]) * (a[i * dim + c] - b[j * dim + c]) }
                        #expect(abs(direct - naive) < 1e-4)
                    }
                }
            }
        }
    }
}

import Foundation
