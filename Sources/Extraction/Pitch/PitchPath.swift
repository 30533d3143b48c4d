import Foundation

/// The least-cost sequence of pitch candidates through an utterance (Boersma 1993, as in Praat's
/// "To Pitch"): each frame is one of its candidates or unvoiced; the cost adds each choice's local
/// cost, a fixed cost for switching between voiced and unvoiced, and a cost per octave jumped
/// between neighbouring voiced frames. Solved by dynamic programming (Viterbi).
struct PitchPath {
    /// A possible F0 for a frame and how poor a choice it is on its own.
    struct Candidate: Equatable {
        var hz: Float
        var cost: Float
    }

    let unvoicedCost: Float
    let voicingTransitionCost: Float
    let octaveJumpCost: Float

    /// F0 per frame along the best path, NaN for unvoiced frames.
    func best(_ frames: [[Candidate]]) -> [Float] {
        guard !frames.isEmpty else { return [] }
        // State 0 of every frame is "unvoiced"; state k > 0 is candidate k − 1.
        func states(_ i: Int) -> [Candidate?] { [nil] + frames[i].map { Optional($0) } }
        func local(_ state: Candidate?) -> Float { state?.cost ?? unvoicedCost }
        func transition(_ from: Candidate?, _ to: Candidate?) -> Float {
            switch (from, to) {
            case (nil, nil): return 0
            case (nil, _), (_, nil): return voicingTransitionCost
            case let (a?, b?): return octaveJumpCost * abs(log2(b.hz / a.hz))
            }
        }
        var previous = states(0)
        var cost = previous.map(local)
        var back: [[Int]] = []
        for i in 1..<frames.count {
            let current = states(i)
            var next = [Float](repeating: 0, count: current.count)
            var from = [Int](repeating: 0, count: current.count)
            for (k, state) in current.enumerated() {
                var bestCost = Float.infinity
                for (j, earlier) in previous.enumerated() {
                    let c = cost[j] + transition(earlier, state)
                    if c < bestCost {
                        bestCost = c
                        from[k] = j
                    }
                }
                next[k] = bestCost + local(state)
            }
            back.append(from)
            previous = current
            cost = next
        }
        var state = cost.indices.min { cost[$0] < cost[$1] } ?? 0
        var path = [Int](repeating: 0, count: frames.count)
        path[frames.count - 1] = state
        for i in stride(from: frames.count - 2, through: 0, by: -1) {
            state = back[i][state]
            path[i] = state
        }
        return path.enumerated().map { i, k in k == 0 ? Float.nan : frames[i][k - 1].hz }
    }
}
