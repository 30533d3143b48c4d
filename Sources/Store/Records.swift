import Foundation
import GRDB
import Numerics

/// A model in a store: one set of layer arrays over the store's tokens.
public struct ModelRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "models"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var name: String
    /// Values per token in every layer.
    public var dim: Int
    public var dtype: ScalarType
    /// How many layers the model has (hidden states 0…layerCount−1), present or not.
    public var layerCount: Int
    /// Checkpoint directory the layers came from, if known (relative to the store or absolute).
    public var checkpoint: String?
    /// JSON of the settings the layers were made with.
    public var settings: String?
    public var createdAt: String

    public init(name: String, dim: Int, dtype: ScalarType, layerCount: Int, checkpoint: String? = nil,
                settings: String? = nil, createdAt: String = StoreClock.now()) {
        self.name = name
        self.dim = dim
        self.dtype = dtype
        self.layerCount = layerCount
        self.checkpoint = checkpoint
        self.settings = settings
        self.createdAt = createdAt
    }
}

/// What a registered array holds.
public enum ArrayKind: String, Codable, Sendable, CaseIterable {
    /// Hidden states at the token frames: tokens × dim.
    case layer
    /// A 2-D UMAP layout of a layer's tokens: tokens × 2.
    case umap
    /// Framewise outputs of one task head for all frames of all utterances: frames × classes.
    case frames
    /// A layer's k-means cluster id per token (float32 holding 0..<k), task `k<k>` (docs/CLUSTERS.md).
    case clusters
}

/// An array file registered in a store; only registered files are part of the store.
public struct ArrayRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "arrays"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var model: String
    public var kind: ArrayKind
    /// The layer, or -1 for arrays that belong to no layer.
    public var layer: Int
    /// The task, or "" for arrays that belong to no task.
    public var task: String
    /// Path relative to the store folder.
    public var path: String
    public var dtype: ScalarType
    public var rows: Int
    public var cols: Int
    public var bytes: Int
    /// JSON of the parameters that made the array (UMAP settings, say).
    public var params: String?
    public var createdAt: String

    public init(model: String, kind: ArrayKind, layer: Int = -1, task: String = "", path: String,
                dtype: ScalarType, rows: Int, cols: Int, bytes: Int, params: String? = nil,
                createdAt: String = StoreClock.now()) {
        self.model = model
        self.kind = kind
        self.layer = layer
        self.task = task
        self.path = path
        self.dtype = dtype
        self.rows = rows
        self.cols = cols
        self.bytes = bytes
        self.params = params
        self.createdAt = createdAt
    }
}

/// A task head whose framewise outputs a model has in the store.
public struct TaskRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "tasks"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    /// Whether the stored values are logits or probabilities.
    public enum ValueKind: String, Codable, Sendable { case logits, probabilities }

    public var model: String
    public var task: String
    /// JSON array of class names; column j of the frames array is class j.
    public var classes: String
    public var valueKind: ValueKind

    public init(model: String, task: String, classNames: [String], valueKind: ValueKind) {
        self.model = model
        self.task = task
        self.classes = (try? String(data: JSONEncoder().encode(classNames), encoding: .utf8)) ?? "[]"
        self.valueKind = valueKind
    }

    /// The class names, in column order.
    public var classNames: [String] {
        (try? JSONDecoder().decode([String].self, from: Data(classes.utf8))) ?? []
    }
}

/// Where one utterance's frames sit in a task's frames array.
public struct FrameRange: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "frame_ranges"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var model: String
    public var task: String
    public var utterance: String
    public var firstRow: Int
    public var rowCount: Int

    public init(model: String, task: String, utterance: String, firstRow: Int, rowCount: Int) {
        self.model = model
        self.task = task
        self.utterance = utterance
        self.firstRow = firstRow
        self.rowCount = rowCount
    }
}

/// One stored analysis result: a (model, kind, layer, label) cell with the parameters and
/// input fingerprint it was computed from, so it is reused only while both still match.
public struct AnalysisRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "analyses"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var model: String
    /// `svcca`, `probe`, `umap`, `clusters`, …
    public var kind: String
    public var layer: Int
    /// The label analysed, or "" for analyses of the layer alone.
    public var label: String
    /// JSON of the parameters.
    public var params: String
    /// Fingerprint of the inputs (layer array, tokens and labels).
    public var inputs: String
    /// JSON of the result.
    public var result: String
    public var createdAt: String

    public init(model: String, kind: String, layer: Int, label: String = "", params: String, inputs: String,
                result: String, createdAt: String = StoreClock.now()) {
        self.model = model
        self.kind = kind
        self.layer = layer
        self.label = label
        self.params = params
        self.inputs = inputs
        self.result = result
        self.createdAt = createdAt
    }
}

/// Timestamps as the store writes them (ISO 8601, UTC).
public enum StoreClock {
    public static func now() -> String {
        ISO8601DateFormatter().string(from: Date())
    }
}

extension ScalarType: DatabaseValueConvertible {}
extension ArrayKind: DatabaseValueConvertible {}
extension TaskRecord.ValueKind: DatabaseValueConvertible {}
