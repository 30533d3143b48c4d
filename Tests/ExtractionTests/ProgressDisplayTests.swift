import Testing
@testable import Extraction

@Suite struct ProgressDisplayTests {
    static func progress(done: Int, computed: Int, audio: Double, elapsed: Double) -> ExtractionProgress {
        ExtractionProgress(done: done, total: 1000, computed: computed, audioSeconds: audio, elapsed: elapsed, utterance: "U1")
    }

    @Test func terminalBar() {
        let line = ProgressDisplay.bar(Self.progress(done: 450, computed: 400, audio: 1240, elapsed: 400), width: 10)
        // 45 % of 10 cells is 4½: four full blocks and a half block.
        #expect(line == "[████▌     ]  45% 450/1000 · 3.1× real time · 9m10s left · U1")
    }

    @Test func plainLinesEveryInterval() {
        var lines: [String] = []
        let display = ProgressDisplay(interactive: false, interval: 10) { lines.append($0) }
        for k in 1...30 { display.update(Self.progress(done: k, computed: k, audio: Double(k) * 4, elapsed: Double(k))) }
        display.update(ExtractionProgress(done: 1000, total: 1000, computed: 31, audioSeconds: 124, elapsed: 31, utterance: "U9"))
        display.finish()
        #expect(lines == [
            "extract: 1/1000 utterances (0%), 4.0× real time, 16m39s left\n",
            "extract: 11/1000 utterances (1%), 4.0× real time, 16m29s left\n",
            "extract: 21/1000 utterances (2%), 4.0× real time, 16m19s left\n",
            "extract: 1000/1000 utterances (100%), 4.0× real time, done\n",
        ])
    }

    @Test func terminalRedrawsInPlace() {
        var output = ""
        let display = ProgressDisplay(interactive: true) { output += $0 }
        display.update(Self.progress(done: 1, computed: 0, audio: 0, elapsed: 0.5))
        display.update(Self.progress(done: 2, computed: 1, audio: 3, elapsed: 1))
        display.finish()
        #expect(output.filter { $0 == "\r" }.count == 2)
        #expect(output.hasSuffix("\n") && output.contains("time left unknown") && output.contains("3.0× real time"))
    }

    @Test func durations() {
        #expect(ProgressDisplay.duration(59.4) == "59s")
        #expect(ProgressDisplay.duration(61) == "1m01s")
        #expect(ProgressDisplay.duration(7322) == "2h02m")
    }
}
