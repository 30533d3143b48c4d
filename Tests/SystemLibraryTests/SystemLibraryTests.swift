import CNcursesw
import COpenBLAS
import CSndfile
import Foundation
import Testing

/// Each system library links and answers: a missing one fails here (or in the build), and the
/// message names the Debian package to install.
@Suite struct SystemLibraryTests {
    @Test func openBLASMultiplies() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
        #expect(c == [19, 22, 43, 50], "OpenBLAS is broken: reinstall libopenblas-dev")
    }

    @Test func openBLASHasLAPACK() {
        var matrix: [Double] = [2, 1, 1, 2]
        var values = [Double](repeating: 0, count: 2)
        var n: Int32 = 2, lda: Int32 = 2, info: Int32 = 0, lwork: Int32 = 64, liwork: Int32 = 16
        var work = [Double](repeating: 0, count: 64)
        var iwork = [Int32](repeating: 0, count: 16)
        dsyevd_("V", "U", &n, &matrix, &lda, &values, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        #expect(info == 0)
        #expect(abs(values[0] - 1) < 1e-12 && abs(values[1] - 3) < 1e-12)
    }

    @Test func sndfileWritesAndReadsWav() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ls-\(UUID().uuidString).wav").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var info = SF_INFO()
        info.samplerate = 16000
        info.channels = 1
        info.format = Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
        let writer = sf_open(path, Int32(SFM_WRITE), &info)
        #expect(writer != nil, "libsndfile cannot write: install libsndfile1-dev")
        var samples = (0..<1600).map { Float(sin(Double($0) * 0.05)) * 0.5 }
        #expect(sf_writef_float(writer, &samples, 1600) == 1600)
        sf_close(writer)
        var readInfo = SF_INFO()
        let reader = sf_open(path, Int32(SFM_READ), &readInfo)
        #expect(reader != nil)
        #expect(readInfo.frames == 1600 && readInfo.samplerate == 16000)
        sf_close(reader)
    }

    @Test func ncursesKnowsWideCharacters() {
        // The wide-character API exists only when NCURSES_WIDECHAR reached the header.
        var cell = cchar_t()
        var braille: [wchar_t] = [0x28FF, 0]
        #expect(setcchar(&cell, &braille, 0, 0, nil) == OK)
        #expect(curses_version() != nil)
    }
}
