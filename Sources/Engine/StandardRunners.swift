/// The runners the explorer's engine uses: the Analysis module's SVCCA/probe runner and its UMAP runner.
public enum StandardRunners {
    public static var all: [any JobRunner] { [AnalysisJobRunner(), UMAPJobRunner()] }
}
