import Foundation
@testable import SpeechModel

/// Rewrites a checkpoint's model.safetensors with tensors removed, re-declared or added, to make
/// malformed checkpoints from the good fixtures.
struct SafeTensorsEditor {
    var entries: [(name: String, dtype: String, shape: [Int], bytes: Data)]
    var directory: URL?

    init(entries: [(name: String, dtype: String, shape: [Int], bytes: Data)]) {
        self.entries = entries
    }

    init(_ directory: URL) throws {
        self.directory = directory
        let file = try SafeTensorsFile(url: directory.appendingPathComponent("model.safetensors"))
        let all = Data(file.file.buffer)
        entries = file.entries.values.sorted { $0.offset < $1.offset }.map { entry in
            (entry.name, entry.dtype.rawValue, entry.shape, all.subdata(in: entry.offset..<(entry.offset + entry.byteCount)))
        }
    }

    func removing(_ name: String) -> SafeTensorsEditor {
        var copy = self
        copy.entries.removeAll { $0.name == name }
        return copy
    }

    func keeping(_ names: [String]) -> SafeTensorsEditor {
        var copy = self
        copy.entries.removeAll { !names.contains($0.name) }
        return copy
    }

    /// Declares `name` with another shape of the same size.
    func reshaping(_ name: String, to shape: [Int]) -> SafeTensorsEditor {
        var copy = self
        if let i = copy.entries.firstIndex(where: { $0.name == name }) { copy.entries[i].shape = shape }
        return copy
    }

    /// Adds a float32 tensor of zeros.
    func adding(_ name: String, shape: [Int]) -> SafeTensorsEditor {
        var copy = self
        copy.entries.append((name, "F32", shape, Data(count: 4 * shape.reduce(1, *))))
        return copy
    }

    /// Writes the safetensors layout: 8-byte little-endian header length, JSON header, data.
    func write(to url: URL? = nil) throws {
        guard let target = url ?? directory?.appendingPathComponent("model.safetensors") else { return }
        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var data = Data()
        for entry in entries {
            header[entry.name] = ["dtype": entry.dtype, "shape": entry.shape, "data_offsets": [data.count, data.count + entry.bytes.count]]
            data.append(entry.bytes)
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(data)
        try file.write(to: target)
    }
}
