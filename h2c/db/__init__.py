"""Postgres migration: dump a Heroku-like source, restore into the Convox target, verify.

The only package that imports psycopg2 or runs pg_dump/pg_restore. The source is never written:
pg_dump runs with ``default_transaction_read_only`` and every source session is read-only.
DSNs are ``postgresql://`` URLs; any message that shows one has its password masked.

Library API (each result names its table, column or sequence)::

    dump.dump(source_dsn, file) -> DumpResult(file, size, pg_dump_version)
    restore.preflight(file) -> Preflight(header, entries, dumped_by, pg_restore)
        # InputError (exit 2): not a PGDMP file; EnvironmentMissing (exit 3): dump newer
        # than the local pg_restore (message names both versions)
    restore.restore(file, target_dsn, jobs=None, force=False, on_progress=None)
        -> RestoreResult(returncode, errors, errors_ignored, items_done, items_total,
                         extensions_created, warnings, dumped_by, pg_restore_version; .ok)
        # InputError (exit 2): non-empty target without force
        # on_progress(done: int, total: int, label: str)
    verify.count_rows(source_dsn, target_dsn, workers=None) -> list[TableCount(table, source,
        target; .ok)]     # source/target None: the table is missing on that side
    verify.sequences(target_dsn) -> list[SequenceState(sequence, column, last_value,
        max_value; .ok)]  # column is "schema.table.column"
    verify.verify(source_dsn, target_dsn, workers=None, with_checksums=False,
                  checksum_hash="fast")
        -> VerifyReport(counts, sequences, schema, checksums, tables_without_pk; .ok)
    schema.diff(source_dsn, target_dsn, kinds=None) -> list[SchemaDifference(kind, object,
        source, target)]  # kind: table|column|constraint|index|sequence|extension
    checksums.compare(source_dsn, target_dsn, table, fanout=32, hash="fast", min_rows=64)
        -> list[ChunkDifference(table, key_range, source, target)]  # (count, checksum) pairs
        # table: "schema.table" or a catalog.TableInfo; hash: "fast" (hashtextextended,
        # the default) | "md5"; > 10 differing ranges in one table are summarized as one
    checksums.compare_tables(source_dsn, target_dsn, tables, workers=None, hash="fast")
    report.to_json(report) / report.sections(report) / report.summary(report)

Tables are named ``schema.table`` everywhere.
"""
