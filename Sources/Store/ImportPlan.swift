import Foundation

/// Which layer each input array becomes, worked out (and checked) before anything is written.
struct LayerPlan {
    /// One store layer and where its rows come from.
    struct Entry {
        let layer: Int
        let source: SourceArray
        /// Index of the layer within a stacked (layers × tokens × dim) source; nil for a 2-D source.
        let slab: Int?
    }

    let entries: [Entry]
    let tokens: Int
    let dim: Int

    /// Plans the layers of `files` (per-layer `.npy`, stacked `.npy`, or `.npz`) over `tokenCount` tokens.
    static func make(files: [URL], tokenCount: Int?) throws -> LayerPlan {
        guard !files.isEmpty else { throw StoreError("import", "no layer arrays given (per-layer .npy files, a stacked .npy, or an .npz)") }
        var seenPaths = Set<String>()
        var loose: [(URL, SourceArray)] = []
        var entries: [Entry] = []
        for url in files {
            let path = url.standardizedFileURL.path
            guard seenPaths.insert(path).inserted else { throw StoreError(url, "given twice") }
            switch url.pathExtension.lowercased() {
            case "npz":
                entries += try npzEntries(url)
            case "npy":
                let source = try SourceArray.openNpy(url)
                try checkFloat(source)
                switch source.header.shape.count {
                case 2: loose.append((url, source))
                case 3: entries += (0..<source.header.shape[0]).map { Entry(layer: $0, source: source, slab: $0) }
                default: throw StoreError(url, "has shape \(source.header.shape); expected tokens × dim, or layers × tokens × dim")
                }
            default:
                throw StoreError(url, "is neither .npy nor .npz")
            }
        }
        // Per-layer files take the layer number in their names (L07.npy, layer_7.npy) when all have one,
        // so a shell glob's order (layer_10 before layer_2) cannot scramble them; otherwise their order.
        let numbers = loose.map { layerNumber(in: $0.0) }
        let named = !numbers.isEmpty && numbers.allSatisfy { $0 != nil }
        for (i, (_, source)) in loose.enumerated() {
            let layer = named ? (numbers[i] ?? i) : i
            entries.append(Entry(layer: layer, source: source, slab: nil))
        }
        var byLayer: [Int: String] = [:]
        for entry in entries {
            if let other = byLayer[entry.layer] {
                throw StoreError(entry.source.name, "layer \(entry.layer) given twice (also in \(other))")
            }
            byLayer[entry.layer] = entry.source.name
        }
        let first = entries[0].source.header.shape
        let rows = first[first.count - 2]
        let dim = first[first.count - 1]
        for entry in entries {
            let shape = entry.source.header.shape
            let (r, d) = (shape[shape.count - 2], shape[shape.count - 1])
            guard d == dim else {
                throw StoreError(entry.source.name, "has \(d) values per token, but \(entries[0].source.name) has \(dim)")
            }
            if let tokenCount, r != tokenCount {
                throw StoreError(entry.source.name, "has \(r) rows, but the tokens table has \(tokenCount) tokens")
            }
            guard r == rows else {
                throw StoreError(entry.source.name, "has \(r) rows, but \(entries[0].source.name) has \(rows)")
            }
        }
        guard dim > 0 else { throw StoreError(entries[0].source.name, "has no values per token (dim 0)") }
        return LayerPlan(entries: entries.sorted { $0.layer < $1.layer }, tokens: rows, dim: dim)
    }

    private static func npzEntries(_ url: URL) throws -> [Entry] {
        let members = try SourceArray.openNpz(url)
        let layers = members.compactMap { member -> (Int, SourceArray)? in
            guard member.key.hasPrefix("layer_"), let n = Int(member.key.dropFirst(6)), n >= 0 else { return nil }
            return (n, member.array)
        }
        let stacked = members.first { $0.key == "hidden_states" }?.array
        if let stacked {
            guard layers.isEmpty else {
                throw StoreError(url, "holds both hidden_states and layer_N arrays; keep one of the two")
            }
            try checkFloat(stacked)
            guard stacked.header.shape.count == 3 else {
                throw StoreError(stacked.name, "has shape \(stacked.header.shape); expected layers × tokens × dim")
            }
            return (0..<stacked.header.shape[0]).map { Entry(layer: $0, source: stacked, slab: $0) }
        }
        guard !layers.isEmpty else {
            let keys = members.map(\.key).joined(separator: ", ")
            throw StoreError(url, "has no layer_0…layer_N or hidden_states arrays (found: \(keys.isEmpty ? "none" : keys))")
        }
        return try layers.map { layer, source in
            try checkFloat(source)
            guard source.header.shape.count == 2 else {
                throw StoreError(source.name, "has shape \(source.header.shape); expected tokens × dim")
            }
            return Entry(layer: layer, source: source, slab: nil)
        }
    }

    private static func checkFloat(_ source: SourceArray) throws {
        guard source.header.dtype.kind == .float else {
            throw StoreError(source.name, "holds \(source.header.dtype); embeddings must be float16, float32 or float64")
        }
    }

    /// The layer number in a file name such as `L07.npy`, `layer_7.npy` or `hidden_states-7.npy`.
    static func layerNumber(in url: URL) -> Int? {
        let stem = url.deletingPathExtension().lastPathComponent.lowercased()
        for prefix in ["hidden_states", "layer", "hs", "l"] {
            guard let range = stem.range(of: prefix, options: .backwards) else { continue }
            let before = stem[..<range.lowerBound]
            if let last = before.last, last.isLetter || last.isNumber { continue }
            var rest = stem[range.upperBound...]
            if rest.first == "_" || rest.first == "-" { rest = rest.dropFirst() }
            if !rest.isEmpty, rest.allSatisfy(\.isNumber), let n = Int(rest) { return n }
        }
        return nil
    }
}
