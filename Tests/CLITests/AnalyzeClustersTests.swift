import Foundation
import Testing

/// `layerscope analyze --clusters` end to end: the JSON and table shapes docs/CLUSTERS.md documents.
@Suite struct AnalyzeClustersTests {
    /// Per layer, "clusters" maps every label to exactly {nmi, purity, v} or null (with the reason in
    /// errors.clusters); cluster_settings gives k per label; --clusters K fixes k for every label.
    @Test func jsonShape() throws {
        let scratch = try CLI.scratch()
        let store = try AnalyzeCommandTests.makeStore(in: scratch)
        let run = try CLI.run(["analyze", store.path, "--pca", "4", "--clusters", "--cluster-restarts", "3", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let settings = try #require(object["cluster_settings"] as? [String: Any])
        #expect(settings["k"] as? [String: Int] == ["sex": 2, "tone": 3, "register": 1])
        #expect(settings["restarts"] as? Int == 3 && settings["seed"] as? Int == 0)
        let layers = try #require(object["layers"] as? [[String: Any]])
        for layer in layers {
            let clusters = try #require(layer["clusters"] as? [String: Any])
            #expect(Set(clusters.keys) == ["sex", "tone", "register"])
            let sex = try #require(clusters["sex"] as? [String: Double])
            #expect(Set(sex.keys) == ["nmi", "purity", "v"])
            #expect(sex.values.allSatisfy { (0...1).contains($0) })
            #expect(clusters["register"] is NSNull)
            let errors = try #require(layer["errors"] as? [String: [String: String]])
            #expect(errors["clusters"]?["register"]?.contains("only one class") == true)
        }

        let fixed = try CLI.run(["analyze", store.path, "--labels", "sex,tone", "--pca", "4", "--clusters", "4", "--json"])
        let fixedObject = try #require(try JSONSerialization.jsonObject(with: Data(fixed.stdout.utf8)) as? [String: Any])
        #expect((fixedObject["cluster_settings"] as? [String: Any])?["k"] as? [String: Int] == ["sex": 4, "tone": 4])
    }

    /// The table shows NMI/purity beside each label's SVCCA; a bad K is one usage error, exit status 1.
    @Test func tableAndBadK() throws {
        let scratch = try CLI.scratch()
        let store = try AnalyzeCommandTests.makeStore(in: scratch)
        let table = try CLI.run(["analyze", store.path, "--labels", "sex", "--pca", "4", "--clusters", "--cluster-restarts", "2"])
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].contains("k-means (k = classes, 2 restarts): NMI/purity"))
        #expect(lines[2].range(of: #"^\s+0\s+\S+\s+0\.\d{3}\s+0\.\d{3}/[01]\.\d{2}$"#, options: .regularExpression) != nil, "\(lines[2])")
        let bad = try CLI.run(["analyze", store.path, "--clusters", "1"])
        #expect(bad.status == 1 && bad.stderr.contains("--clusters K must be at least 2"))
    }
}
