import Numerics

/// A forest of random projection trees whose leaves seed NN-descent, as pynndescent's
/// `make_forest`. Each node splits its points by the hyperplane normal to the difference of two of
/// its points; unlike pynndescent the split is at the median projection, so leaves are balanced
/// (between leafSize/2 and leafSize points) and each can be searched with one dense GEMM.
struct RandomProjectionForest {
    /// The leaves of every tree: the points of leaf j of a tree are `order[leafStart[j]..<leafStart[j+1]]`.
    struct Tree {
        var order: [Int32]
        var leafStart: [Int]
    }

    let trees: [Tree]

    init(data: Matrix<Float>, treeCount: Int, leafSize: Int, seed: UInt64) {
        var trees = [Tree?](repeating: nil, count: treeCount)
        trees.withUnsafeMutableBufferPointer { out in
            let target = SendablePointer(out.baseAddress!)
            ComputeThreads.parallelFor(treeCount) { t in
                target.pointer[t] = Self.makeTree(data: data, leafSize: leafSize, seed: seed, stream: UInt64(t))
            }
        }
        self.trees = trees.compactMap { $0 }
    }

    private static func makeTree(data: Matrix<Float>, leafSize: Int, seed: UInt64, stream: UInt64) -> Tree {
        let n = data.rows
        let dim = data.cols
        var random = SeededRandom(seed: seed, stream: 0x5250_0000 &+ stream)
        var order = (0..<n).map(Int32.init)
        var leafStart: [Int] = []
        var projections = [(Float, Int32)](repeating: (0, 0), count: n)
        var direction = [Float](repeating: 0, count: dim)
        // Depth-first over ranges of `order`, leaves emitted left to right.
        var stack: [(Int, Int)] = [(0, n)]
        data.storage.withUnsafeBufferPointer { x in
            let base = x.baseAddress!
            while let (lo, hi) = stack.popLast() {
                let size = hi - lo
                if size <= max(leafSize, 2) {
                    leafStart.append(lo)
                    continue
                }
                let a = Int(order[lo + random.index(below: size)])
                var b = Int(order[lo + random.index(below: size)])
                var tries = 0
                while b == a && tries < 8 {
                    b = Int(order[lo + random.index(below: size)])
                    tries += 1
                }
                for c in 0..<dim { direction[c] = base[a * dim + c] - base[b * dim + c] }
                if b == a {
                    // A one-point node cannot pick two points: any direction splits it.
                    for c in 0..<dim { direction[c] = Float(random.normal()) }
                }
                for i in lo..<hi {
                    let p = direction.withUnsafeBufferPointer {
                        SquaredDistances.dot(base + Int(order[i]) * dim, $0.baseAddress!, dim: dim)
                    }
                    projections[i] = (p, order[i])
                }
                // Median split (ties broken by index): the lower half holds the size/2 smallest.
                let mid = lo + size / 2
                projections.withUnsafeMutableBufferPointer { select($0.baseAddress!, lo, hi, nth: mid) }
                for i in lo..<hi { order[i] = projections[i].1 }
                stack.append((mid, hi))
                stack.append((lo, mid))
            }
        }
        leafStart.sort()
        leafStart.append(n)
        return Tree(order: order, leafStart: leafStart)
    }
}

/// Reorders a[lo..<hi] so that a[nth] is the element a full sort would put there, with everything
/// before it smaller and everything after it larger (Hoare's quickselect, median-of-three pivots),
/// ordering by (projection, index).
private func select(_ a: UnsafeMutablePointer<(Float, Int32)>, _ lo: Int, _ hi: Int, nth: Int) {
    @inline(__always) func less(_ x: (Float, Int32), _ y: (Float, Int32)) -> Bool {
        x.0 < y.0 || (x.0 == y.0 && x.1 < y.1)
    }
    var lo = lo, hi = hi - 1
    while hi > lo {
        let mid = lo + (hi - lo) / 2
        if less(a[mid], a[lo]) { swap(&a[mid], &a[lo]) }
        if less(a[hi], a[lo]) { swap(&a[hi], &a[lo]) }
        if less(a[hi], a[mid]) { swap(&a[hi], &a[mid]) }
        let pivot = a[mid]
        var i = lo, j = hi
        while i <= j {
            while less(a[i], pivot) { i += 1 }
            while less(pivot, a[j]) { j -= 1 }
            if i <= j {
                swap(&a[i], &a[j])
                i += 1
                j -= 1
            }
        }
        if nth <= j {
            hi = j
        } else if nth >= i {
            lo = i
        } else {
            return
        }
    }
}

/// A pointer that parallel loops write through at disjoint indices.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
