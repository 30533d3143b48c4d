import Foundation
import Numerics

/// umap-learn's `smooth_knn_dist`: for every point, ρ (the distance to its nearest neighbour at
/// `localConnectivity`) and σ, found by binary search so that Σⱼ exp(−max(0, dⱼ − ρ)/σ) over its
/// neighbours other than itself equals log₂(k)·bandwidth — a continuous version of "k neighbours".
public func smoothKNNDist(_ graph: KNNGraph, k: Double, iterations: Int = 64, localConnectivity: Double = 1,
                          bandwidth: Double = 1) -> (sigmas: [Float], rhos: [Float]) {
    let n = graph.count
    let width = graph.k
    let target = log2(k) * bandwidth
    let tolerance = 1e-5  // umap-learn's SMOOTH_K_TOLERANCE
    let minScale: Float = 1e-3  // umap-learn's MIN_K_DIST_SCALE
    var sigmas = [Float](repeating: 0, count: n)
    var rhos = [Float](repeating: 0, count: n)
    guard n > 0, width > 0 else { return (sigmas, rhos) }
    let meanAll = Float(graph.distances.reduce(0.0) { $0 + Double($1) } / Double(graph.distances.count))
    graph.distances.withUnsafeBufferPointer { distances in
        sigmas.withUnsafeMutableBufferPointer { sigmaBuffer in
            rhos.withUnsafeMutableBufferPointer { rhoBuffer in
                let sigmaOut = SendablePointer(sigmaBuffer.baseAddress!)
                let rhoOut = SendablePointer(rhoBuffer.baseAddress!)
                ComputeThreads.parallelChunks(n, minimumChunk: 2048) { range in
                    for i in range {
                        let row = distances.baseAddress! + i * width
                        let nonZero = (0..<width).map { row[$0] }.filter { $0 > 0 }
                        var rho: Float = 0
                        if Double(nonZero.count) >= localConnectivity {
                            let index = Int(localConnectivity.rounded(.down))
                            let interpolation = Float(localConnectivity - Double(index))
                            if index > 0 {
                                rho = nonZero[index - 1]
                                if Double(interpolation) > tolerance {
                                    rho += interpolation * (nonZero[index] - nonZero[index - 1])
                                }
                            } else {
                                rho = interpolation * nonZero[0]
                            }
                        } else if let largest = nonZero.max() {
                            rho = largest
                        }
                        var lo = 0.0
                        var hi = Double.infinity
                        var mid = 1.0
                        for _ in 0..<iterations {
                            var psum = 0.0
                            // The first neighbour is the point itself, which umap-learn leaves out.
                            for j in 1..<width {
                                let d = Double(row[j] - rho)
                                psum += d > 0 ? exp(-(d / mid)) : 1
                            }
                            if abs(psum - target) < tolerance { break }
                            if psum > target {
                                hi = mid
                                mid = (lo + hi) / 2
                            } else {
                                lo = mid
                                mid = hi == .infinity ? mid * 2 : (lo + hi) / 2
                            }
                        }
                        var sigma = Float(mid)
                        // Keep σ away from zero, relative to this row's (or all rows') mean distance.
                        if rho > 0 {
                            let meanRow = (0..<width).reduce(Float(0)) { $0 + row[$1] } / Float(width)
                            sigma = max(sigma, minScale * meanRow)
                        } else {
                            sigma = max(sigma, minScale * meanAll)
                        }
                        sigmaOut.pointer[i] = sigma
                        rhoOut.pointer[i] = rho
                    }
                }
            }
        }
    }
    return (sigmas, rhos)
}
