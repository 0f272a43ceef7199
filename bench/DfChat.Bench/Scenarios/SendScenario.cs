using System.Text;
using DfChat.Bench.Baselines;
using DfChat.Bench.Http;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DfChat.Bench.Scenarios;

/// <summary>
/// The send path over real HTTP: N connections, each posting messages in a loop into one group room with its
/// own user's bearer token, against the sample host in Release; beside it, in the same run, the raw
/// ADO.NET insert behind a minimal Kestrel endpoint (the baseline), the same insert without HTTP, and an
/// empty Kestrel POST (HTTP's ceiling).
/// </summary>
internal static class SendScenario
{
    private const string MessageText = "Hello from the send benchmark: a message of an ordinary length.";
    private const long RawRoomId = 1;
    private const string DfChatLabel = "DfChat: POST /api/chat/rooms/{id}/messages";
    private const string MentionsLabel = "DfChat: the same with 5 mentions";

    /// <summary>How many members a send with mentions names (issue 22: 5).</summary>
    public const int MentionsPerSend = 5;

    public static async Task<SendReport> RunAsync(BenchOptions options, string provider, string folder, CancellationToken cancellationToken)
    {
        // Every sender can mention five others, whatever the concurrency.
        var members = Math.Max(options.Connections.Max(), MentionsPerSend + 1);
        Console.WriteLine($"send on {provider}: starting the sample host and the baseline server");
        await using var hostDatabase = await BenchDatabase.CreateAsync(provider, "host", folder, options.PostgresConnectionString, cancellationToken);
        await using var rawDatabase = await BenchDatabase.CreateAsync(provider, "raw", folder, options.PostgresConnectionString, cancellationToken);
        await RawMessageStore.CreateSchemaAsync(provider, rawDatabase.ConnectionString, cancellationToken);

        await using var host = await ServerProcess.StartHostAppAsync(HostSettings(provider, hostDatabase, folder), cancellationToken);
        await using var baseline = await ServerProcess.StartBenchServerAsync(
            [BaselineServer.Command, "--provider", provider, "--database", rawDatabase.ConnectionString],
            BaselineServerSettings, cancellationToken);

        Console.WriteLine($"send on {provider}: seeding {members} users and their group room over HTTP");
        IReadOnlyList<BenchAccount> senders;
        string roomId;
        using (var seeding = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(2) })
        {
            var api = new ChatApiClient(seeding);
            senders = await api.CreateUsersAsync("sender", members, cancellationToken);
            roomId = await api.CreateGroupAsync(senders[0], "send benchmark", senders, cancellationToken);
        }

        var body = Encoding.UTF8.GetBytes($$"""{"text":"{{MessageText}}"}""");

        // Each sender mentions the five members after it: the same text, and five ids the send must check are members.
        var mentionBodies = senders.Select((_, i) => Encoding.UTF8.GetBytes(
            $$"""{"text":"{{MessageText}}","mentions":[{{string.Join(',', Enumerable.Range(1, MentionsPerSend).Select(k => $"\"{senders[(i + k) % senders.Count].Id}\""))}}]}""")).ToArray();
        var rows = new List<SendRow>();
        await using var concurrentStore = RawMessageStore.Create(provider, rawDatabase.ConnectionString, oneWriter: false);
        await using var oneWriterStore = RawMessageStore.Create(provider, rawDatabase.ConnectionString, oneWriter: true);

        Console.WriteLine($"send on {provider}: settling both servers with {options.Settle.TotalSeconds:F0} s of unmeasured sends each");
        using (var settleHost = LoadRunner.CreateClient(host.BaseAddress, members))
        using (var settleBaseline = LoadRunner.CreateClient(baseline.BaseAddress, members))
        {
            var settleRaw = provider == "sqlite" ? $"/one-writer/rooms/{RawRoomId}/messages" : $"/rooms/{RawRoomId}/messages";
            await LoadRunner.RunAsync(members, TimeSpan.Zero, options.Settle, (worker, ct) => PostRawAsync(settleBaseline, settleRaw, body, senders[worker].Id, ct), cancellationToken);
            await LoadRunner.RunAsync(members, TimeSpan.Zero, options.Settle, (worker, ct) =>
                LoadRunner.PostJsonAsync(settleHost, $"/api/chat/rooms/{roomId}/messages", worker % 2 == 0 ? body : mentionBodies[worker], senders[worker].AccessToken, ct), cancellationToken);
        }

        foreach (var connections in options.Connections)
        {
            async Task<LoadResult> RunOnceAsync(string label, LoadOperation operation)
            {
                LoadResult result;
                using (await MachineLock.AcquireAsync(options.LockFile, cancellationToken))
                    result = await LoadRunner.RunAsync(connections, options.WarmUp, options.Duration, operation, cancellationToken);
                Console.WriteLine($"  {connections,3} conn  {label,-58} {result.Throughput,8:F0} req/s  p50 {result.P50,7:F1} ms  p99 {result.P99,7:F1} ms  failures: {result.FailureSummary}");
                return result;
            }

            async Task Measure(string label, SendRowKind kind, LoadOperation operation) =>
                rows.Add(new SendRow(label, kind, connections, await RunOnceAsync(label, operation)));

            // The baseline and DfChat in alternation, round after round, so that both meet the machine in the
            // same moods; each figure pools its rounds (as one run of their total length would).
            // The send with mentions joins the alternation: its figure against the plain send's is issue 22's.
            async Task MeasurePairAsync(string baselineLabel, LoadOperation baselineOperation, LoadOperation dfchatOperation, LoadOperation mentionsOperation)
            {
                List<LoadResult> baselineRounds = [], dfchatRounds = [], mentionRounds = [];
                for (var round = 0; round < options.Rounds; round++)
                {
                    baselineRounds.Add(await RunOnceAsync(baselineLabel, baselineOperation));
                    dfchatRounds.Add(await RunOnceAsync(DfChatLabel, dfchatOperation));
                    mentionRounds.Add(await RunOnceAsync(MentionsLabel, mentionsOperation));
                }

                rows.Add(new SendRow(baselineLabel, SendRowKind.HttpBaseline, connections, LoadResult.Combine(baselineRounds)));
                rows.Add(new SendRow(DfChatLabel, SendRowKind.DfChat, connections, LoadResult.Combine(dfchatRounds)));
                rows.Add(new SendRow(MentionsLabel, SendRowKind.DfChatMentions, connections, LoadResult.Combine(mentionRounds)));
            }

            using var toHost = LoadRunner.CreateClient(host.BaseAddress, connections);
            using var toBaseline = LoadRunner.CreateClient(baseline.BaseAddress, connections);
            LoadOperation Raw(string path) => (worker, ct) => PostRawAsync(toBaseline, path, body, senders[worker].Id, ct);
            LoadOperation Direct(RawMessageStore store) => async (worker, ct) =>
            {
                await store.InsertAsync(RawRoomId, senders[worker].Id, MessageText, DateTime.UtcNow, ct);
                return 201;
            };
            LoadOperation send = (worker, ct) =>
                LoadRunner.PostJsonAsync(toHost, $"/api/chat/rooms/{roomId}/messages", body, senders[worker].AccessToken, ct);
            LoadOperation sendWithMentions = (worker, ct) =>
                LoadRunner.PostJsonAsync(toHost, $"/api/chat/rooms/{roomId}/messages", mentionBodies[worker], senders[worker].AccessToken, ct);

            if (provider == "sqlite")
            {
                await MeasurePairAsync("Kestrel + Microsoft.Data.Sqlite, one writer at a time", Raw($"/one-writer/rooms/{RawRoomId}/messages"), send, sendWithMentions);
                await Measure("Kestrel + Microsoft.Data.Sqlite, concurrent writers", SendRowKind.HttpVariant, Raw($"/rooms/{RawRoomId}/messages"));
                await Measure("Microsoft.Data.Sqlite alone, one writer at a time", SendRowKind.DatabaseOnly, Direct(oneWriterStore));
                await Measure("Microsoft.Data.Sqlite alone, concurrent writers", SendRowKind.DatabaseOnly, Direct(concurrentStore));
            }
            else
            {
                await MeasurePairAsync("Kestrel + Npgsql", Raw($"/rooms/{RawRoomId}/messages"), send, sendWithMentions);
                await Measure("Npgsql alone", SendRowKind.DatabaseOnly, Direct(concurrentStore));
            }

            await Measure("Kestrel, empty POST (no database)", SendRowKind.HttpCeiling, Raw("/empty"));
        }

        var durability = await DescribeDurabilityAsync(provider, hostDatabase.ConnectionString, cancellationToken);
        var hostPeak = await host.StopAsync();
        var baselinePeak = await baseline.StopAsync();
        return new SendReport(provider, members, rows, hostPeak, baselinePeak, durability);
    }

    /// <summary>The sample host's configuration: a fresh database, no rate limits (this is a load test), warnings only.</summary>
    public static Dictionary<string, string> HostSettings(string provider, BenchDatabase database, string folder) => new()
    {
        ["Database__Provider"] = provider,
        ["ConnectionStrings__Chat"] = database.ConnectionString,
        ["Media__Root"] = Directory.CreateDirectory(Path.Combine(folder, $"media-{provider}")).FullName,
        ["DfChat__RateLimits__Enabled"] = "false",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    /// <summary>Server GC, as the Web SDK gives the sample host: the baseline must not win or lose on the collector.</summary>
    public static Dictionary<string, string> BaselineServerSettings { get; } = new()
    {
        ["DOTNET_gcServer"] = "1",
    };

    /// <summary>A send to the baseline server, which has no authentication: the user's id travels in a header.</summary>
    private static Task<int> PostRawAsync(HttpClient http, string path, byte[] body, string userId, CancellationToken cancellationToken) =>
        LoadRunner.PostJsonAsync(http, path, body, bearerToken: null, cancellationToken, ("X-User-Id", userId));

    /// <summary>What durability the host ran with, read from its database (SQLite: the settings a new connection gets, as the host never changes them).</summary>
    private static async Task<string> DescribeDurabilityAsync(string provider, string connectionString, CancellationToken cancellationToken)
    {
        if (provider == "sqlite")
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode; PRAGMA synchronous;";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var journal = reader.GetString(0);
            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var synchronous = reader.GetInt64(0) switch { 0 => "OFF", 1 => "NORMAL", 2 => "FULL", 3 => "EXTRA", var other => other.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            return $"journal_mode={journal}, synchronous={synchronous} (host and baseline alike)";
        }

        await using var pg = new NpgsqlConnection(connectionString);
        await pg.OpenAsync(cancellationToken);
        await using var show = new NpgsqlCommand("SELECT current_setting('fsync'), current_setting('synchronous_commit'), version()", pg);
        await using var row = await show.ExecuteReaderAsync(cancellationToken);
        await row.ReadAsync(cancellationToken);
        return $"fsync={row.GetString(0)}, synchronous_commit={row.GetString(1)}; {row.GetString(2).Split(" on ")[0]}";
    }
}

/// <summary>What a row of the send table measures.</summary>
internal enum SendRowKind
{
    /// <summary>The sample host's send route.</summary>
    DfChat,

    /// <summary>The same route, each send mentioning five members (API.md §8): measured against <see cref="DfChat"/>.</summary>
    DfChatMentions,

    /// <summary>
    /// The raw insert behind Kestrel that DfChat is measured against: on SQLite with one writer at a time, the
    /// way PLATFORM-NOTES recommends (as fast as concurrent writers at 1 connection, faster at 32, and a fixed
    /// choice, so that noise cannot pick the baseline).
    /// </summary>
    HttpBaseline,

    /// <summary>Another way of doing the raw insert behind Kestrel (SQLite's concurrent writers), shown beside it.</summary>
    HttpVariant,

    DatabaseOnly,
    HttpCeiling,
}

/// <summary>One load run of the send table.</summary>
internal sealed record SendRow(string Label, SendRowKind Kind, int Connections, LoadResult Result);

/// <summary>The send table of one provider.</summary>
internal sealed record SendReport(string Provider, int RoomMembers, IReadOnlyList<SendRow> Rows, long HostPeakBytes, long BaselinePeakBytes, string Durability)
{
    /// <summary>The baseline DfChat is measured against at a concurrency.</summary>
    public SendRow Baseline(int connections) => Rows.Single(r => r.Connections == connections && r.Kind == SendRowKind.HttpBaseline);
}
