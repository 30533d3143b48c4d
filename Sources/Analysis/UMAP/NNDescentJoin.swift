import Numerics

/// One round of NN-descent: pynndescent's `build_candidates` (sample at most `maxCandidates`
/// new and old neighbours per point, forward and reverse) and `process_candidates` (join every
/// new candidate with every other candidate and push the pairs that beat either heap's root).
extension NNDescent {
    /// A candidate pair from a local join: (p, q) at squared distance d.
    struct Update {
        var p: Int32
        var q: Int32
        var d: Float
    }

    /// Runs one round; returns how many heap entries changed.
    func descend(iteration: Int, base: UnsafePointer<Float>, dim: Int, heap: HeapPointers, n: Int) -> Int {
        let others = heap.k
        let maxC = maxCandidates
        // Every heap entry v → u offers u to v and v to u, as forward and reverse neighbours.
        var offerStart = [Int](repeating: 0, count: n + 1)
        for v in 0..<n {
            for j in 0..<others {
                let u = heap.ids[v * others + j]
                if u < 0 { continue }
                offerStart[v + 1] += 1
                offerStart[Int(u) + 1] += 1
            }
        }
        for v in 0..<n { offerStart[v + 1] += offerStart[v] }
        var cursor = offerStart
        var offers = [Int32](repeating: 0, count: offerStart[n])
        var offerFlags = [UInt8](repeating: 0, count: offerStart[n])
        for v in 0..<n {
            for j in 0..<others {
                let u = heap.ids[v * others + j]
                if u < 0 { continue }
                let f = heap.flags[v * others + j]
                offers[cursor[v]] = u
                offerFlags[cursor[v]] = f
                cursor[v] += 1
                offers[cursor[Int(u)]] = Int32(v)
                offerFlags[cursor[Int(u)]] = f
                cursor[Int(u)] += 1
            }
        }
        // Per point, the maxC new and maxC old offers of smallest hashed priority.
        var newCandidates = [Int32](repeating: -1, count: n * maxC)
        var oldCandidates = [Int32](repeating: -1, count: n * maxC)
        var newCount = [Int32](repeating: 0, count: n)
        var oldCount = [Int32](repeating: 0, count: n)
        let salt = seed &+ UInt64(iteration) &* 0x9E37_79B9_7F4A_7C15
        newCandidates.withUnsafeMutableBufferPointer { newBuffer in
        oldCandidates.withUnsafeMutableBufferPointer { oldBuffer in
        newCount.withUnsafeMutableBufferPointer { newCountBuffer in
        oldCount.withUnsafeMutableBufferPointer { oldCountBuffer in
        offers.withUnsafeBufferPointer { offerBuffer in
        offerFlags.withUnsafeBufferPointer { flagBuffer in
        offerStart.withUnsafeBufferPointer { startBuffer in
            let newC = SendablePointer(newBuffer.baseAddress!), oldC = SendablePointer(oldBuffer.baseAddress!)
            let newN = SendablePointer(newCountBuffer.baseAddress!), oldN = SendablePointer(oldCountBuffer.baseAddress!)
            ComputeThreads.parallelChunks(n, minimumChunk: 1024) { range in
                var newPriority = [UInt64](repeating: 0, count: maxC)
                var oldPriority = [UInt64](repeating: 0, count: maxC)
                for v in range {
                    var nn = 0, on = 0
                    for o in startBuffer[v]..<startBuffer[v + 1] {
                        let u = offerBuffer[o]
                        let priority = mix64(salt ^ (UInt64(v) << 32 | UInt64(UInt32(bitPattern: u))))
                        if flagBuffer[o] != 0 {
                            Self.offer(u, priority, ids: newC.pointer + v * maxC, priorities: &newPriority, count: &nn, capacity: maxC)
                        } else {
                            Self.offer(u, priority, ids: oldC.pointer + v * maxC, priorities: &oldPriority, count: &on, capacity: maxC)
                        }
                    }
                    newN.pointer[v] = Int32(nn)
                    oldN.pointer[v] = Int32(on)
                    // Entries sampled as new candidates have now been joined: mark them old.
                    for j in 0..<others where heap.flags[v * others + j] != 0 {
                        let u = heap.ids[v * others + j]
                        for c in 0..<nn where newC.pointer[v * maxC + c] == u {
                            heap.flags[v * others + j] = 0
                            break
                        }
                    }
                }
            }
        }}}}}}}
        return localJoin(base: base, dim: dim, heap: heap, n: n, newCandidates: newCandidates, newCount: newCount,
                         oldCandidates: oldCandidates, oldCount: oldCount)
    }

    /// Keeps `u` among the `capacity` offers of smallest priority, once.
    @inline(__always)
    static func offer(_ u: Int32, _ priority: UInt64, ids: UnsafeMutablePointer<Int32>, priorities: inout [UInt64],
                      count: inout Int, capacity: Int) {
        for c in 0..<count where ids[c] == u { return }
        if count < capacity {
            ids[count] = u
            priorities[count] = priority
            count += 1
            return
        }
        var worst = 0
        for c in 1..<capacity where priorities[c] > priorities[worst] { worst = c }
        if priority < priorities[worst] {
            ids[worst] = u
            priorities[worst] = priority
        }
    }

    /// Joins candidates block by block; each block's updates are applied before the next starts.
    private func localJoin(base: UnsafePointer<Float>, dim: Int, heap: HeapPointers, n: Int,
                           newCandidates: [Int32], newCount: [Int32], oldCandidates: [Int32], oldCount: [Int32]) -> Int {
        let maxC = maxCandidates
        let blockSize = 16_384
        let chunkSize = 256
        var changed = 0
        newCandidates.withUnsafeBufferPointer { newC in
        oldCandidates.withUnsafeBufferPointer { oldC in
        newCount.withUnsafeBufferPointer { newN in
        oldCount.withUnsafeBufferPointer { oldN in
            var blockStart = 0
            while blockStart < n {
                let blockEnd = min(n, blockStart + blockSize)
                let chunks = (blockEnd - blockStart + chunkSize - 1) / chunkSize
                var updates = [[Update]](repeating: [], count: chunks)
                updates.withUnsafeMutableBufferPointer { lists in
                    let out = SendablePointer(lists.baseAddress!)
                    ComputeThreads.parallelFor(chunks) { c in
                        var list: [Update] = []
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * maxC)
                        let targets = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * maxC)
                        defer {
                            scratch.deallocate()
                            targets.deallocate()
                        }
                        let lo = blockStart + c * chunkSize
                        for v in lo..<min(blockEnd, lo + chunkSize) {
                            let news = newC.baseAddress! + v * maxC
                            let olds = oldC.baseAddress! + v * maxC
                            let nn = Int(newN[v]), on = Int(oldN[v])
                            for a in 0..<nn {
                                // Every later new candidate and every old one (but p itself), in one batch.
                                let p = Int(news[a])
                                var count = 0
                                for b in (a + 1)..<max(a + 1, nn) {
                                    targets[count] = news[b]
                                    count += 1
                                }
                                for b in 0..<on where Int(olds[b]) != p {
                                    targets[count] = olds[b]
                                    count += 1
                                }
                                SquaredDistances.gather(query: base + p * dim, rows: base, dim: dim, indices: targets,
                                                        count: count, into: scratch)
                                let thresholdP = heap.threshold(p)
                                for t in 0..<count {
                                    let d = scratch[t]
                                    if d < thresholdP || d < heap.threshold(Int(targets[t])) {
                                        list.append(Update(p: Int32(p), q: targets[t], d: d))
                                    }
                                }
                            }
                        }
                        out.pointer[c] = list
                    }
                }
                // Each thread owns a range of destination points and applies their updates in list order.
                let threads = max(1, ComputeThreads.count)
                var counts = [Int](repeating: 0, count: threads)
                counts.withUnsafeMutableBufferPointer { countBuffer in
                    let countOut = SendablePointer(countBuffer.baseAddress!)
                    let span = (n + threads - 1) / threads
                    ComputeThreads.parallelFor(threads) { t in
                        let lo = Int32(t * span), hi = Int32(min(n, (t + 1) * span))
                        var c = 0
                        for list in updates {
                            for u in list {
                                if u.p >= lo && u.p < hi && heap.push(Int(u.p), u.d, u.q, flag: 1) { c += 1 }
                                if u.q >= lo && u.q < hi && heap.push(Int(u.q), u.d, u.p, flag: 1) { c += 1 }
                            }
                        }
                        countOut.pointer[t] = c
                    }
                }
                changed += counts.reduce(0, +)
                blockStart = blockEnd
            }
        }}}}
        return changed
    }
}

/// A 64-bit mixing function (SplitMix64's finaliser): a cheap hash for sampling priorities.
@inline(__always)
func mix64(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
