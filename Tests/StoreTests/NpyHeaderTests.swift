import Foundation
import Testing
@testable import Store

/// The `.npy` header parser against headers numpy wrote, and the writer against numpy's layout.
@Suite struct NpyHeaderTests {
    private func header(_ name: String) throws -> NpyHeader {
        try NpyHeader.read(from: Bundle.module.bundleURL.appendingPathComponent("Fixtures/headers/\(name).npy"))
    }

    @Test func parsesWhatNumpyWrites() throws {
        #expect(try header("f4_2d") == NpyHeader(dtype: .float32, shape: [3, 5], dataOffset: 128))
        #expect(try header("f2_1d").shape == [7])
        #expect(try header("f8_be_3d").dtype == NpyDType(kind: .float, itemSize: 8, bigEndian: true))
        #expect(try header("f8_be_3d").shape == [2, 3, 4])
        #expect(try header("fortran").fortranOrder)
        #expect(try header("scalar").shape == [])
        #expect(try header("u7").dtype == NpyDType(kind: .unicode, itemSize: 28))
        #expect(try header("bytes").dtype == NpyDType(kind: .bytes, itemSize: 2))
        #expect(try header("i8").dtype == .int64)
        #expect(try header("bool").dtype.kind == .bool)
        #expect(try header("empty").shape == [0, 4])
        let v3 = try header("v3")
        #expect(v3.shape == [2, 2] && v3.dataOffset % 64 == 0)
    }

    /// Every header numpy wrote re-encodes to numpy's exact bytes.
    @Test(arguments: ["f4_2d", "f2_1d", "f8_be_3d", "fortran", "i8", "empty"])
    func encodesLikeNumpy(name: String) throws {
        let url = Bundle.module.bundleURL.appendingPathComponent("Fixtures/headers/\(name).npy")
        let parsed = try NpyHeader.read(from: url)
        let bytes = try Data(contentsOf: url).prefix(parsed.dataOffset)
        #expect(Data(parsed.encoded()) == bytes)
    }

    @Test func refusesWhatItCannotRead() throws {
        func parse(_ text: String) throws -> NpyHeader? {
            var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0]
            let body = Array(text.utf8)
            bytes += [UInt8(body.count & 0xff), UInt8(body.count >> 8)] + body
            return try bytes.withUnsafeBytes { try NpyHeader.parse($0, file: "x.npy") }
        }
        #expect(throws: StoreError.self) { try parse("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }\n") }
        #expect(throws: StoreError.self) { try parse("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }\n") }
        #expect(throws: StoreError.self) { try parse("{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (2,), }\n") }
        #expect(throws: StoreError.self) { try parse("{'descr': '<f4', 'shape': (2,), }\n") }
        #expect(throws: StoreError.self) { try parse("not a dict") }
        #expect(throws: StoreError.self) { try parse("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }\n") }
        #expect(try parse("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n")?.shape == [2, 3])
        // A prefix shorter than the header asks for more bytes instead of failing.
        let short: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 100, 0, 0x7B]
        let partial = try short.withUnsafeBytes { try NpyHeader.parse($0, file: "x.npy") }
        #expect(partial == nil)
    }
}

@Suite struct TextInputTests {
    @Test func csvQuotingAndLineNumbers() throws {
        let rows = try DelimitedText.split("a,b\n\"x,1\",\"say \"\"hi\"\"\"\n\n3,\"two\nlines\"\r\n5,6", delimiter: ",", file: "t.csv")
        #expect(rows.map(\.line) == [1, 2, 4, 6])
        #expect(rows[1].fields == ["x,1", "say \"hi\""])
        #expect(rows[2].fields == ["3", "two\nlines"])
        #expect(throws: StoreError.self) { try DelimitedText.split("a\n\"open", delimiter: ",", file: "t.csv") }
    }

    @Test func naturalOrderComparesNumbersByValue() {
        #expect(["10", "2", "1", "a10", "a9"].sorted(by: naturalOrder) == ["1", "2", "10", "a9", "a10"])
    }

    @Test func centralFrameFollowsTheDefinition() {
        // floor(((start + end) / 2) / 0.02), in double precision as numpy computes it.
        #expect(TokenTable.centralFrame(start: 0.5, end: 0.7) == 30)
        #expect(TokenTable.centralFrame(start: 0.0, end: 0.02) == 0)
        #expect(TokenTable.centralFrame(start: 1.0, end: 1.04) == 51)
    }

    @Test func layerNumbersInFileNames() {
        let cases: [(String, Int?)] = [("L07.npy", 7), ("layer_12.npy", 12), ("hidden_states-3.npy", 3), ("hs5.npy", 5),
                                       ("model_v2.npy", nil), ("embeddings.npy", nil), ("wav2vec_layer_4.npy", 4)]
        for (name, number) in cases {
            #expect(LayerPlan.layerNumber(in: URL(fileURLWithPath: name)) == number, "\(name)")
        }
    }
}
