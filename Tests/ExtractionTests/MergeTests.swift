import Foundation
import Store
import Testing
@testable import Extraction

@Suite struct MergeTests {
    /// The store's arrays (bytes) and what a reader sees, without timestamps and store-wide metadata.
    static func contents(_ url: URL) throws -> [String: Data] {
        var result = try ExtractorTests.fingerprint(url)
        let store = try EmbeddingStore(opening: url)
        defer { try? store.close() }
        var models = try store.models()
        for i in models.indices { models[i].createdAt = "" }
        var arrays = try store.arrays()
        for i in arrays.indices { arrays[i].createdAt = "" }
        result["metadata"] = Data("\(models)|\(arrays)|\(try store.tokens())|\(try store.utteranceSources())".utf8)
        return result
    }

    @Test func shardsMergeIntoTheWholeRun() throws {
        let scratch = try ScratchFolder()
        let corpus = try TestCorpus.make(in: scratch.url, count: 7)
        let whole = scratch.file("whole.layerstore")
        _ = try Extractor.run(corpus.request(out: whole), environment: TestCorpus.environment(FakeModel()))
        var shards: [URL] = []
        var sizes: [Int] = []
        for i in 0..<3 {
            var request = corpus.request(out: scratch.file("shards/s\(i).layerstore"))
            request.shard = Shard(index: i, count: 3)
            let summary = try Extractor.run(request, environment: TestCorpus.environment(FakeModel()))
            sizes.append(summary.utterances)
            shards.append(request.out)
        }
        #expect(sizes == [3, 2, 2])
        let merged = scratch.file("merged.layerstore")
        let summary = try StoreMerger.merge(into: merged, shards: shards.reversed())
        #expect(summary.utterances == 7 && summary.missingShards.isEmpty && summary.models == ["checkpoint"])
        #expect(try Self.contents(merged) == (try Self.contents(whole)))
        let settings = try #require(ExtractionSettings.decode(try EmbeddingStore(opening: merged).model(named: "checkpoint").settings ?? ""))
        #expect(settings.shard == nil && settings.audio == "../audio")
        #expect(!FileManager.default.fileExists(atPath: scratch.file(".merged.layerstore.merging").path))

        // Two of three shards merge, and the summary says which is missing.
        let partial = try StoreMerger.merge(into: scratch.file("partial.layerstore"), shards: Array(shards[0..<2]))
        #expect(partial.missingShards == [2] && partial.utterances == 5)
    }

    @Test func mismatchedShardsAreRefused() throws {
        let scratch = try ScratchFolder()
        let corpus = try TestCorpus.make(in: scratch.url, count: 4)
        var a = corpus.request(out: scratch.file("a.layerstore"))
        a.shard = Shard(index: 0, count: 2)
        _ = try Extractor.run(a, environment: TestCorpus.environment(FakeModel()))
        var b = corpus.request(out: scratch.file("b.layerstore"))
        b.shard = Shard(index: 1, count: 2)
        b.dtype = .float32
        _ = try Extractor.run(b, environment: TestCorpus.environment(FakeModel()))
        #expect(throws: StoreError.self) { try StoreMerger.merge(into: scratch.file("m.layerstore"), shards: [a.out, b.out]) }
        // The same shard twice overlaps.
        do {
            _ = try StoreMerger.merge(into: scratch.file("m.layerstore"), shards: [a.out, a.out])
            Issue.record("overlapping shards were merged")
        } catch let error as StoreError {
            #expect(error.message.contains("shards must not overlap"))
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.file("m.layerstore").path))
        #expect(throws: StoreError.self) { try StoreMerger.merge(into: a.out, shards: [a.out]) }
    }

    @Test func shardArgument() {
        #expect(Shard("0/4") == Shard(index: 0, count: 4))
        #expect(Shard("3/4") == Shard(index: 3, count: 4))
        for text in ["4/4", "-1/4", "1/0", "1", "a/b", "1/2/3"] { #expect(Shard(text) == nil, "\(text)") }
        #expect((0..<8).filter { Shard(index: 1, count: 3).contains(position: $0) } == [1, 4, 7])
    }
}
