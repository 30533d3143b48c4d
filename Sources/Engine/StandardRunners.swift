/// The runners the explorer's engine uses: the Analysis module's SVCCA/probe runner, its UMAP
/// runner, and the extraction of missing layers.
public enum StandardRunners {
    public static var all: [any JobRunner] { [AnalysisJobRunner(), UMAPJobRunner(), ExtractLayerRunner()] }
}
