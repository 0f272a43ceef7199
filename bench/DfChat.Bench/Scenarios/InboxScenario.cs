using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DfChat.Bench.Http;
using DfChat.Bench.Seeding;

namespace DfChat.Bench.Scenarios;

/// <summary>
/// The room list of a user in many rooms with many unread messages in each (issue 11: 1,000 rooms of 1,000
/// unread), against the same call by a user in the same rooms who has read everything: what unread
/// counting costs a room list. Then (issue 22) the room list of a user in as many rooms of the same shape
/// where every tenth message mentions it (a <c>mentionCount</c> in every room, the rooms' last messages
/// with <c>mentions</c>), against the first user's, whose rooms have no mention at all: what mention
/// counts cost a room list. All rooms, memberships and messages are seeded straight into the database
/// (<see cref="HistorySeeder.SeedInboxAsync"/>).
/// </summary>
internal static class InboxScenario
{
    public const string UnreadLabel = "DfChat: GET /api/chat/rooms, every room with unread messages";
    public const string CaughtUpLabel = "DfChat: GET /api/chat/rooms, nothing unread";
    public const string MentionedLabel = "DfChat: GET /api/chat/rooms, every room with unread messages and mentions";

    /// <summary>In the rooms of the mentioned user, every message numbered a multiple of this mentions it.</summary>
    public const int MentionEvery = 10;

    public static async Task<InboxReport> RunAsync(BenchOptions options, string provider, string folder, CancellationToken cancellationToken)
    {
        Console.WriteLine($"inbox on {provider}: starting the sample host");
        await using var database = await BenchDatabase.CreateAsync(provider, "inbox", folder, options.PostgresConnectionString, cancellationToken);
        await using var host = await ServerProcess.StartHostAppAsync(SendScenario.HostSettings(provider, database, folder), cancellationToken);

        BenchAccount unread, caughtUp, mentioned;
        double seedSeconds;
        using (var seeding = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(2) })
        {
            var users = await new ChatApiClient(seeding).CreateUsersAsync("inbox", 6, cancellationToken);
            (unread, caughtUp, mentioned) = (users[1], users[2], users[4]);
            Console.WriteLine($"inbox on {provider}: seeding {options.Population:N0} other users and rooms, and {options.InboxRooms:N0} rooms of {options.Unread:N0} messages, straight into the database");
            seedSeconds = await PopulationSeeder.SeedAsync(provider, database.ConnectionString, options.Population, options.Population, cancellationToken);
            seedSeconds += await HistorySeeder.SeedInboxAsync(
                provider, database.ConnectionString, users[0].Id, unread.Id, caughtUp.Id, options.InboxRooms, options.Unread, cancellationToken);
            Console.WriteLine($"inbox on {provider}: seeding {options.InboxRooms:N0} more rooms of {options.Unread:N0} messages, every {MentionEvery}th mentioning their reader");
            seedSeconds += await HistorySeeder.SeedInboxAsync(
                provider, database.ConnectionString, users[3].Id, mentioned.Id, users[5].Id, options.InboxRooms, options.Unread, cancellationToken, MentionEvery);
            Console.WriteLine($"inbox on {provider}: seeded in {seedSeconds:F1} s");
        }

        const string path = "/api/chat/rooms";
        var pageSize = await VerifyAsync(host.BaseAddress, path, unread, options.Unread, 0, cancellationToken);
        await VerifyAsync(host.BaseAddress, path, caughtUp, 0, 0, cancellationToken);
        await VerifyAsync(host.BaseAddress, path, mentioned, options.Unread, options.Unread / MentionEvery, cancellationToken);

        Console.WriteLine($"inbox on {provider}: settling the host with {options.Settle.TotalSeconds:F0} s of unmeasured room lists");
        var settleConnections = options.Connections.Max();
        using (var settle = LoadRunner.CreateClient(host.BaseAddress, settleConnections))
        {
            await LoadRunner.RunAsync(settleConnections, TimeSpan.Zero, options.Settle, (worker, ct) =>
                LoadRunner.GetAsync(settle, path, (worker % 3 == 0 ? unread : worker % 3 == 1 ? caughtUp : mentioned).AccessToken, ct), cancellationToken);
        }

        var rows = new List<InboxRow>();
        foreach (var connections in options.Connections)
        {
            using var toHost = LoadRunner.CreateClient(host.BaseAddress, connections);
            List<LoadResult> caughtUpRounds = [], unreadRounds = [], mentionedRounds = [];
            for (var round = 0; round < options.Rounds; round++)
            {
                caughtUpRounds.Add(await RunOnceAsync(CaughtUpLabel, caughtUp));
                unreadRounds.Add(await RunOnceAsync(UnreadLabel, unread));
                mentionedRounds.Add(await RunOnceAsync(MentionedLabel, mentioned));
            }

            rows.Add(new InboxRow(CaughtUpLabel, InboxRowKind.CaughtUp, connections, LoadResult.Combine(caughtUpRounds)));
            rows.Add(new InboxRow(UnreadLabel, InboxRowKind.Unread, connections, LoadResult.Combine(unreadRounds)));
            rows.Add(new InboxRow(MentionedLabel, InboxRowKind.Mentioned, connections, LoadResult.Combine(mentionedRounds)));

            async Task<LoadResult> RunOnceAsync(string label, BenchAccount user)
            {
                LoadResult result;
                using (await MachineLock.AcquireAsync(options.LockFile, cancellationToken))
                    result = await LoadRunner.RunAsync(connections, options.WarmUp, options.Duration, (_, ct) => LoadRunner.GetAsync(toHost, path, user.AccessToken, ct), cancellationToken);
                Console.WriteLine($"  {connections,3} conn  {label,-64} {result.Throughput,8:F0} req/s  p50 {result.P50,7:F2} ms  p99 {result.P99,7:F1} ms  failures: {result.FailureSummary}");
                return result;
            }
        }

        var hostPeak = await host.StopAsync();
        return new InboxReport(provider, options.InboxRooms, options.Unread, options.Population, pageSize, seedSeconds, rows, hostPeak);
    }

    /// <summary>The first page must be full of the user's rooms, each with the unread and mention counts the seeding meant; returns the page's size.</summary>
    private static async Task<int> VerifyAsync(Uri host, string path, BenchAccount user, int expectedUnread, int expectedMentions, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = host };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.AccessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {body}");
        var items = JsonDocument.Parse(body).RootElement.GetProperty("items");
        var counts = items.EnumerateArray().Select(i => i.GetProperty("membership").GetProperty("unreadCount").GetInt32()).Distinct().ToList();
        if (items.GetArrayLength() == 0 || counts is not [var count] || count != expectedUnread || items.EnumerateArray().Any(i => i.GetProperty("lastMessage").ValueKind != JsonValueKind.Object))
            throw new InvalidOperationException($"GET {path} for {user.Email}: unread counts {string.Join(", ", counts)} (expected {expectedUnread} in every room, each with its last message).");
        var mentions = items.EnumerateArray().Select(i => i.GetProperty("membership").GetProperty("mentionCount").GetInt32()).Distinct().ToList();
        if (mentions is not [var mentionCount] || mentionCount != expectedMentions)
            throw new InvalidOperationException($"GET {path} for {user.Email}: mention counts {string.Join(", ", mentions)} (expected {expectedMentions} in every room).");
        return items.GetArrayLength();
    }
}

/// <summary>What a row of the inbox tables measures.</summary>
internal enum InboxRowKind
{
    /// <summary>A user who has read everything: the baseline of unread counting.</summary>
    CaughtUp,

    /// <summary>A user with unread messages in every room and no mention: the room list without mention counts, the baseline of mention counting.</summary>
    Unread,

    /// <summary>A user with unread messages in every room, some of them mentioning it.</summary>
    Mentioned,
}

/// <summary>One (pooled) load run of the inbox tables.</summary>
internal sealed record InboxRow(string Label, InboxRowKind Kind, int Connections, LoadResult Result);

/// <summary>The inbox tables of one provider.</summary>
internal sealed record InboxReport(string Provider, int Rooms, int UnreadPerRoom, int Population, int PageSize, double SeedSeconds, IReadOnlyList<InboxRow> Rows, long HostPeakBytes)
{
    public IEnumerable<string> MissingFigures(IReadOnlyList<int> connectionCounts)
    {
        foreach (var connections in connectionCounts)
        {
            foreach (var kind in Enum.GetValues<InboxRowKind>())
            {
                if (Rows.FirstOrDefault(r => r.Connections == connections && r.Kind == kind) is not { } row)
                    yield return $"{connections} connections: no figure {kind}";
                else if (row.Result.Successes == 0 || double.IsNaN(row.Result.P99))
                    yield return $"{connections} connections, {row.Label}: no successful request";
            }
        }

        if (HostPeakBytes <= 0)
            yield return "no peak memory of the host";
    }

    public InboxRow Row(int connections, InboxRowKind kind) => Rows.Single(r => r.Connections == connections && r.Kind == kind);

    public void AppendMarkdown(StringBuilder md, IReadOnlyList<int> connectionCounts)
    {
        var invariant = CultureInfo.InvariantCulture;
        md.AppendLine();
        md.AppendLine(invariant, $"### Inbox, {Reporting.BenchReport.ProviderName(Provider)}: {Rooms:N0} rooms of {UnreadPerRoom:N0} unread messages each");
        md.AppendLine();
        md.AppendLine(invariant, $"Two users in the same {Rooms:N0} group rooms of {UnreadPerRoom:N0} messages each ({Rooms * (long)UnreadPerRoom:N0} messages, seeded straight into the database, beside {Population:N0} other users and {Population:N0} group rooms of two of them): one has read none of them, one all of them. A third user in {Rooms:N0} other rooms of the same shape has read none of them, and every {InboxScenario.MentionEvery}th message there mentions it ({UnreadPerRoom / InboxScenario.MentionEvery:N0} mentions a room; {Rooms * 2L * UnreadPerRoom:N0} messages seeded in all, in {SeedSeconds:F0} s). Each asks for its room list, the first page ({PageSize} rooms, each with its last message and the caller's unread and mention counts, checked before measuring). Ratios of p50 latency (lower is better): unread against nothing unread (target ≤ 1.3×), mentions against the same unread without any mention (target ≤ 1.05×).");
        md.AppendLine();
        md.AppendLine("| connections | what | p50 ratio | req/s | p50 ms | p99 ms | non-2xx |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---|");
        foreach (var connections in connectionCounts)
        {
            var caughtUp = Row(connections, InboxRowKind.CaughtUp);
            var unread = Row(connections, InboxRowKind.Unread);
            var mentioned = Row(connections, InboxRowKind.Mentioned);
            AppendRow(connections, $"{caughtUp.Label} — baseline of unread", "1.00×", caughtUp);
            AppendRow(connections, $"**{unread.Label}** (no mention) — baseline of mentions", $"**{Reporting.BenchReport.Ratio(unread.Result.P50, caughtUp.Result.P50)}** to nothing unread", unread);
            AppendRow(connections, $"**{mentioned.Label}**", $"**{Reporting.BenchReport.Ratio(mentioned.Result.P50, unread.Result.P50)}** to no mention", mentioned);
        }

        md.AppendLine();
        md.AppendLine(invariant, $"Peak working set (VmHWM) of the sample host: {Reporting.BenchReport.Megabytes(HostPeakBytes)}.");

        void AppendRow(int connections, string label, string ratio, InboxRow row) =>
            md.AppendLine(invariant, $"| {connections} | {label} | {ratio} | {row.Result.Throughput:N0} | {Reporting.BenchReport.Milliseconds(row.Result.P50)} | {Reporting.BenchReport.Milliseconds(row.Result.P99)} | {row.Result.FailureSummary} |");
    }
}
