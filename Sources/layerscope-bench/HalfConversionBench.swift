import ArgumentParser
import Foundation
import Numerics

/// Float16 ↔ float32 conversion throughput, the inner loop of import and of every float16 layer read.
struct HalfConversionBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "half", abstract: "float16 conversion throughput.")

    @Option(help: "Values to convert.")
    var count = 50_000_000

    @Option(help: "Repetitions; the median is reported.")
    var repeats = 5

    func run() throws {
        let values = (0..<count).map { Float($0 % 1000) * 0.01 }
        var half = [UInt16](repeating: 0, count: count)
        var back = [Float](repeating: 0, count: count)
        var narrow: [Double] = []
        var widen: [Double] = []
        for _ in 0..<repeats {
            narrow.append(BenchClock.seconds {
                values.withUnsafeBufferPointer { s in
                    half.withUnsafeMutableBufferPointer { d in HalfPrecision.narrow(s.baseAddress!, into: d.baseAddress!, count: count) }
                }
            })
            widen.append(BenchClock.seconds {
                half.withUnsafeBufferPointer { s in
                    back.withUnsafeMutableBufferPointer { d in HalfPrecision.widen(s.baseAddress!, into: d.baseAddress!, count: count) }
                }
            })
        }
        let gb = Double(count) * 4 / 1e9
        BenchClock.report([
            "values": Double(count),
            "narrow_gb_per_s": gb / BenchClock.median(narrow),
            "widen_gb_per_s": gb / BenchClock.median(widen),
            "hardware": HalfPrecision.isHardwareAccelerated ? 1 : 0,
        ])
    }
}
