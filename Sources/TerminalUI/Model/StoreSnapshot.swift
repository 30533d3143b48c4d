import Foundation
import Store

/// A model as the explorer sees it: its layers (present or not), stored layouts and task heads.
public struct ModelInfo: Equatable, Sendable {
    public var name: String
    public var layerCount: Int
    /// Layers whose embeddings the store holds.
    public var presentLayers: Set<Int>
    /// Layers whose UMAP layout the store holds.
    public var umapLayers: Set<Int>
    /// Task heads with framewise outputs, by task name.
    public var tasks: [TaskInfo]

    public init(name: String, layerCount: Int, presentLayers: Set<Int>, umapLayers: Set<Int> = [], tasks: [TaskInfo] = []) {
        self.name = name
        self.layerCount = layerCount
        self.presentLayers = presentLayers
        self.umapLayers = umapLayers
        self.tasks = tasks
    }

    /// The highest layer index (layers run 0…lastLayer).
    public var lastLayer: Int { max(0, layerCount - 1) }
}

/// A task head's framewise outputs: its classes and whether they are logits or probabilities.
public struct TaskInfo: Equatable, Sendable {
    public var name: String
    public var classes: [String]
    public var probabilities: Bool

    public init(name: String, classes: [String], probabilities: Bool) {
        self.name = name
        self.classes = classes
        self.probabilities = probabilities
    }
}

/// What the explorer reads from a store once at start: tokens, labels, and per-utterance token
/// lists. Immutable, shared by every state value.
public final class StoreSnapshot: Sendable {
    public let storeName: String
    public let simulated: Bool
    public let tokens: TokenTable
    /// Token rows of each utterance, in time order: `utteranceRows[u]`.
    public let utteranceRows: [[Int32]]
    /// Per label: whether every speaker has one value (sex), so it belongs in titles, not time rows.
    public let speakerLevel: [Bool]
    /// Per label: tokens per class.
    public let classCounts: [[Int]]
    /// Whether the store records the utterances' audio (extracted stores do), so an F0 row can be shown.
    public let hasAudio: Bool

    public init(storeName: String, simulated: Bool, tokens: TokenTable, hasAudio: Bool = false) {
        self.storeName = storeName
        self.simulated = simulated
        self.tokens = tokens
        self.hasAudio = hasAudio
        var rows = [[Int32]](repeating: [], count: tokens.utterances.count)
        for row in 0..<tokens.count { rows[Int(tokens.utterance[row])].append(Int32(row)) }
        for u in rows.indices where rows[u].count > 1 {
            rows[u].sort { tokens.start[Int($0)] < tokens.start[Int($1)] }
        }
        utteranceRows = rows
        // The speaker of each utterance as a small integer, to test labels that follow the speaker.
        var speakerIndex: [String: Int] = [:]
        let uttSpeaker = tokens.utteranceSpeakers.map { name in
            if let known = speakerIndex[name] { return known }
            speakerIndex[name] = speakerIndex.count
            return speakerIndex.count - 1
        }
        speakerLevel = tokens.labels.map { label in
            var value = [Int32](repeating: -1, count: speakerIndex.count)
            for row in 0..<tokens.count {
                let code = label.codes[row]
                guard code >= 0 else { continue }
                let speaker = uttSpeaker[Int(tokens.utterance[row])]
                if value[speaker] < 0 { value[speaker] = code } else if value[speaker] != code { return false }
            }
            return label.classes.count > 1
        }
        classCounts = tokens.labels.map(\.counts)
    }

    public var labelNames: [String] { tokens.labels.map(\.name) }
}

/// A 2-D layout of one layer's tokens, read from the store or published by a running UMAP job.
public struct Layout: Equatable, Sendable {
    public let x: [Float]
    public let y: [Float]
    /// The box holding every finite point, padded a little.
    public let bounds: (minX: Float, minY: Float, maxX: Float, maxY: Float)
    /// How far the UMAP optimisation was when published: 1 for a stored, finished layout.
    public let progress: Double
    /// Distinguishes layouts, so caches of screen positions know when to recompute.
    public let id: Int

    public init(x: [Float], y: [Float], progress: Double = 1, id: Int) {
        self.x = x
        self.y = y
        self.progress = progress
        self.id = id
        var minX = Float.infinity, minY = Float.infinity, maxX = -Float.infinity, maxY = -Float.infinity
        for i in 0..<min(x.count, y.count) where x[i].isFinite && y[i].isFinite {
            minX = min(minX, x[i]); maxX = max(maxX, x[i])
            minY = min(minY, y[i]); maxY = max(maxY, y[i])
        }
        if !minX.isFinite { (minX, minY, maxX, maxY) = (0, 0, 1, 1) }
        let padX = max((maxX - minX) * 0.02, 1e-6), padY = max((maxY - minY) * 0.02, 1e-6)
        bounds = (minX - padX, minY - padY, maxX + padX, maxY + padY)
    }

    /// A layout from interleaved x, y values (a tokens × 2 array).
    public init(interleaved points: [Float], progress: Double = 1, id: Int) {
        let n = points.count / 2
        var x = [Float](repeating: 0, count: n), y = [Float](repeating: 0, count: n)
        for i in 0..<n {
            x[i] = points[2 * i]
            y[i] = points[2 * i + 1]
        }
        self.init(x: x, y: y, progress: progress, id: id)
    }

    public var count: Int { x.count }
    public var isFinal: Bool { progress >= 1 }

    public static func == (a: Layout, b: Layout) -> Bool { a.id == b.id && a.progress == b.progress }
}

/// Names a layout: one layer of one model.
public struct LayoutKey: Hashable, Sendable {
    public var model: String
    public var layer: Int

    public init(model: String, layer: Int) {
        self.model = model
        self.layer = layer
    }
}
