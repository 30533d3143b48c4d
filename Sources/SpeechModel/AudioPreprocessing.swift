import Foundation
import Store

/// How audio becomes model input, from the checkpoint's preprocessor_config.json (transformers'
/// `Wav2Vec2FeatureExtractor`): the sampling rate the model expects and whether each utterance is
/// normalised to zero mean and unit variance. A missing file means the extractor's defaults
/// (16 kHz, do_normalize true).
public struct AudioPreprocessing: Sendable, Equatable {
    public let samplingRate: Int
    public let doNormalize: Bool

    public init(samplingRate: Int = 16_000, doNormalize: Bool = true) {
        self.samplingRate = samplingRate
        self.doNormalize = doNormalize
    }

    /// Reads `preprocessor_config.json` in `directory`, or the defaults when there is none.
    public static func load(directory: URL) throws -> AudioPreprocessing {
        let url = directory.appendingPathComponent("preprocessor_config.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return AudioPreprocessing() }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw StoreError(url, "cannot be read") }
        struct Raw: Decodable {
            var feature_extractor_type: String?
            var sampling_rate: Int?
            var do_normalize: Bool?
            var feature_size: Int?
        }
        let raw = try decodeJSON(Raw.self, from: data, file: url.path)
        if let type = raw.feature_extractor_type, type != "Wav2Vec2FeatureExtractor" {
            throw StoreError(url, "key 'feature_extractor_type': \(type) is not supported (Wav2Vec2FeatureExtractor)")
        }
        if let size = raw.feature_size, size != 1 {
            throw StoreError(url, "key 'feature_size': \(size); a wav2vec2 model reads one value per sample")
        }
        let rate = raw.sampling_rate ?? 16_000
        guard rate > 0 else { throw StoreError(url, "key 'sampling_rate': must be positive, found \(rate)") }
        return AudioPreprocessing(samplingRate: rate, doNormalize: raw.do_normalize ?? true)
    }

    /// The model input for `samples` (mono, at `samplingRate`): with do_normalize,
    /// (x − mean) / √(var + 1e-7) as `Wav2Vec2FeatureExtractor.zero_mean_unit_var_norm` computes it.
    public func prepare(_ samples: [Float]) -> [Float] {
        guard doNormalize, !samples.isEmpty else { return samples }
        var sum = 0.0
        for x in samples { sum += Double(x) }
        let mean = sum / Double(samples.count)
        var squares = 0.0
        for x in samples { squares += (Double(x) - mean) * (Double(x) - mean) }
        let scale = 1 / (squares / Double(samples.count) + 1e-7).squareRoot()
        return samples.map { Float((Double($0) - mean) * scale) }
    }
}

/// A problem with the audio given to a model, for the caller to attach to the file it came from.
public struct SpeechModelError: Error, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
