import Foundation
import Numerics

/// Writes planned layers into a store's array folder, streaming each source once.
struct LayerWriting {
    let store: EmbeddingStore
    let model: String
    let dtype: ScalarType
    let allowNonfinite: Bool

    /// Writes every layer of `plan`; returns their records (not yet registered). `written` collects
    /// every file that reached its final name, so a failure later can remove them.
    func write(_ plan: LayerPlan, written: inout [URL], progress: (Int, Int) -> Void) throws -> [ArrayRecord] {
        var records: [ArrayRecord] = []
        var pending: [(LayerPlan.Entry, (url: URL, relative: String), ArraySink)] = []
        var groups: [(String, [LayerPlan.Entry])] = []
        for entry in plan.entries {
            if let index = groups.firstIndex(where: { $0.0 == entry.source.name }) {
                groups[index].1.append(entry)
            } else {
                groups.append((entry.source.name, [entry]))
            }
        }
        for (_, entries) in groups {
            let sinks = try entries.map { entry in
                let target = try store.newArrayPath(model: model, name: String(format: "L%02d.npy", entry.layer))
                let header = NpyHeader(dtype: dtype == .float16 ? .float16 : .float32, shape: [plan.tokens, plan.dim])
                return (entry, target, ArraySink(writer: try AtomicNpyWriter(destination: target.url, header: header),
                                                  sourceName: entry.source.name))
            }
            let source = entries[0].source
            if source.header.fortranOrder {
                try writeFortranOrder(source, slabs: entries.map { $0.slab }, sinks: sinks.map(\.2), plan: plan)
            } else {
                let rowsPerSink = plan.tokens
                // A stacked source streams all its slabs; every slab has an entry, in order.
                let assembler = RowAssembler(dtype: source.header.dtype, cols: plan.dim, rowsPerSink: max(rowsPerSink, 1),
                                             sinks: sinks.map(\.2))
                try source.streamData { try assembler.consume($0) }
                try assembler.finish(name: source.name)
            }
            for (entry, target, sink) in sinks {
                try check(sink, layer: entry.layer)
                sink.writer.startFlush()
                pending.append((entry, target, sink))
            }
        }
        // Each file is fsynced before its rename, as always; doing the fsyncs after all the
        // conversion lets the disk write earlier layers while later ones are converted.
        for (entry, target, sink) in pending {
            try sink.writer.commit()
            written.append(target.url)
            records.append(ArrayRecord(model: model, kind: .layer, layer: entry.layer, path: target.relative,
                                       dtype: dtype, rows: plan.tokens, cols: plan.dim,
                                       bytes: sink.writer.header.encoded().count + sink.writer.header.dataByteCount))
            progress(records.count, plan.entries.count)
        }
        return records
    }

    private func check(_ sink: ArraySink, layer: Int) throws {
        if sink.nonfiniteRows > 0 && !allowNonfinite {
            let first = sink.firstNonfiniteRow.map { " (first: row \($0))" } ?? ""
            throw StoreError(sink.sourceName, "layer \(layer) has \(sink.nonfiniteRows) rows with NaN or infinity\(first); fix them or pass --allow-nonfinite")
        }
        if sink.overflowRows > 0 && !allowNonfinite {
            throw StoreError(sink.sourceName, "layer \(layer) has \(sink.overflowRows) rows with values beyond float16's range (±65504); import with --dtype float32")
        }
    }

    /// Fortran-order data is transposed through random access (mapped, or loaded for archive members).
    private func writeFortranOrder(_ source: SourceArray, slabs: [Int?], sinks: [ArraySink], plan: LayerPlan) throws {
        let shape = source.header.shape
        let dtype = source.header.dtype
        // Element strides of a column-major array: the first index moves fastest.
        var strides = [Int](repeating: 1, count: shape.count)
        for i in 1..<shape.count { strides[i] = strides[i - 1] * shape[i - 1] }
        let rowStride = strides[shape.count - 2]
        let colStride = strides[shape.count - 1]
        try source.withContiguousData { data in
            guard let base = data.baseAddress else { return }
            let blockRows = max(1, (1 << 20) / plan.dim)
            let block = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * plan.dim)
            defer { block.deallocate() }
            for (slab, sink) in zip(slabs, sinks) {
                let slabOffset = (slab ?? 0) * (shape.count == 3 ? strides[0] : 0)
                var row = 0
                while row < plan.tokens {
                    let n = min(blockRows, plan.tokens - row)
                    for r in 0..<n {
                        let rowOffset = slabOffset + (row + r) * rowStride
                        for c in 0..<plan.dim {
                            block[r * plan.dim + c] = ElementConversion.element(base, index: rowOffset + c * colStride, dtype: dtype)
                        }
                    }
                    try sink.append(block, rows: n)
                    row += n
                }
            }
        }
    }
}
