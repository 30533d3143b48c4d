import ArgumentParser

/// Every benchmark subcommand; each lives in its own file.
let benchmarks: [ParsableCommand.Type] = [
    HalfConversionBench.self,
    ExplorerBench.self,
    SpeechModelBench.self,
    AnalysisBench.self,
    UMAPNeighborsBench.self,
    UMAPBench.self,
    UMAPAlignBench.self,
    ClustersBench.self,
]
