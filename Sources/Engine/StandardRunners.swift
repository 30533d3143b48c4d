/// The runners the explorer's engine uses: the Analysis module's SVCCA, probe and UMAP runners.
public enum StandardRunners {
    public static var all: [any JobRunner] { [] }
}
