using DfChat.Entities;
using DfChat.EntityFrameworkCore;
using DfChat.Models;
using DfChat.Rules;
using DfChat.Services;
using Microsoft.EntityFrameworkCore;

namespace DfChat;

/// <summary>
/// Full-text search of messages (API.md §8) on the index of <see cref="ChatSearchIndex"/>: the caller's
/// rooms, or one room it may read, newest first, with keyset paging.
/// </summary>
/// <remarks>
/// Which rooms the caller may read is a condition of the one statement that finds the messages, never a
/// filter over its result: a page is full whenever enough readable messages match, however many
/// messages of other rooms match too.
/// </remarks>
internal sealed class SearchService<TUser, TKey>(ChatStore<TUser, TKey> store, ChatSearchIndex index) : IChatSearchService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public async Task<ChatResult<PageModel<MessageModel>>> SearchMessagesAsync(string callerId, string? q, string? roomId, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;

        long? room = null;
        if (roomId is not null)
        {
            // Outsiders learn nothing about the room, not even that their search is malformed.
            if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
                return ChatError.RoomNotFound;
            room = access.Room.Id;
        }

        if (SearchTerms.TryParse(q, out var terms) is { } invalid)
            return invalid;
        var scope = $"search:{room}:{terms.Digest()}";
        if (store.ValidatePage(page, scope, out var limit, out var cursor) is { } badPage)
            return badPage;
        if (terms.Words.Count == 0)
            return ChatResult<PageModel<MessageModel>>.Ok(new PageModel<MessageModel> { Items = [], NextCursor = null });

        var db = store.Db;
        await index.EnsureAsync(db, cancellationToken);
        var before = cursor?.Id ?? long.MaxValue;
        List<ChatMessage<TKey>> rows;
        if (ChatSearchIndex.IsSqlite(db))
        {
            rows = await SqliteMatchesAsync(db, terms, caller, room, before, limit + 1, cancellationToken);
        }
        else if (room is null)
        {
            rows = await PostgresEverywhereAsync(db, terms, caller, before, index, limit + 1, cancellationToken);
        }
        else
        {
            rows = await PostgresInRoomAsync(db, terms, caller, room.Value, before, index, limit + 1, cancellationToken);
        }

        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, scope, m => (0, m.Id));
        return ChatResult<PageModel<MessageModel>>.Ok(new PageModel<MessageModel>
        {
            Items = await store.BuildMessagesAsync(items, caller, cancellationToken),
            NextCursor = next,
        });
    }

    /// <summary>
    /// On SQLite, the page straight from FTS5 in its rowid order (the message's id), newest first: FTS5 drives
    /// the statement, takes the cursor (and, in one room, the room's newest id) as its own rowid bound, and each
    /// match is joined to its message by primary key and kept if the caller may read its room, so that the
    /// statement stops after <paramref name="take"/> readable matches instead of listing every match first.
    /// The last word's prefix goes to FTS5 as its whole terms when there are few (<see cref="ChatSearchIndex.ExpandSqlitePrefixAsync"/>):
    /// FTS5 merges those lazily in rowid order, whereas a prefix query reads every match of every term first.
    /// </summary>
    private static async Task<List<ChatMessage<TKey>>> SqliteMatchesAsync(
        DbContext db, SearchTerms terms, TKey caller, long? room, long before, int take, CancellationToken cancellationToken)
    {
        var lastWord = await ChatSearchIndex.ExpandSqlitePrefixAsync(db, terms.Words[^1], cancellationToken);
        if (lastWord is { Count: 0 })
            return [];
        var fts = ChatSearchIndex.SqliteTable;
        // Only this class's constants and placeholders go into the text; the words, ids and caller are parameters.
        var sql = room is null
            ? $$"""
                SELECT m.* FROM "{{fts}}" AS s CROSS JOIN "ChatMessages" AS m ON m."Id" = s.rowid
                WHERE s."{{fts}}" MATCH {0} AND s.rowid < {1}
                    AND EXISTS (SELECT 1 FROM "ChatRoomUsers" AS u WHERE u."RoomId" = m."RoomId" AND u."UserId" = {2})
                ORDER BY s.rowid DESC
                LIMIT {3}
                """
            : $$"""
                SELECT m.* FROM "{{fts}}" AS s CROSS JOIN "ChatMessages" AS m ON m."Id" = s.rowid
                WHERE s."{{fts}}" MATCH {0}
                    AND s.rowid < MIN({1}, COALESCE((SELECT MAX(x."Id") FROM "ChatMessages" AS x WHERE x."RoomId" = {4}), 0) + 1)
                    AND m."RoomId" = {4}
                    AND EXISTS (SELECT 1 FROM "ChatRooms" AS r WHERE r."Id" = {4}
                        AND (r."IsPublic" OR EXISTS (SELECT 1 FROM "ChatRoomUsers" AS u WHERE u."RoomId" = {4} AND u."UserId" = {2})))
                ORDER BY s.rowid DESC
                LIMIT {3}
                """;
        object[] parameters = room is { } id
            ? [terms.ToFts5Match(lastWord), before, caller, take, id]
            : [terms.ToFts5Match(lastWord), before, caller, take];
        return await db.Set<ChatMessage<TKey>>().FromSqlRaw(sql, parameters).AsNoTracking().ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Put before each search statement on PostgreSQL, in the same command, for that statement only (a command of
    /// several statements runs in one implicit transaction, which <c>SET LOCAL</c> lasts for; inside a transaction
    /// of the host's, <see cref="WithPlanSettings"/> undoes them after the statement), so the connection keeps its own
    /// settings and no round trip is added:
    /// <list type="bullet">
    /// <item>JIT off: PostgreSQL compiles a plan whose estimated cost passes <c>jit_above_cost</c> (on by default);
    /// these statements are estimated far above it (each bucket at a full-text match's default selectivity), and
    /// compiling took 40 ms of a 1 ms search;</item>
    /// <item>the generic plan of a prepared statement (the host's auto-prepare): otherwise PostgreSQL plans the
    /// statement anew with the word's own statistics for its first five executions on each connection (about 1 ms
    /// of planning each) and again whenever it judges the inflated generic estimate dearer; the generic plan's shape
    /// does not depend on the word, and it runs a search in 0.3–1.5 ms on the benchmark's 2 million messages.</item>
    /// </list>
    /// Measured in docs/BENCHMARKS.md (issue 22, eleventh round).
    /// </summary>
    private const string PlanSettings = "SET LOCAL jit = off; SET LOCAL plan_cache_mode = force_generic_plan;\n";

    /// <summary>
    /// The statement with <see cref="PlanSettings"/> before it. Inside a transaction of the host's, where <c>SET LOCAL</c>
    /// would last until that transaction ends (and force generic plans on the host's own statements), the settings
    /// are made after a savepoint and undone by rolling back to it once the statement has run (it only reads).
    /// </summary>
    private static string WithPlanSettings(DbContext db, string statement) =>
        db.Database.CurrentTransaction is null
            ? PlanSettings + statement
            : "SAVEPOINT dfchat_search; " + PlanSettings + statement + ";\nROLLBACK TO SAVEPOINT dfchat_search; RELEASE SAVEPOINT dfchat_search;";

    /// <summary>
    /// On PostgreSQL, a page across the caller's rooms in three parts under one <c>LIMIT</c>, each read only if the
    /// page is not full yet, whose plan does not depend on how many messages match (a host that auto-prepares
    /// gets a generic plan; the generic plan of a single statement joined the GIN index room by room: 126 s for a
    /// common word, docs/BENCHMARKS.md, issue 22):
    /// <list type="number">
    /// <item>the newest <see cref="ChatSearchIndex.PostgresWindow"/> messages in id order, filtered: a common word fills the page there;</item>
    /// <item>then the bucketed index, bucket after bucket downwards from the window's (<see cref="ChatSearchIndex.PostgresBuckets"/>
    /// of them), each bucket's few matches sorted: a rare word fills the page from its newest buckets;</item>
    /// <item>then every older match from the plain GIN index, sorted (a word met in none of those buckets).</item>
    /// </list>
    /// <c>OFFSET 0</c> keeps the membership check a per-row probe: as a semi-join with the caller's rooms the window
    /// lost its order (every row of it read and sorted before the page was taken), and a bucket was read room by
    /// room, a bitmap of each of the caller's rooms and'ed with the bucket's (1.3 s for a rare word in a generic plan).
    /// In a bucket, <c>"Id" + 0</c> keeps the primary key out of the plan, so that only the bucketed index serves it.
    /// </summary>
    private static Task<List<ChatMessage<TKey>>> PostgresEverywhereAsync(
        DbContext db, SearchTerms terms, TKey caller, long before, ChatSearchIndex index, int take, CancellationToken cancellationToken)
    {
        var column = ChatSearchIndex.PostgresColumn;
        const int bits = ChatSearchIndex.PostgresBucketBits;
        // Only this class's constants and placeholders go into the text; the words, ids and caller are parameters.
        var sql = WithPlanSettings(db, $$"""
            WITH win AS (SELECT COALESCE(MIN(x."Id"), {1}) AS low FROM (SELECT "Id" FROM "ChatMessages" WHERE "Id" < {1} ORDER BY "Id" DESC LIMIT {3}) AS x),
                hits AS MATERIALIZED (SELECT "Id", "RoomId" FROM "ChatMessages" WHERE "{{column}}" @@ to_tsquery('simple', {0}))
            (SELECT m.* FROM (SELECT * FROM "ChatMessages" WHERE "Id" < {1} ORDER BY "Id" DESC LIMIT {3}) AS m
                WHERE m."{{column}}" @@ to_tsquery('simple', {0})
                    AND EXISTS (SELECT 1 FROM "ChatRoomUsers" AS u WHERE u."RoomId" = m."RoomId" AND u."UserId" = {2} OFFSET 0)
                ORDER BY m."Id" DESC)
            UNION ALL
            (SELECT m.* FROM generate_series((SELECT low FROM win) >> {{bits}}, GREATEST(((SELECT low FROM win) >> {{bits}}) - {5} + 1, 0), -1) AS b(n)
                CROSS JOIN LATERAL (SELECT * FROM "ChatMessages" AS x
                    WHERE dfchat_search_buckets(x."{{column}}", x."Id") @@ dfchat_search_bucket_query(to_tsquery('simple', {0}), b.n)
                        AND x."Id" + 0 < (SELECT low FROM win)
                        AND EXISTS (SELECT 1 FROM "ChatRoomUsers" AS u WHERE u."RoomId" = x."RoomId" AND u."UserId" = {2} OFFSET 0)
                    ORDER BY x."Id" DESC) AS m)
            UNION ALL
            (SELECT m.* FROM hits AS h JOIN "ChatMessages" AS m ON m."Id" = h."Id"
                WHERE (SELECT low FROM win) >> {{bits}} >= {5}
                    AND h."Id" < ((((SELECT low FROM win) >> {{bits}}) - {5} + 1) << {{bits}})
                    AND EXISTS (SELECT 1 FROM "ChatRoomUsers" AS u WHERE u."RoomId" = h."RoomId" AND u."UserId" = {2})
                ORDER BY h."Id" DESC)
            LIMIT {4}
            """);
        return db.Set<ChatMessage<TKey>>().FromSqlRaw(sql, terms.ToTsQuery(), before, caller, index.PostgresWindow, take, index.PostgresBuckets)
            .AsNoTracking().ToListAsync(cancellationToken);
    }

    /// <summary>
    /// On PostgreSQL, a page of one room, in the same three parts as <see cref="PostgresEverywhereAsync"/>, the buckets
    /// being those the room has messages in: each next one is the bucket of the room's next older message, read
    /// from the room's index, so that a quiet room in a busy database skips the buckets of others' messages.
    /// The room is bounded with <c>BETWEEN</c> and the order names it: with <c>"RoomId" = @room</c> the planner knows
    /// the room is fixed, drops it from the order and walks the primary key backwards over every newer message of
    /// the other rooms (a room of a million messages gone quiet: 200 ms and more), where only the room's own
    /// index serves this order. The window is read in that same order, so that its matches come out without a sort
    /// and the statement stops at the page's last one; its lowest id is read again from the index rather than kept.
    /// The room must be readable by the caller, checked inside the statement too.
    /// </summary>
    private static Task<List<ChatMessage<TKey>>> PostgresInRoomAsync(
        DbContext db, SearchTerms terms, TKey caller, long room, long before, ChatSearchIndex index, int take, CancellationToken cancellationToken)
    {
        var column = ChatSearchIndex.PostgresColumn;
        const int bits = ChatSearchIndex.PostgresBucketBits;
        // Only this class's constants and placeholders go into the text; the words, ids and caller are parameters.
        var sql = WithPlanSettings(db, $$"""
            WITH RECURSIVE readable AS (SELECT 1 FROM "ChatRooms" AS r WHERE r."Id" = {4}
                    AND (r."IsPublic" OR EXISTS (SELECT 1 FROM "ChatRoomUsers" AS u WHERE u."RoomId" = {4} AND u."UserId" = {2}))),
                hits AS MATERIALIZED (SELECT "Id", "RoomId" FROM "ChatMessages" WHERE "{{column}}" @@ to_tsquery('simple', {0})),
                win AS (SELECT COALESCE(MIN(x."Id"), {1}) AS low FROM (SELECT "Id" FROM "ChatMessages"
                    WHERE "RoomId" BETWEEN {4} AND {4} AND "Id" < {1} ORDER BY "RoomId" DESC, "Id" DESC LIMIT {3}) AS x),
                buckets(n, depth) AS (
                    SELECT (SELECT m."Id" FROM "ChatMessages" AS m WHERE m."RoomId" BETWEEN {4} AND {4} AND m."Id" < (SELECT low FROM win)
                        ORDER BY m."RoomId" DESC, m."Id" DESC LIMIT 1) >> {{bits}}, 1
                    UNION ALL
                    SELECT (SELECT m."Id" FROM "ChatMessages" AS m WHERE m."RoomId" BETWEEN {4} AND {4} AND m."Id" < (b.n << {{bits}})
                        ORDER BY m."RoomId" DESC, m."Id" DESC LIMIT 1) >> {{bits}}, b.depth + 1
                    FROM buckets AS b WHERE b.n IS NOT NULL AND b.depth < {6})
            (SELECT w.* FROM (SELECT * FROM "ChatMessages" WHERE "RoomId" BETWEEN {4} AND {4} AND "Id" < {1} AND EXISTS (SELECT 1 FROM readable)
                    ORDER BY "RoomId" DESC, "Id" DESC LIMIT {3}) AS w
                WHERE w."{{column}}" @@ to_tsquery('simple', {0})
                ORDER BY w."RoomId" DESC, w."Id" DESC)
            UNION ALL
            (SELECT m.* FROM buckets AS b CROSS JOIN LATERAL (SELECT * FROM "ChatMessages" AS x
                    WHERE dfchat_search_buckets(x."{{column}}", x."Id") @@ dfchat_search_bucket_query(to_tsquery('simple', {0}), b.n)
                        AND x."RoomId" + 0 = {4} AND x."Id" + 0 < (SELECT low FROM win)
                    ORDER BY x."Id" DESC) AS m
                WHERE b.n IS NOT NULL AND EXISTS (SELECT 1 FROM readable))
            UNION ALL
            (SELECT m.* FROM (SELECT h."Id" FROM hits AS h
                    WHERE h."RoomId" = {4} AND EXISTS (SELECT 1 FROM readable)
                        AND EXISTS (SELECT 1 FROM buckets AS b WHERE b.depth = {6} AND b.n IS NOT NULL)
                        AND h."Id" < (SELECT b.n << {{bits}} FROM buckets AS b WHERE b.depth = {6})
                    ORDER BY h."Id" DESC LIMIT {5}) AS t
                JOIN "ChatMessages" AS m ON m."Id" = t."Id"
                ORDER BY m."Id" DESC)
            LIMIT {5}
            """);
        return db.Set<ChatMessage<TKey>>().FromSqlRaw(sql, terms.ToTsQuery(), before, caller, index.PostgresWindow, room, take, index.PostgresBuckets)
            .AsNoTracking().ToListAsync(cancellationToken);
    }
}
