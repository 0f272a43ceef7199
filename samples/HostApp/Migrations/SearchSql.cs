using Microsoft.EntityFrameworkCore.Migrations;

namespace HostApp.Migrations;

/// <summary>
/// The message search index, which the EF Core model cannot describe: the SQL of the migration
/// <c>MessageSearchIndex</c> on each provider, kept here so that it survives regenerating the migration.
/// It is the same schema DfChat creates by itself where it is missing (hosts that use <c>EnsureCreated</c>);
/// the messages stored before it are indexed by DfChat at start, in batches, not by this migration.
/// </summary>
internal static class SearchSql
{
    public static void Up(MigrationBuilder migrationBuilder, bool postgres)
    {
        if (postgres)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION dfchat_search_vector(text) RETURNS tsvector
                    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                    AS $f$ SELECT to_tsvector('simple'::regconfig, translate(regexp_replace(normalize($1, NFD), '[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]', '', 'g'), 'øØłŁđĐ', 'oOlLdD')) $f$;
                """);
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION dfchat_messages_search() RETURNS trigger
                    LANGUAGE plpgsql
                    AS $f$ BEGIN NEW."SearchVector" := dfchat_search_vector(NEW."Text"); RETURN NEW; END $f$;
                """);
            migrationBuilder.Sql("""ALTER TABLE "ChatMessages" ADD COLUMN IF NOT EXISTS "SearchVector" tsvector;""");
            migrationBuilder.Sql("""
                CREATE OR REPLACE TRIGGER "ChatMessages_search" BEFORE INSERT OR UPDATE OF "Text" ON "ChatMessages"
                    FOR EACH ROW EXECUTE FUNCTION dfchat_messages_search();
                """);
            migrationBuilder.Sql("""CREATE INDEX IF NOT EXISTS "IX_ChatMessages_SearchVector" ON "ChatMessages" USING GIN ("SearchVector");""");
            return;
        }

        migrationBuilder.Sql("""
            CREATE VIRTUAL TABLE IF NOT EXISTS "ChatMessageSearch" USING fts5("Text", content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
            """);
        CreateSqliteInsertTrigger(migrationBuilder);
        migrationBuilder.Sql("""
            CREATE TRIGGER IF NOT EXISTS "ChatMessages_search_update" AFTER UPDATE OF "Text" ON "ChatMessages"
            BEGIN
                DELETE FROM "ChatMessageSearch" WHERE rowid = old."Id";
                INSERT INTO "ChatMessageSearch"(rowid, "Text") SELECT new."Id", new."Text" WHERE new."Text" IS NOT NULL;
            END;
            """);
        migrationBuilder.Sql("""
            CREATE TRIGGER IF NOT EXISTS "ChatMessages_search_delete" AFTER DELETE ON "ChatMessages"
            BEGIN
                DELETE FROM "ChatMessageSearch" WHERE rowid = old."Id";
            END;
            """);
    }

    /// <summary>
    /// The SQLite trigger that indexed each inserted message until DfChat's writes did it themselves (much
    /// faster: see <c>SqliteSearchRows</c>); created by <c>MessageSearchIndex</c>, dropped by <c>SearchRowsWrittenByChat</c>.
    /// </summary>
    public static void CreateSqliteInsertTrigger(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""
            CREATE TRIGGER IF NOT EXISTS "ChatMessages_search_insert" AFTER INSERT ON "ChatMessages" WHEN new."Text" IS NOT NULL
            BEGIN
                INSERT INTO "ChatMessageSearch"(rowid, "Text") VALUES (new."Id", new."Text");
            END;
            """);

    /// <summary>Drops the trigger of <see cref="CreateSqliteInsertTrigger"/>: DfChat's writes index the messages they insert.</summary>
    public static void DropSqliteInsertTrigger(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "ChatMessages_search_insert";""");

    /// <summary>
    /// The bucketed GIN index of the search on PostgreSQL (each word prefixed with its message's bucket of
    /// 4,096 ids, so that a search reads a rare word's newest matches bucket by bucket), as DfChat creates it
    /// where it is missing. Built in the migration's transaction, like every migration here, so writes to the
    /// messages wait for it (about 20 s a million messages); on a large table, create it beforehand with
    /// <c>CREATE INDEX CONCURRENTLY</c> and the same definition, and this skips it.
    /// </summary>
    public static void UpBuckets(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE OR REPLACE FUNCTION dfchat_search_buckets(tsvector, bigint) RETURNS tsvector
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                AS $f$ SELECT array_to_tsvector(ARRAY(SELECT ($2 >> 12)::text || ' ' || u.lexeme FROM unnest($1) AS u)) $f$;
            """);
        migrationBuilder.Sql("""
            CREATE OR REPLACE FUNCTION dfchat_search_bucket_query(tsquery, bigint) RETURNS tsquery
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                AS $f$ SELECT regexp_replace($1::text, '''((?:[^'']|'''')*)''', '''' || $2 || ' \1''', 'g')::tsquery $f$;
            """);
        migrationBuilder.Sql("""
            CREATE INDEX IF NOT EXISTS "IX_ChatMessages_SearchBuckets" ON "ChatMessages"
                USING GIN (dfchat_search_buckets("SearchVector", "Id")) WITH (gin_pending_list_limit = 64);
            """);
    }

    /// <summary>Drops what <see cref="UpBuckets"/> made.</summary>
    public static void DownBuckets(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_ChatMessages_SearchBuckets";""");
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS dfchat_search_bucket_query(tsquery, bigint);");
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS dfchat_search_buckets(tsvector, bigint);");
    }

    public static void Down(MigrationBuilder migrationBuilder, bool postgres)
    {
        if (postgres)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "ChatMessages_search" ON "ChatMessages";""");
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_ChatMessages_SearchVector";""");
            migrationBuilder.Sql("""ALTER TABLE "ChatMessages" DROP COLUMN IF EXISTS "SearchVector";""");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS dfchat_messages_search();");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS dfchat_search_vector(text);");
            return;
        }

        migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "ChatMessages_search_insert";""");
        migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "ChatMessages_search_update";""");
        migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "ChatMessages_search_delete";""");
        migrationBuilder.Sql("""DROP TABLE IF EXISTS "ChatMessageSearch";""");
    }
}
