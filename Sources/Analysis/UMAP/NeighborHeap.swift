/// Per-point bounded max-heaps of candidate neighbours, as pynndescent's `make_heap`: for each
/// point the `k` best (distance, index) pairs found so far, with a "new" flag per entry that
/// NN-descent uses to join only pairs it has not joined before.
///
/// Ties are broken by index, so the set a heap holds after a batch of pushes is the k smallest
/// (distance, index) pairs of everything pushed, whatever the order of the pushes.
struct NeighborHeap {
    let count: Int
    let k: Int
    var ids: [Int32]
    var distances: [Float]
    var flags: [UInt8]

    init(count: Int, k: Int) {
        self.count = count
        self.k = k
        ids = [Int32](repeating: -1, count: count * k)
        distances = [Float](repeating: .infinity, count: count * k)
        flags = [UInt8](repeating: 0, count: count * k)
    }

    /// Raw access for the parallel loops, which only ever touch disjoint rows at the same time.
    mutating func withMutablePointers<R>(_ body: (HeapPointers) -> R) -> R {
        let k = self.k
        return ids.withUnsafeMutableBufferPointer { i in
            distances.withUnsafeMutableBufferPointer { d in
                flags.withUnsafeMutableBufferPointer { f in
                    body(HeapPointers(ids: i.baseAddress!, distances: d.baseAddress!, flags: f.baseAddress!, k: k))
                }
            }
        }
    }
}

/// The heaps' storage as raw pointers, shared by the threads of one parallel loop.
struct HeapPointers: @unchecked Sendable {
    let ids: UnsafeMutablePointer<Int32>
    let distances: UnsafeMutablePointer<Float>
    let flags: UnsafeMutablePointer<UInt8>
    let k: Int

    /// The largest distance row `row` still accepts (its heap's root).
    @inline(__always)
    func threshold(_ row: Int) -> Float { distances[row * k] }

    /// Pushes (d, id) onto row `row` unless it is already there or not better than the root;
    /// returns whether it went in. pynndescent's `checked_flagged_heap_push`, with index tie-breaks.
    @discardableResult
    @inline(__always)
    func push(_ row: Int, _ d: Float, _ id: Int32, flag: UInt8) -> Bool {
        let dist = distances + row * k
        let ind = ids + row * k
        let flg = flags + row * k
        guard d < dist[0] || (d == dist[0] && id < ind[0]) else { return false }
        for j in 0..<k where ind[j] == id { return false }
        // Replace the root and sift down.
        var i = 0
        while true {
            let left = 2 * i + 1
            let right = left + 1
            var swap = i
            var swapD = d
            var swapI = id
            if left < k && (dist[left] > swapD || (dist[left] == swapD && ind[left] > swapI)) {
                swap = left
                swapD = dist[left]
                swapI = ind[left]
            }
            if right < k && (dist[right] > swapD || (dist[right] == swapD && ind[right] > swapI)) {
                swap = right
            }
            if swap == i { break }
            dist[i] = dist[swap]
            ind[i] = ind[swap]
            flg[i] = flg[swap]
            i = swap
        }
        dist[i] = d
        ind[i] = id
        flg[i] = flag
        return true
    }

    /// Sorts row `row` ascending by (distance, index), destroying the heap order (pynndescent's `deheap_sort`).
    func sortRow(_ row: Int) {
        Analysis.sortRow(distances + row * k, ids + row * k, count: k)
    }
}
