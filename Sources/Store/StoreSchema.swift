import GRDB

/// The SQLite schema of a store, as GRDB migrations. docs/STORE.md describes every table.
///
/// `formatVersion` changes only when an older layerscope could no longer read a store correctly;
/// additive changes (a new table) are new migrations under the same format version.
enum StoreSchema {
    static let formatVersion = 1

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("format-1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                );
                CREATE TABLE utterances (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    speaker TEXT NOT NULL,
                    audio TEXT,
                    alignment TEXT,
                    duration REAL
                );
                CREATE TABLE label_columns (
                    position INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE
                );
                CREATE TABLE models (
                    name TEXT PRIMARY KEY NOT NULL,
                    dim INTEGER NOT NULL,
                    dtype TEXT NOT NULL,
                    layer_count INTEGER NOT NULL,
                    checkpoint TEXT,
                    settings TEXT,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE arrays (
                    model TEXT NOT NULL REFERENCES models(name) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    layer INTEGER NOT NULL DEFAULT -1,
                    task TEXT NOT NULL DEFAULT '',
                    path TEXT NOT NULL UNIQUE,
                    dtype TEXT NOT NULL,
                    rows INTEGER NOT NULL,
                    cols INTEGER NOT NULL,
                    bytes INTEGER NOT NULL,
                    params TEXT,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (model, kind, layer, task)
                );
                CREATE TABLE tasks (
                    model TEXT NOT NULL REFERENCES models(name) ON DELETE CASCADE,
                    task TEXT NOT NULL,
                    classes TEXT NOT NULL,
                    value_kind TEXT NOT NULL,
                    PRIMARY KEY (model, task)
                );
                CREATE TABLE frame_ranges (
                    model TEXT NOT NULL,
                    task TEXT NOT NULL,
                    utterance TEXT NOT NULL,
                    first_row INTEGER NOT NULL,
                    row_count INTEGER NOT NULL,
                    PRIMARY KEY (model, task, utterance),
                    FOREIGN KEY (model, task) REFERENCES tasks(model, task) ON DELETE CASCADE
                );
                CREATE TABLE analyses (
                    model TEXT NOT NULL REFERENCES models(name) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    layer INTEGER NOT NULL,
                    label TEXT NOT NULL DEFAULT '',
                    params TEXT NOT NULL,
                    inputs TEXT NOT NULL,
                    result TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (model, kind, layer, label)
                );
                """)
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('format_version', ?)",
                           arguments: [String(formatVersion)])
        }
        return migrator
    }

    /// Creates the token table, whose label columns are the user's (quoted, so any name works).
    static func createTokenTable(_ db: Database, labels: [String]) throws {
        let labelColumns = labels.map { ", \($0.quotedDatabaseIdentifier) TEXT" }.joined()
        try db.execute(sql: """
            CREATE TABLE tokens (
                row INTEGER PRIMARY KEY,
                utterance TEXT NOT NULL,
                speaker TEXT NOT NULL,
                start REAL NOT NULL,
                "end" REAL NOT NULL,
                frame INTEGER NOT NULL\(labelColumns)
            )
            """)
    }
}
