/// The runners the explorer's engine uses: the Analysis module's SVCCA and probe runner (and its
/// UMAP runner once that is wired).
public enum StandardRunners {
    public static var all: [any JobRunner] { [AnalysisJobRunner()] }
}
