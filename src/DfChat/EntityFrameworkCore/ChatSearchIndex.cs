using System.Collections.Concurrent;
using DfChat.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace DfChat.EntityFrameworkCore;

/// <summary>
/// The full-text index of the messages' text, which the EF Core model cannot describe: on SQLite an FTS5
/// table (<c>unicode61 remove_diacritics 2</c>), on PostgreSQL a <c>tsvector</c> column with a GIN index.
/// It is kept in step in the message's own transaction: on PostgreSQL by a trigger, whoever writes; on
/// SQLite, the chat's write batches add the rows of the messages they insert (<see cref="SqliteSearchRows"/>,
/// which says why not a trigger) and triggers follow every edit and delete, whoever makes it (a cascade,
/// the host's own SQL). Messages a host inserts with its own SQL on SQLite are indexed at the next start.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="EnsureAsync"/> creates what is missing (hosts that build their schema with
/// <c>EnsureCreated</c>, or a SQLite table rebuilt by a later migration, which drops its triggers), then
/// indexes the messages that are not yet indexed in batches of <see cref="BatchSize"/>, each batch one short
/// statement of its own, so that writers are never held up by a long one. It runs once per database and
/// process (at start by the AspNetCore package, and before the first search in any case); a database whose
/// schema comes from migrations has everything already and only checks.
/// </para>
/// <para>
/// PostgreSQL folds diacritics with <c>normalize(…, NFD)</c> and the removal of combining marks, in an
/// immutable function of its own, so that no extension (<c>unaccent</c>) is needed.
/// </para>
/// <para>
/// A GIN index lists a word's matches in no useful order, so a page of a rare word's newest matches costs
/// a heap row for each of its matches. PostgreSQL therefore has a second GIN index of the same words, each
/// prefixed with the bucket of <see cref="PostgresBucketSize"/> message ids it occurs in (<c>'488 quiet'</c>):
/// a search asks it for the newest bucket first and stops when its page is full, reading a few buckets'
/// matches only. It is an expression index on the <c>tsvector</c> and the id, so PostgreSQL keeps it in
/// step itself. Its pending list (<c>fastupdate</c>) is held to 64 kB: a search reads the index once per
/// bucket and scans the whole pending list each time (with the default 4 MB, 22–35 ms for a word found
/// nowhere), while without one, 32 concurrent writers all write the newest bucket's entries and wait on
/// each other (7,000 inserts a second against 11,000 with 64 kB and 16,000 without the index).
/// </para>
/// </remarks>
internal sealed partial class ChatSearchIndex(ILogger<ChatSearchIndex> logger)
{
    /// <summary>The FTS5 table on SQLite; its rowid is the message's id.</summary>
    public const string SqliteTable = "ChatMessageSearch";

    /// <summary>The column of the messages' table on PostgreSQL.</summary>
    public const string PostgresColumn = "SearchVector";

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _ready = new(StringComparer.Ordinal);

    /// <summary>How many messages one backfill statement indexes.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>How many of the newest messages (of the caller's rooms, or of the room) a search on PostgreSQL reads in id order before it asks the GIN indexes: a common word fills its page there.</summary>
    public int PostgresWindow { get; set; } = 250;

    /// <summary>How many buckets of <see cref="PostgresBucketSize"/> ids a search on PostgreSQL reads one after the other before it asks the plain GIN index for every older match.</summary>
    public int PostgresBuckets { get; set; } = 32;

    /// <summary>The bits of a message id below its bucket (<c>"Id" &gt;&gt; 12</c>).</summary>
    public const int PostgresBucketBits = 12;

    /// <summary>How many message ids share a bucket of the bucketed index on PostgreSQL: 4,096.</summary>
    public const int PostgresBucketSize = 1 << PostgresBucketBits;

    /// <summary>The bucketed GIN index on PostgreSQL.</summary>
    public const string PostgresBucketIndex = "IX_ChatMessages_SearchBuckets";

    /// <summary>Whether the context is on PostgreSQL (else SQLite; other providers have no search index).</summary>
    public static bool IsPostgres(DbContext db) => db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true;

    /// <summary>Whether the context is on SQLite.</summary>
    public static bool IsSqlite(DbContext db) => db.Database.ProviderName?.Contains("Sqlite", StringComparison.Ordinal) == true;

    /// <summary>Creates the index where it is missing and indexes the messages not yet indexed; once per database.</summary>
    public async Task EnsureAsync(DbContext db, CancellationToken cancellationToken)
    {
        var key = db.Database.ProviderName + "|" + db.Database.GetConnectionString();
        if (_ready.ContainsKey(key))
            return;
        var gate = _gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (_ready.ContainsKey(key))
                return;
            if (IsSqlite(db))
                await EnsureSqliteAsync(db, cancellationToken);
            else if (IsPostgres(db))
                await EnsurePostgresAsync(db, cancellationToken);
            _ready[key] = true;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task EnsureSqliteAsync(DbContext db, CancellationToken cancellationToken)
    {
        var present = await ScalarAsync(db,
            $"SELECT COUNT(*) FROM sqlite_master WHERE (type = 'table' AND name = '{SqliteTable}') OR (type = 'trigger' AND name IN ('ChatMessages_search_update', 'ChatMessages_search_delete'))",
            cancellationToken);
        var obsolete = await ScalarAsync(db, $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = '{ObsoleteSqliteInsertTrigger}'", cancellationToken);
        if (present < 3 || obsolete > 0)
        {
            LogCreating(logger, "SQLite FTS5 table and triggers");
            await db.Database.ExecuteSqlRawAsync(SqliteSchema, cancellationToken);
        }

        var missing = $"""
            FROM "ChatMessages" AS m
            WHERE m."Text" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "{SqliteTable}_docsize" AS d WHERE d."id" = m."Id")
            """;
        await BackfillAsync(db, missing, $"""INSERT INTO "{SqliteTable}"(rowid, "Text") SELECT m."Id", m."Text" {missing}""", cancellationToken);
    }

    private async Task EnsurePostgresAsync(DbContext db, CancellationToken cancellationToken)
    {
        var present = await ScalarAsync(db, $"""
            SELECT (SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'ChatMessages' AND column_name = '{PostgresColumn}')
                 + (SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'IX_ChatMessages_{PostgresColumn}')
                 + (SELECT COUNT(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname = 'ChatMessages' AND t.tgname = 'ChatMessages_search' AND c.relnamespace = current_schema()::regnamespace)
            """, cancellationToken);
        if (present < 3)
        {
            LogCreating(logger, "PostgreSQL tsvector column, GIN index and trigger");
            await db.Database.ExecuteSqlRawAsync(PostgresSchema, cancellationToken);
        }

        var missing = $"""
            FROM "ChatMessages" AS m
            WHERE m."{PostgresColumn}" IS NULL AND m."Text" IS NOT NULL
            """;
        await BackfillAsync(db, missing, $"""UPDATE "ChatMessages" SET "{PostgresColumn}" = dfchat_search_vector("Text") WHERE "Id" IN (SELECT m."Id" {missing}""", cancellationToken);
        await EnsurePostgresBucketsAsync(db, cancellationToken);
    }

    /// <summary>
    /// Creates the bucketed index where it is missing (a database whose schema predates it), concurrently, so that
    /// writers go on while it is built; an index left invalid by a build that failed is built again.
    /// </summary>
    private async Task EnsurePostgresBucketsAsync(DbContext db, CancellationToken cancellationToken)
    {
        var state = await ScalarAsync(db, $"""
            SELECT COALESCE((SELECT CASE WHEN i.indisvalid THEN 2 ELSE 1 END FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
                WHERE c.relname = '{PostgresBucketIndex}' AND c.relnamespace = current_schema()::regnamespace), 0)
            """, cancellationToken);
        if (state == 2)
            return;
        LogCreating(logger, "PostgreSQL bucketed GIN index");
        await db.Database.ExecuteSqlRawAsync(PostgresBucketFunctions, cancellationToken);
        if (state == 1)
            await db.Database.ExecuteSqlRawAsync($"""DROP INDEX CONCURRENTLY IF EXISTS "{PostgresBucketIndex}";""", cancellationToken);
        var timeout = db.Database.GetCommandTimeout();
        db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
        try
        {
            await db.Database.ExecuteSqlRawAsync(PostgresBucketIndexSql, cancellationToken);
        }
        finally
        {
            db.Database.SetCommandTimeout(timeout);
        }
    }

    /// <summary>
    /// Indexes the messages that <paramref name="missing"/> finds, a batch of ids at a time in id order; each
    /// statement is <paramref name="index"/> limited to one id range, so that it stays short whatever the history.
    /// </summary>
    private async Task BackfillAsync(DbContext db, string missing, string index, CancellationToken cancellationToken)
    {
        if (await ScalarAsync(db, $"SELECT CASE WHEN EXISTS (SELECT 1 {missing}) THEN 1 ELSE 0 END", cancellationToken) == 0)
            return;
        // Constant text of this class; the ids go as parameters.
        var batch = index + """ AND m."Id" > {0} AND m."Id" <= {1}""" + (index.StartsWith("UPDATE", StringComparison.Ordinal) ? ")" : "");
        long from = 0;
        long total = 0;
        while (true)
        {
            var upper = await ScalarAsync(db,
                $"""SELECT COALESCE(MAX("Id"), 0) FROM (SELECT "Id" FROM "ChatMessages" WHERE "Id" > {from} ORDER BY "Id" LIMIT {BatchSize}) AS b""",
                cancellationToken);
            if (upper <= from)
                break;
            total += await db.Database.ExecuteSqlRawAsync(batch, [from, upper], cancellationToken);
            from = upper;
        }

        LogBackfilled(logger, total);
    }

    /// <summary>The most whole terms a search's last word is expanded into on SQLite; beyond, FTS5's prefix query.</summary>
    public const int MaxPrefixTerms = 64;

    /// <summary>
    /// On SQLite, the index's terms that start with <paramref name="prefix"/>, in order, read from an
    /// <c>fts5vocab</c> table of this connection's temporary schema one term after the other (each step a seek
    /// that stops at the next term); null when FTS5's own prefix query must be used instead: more than
    /// <see cref="MaxPrefixTerms"/> terms, or a prefix that is not plain ASCII letters and digits (which
    /// <c>unicode61</c> folds exactly as <see cref="SearchTerms.Fold"/> does, so that the range of terms is the
    /// one FTS5's prefix query would read).
    /// </summary>
    public static async Task<IReadOnlyList<string>?> ExpandSqlitePrefixAsync(DbContext db, string prefix, CancellationToken cancellationToken)
    {
        if (prefix.Length == 0 || !prefix.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9')))
            return null;
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = SqliteTermsSql;
            var parameter = command.CreateParameter();
            parameter.ParameterName = "$prefix";
            parameter.Value = prefix;
            command.Parameters.Add(parameter);
            var terms = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (terms.Count == MaxPrefixTerms)
                    return null;
                terms.Add(reader.GetString(0));
            }

            return terms;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// The terms of the FTS5 table that start with <c>$prefix</c>, at most <see cref="MaxPrefixTerms"/> + 1: a
    /// recursive walk, each step the first term at or after the previous one followed by <c>char(1)</c> (no
    /// term holds a control character, so nothing lies between). The <c>fts5vocab</c> table lives in the
    /// connection's temporary schema (created here when missing), so that it is no part of the database's schema.
    /// </summary>
    private const string SqliteTermsSql = $"""
        CREATE VIRTUAL TABLE IF NOT EXISTS temp."dfchat_search_terms" USING fts5vocab(main, "{SqliteTable}", 'instance');
        WITH RECURSIVE t(n, term) AS (
            SELECT 1, (SELECT v.term FROM temp."dfchat_search_terms" AS v WHERE v.term >= $prefix LIMIT 1)
            UNION ALL
            SELECT t.n + 1, (SELECT v.term FROM temp."dfchat_search_terms" AS v WHERE v.term >= t.term || char(1) LIMIT 1)
            FROM t WHERE substr(t.term, 1, length($prefix)) = $prefix AND t.n <= 64)
        SELECT t.term FROM t WHERE substr(t.term, 1, length($prefix)) = $prefix;
        """;

    private static async Task<long> ScalarAsync(DbContext db, string sql, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The trigger that indexed each inserted message on SQLite before <see cref="SqliteSearchRows"/> did.</summary>
    public const string ObsoleteSqliteInsertTrigger = "ChatMessages_search_insert";

    /// <summary>The SQL of <see cref="ObsoleteSqliteInsertTrigger"/>, to rebuild a database of before (tests, benchmarks).</summary>
    public const string ObsoleteSqliteInsertTriggerSql = $"""
        CREATE TRIGGER "{ObsoleteSqliteInsertTrigger}" AFTER INSERT ON "ChatMessages" WHEN new."Text" IS NOT NULL
        BEGIN
            INSERT INTO "{SqliteTable}"(rowid, "Text") VALUES (new."Id", new."Text");
        END;
        """;

    /// <summary>
    /// A contentless FTS5 table (the text stays in the messages' table only) whose rows can be deleted
    /// (<c>contentless_delete</c>, SQLite 3.43 or later), with the triggers that follow edits and deletes
    /// (inserts are indexed by the chat's writes: <see cref="SqliteSearchRows"/>).
    /// </summary>
    public const string SqliteSchema = $"""
        CREATE VIRTUAL TABLE IF NOT EXISTS "{SqliteTable}" USING fts5("Text", content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
        DROP TRIGGER IF EXISTS "{ObsoleteSqliteInsertTrigger}";
        CREATE TRIGGER IF NOT EXISTS "ChatMessages_search_update" AFTER UPDATE OF "Text" ON "ChatMessages"
        BEGIN
            DELETE FROM "{SqliteTable}" WHERE rowid = old."Id";
            INSERT INTO "{SqliteTable}"(rowid, "Text") SELECT new."Id", new."Text" WHERE new."Text" IS NOT NULL;
        END;
        CREATE TRIGGER IF NOT EXISTS "ChatMessages_search_delete" AFTER DELETE ON "ChatMessages"
        BEGIN
            DELETE FROM "{SqliteTable}" WHERE rowid = old."Id";
        END;
        """;

    /// <summary>
    /// The folding function (lower case by the <c>simple</c> configuration, diacritics removed by
    /// decomposing and dropping combining marks), the column, its trigger and its GIN index.
    /// </summary>
    public const string PostgresSchema = $$"""
        CREATE OR REPLACE FUNCTION dfchat_search_vector(text) RETURNS tsvector
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
            AS $f$ SELECT to_tsvector('simple'::regconfig, translate(regexp_replace(normalize($1, NFD), '[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]', '', 'g'), 'øØłŁđĐ', 'oOlLdD')) $f$;
        CREATE OR REPLACE FUNCTION dfchat_messages_search() RETURNS trigger
            LANGUAGE plpgsql
            AS $f$ BEGIN NEW."{{PostgresColumn}}" := dfchat_search_vector(NEW."Text"); RETURN NEW; END $f$;
        ALTER TABLE "ChatMessages" ADD COLUMN IF NOT EXISTS "{{PostgresColumn}}" tsvector;
        CREATE OR REPLACE TRIGGER "ChatMessages_search" BEFORE INSERT OR UPDATE OF "Text" ON "ChatMessages"
            FOR EACH ROW EXECUTE FUNCTION dfchat_messages_search();
        CREATE INDEX IF NOT EXISTS "IX_ChatMessages_{{PostgresColumn}}" ON "ChatMessages" USING GIN ("{{PostgresColumn}}");
        """;

    /// <summary>
    /// The functions of the bucketed index: <c>dfchat_search_buckets(tsvector, id)</c> gives each word of a message
    /// prefixed with its id's bucket and a space (no word holds a space); <c>dfchat_search_bucket_query(tsquery,
    /// bucket)</c> prefixes every word of a query the same way, its operators and prefix marks kept, so that
    /// <c>'12 caf':*</c> finds the words of bucket 12 that start with <c>caf</c> only.
    /// </summary>
    public static readonly string PostgresBucketFunctions = $$"""
        CREATE OR REPLACE FUNCTION dfchat_search_buckets(tsvector, bigint) RETURNS tsvector
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
            AS $f$ SELECT array_to_tsvector(ARRAY(SELECT ($2 >> {{PostgresBucketBits}})::text || ' ' || u.lexeme FROM unnest($1) AS u)) $f$;
        CREATE OR REPLACE FUNCTION dfchat_search_bucket_query(tsquery, bigint) RETURNS tsquery
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
            AS $f$ SELECT regexp_replace($1::text, '''((?:[^'']|'''')*)''', '''' || $2 || ' \1''', 'g')::tsquery $f$;
        """;

    /// <summary>The bucketed index, built concurrently (a statement of its own, outside any transaction).</summary>
    public const string PostgresBucketIndexSql = $"""
        CREATE INDEX CONCURRENTLY IF NOT EXISTS "{PostgresBucketIndex}" ON "ChatMessages"
            USING GIN (dfchat_search_buckets("{PostgresColumn}", "Id")) WITH (gin_pending_list_limit = 64);
        """;

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Creating the chat's message search index: {What}.")]
    private static partial void LogCreating(ILogger logger, string what);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Indexed {Count} existing messages for search.")]
    private static partial void LogBackfilled(ILogger logger, long count);
}
