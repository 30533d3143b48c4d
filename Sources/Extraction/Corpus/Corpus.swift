import Foundation
import Store

/// One utterance of a corpus: a TextGrid and the audio file with the same name (without extension).
public struct CorpusUtterance: Sendable, Equatable {
    /// The file name without extension, which is the utterance's id in the store.
    public let name: String
    public let alignment: URL
    /// The audio file, nil when none has this name.
    public let audio: URL?
    /// Set when the name is not unique (two audio files, or two TextGrids, share it).
    public let ambiguity: String?
}

/// A corpus on disk: audio files under one folder, TextGrids under another, matched by name.
/// Subfolders are searched (Aishell keeps a folder per speaker); hidden files are ignored.
public struct Corpus: Sendable {
    public let audioRoot: URL
    public let alignmentsRoot: URL
    /// One entry per TextGrid, sorted by name (byte order), which is the order of the store.
    public let utterances: [CorpusUtterance]
    /// Audio files that have no TextGrid (not extracted; counted in the summary).
    public let unalignedAudio: Int

    /// The audio formats libsndfile reads, by extension.
    public static let audioExtensions: Set<String> = ["wav", "wave", "flac", "ogg", "oga", "opus", "mp3", "aif", "aiff",
                                                      "aifc", "au", "snd", "w64", "caf", "sph", "nist", "rf64"]

    public static func scan(audio: URL, alignments: URL) throws -> Corpus {
        let audioFiles = try files(under: audio, what: "--audio") { audioExtensions.contains($0.pathExtension.lowercased()) }
        let gridFiles = try files(under: alignments, what: "--alignments") { $0.pathExtension.lowercased() == "textgrid" }
        let audioByName = Dictionary(grouping: audioFiles) { $0.deletingPathExtension().lastPathComponent }
        let gridsByName = Dictionary(grouping: gridFiles) { $0.deletingPathExtension().lastPathComponent }
        var utterances: [CorpusUtterance] = []
        for name in gridsByName.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let grids = gridsByName[name] ?? []
            let audios = audioByName[name] ?? []
            var ambiguity: String? = nil
            if grids.count > 1 {
                ambiguity = "\(grids.count) TextGrids are named \(name): \(grids.map(\.path).joined(separator: ", "))"
            } else if audios.count > 1 {
                ambiguity = "\(audios.count) audio files are named \(name): \(audios.map(\.path).joined(separator: ", "))"
            }
            utterances.append(CorpusUtterance(name: name, alignment: grids[0], audio: audios.first, ambiguity: ambiguity))
        }
        let unaligned = audioByName.keys.filter { gridsByName[$0] == nil }.count
        return Corpus(audioRoot: audio.standardizedFileURL, alignmentsRoot: alignments.standardizedFileURL,
                      utterances: utterances, unalignedAudio: unaligned)
    }

    /// Regular files below `root` (recursively, symbolic links followed) that `keep` accepts, sorted by path.
    private static func files(under root: URL, what: String, keep: (URL) -> Bool) throws -> [URL] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder) else {
            throw StoreError(root, "does not exist (\(what))")
        }
        guard isFolder.boolValue else { throw StoreError(root, "is not a folder (\(what))") }
        var found: [URL] = []
        var visited = Set<String>()
        var pending = [root.standardizedFileURL]
        while let folder = pending.popLast() {
            guard visited.insert(folder.resolvingSymlinksInPath().path).inserted else { continue }
            let entries = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
            for entry in entries where !entry.lastPathComponent.hasPrefix(".") {
                var entryIsFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: entry.path, isDirectory: &entryIsFolder) else { continue }
                if entryIsFolder.boolValue {
                    pending.append(entry)
                } else if keep(entry) {
                    found.append(entry)
                }
            }
        }
        return found.sorted { $0.path < $1.path }
    }
}
