import Foundation
import Numerics
import Store

/// Takes one utterance from its files to a staged part: speaker, TextGrid, tokens, audio, the model
/// run, the rows at the token frames and the logits. Every problem with the input becomes an
/// `UtteranceProblem` naming the file.
struct UtteranceRunner {
    let model: any ExtractionModel
    let environment: ExtractionEnvironment
    let corpus: Corpus
    let speakers: SpeakerTable
    let speakerSource: SpeakerSource
    let scheme: LabelScheme
    let tier: String?
    let layers: [Int]
    let tasks: [HeadTask]
    let dtype: ScalarType
    let work: WorkFolder

    /// A TextGrid may end this much after its audio (rounding of the last boundary) and still fit.
    static let durationTolerance = 0.02

    /// The part of `utterance`, computed now or found staged by an earlier run (`resumed`).
    func run(_ utterance: CorpusUtterance) throws(UtteranceProblem) -> (header: UtterancePart.Header, resumed: Bool) {
        let name = utterance.name
        func problem(_ kind: UtteranceProblem.Kind, _ message: String) -> UtteranceProblem {
            UtteranceProblem(utterance: name, kind: kind, message: message)
        }
        if let ambiguity = utterance.ambiguity { throw problem(.ambiguous, "\(utterance.alignment.path): \(ambiguity)") }
        guard let audio = utterance.audio else {
            throw problem(.audioMissing, "\(utterance.alignment.path): no audio file named \(name).* under \(corpus.audioRoot.path)")
        }
        let speaker: String
        do {
            speaker = try speakerSource.speaker(utterance: name, audio: audio, audioRoot: corpus.audioRoot)
        } catch {
            throw problem(.speakerUnknown, "\(audio.path): \(error.message)")
        }
        guard speakers.rows[speaker] != nil else {
            throw problem(.speakerUnknown, "\(speakers.file): has no speaker \(speaker) (the speaker of \(name))")
        }

        let alignmentData: Data
        let tokens: [PlannedToken]
        let gridEnd: Double
        do {
            alignmentData = try Data(contentsOf: utterance.alignment)
        } catch {
            throw problem(.alignmentUnreadable, "\(utterance.alignment.path): cannot be read")
        }
        do {
            let grid = try TextGridReader.parse(alignmentData, file: utterance.alignment.path)
            let chosen = try TierSelection.select(grid, name: tier, file: utterance.alignment.path)
            gridEnd = max(grid.xmax, chosen.xmax)
            do {
                tokens = try TokenPlanner.tokens(of: chosen, scheme: scheme, file: utterance.alignment.path)
            } catch {
                throw problem(.labelUnknown, "\(error)")
            }
        } catch let error as UtteranceProblem {
            throw error
        } catch {
            throw problem(.alignmentUnreadable, "\(error)")
        }

        guard let stamp = SourceStamp.of(alignment: alignmentData, audio: audio) else {
            throw problem(.audioUnreadable, "\(audio.path): cannot be examined")
        }
        let partURL = work.part(name)
        if let staged = UtterancePart.readHeader(partURL), staged.utterance == name, staged.speaker == speaker,
           staged.sourceStamp == stamp, staged.layers == layers, staged.tasks.map(\.name) == tasks.map(\.name) {
            return (staged, true)
        }

        let sound: AudioSamples
        do {
            sound = try environment.readAudio(audio, model.samplingRate)
        } catch {
            throw problem(.audioUnreadable, "\(error)")
        }
        if gridEnd > sound.duration + Self.durationTolerance {
            throw problem(.alignmentTooLong, "\(utterance.alignment.path): the TextGrid ends at \(format(gridEnd)) s, "
                          + "but its audio \(audio.lastPathComponent) lasts \(format(sound.duration)) s")
        }
        let frameCount = model.frameCount(samples: sound.samples.count)
        guard frameCount > 0 else {
            throw problem(.audioUnreadable, "\(audio.path): too short for the model (\(format(sound.duration)) s)")
        }
        let frames = tokens.map { TokenPlanner.frame(start: $0.start, end: $0.end, frameCount: frameCount) }

        var blocks: [Int: Data] = [:]
        let logits: [String: Matrix<Float>]
        do {
            logits = try model.run(sound.samples, layers: Set(layers), heads: !tasks.isEmpty) { index, state in
                blocks[index] = try TokenRows.gather(state, frames: frames, dtype: dtype)
            }
        } catch let error as TokenRows.Unstorable {
            throw problem(.modelOutput, "\(audio.path): \(error.message)")
        } catch {
            throw problem(.audioUnreadable, "\(audio.path): \(error)")
        }

        var payload = Data()
        for layer in layers {
            guard let block = blocks[layer] else {
                throw problem(.modelOutput, "\(audio.path): the model gave no hidden state \(layer)")
            }
            payload.append(block)
        }
        for task in tasks {
            guard let matrix = logits[task.name], matrix.rows == frameCount, matrix.cols == task.classes.count else {
                throw problem(.modelOutput, "\(audio.path): the model gave no \(frameCount) × \(task.classes.count) logits for task \(task.name)")
            }
            guard matrix.storage.allSatisfy(\.isFinite) else {
                throw problem(.modelOutput, "\(audio.path): the logits of task \(task.name) hold NaN or infinity")
            }
            payload.append(TokenRows.float32Bytes(matrix))
        }
        let header = UtterancePart.Header(
            utterance: name, speaker: speaker, audio: audio.path, alignment: utterance.alignment.path,
            duration: sound.duration, frameCount: frameCount, sourceStamp: stamp,
            tokens: zip(tokens, frames).map { UtterancePart.Token(start: $0.start, end: $0.end, frame: $1, labels: $0.labels) },
            layers: layers, dim: model.hiddenSize, dtype: dtype,
            tasks: tasks.map { UtterancePart.TaskShape(name: $0.name, classes: $0.classes.count) },
            payloadBytes: payload.count, payloadCRC: payload.withUnsafeBytes { Checksum.crc32(0, $0) })
        do {
            try UtterancePart(header: header, payload: payload).write(to: partURL)
        } catch {
            // A part that cannot be written is a problem of the machine, not of this utterance.
            throw problem(.staging, "\(error)")
        }
        return (header, false)
    }

    private func format(_ seconds: Double) -> String { String(format: "%.3f", seconds) }
}
