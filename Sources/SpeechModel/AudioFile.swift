import CSndfile
import Foundation
import Store

/// Audio read through libsndfile (WAV, FLAC, OGG/Vorbis, and the other formats it knows), as float
/// samples in [-1, 1] (integer formats divided by 2^(bits−1), as libsndfile normalises them).
public struct AudioFile: Sendable {
    public let url: URL
    public let sampleRate: Int
    public let channels: Int
    /// Interleaved samples: frame f, channel c at `f * channels + c`.
    public let interleaved: [Float]

    /// Frames (samples per channel).
    public var frameCount: Int { channels > 0 ? interleaved.count / channels : 0 }

    /// Reads the whole file. The corresponding C functions are `sf_open`, `sf_readf_float` and `sf_close`.
    public static func read(_ url: URL) throws -> AudioFile {
        var info = SF_INFO()
        guard let handle = sf_open(url.path, Int32(SFM_READ), &info) else {
            let reason = String(cString: sf_strerror(nil))
            if !FileManager.default.fileExists(atPath: url.path) { throw StoreError(url, "does not exist") }
            throw StoreError(url, "cannot be read as audio: \(reason)")
        }
        defer { sf_close(handle) }
        let channels = Int(info.channels)
        let frames = Int(info.frames)
        guard channels > 0, info.samplerate > 0 else {
            throw StoreError(url, "has \(channels) channels at \(info.samplerate) Hz")
        }
        // A header can claim any length (streams report the largest count); refuse what cannot be audio we hold.
        guard frames >= 0, frames <= Int(Int32.max) / channels else {
            throw StoreError(url, "claims \(info.frames) frames, more than layerscope reads from one file")
        }
        var samples = [Float](repeating: 0, count: frames * channels)
        let read = samples.withUnsafeMutableBufferPointer { buffer in
            sf_readf_float(handle, buffer.baseAddress, sf_count_t(frames))
        }
        if sf_error(handle) != 0 {
            throw StoreError(url, "cannot be decoded: \(String(cString: sf_strerror(handle)))")
        }
        // A truncated file decodes fewer frames than its header promises; keep what is there.
        if Int(read) < frames { samples.removeLast((frames - Int(read)) * channels) }
        return AudioFile(url: url, sampleRate: Int(info.samplerate), channels: channels, interleaved: samples)
    }

    /// The channels averaged into one (the mean, as numpy's `x.mean(axis=1)`).
    public var mono: [Float] {
        guard channels > 1 else { return interleaved }
        let scale = 1 / Float(channels)
        return (0..<frameCount).map { f in
            var sum: Float = 0
            for c in 0..<channels { sum += interleaved[f * channels + c] }
            return sum * scale
        }
    }

    /// Mono samples at `sampleRate`: mixed down, then resampled by `Resampler` when the file's rate differs.
    public func mono(sampleRate target: Int) -> [Float] {
        let samples = mono
        guard sampleRate != target else { return samples }
        return Resampler(from: sampleRate, to: target).resample(samples)
    }

    /// Reads `url` as mono audio at `sampleRate` (16 kHz unless a model's preprocessor says otherwise).
    public static func readMono(_ url: URL, sampleRate: Int = 16_000) throws -> [Float] {
        try read(url).mono(sampleRate: sampleRate)
    }
}
