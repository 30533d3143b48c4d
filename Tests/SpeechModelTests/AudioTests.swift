import CSndfile
import Foundation
import Testing
@testable import SpeechModel

/// Reading audio through libsndfile, mixing down, resampling (against scipy's resample_poly) and
/// normalising (against transformers' Wav2Vec2FeatureExtractor).
@Suite struct AudioTests {
    /// resample_poly's output for random signals, computed by scipy 1.17 in float64.
    @Test(arguments: [(8000, 16000), (11025, 16000), (22050, 16000), (44100, 16000), (48000, 16000), (16000, 8000)])
    func resamplerMatchesScipy(_ rates: (Int, Int)) throws {
        let (source, target) = rates
        let input = try Fixture.resampling("\(source)-\(target)-in").values
        let expected = try Fixture.resampling("\(source)-\(target)-out").values
        let output = Resampler(from: source, to: target).resample(input)
        #expect(output.count == expected.count)
        #expect(relativeError(output, expected) < 2e-6, "\(source) → \(target)")
    }

    /// A tone below the new Nyquist frequency keeps its frequency and amplitude; one above it is removed.
    @Test func resamplerKeepsPassbandAndRejectsAliases() {
        func tone(_ frequency: Double, rate: Int, seconds: Double) -> [Float] {
            (0..<Int(Double(rate) * seconds)).map { Float(sin(2 * Double.pi * frequency * Double($0) / Double(rate))) }
        }
        /// Amplitude of `frequency` in `x` (sampled at `rate`), by correlation away from the edges.
        func amplitude(_ x: [Float], _ frequency: Double, rate: Int) -> Double {
            let inner = x.indices.dropFirst(x.count / 4).dropLast(x.count / 4)
            var (s, c) = (0.0, 0.0)
            for i in inner {
                let phase = 2 * Double.pi * frequency * Double(i) / Double(rate)
                s += Double(x[i]) * sin(phase)
                c += Double(x[i]) * cos(phase)
            }
            return 2 * (s * s + c * c).squareRoot() / Double(inner.count)
        }
        let resampler = Resampler(from: 44100, to: 16000)
        let passed = resampler.resample(tone(1000, rate: 44100, seconds: 0.5))
        #expect(passed.count == 8000)
        // scipy's resample_poly gives 1.0011012 here: the Kaiser (β = 5) filter's pass-band ripple.
        #expect(abs(amplitude(passed, 1000, rate: 16000) - 1.0011012) < 1e-5)
        // 11 kHz would alias to 5 kHz at 16 kHz; scipy leaves 4.76e-4 of it (−66 dB).
        let rejected = resampler.resample(tone(11000, rate: 44100, seconds: 0.5))
        #expect(abs(amplitude(rejected, 5000, rate: 16000) - 4.763e-4) < 1e-6)
    }

    /// The stereo 22.05 kHz FLAC, read, mixed down, resampled and normalised, is what transformers'
    /// pipeline (soundfile, mean over channels, resample_poly, Wav2Vec2FeatureExtractor) feeds the model.
    @Test func fullAudioPathMatchesThePythonPipeline() throws {
        let file = try AudioFile.read(try Fixture.audio("clip22k-stereo.flac"))
        #expect(file.sampleRate == 22050 && file.channels == 2 && file.frameCount == 11025)
        let prepared = AudioPreprocessing(samplingRate: 16000, doNormalize: true).prepare(file.mono(sampleRate: 16000))
        let expected = try Fixture.expected("clip22k-input").values
        #expect(prepared.count == expected.count)
        #expect(relativeError(prepared, expected) < 1e-5)
    }

    @Test func mixdownIsTheChannelMean() throws {
        let folder = try TemporaryFolder()
        let url = folder.url.appendingPathComponent("stereo.wav")
        let left: [Float] = [0.5, -0.25, 0.125, 0], right: [Float] = [0.25, 0.25, -0.125, 1]
        try writeAudio(url, interleaved: Array(zip(left, right).map { [$0, $1] }.joined()), channels: 2, rate: 16000,
                       format: SF_FORMAT_WAV | SF_FORMAT_FLOAT)
        let mono = try AudioFile.readMono(url)
        #expect(mono == zip(left, right).map { ($0 + $1) / 2 })
    }

    /// WAV, FLAC and OGG/Vorbis written by libsndfile read back as the same tone (Vorbis is lossy).
    @Test(arguments: [("wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1e-4), ("flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 1e-4),
                      ("ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0.05)])
    func readsCommonFormats(_ format: (String, Int, Double)) throws {
        let folder = try TemporaryFolder()
        let url = folder.url.appendingPathComponent("tone.\(format.0)")
        let tone = (0..<16000).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 16000)) }
        try writeAudio(url, interleaved: tone, channels: 1, rate: 16000, format: format.1)
        let read = try AudioFile.read(url)
        #expect(read.sampleRate == 16000 && read.channels == 1)
        #expect(read.frameCount == tone.count)
        let error = zip(read.mono, tone).dropFirst(2000).dropLast(2000).map { abs(Double($0 - $1)) }.max() ?? 1
        #expect(error < format.2, "\(format.0): max error \(error)")
    }

    @Test func unreadableAudioNamesTheFile() throws {
        let folder = try TemporaryFolder()
        let url = folder.url.appendingPathComponent("not-audio.wav")
        try Data("RIFF but not really".utf8).write(to: url)
        #expect { try AudioFile.read(url) } throws: { error in
            "\(error)".hasPrefix(url.path + ": cannot be read as audio")
        }
        let missing = folder.url.appendingPathComponent("missing.flac")
        #expect { try AudioFile.read(missing) } throws: { "\($0)" == missing.path + ": does not exist" }
    }

    @Test func normalisationFollowsThePreprocessorConfig() throws {
        let samples: [Float] = [1, 2, 3, 4]
        let normalised = AudioPreprocessing(doNormalize: true).prepare(samples)
        // (x − 2.5) / √(1.25 + 1e-7)
        let expected = samples.map { Float((Double($0) - 2.5) / (1.25 + 1e-7).squareRoot()) }
        #expect(relativeError(normalised, expected) < 1e-6)
        #expect(AudioPreprocessing(doNormalize: false).prepare(samples) == samples)
        let stable = try AudioPreprocessing.load(directory: try Fixture.checkpoint("layer-stable"))
        #expect(stable == AudioPreprocessing(samplingRate: 16000, doNormalize: false))
    }
}

/// Writes float samples with libsndfile in the given major/minor format.
func writeAudio(_ url: URL, interleaved: [Float], channels: Int, rate: Int, format: Int) throws {
    var info = SF_INFO()
    info.samplerate = Int32(rate)
    info.channels = Int32(channels)
    info.format = Int32(format)
    guard let handle = sf_open(url.path, Int32(SFM_WRITE), &info) else {
        throw SpeechModelError("cannot write \(url.path): \(String(cString: sf_strerror(nil)))")
    }
    _ = interleaved.withUnsafeBufferPointer { sf_writef_float(handle, $0.baseAddress, sf_count_t(interleaved.count / channels)) }
    sf_close(handle)
}
