import Testing
@testable import Numerics

@Suite struct LinearAlgebraTests {
    private func random(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix<Double> {
        var generator = SplitMix(seed: seed)
        return Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in
            Double(generator.next() % 2_000_001) / 1e6 - 1
        })
    }

    /// GEMM agrees with the textbook triple loop, with and without transposes.
    @Test func multiplyMatchesDefinition() {
        let a = random(5, 3, seed: 1), b = random(3, 4, seed: 2)
        let c = BLAS.multiply(a, b)
        for i in 0..<5 {
            for j in 0..<4 {
                let expected = (0..<3).reduce(0.0) { $0 + a[i, $1] * b[$1, j] }
                #expect(abs(c[i, j] - expected) < 1e-12)
            }
        }
        let ct = BLAS.multiply(a.transposed(), b, transposeA: true)
        #expect(ct == c)
        let gram = BLAS.gram(a)
        let reference = BLAS.multiply(a, a, transposeA: true)
        for (x, y) in zip(gram.storage, reference.storage) { #expect(abs(x - y) < 1e-12) }
    }

    /// A·v = λ·v for every eigenpair, eigenvalues ascending, vectors orthonormal.
    @Test func symmetricEigenSatisfiesDefinition() throws {
        let x = random(20, 6, seed: 3)
        let s = BLAS.gram(x)
        let (values, vectors) = try LAPACK.symmetricEigen(s)
        #expect(values == values.sorted())
        let av = BLAS.multiply(s, vectors)
        for j in 0..<6 {
            for i in 0..<6 { #expect(abs(av[i, j] - values[j] * vectors[i, j]) < 1e-10) }
        }
        let identity = BLAS.multiply(vectors, vectors, transposeA: true)
        for i in 0..<6 { for j in 0..<6 { #expect(abs(identity[i, j] - (i == j ? 1 : 0)) < 1e-10) } }
    }

    /// U·diag(s)·Vᵀ reconstructs A, for tall and wide matrices, in both precisions.
    @Test(arguments: [(7, 4), (4, 7), (5, 5)])
    func svdReconstructs(shape: (Int, Int)) throws {
        let a = random(shape.0, shape.1, seed: 4)
        let (u, s, vt) = try LAPACK.svd(a)
        #expect(s == s.sorted(by: >))
        var us = u
        for i in 0..<us.rows { for j in 0..<us.cols { us[i, j] *= s[j] } }
        let back = BLAS.multiply(us, vt)
        for (x, y) in zip(back.storage, a.storage) { #expect(abs(x - y) < 1e-12) }
        let (uf, sf, vtf) = try LAPACK.svd(a.asFloat)
        var usf = uf
        for i in 0..<usf.rows { for j in 0..<usf.cols { usf[i, j] *= sf[j] } }
        for (x, y) in zip(BLAS.multiply(usf, vtf).storage, a.storage) { #expect(abs(Double(x) - y) < 1e-5) }
    }

    @Test func parallelForVisitsEveryIndexOnce() {
        var hits = [Int](repeating: 0, count: 1000)
        hits.withUnsafeMutableBufferPointer { buffer in
            ComputeThreads.parallelFor(1000) { buffer[$0] += 1 }
        }
        #expect(hits.allSatisfy { $0 == 1 })
        #expect(ComputeThreads.count >= 1)
    }
}
