using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DfChat.Bench.Http;
using DfChat.Bench.Seeding;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DfChat.Bench.Scenarios;

/// <summary>
/// Message search (issue 22, API.md §8) over real HTTP: one word in a room of <c>--messages</c> messages
/// (1,000,000) with <c>?roomId=</c>, and across all of the reader's <c>--inbox-rooms</c> rooms (1,000: the big
/// room and others of <c>--unread</c> messages each), each for a rare word (one message in 1,000) and a
/// common one (every message), against the newest page of the big room, measured in alternation. The history
/// is seeded straight into the database (<see cref="HistorySeeder"/>); the full-text index is filled on
/// PostgreSQL by the sample's trigger (the <c>tsvector</c> column) as each row goes in, and on SQLite, where
/// the chat's own writes add the FTS5 rows (no trigger), by one statement after the seeding, as a host that
/// inserts messages with its own SQL would (or DfChat's backfill at the next start).
/// </summary>
internal static class SearchScenario
{
    public const int PageSize = 50;
    private const int Authors = 4;
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(10);

    public const string NewestLabel = "DfChat: GET /api/chat/rooms/{id}/messages?limit=50";

    public static async Task<SearchReport> RunAsync(BenchOptions options, string provider, string folder, CancellationToken cancellationToken)
    {
        Console.WriteLine($"search on {provider}: starting the sample host");
        await using var database = await BenchDatabase.CreateAsync(provider, "search", folder, options.PostgresConnectionString, cancellationToken);
        await using var host = await ServerProcess.StartHostAppAsync(SendScenario.HostSettings(provider, database, folder), cancellationToken);

        BenchAccount reader;
        string roomId;
        double seedSeconds;
        var otherRooms = options.InboxRooms - 1;
        using (var seeding = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(2) })
        {
            var api = new ChatApiClient(seeding);
            var users = await api.CreateUsersAsync("searcher", Authors, cancellationToken);
            reader = users[0];
            roomId = await api.CreateGroupAsync(reader, "search benchmark", users, cancellationToken);
            Console.WriteLine($"search on {provider}: seeding {options.Population:N0} other users and rooms, {options.Messages:N0} messages in one room and {otherRooms:N0} more rooms of {options.Unread:N0}, straight into the database");
            seedSeconds = await PopulationSeeder.SeedAsync(provider, database.ConnectionString, options.Population, options.Population, cancellationToken);
            seedSeconds += await HistorySeeder.SeedRoomHistoryAsync(
                provider, database.ConnectionString, roomId, [.. users.Select(u => u.Id)], options.Messages, Spacing, cancellationToken);
            if (otherRooms > 0)
            {
                seedSeconds += await HistorySeeder.SeedInboxAsync(
                    provider, database.ConnectionString, users[1].Id, reader.Id, users[2].Id, otherRooms, options.Unread, cancellationToken);
            }

            Console.WriteLine($"search on {provider}: seeded in {seedSeconds:F1} s");
        }

        if (provider == "sqlite")
        {
            await ScalarAsync(provider, database.ConnectionString, """
                INSERT INTO "ChatMessageSearch"(rowid, "Text")
                SELECT m."Id", m."Text" FROM "ChatMessages" AS m
                WHERE m."Text" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "ChatMessageSearch_docsize" AS d WHERE d."id" = m."Id")
                """, cancellationToken);
        }

        var indexed = await CountIndexedAsync(provider, database.ConnectionString, cancellationToken);
        var total = options.Messages + ((long)otherRooms * options.Unread);
        if (indexed != total)
            throw new InvalidOperationException($"The search index holds {indexed:N0} messages, not the {total:N0} seeded.");

        // A rare word: one message in RareEvery; a common one: every message.
        var rareInRoom = options.Messages / HistorySeeder.RareEvery;
        var rareEverywhere = rareInRoom + (otherRooms * (options.Unread / HistorySeeder.RareEvery));
        var newestPath = $"/api/chat/rooms/{roomId}/messages?limit={PageSize}";
        SearchCase[] cases =
        [
            new(SearchRowKind.RareInRoom, $"DfChat: search a rare word in the room (`q={HistorySeeder.RareWord}&roomId=`, {rareInRoom:N0} matches)", Search(HistorySeeder.RareWord, roomId), Math.Min(PageSize, rareInRoom)),
            new(SearchRowKind.CommonInRoom, $"DfChat: search a common word in the room (`q={HistorySeeder.CommonWord}&roomId=`, {options.Messages:N0} matches)", Search(HistorySeeder.CommonWord, roomId), PageSize),
            new(SearchRowKind.RareEverywhere, $"DfChat: search a rare word in all {options.InboxRooms:N0} rooms (`q={HistorySeeder.RareWord}`, {rareEverywhere:N0} matches)", Search(HistorySeeder.RareWord, null), Math.Min(PageSize, rareEverywhere)),
            new(SearchRowKind.CommonEverywhere, $"DfChat: search a common word in all {options.InboxRooms:N0} rooms (`q={HistorySeeder.CommonWord}`, {total:N0} matches)", Search(HistorySeeder.CommonWord, null), PageSize),
        ];
        await VerifyAsync(host.BaseAddress, reader, newestPath, PageSize, cancellationToken);
        foreach (var search in cases)
            await VerifyAsync(host.BaseAddress, reader, search.Path, search.Expected, cancellationToken);

        var plans = await ExplainAsync(provider, database.ConnectionString, long.Parse(roomId, CultureInfo.InvariantCulture), reader.Id, cancellationToken);

        Console.WriteLine($"search on {provider}: settling the host with {options.Settle.TotalSeconds:F0} s of unmeasured reads and searches");
        var settleConnections = options.Connections.Max();
        using (var settle = LoadRunner.CreateClient(host.BaseAddress, settleConnections))
        {
            await LoadRunner.RunAsync(settleConnections, TimeSpan.Zero, options.Settle, (worker, ct) =>
                LoadRunner.GetAsync(settle, worker % 5 == 0 ? newestPath : cases[worker % 5 - 1].Path, reader.AccessToken, ct), cancellationToken);
        }

        var rows = new List<SearchRow>();
        foreach (var connections in options.Connections)
        {
            using var toHost = LoadRunner.CreateClient(host.BaseAddress, connections);
            var alternated = new List<(string Label, SearchRowKind Kind, string Path)> { (NewestLabel, SearchRowKind.Newest, newestPath) };
            alternated.AddRange(cases.Select(c => (c.Label, c.Kind, c.Path)));
            var results = alternated.Select(_ => new List<LoadResult>()).ToArray();
            for (var round = 0; round < options.Rounds; round++)
            {
                for (var i = 0; i < alternated.Count; i++)
                {
                    var path = alternated[i].Path;
                    LoadResult result;
                    using (await MachineLock.AcquireAsync(options.LockFile, cancellationToken))
                        result = await LoadRunner.RunAsync(connections, options.WarmUp, options.Duration, (_, ct) => LoadRunner.GetAsync(toHost, path, reader.AccessToken, ct), cancellationToken);
                    Console.WriteLine($"  {connections,3} conn  {alternated[i].Kind,-16} {result.Throughput,8:F0} req/s  p50 {result.P50,7:F2} ms  p99 {result.P99,7:F1} ms  failures: {result.FailureSummary}");
                    results[i].Add(result);
                }
            }

            for (var i = 0; i < alternated.Count; i++)
                rows.Add(new SearchRow(alternated[i].Label, alternated[i].Kind, connections, LoadResult.Combine(results[i])));
        }

        var hostPeak = await host.StopAsync();
        return new SearchReport(provider, options.Messages, options.InboxRooms, options.Unread, options.Population, seedSeconds, rows, plans, hostPeak);

        string Search(string word, string? room) =>
            $"/api/chat/search/messages?q={word}&limit={PageSize}" + (room is null ? "" : $"&roomId={room}");
    }

    /// <summary>Each route must answer the number of messages expected, each with the word searched for.</summary>
    private static async Task VerifyAsync(Uri host, BenchAccount reader, string path, int expected, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = host, Timeout = TimeSpan.FromMinutes(5) };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", reader.AccessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {body}");
        var items = JsonDocument.Parse(body).RootElement.GetProperty("items");
        if (items.GetArrayLength() != expected)
            throw new InvalidOperationException($"GET {path} answered {items.GetArrayLength()} messages, not {expected}.");
        var word = path.Contains("q=", StringComparison.Ordinal) ? path.Split("q=")[1].Split('&')[0] : null;
        if (word is not null && items.EnumerateArray().Any(m => m.GetProperty("text").GetString()?.Contains(word, StringComparison.Ordinal) != true))
            throw new InvalidOperationException($"GET {path} answered a message without '{word}'.");
    }

    /// <summary>How many messages the full-text index holds: every seeded message must be searchable.</summary>
    private static async Task<long> CountIndexedAsync(string provider, string connectionString, CancellationToken cancellationToken)
    {
        var sql = provider == "sqlite"
            ? """SELECT COUNT(*) FROM "ChatMessageSearch_docsize" """
            : """SELECT COUNT(*) FROM "ChatMessages" WHERE "SearchVector" IS NOT NULL""";
        return Convert.ToInt64(await ScalarAsync(provider, connectionString, sql, cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task<object?> ScalarAsync(string provider, string connectionString, string sql, CancellationToken cancellationToken)
    {
        if (provider == "sqlite")
        {
            await using var sqlite = new SqliteConnection(connectionString);
            await sqlite.OpenAsync(cancellationToken);
            await using var command = sqlite.CreateCommand();
            command.CommandText = sql;
            return await command.ExecuteScalarAsync(cancellationToken);
        }

        await using var pg = new NpgsqlConnection(connectionString);
        await pg.OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand(sql, pg);
        return await query.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>
    /// The plans of the four searches as the eighth round's <c>SearchService</c> ran them (the text read from the
    /// host's command log then), kept as the before of issue 22's rewrite: on SQLite <c>EXPLAIN QUERY PLAN</c> and
    /// the statement's own time, on PostgreSQL <c>EXPLAIN (ANALYZE, BUFFERS)</c>.
    /// </summary>
    private static async Task<IReadOnlyList<SearchPlan>> ExplainAsync(string provider, string connectionString, long roomId, string caller, CancellationToken cancellationToken)
    {
        const string columns = """
            "c"."Id", "c"."ClientMessageId", "c"."CreatedAt", "c"."EditedAt", "c"."HasMedia", "c"."Mentions", "c"."Number", "c"."PinnedAt", "c"."ReactionCount", "c"."ReplyToId", "c"."RoomId", "c"."Text", "c"."ThreadId", "c"."ThreadLastReplyAt", "c"."ThreadReplyCount", "c"."UserId"
            """;
        const string inRoom = """
            AND "c"."RoomId" = @id AND EXISTS (
                SELECT 1 FROM "ChatRooms" AS "c0"
                WHERE "c0"."Id" = @id AND ("c0"."IsPublic" OR EXISTS (
                    SELECT 1 FROM "ChatRoomUsers" AS "c1" WHERE "c1"."RoomId" = @id AND "c1"."UserId" = @caller))) AND "c"."Id" < @before
            ORDER BY "c"."Id" DESC
            LIMIT @take
            """;
        const string everywhere = """
            AND EXISTS (
                SELECT 1 FROM "ChatRoomUsers" AS "c0" WHERE "c0"."RoomId" = "c"."RoomId" AND "c0"."UserId" = @caller) AND "c"."Id" < @before
            ORDER BY "c"."Id" DESC
            LIMIT @take
            """;
        var postgres = provider == "postgres";
        var from = postgres
            ? $"""FROM (SELECT * FROM "ChatMessages" WHERE "SearchVector" @@ to_tsquery('simple', @q)) AS "c" WHERE TRUE """
            : $"""FROM "ChatMessages" AS "c" WHERE "c"."Id" IN (SELECT "s"."Value" FROM (SELECT rowid AS "Value" FROM "ChatMessageSearch" WHERE "ChatMessageSearch" MATCH @q) AS "s") """;
        (string Name, string Word, string Tail)[] searches =
        [
            ("rare word, in the room", HistorySeeder.RareWord, inRoom),
            ("common word, in the room", HistorySeeder.CommonWord, inRoom),
            ("rare word, all rooms", HistorySeeder.RareWord, everywhere),
            ("common word, all rooms", HistorySeeder.CommonWord, everywhere),
        ];
        var plans = new List<SearchPlan>();
        foreach (var (name, word, tail) in searches)
        {
            var sql = $"SELECT {columns} {from} {tail}";
            var query = postgres ? $"'{word}':*" : $"\"{word}\"*";
            var lines = new List<string>();
            if (postgres)
            {
                await using var pg = new NpgsqlConnection(connectionString);
                await pg.OpenAsync(cancellationToken);
                await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + sql, pg);
                AddParameters(explain, query, roomId, caller);
                await using var plan = await explain.ExecuteReaderAsync(cancellationToken);
                while (await plan.ReadAsync(cancellationToken))
                    lines.Add(plan.GetString(0));
            }
            else
            {
                await using var sqlite = new SqliteConnection(connectionString);
                await sqlite.OpenAsync(cancellationToken);
                await using (var explain = sqlite.CreateCommand())
                {
                    explain.CommandText = "EXPLAIN QUERY PLAN " + sql;
                    AddParameters(explain, query, roomId, caller);
                    await using var plan = await explain.ExecuteReaderAsync(cancellationToken);
                    while (await plan.ReadAsync(cancellationToken))
                        lines.Add($"{plan.GetInt64(0)},{plan.GetInt64(1)}: {plan.GetString(3)}");
                }

                // The statement's own time inside SQLite, no HTTP, no EF Core: the best of three.
                var best = double.MaxValue;
                for (var i = 0; i < 3; i++)
                {
                    await using var run = sqlite.CreateCommand();
                    run.CommandText = sql;
                    AddParameters(run, query, roomId, caller);
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    await using (var rows = await run.ExecuteReaderAsync(cancellationToken))
                    {
                        while (await rows.ReadAsync(cancellationToken))
                        {
                        }
                    }

                    best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
                }

                lines.Add(string.Create(CultureInfo.InvariantCulture, $"(the statement alone, best of 3: {best:F2} ms)"));
            }

            plans.Add(new SearchPlan(name, lines));
        }

        return plans;
    }

    private static void AddParameters(System.Data.Common.DbCommand command, string query, long roomId, string caller)
    {
        void Add(string name, object value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        Add("q", query);
        Add("id", roomId);
        Add("caller", caller);
        Add("before", long.MaxValue);
        Add("take", PageSize + 1);
    }

    private sealed record SearchCase(SearchRowKind Kind, string Label, string Path, int Expected);
}

/// <summary>What a row of the search table measures.</summary>
internal enum SearchRowKind
{
    /// <summary>The newest page of the big room: the baseline.</summary>
    Newest,
    RareInRoom,
    CommonInRoom,
    RareEverywhere,
    CommonEverywhere,
}

/// <summary>One (pooled) load run of the search table.</summary>
internal sealed record SearchRow(string Label, SearchRowKind Kind, int Connections, LoadResult Result);

/// <summary>The plan of one search statement.</summary>
internal sealed record SearchPlan(string Name, IReadOnlyList<string> Lines);

/// <summary>The search table of one provider.</summary>
internal sealed record SearchReport(
    string Provider, int Messages, int Rooms, int PerRoom, int Population, double SeedSeconds, IReadOnlyList<SearchRow> Rows, IReadOnlyList<SearchPlan> Plans, long HostPeakBytes)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public IEnumerable<string> MissingFigures(IReadOnlyList<int> connectionCounts)
    {
        foreach (var connections in connectionCounts)
        {
            foreach (var kind in Enum.GetValues<SearchRowKind>())
            {
                if (Rows.FirstOrDefault(r => r.Connections == connections && r.Kind == kind) is not { } row)
                    yield return $"{connections} connections: no figure for {kind}";
                else if (row.Result.Successes == 0 || double.IsNaN(row.Result.P99))
                    yield return $"{connections} connections, {row.Label}: no successful request";
            }
        }

        if (Plans.Count == 0)
            yield return "no query plans";
        if (HostPeakBytes <= 0)
            yield return "no peak memory of the host";
    }

    public void AppendMarkdown(StringBuilder md, IReadOnlyList<int> connectionCounts)
    {
        md.AppendLine();
        md.AppendLine(Invariant, $"### Search, {Reporting.BenchReport.ProviderName(Provider)}: one room of {Messages:N0} messages, and all of the reader's {Rooms:N0} rooms");
        md.AppendLine();
        md.AppendLine(Invariant, $"The reader's rooms: one of {Messages:N0} messages and {Rooms - 1:N0} of {PerRoom:N0} each ({Messages + ((long)(Rooms - 1) * PerRoom):N0} messages, every one in the full-text index), beside {Population:N0} other users and {Population:N0} group rooms of two of them; seeded straight into the database in {SeedSeconds:F0} s. Every message holds the word `{HistorySeeder.CommonWord}`; one in {HistorySeeder.RareEvery:N0} the word `{HistorySeeder.RareWord}`. Each search asks for a page of {SearchScenario.PageSize}, newest first. Ratio of p50 latency to the newest page of the big room (lower is better; target ≤ 2×).");
        md.AppendLine();
        md.AppendLine("| connections | what | p50 ratio to the newest page | req/s | p50 ms | p99 ms | non-2xx |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---|");
        foreach (var connections in connectionCounts)
        {
            var newest = Rows.Single(r => r.Connections == connections && r.Kind == SearchRowKind.Newest);
            foreach (var row in Rows.Where(r => r.Connections == connections))
            {
                var (label, ratio) = row == newest
                    ? ($"{row.Label} — **baseline**", "1.00×")
                    : ($"**{row.Label}**", $"**{Reporting.BenchReport.Ratio(row.Result.P50, newest.Result.P50)}**");
                var failures = row.Result.Successes == 0 ? $"none completed in the measured window ({row.Result.Duration.TotalSeconds:F0} s)" : row.Result.FailureSummary;
                md.AppendLine(Invariant, $"| {connections} | {label} | {ratio} | {row.Result.Throughput:N0} | {Reporting.BenchReport.Milliseconds(row.Result.P50)} | {Reporting.BenchReport.Milliseconds(row.Result.P99)} | {failures} |");
            }
        }

        md.AppendLine();
        md.AppendLine(Invariant, $"For comparison, the plans of the statement search used before issue 22's rewrite (the eighth round's: `Id IN` the index's matches, ordered by the id), on this run's data ({(Provider == "sqlite" ? "EXPLAIN QUERY PLAN" : "EXPLAIN (ANALYZE, BUFFERS)")}); today's statements are built by `SearchService` and not explained here:");
        foreach (var plan in Plans)
        {
            md.AppendLine();
            md.AppendLine(Invariant, $"{plan.Name}:");
            md.AppendLine();
            md.AppendLine("```text");
            foreach (var line in plan.Lines)
                md.AppendLine(line);
            md.AppendLine("```");
        }

        md.AppendLine();
        md.AppendLine(Invariant, $"Peak working set (VmHWM) of the sample host: {Reporting.BenchReport.Megabytes(HostPeakBytes)}.");
    }
}
