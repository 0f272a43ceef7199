using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DfChat.Bench.Baselines;
using DfChat.Bench.Http;
using DfChat.Bench.Seeding;

namespace DfChat.Bench.Scenarios;

/// <summary>
/// The read side of one big room over real HTTP (issue 11): the newest page of 50 against the same page read
/// raw from the same tables behind a minimal Kestrel endpoint (the baseline); a page 90% deep against the
/// newest page; and a catch-up with <c>?after=</c> paged to the end, each page against the newest page. The
/// room's history is seeded straight into the database (<see cref="HistorySeeder"/>).
/// </summary>
internal static class ReadScenario
{
    public const int PageSize = 50;
    private const int Authors = 4;
    private const double DeepFraction = 0.9;
    private const int CatchUpBuckets = 10;
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(10);

    public const string NewestLabel = "DfChat: GET /api/chat/rooms/{id}/messages?limit=50";
    public const string DeepLabel = "DfChat: the same, 90% deep (?cursor=)";
    public const string RawNewestLabel = "Kestrel + raw query, newest page";
    public const string RawDeepLabel = "Kestrel + raw query, 90% deep (?before=)";
    public const string AuthenticatedLabel = "DfChat: GET /api/chat/users/me (bearer token + one user lookup)";
    public const string EmptyLabel = "Kestrel, empty GET (no database)";
    public const string Page100Label = "DfChat: GET /api/chat/rooms/{id}/messages?limit=100";
    public const string RawPage100Label = "Kestrel + bearer token + the same statements, same JSON bytes, page of 100";

    /// <summary>The page of issue 22's read target, whose messages carry thread, pin and mention fields.</summary>
    public const int ConversationPageSize = 100;

    public static async Task<ReadReport> RunAsync(BenchOptions options, string provider, string folder, CancellationToken cancellationToken)
    {
        Console.WriteLine($"read on {provider}: starting the sample host");
        await using var database = await BenchDatabase.CreateAsync(provider, "read", folder, options.PostgresConnectionString, cancellationToken);
        await using var host = await ServerProcess.StartHostAppAsync(SendScenario.HostSettings(provider, database, folder), cancellationToken);

        BenchAccount reader;
        string roomId;
        double seedSeconds;
        using (var seeding = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(2) })
        {
            var api = new ChatApiClient(seeding);
            var users = await api.CreateUsersAsync("reader", Authors, cancellationToken);
            reader = users[0];
            roomId = await api.CreateGroupAsync(reader, "read benchmark", users, cancellationToken);
            Console.WriteLine($"read on {provider}: seeding {options.Population:N0} other users and rooms, and {options.Messages:N0} messages, straight into the database");
            seedSeconds = await PopulationSeeder.SeedAsync(provider, database.ConnectionString, options.Population, options.Population, cancellationToken);
            seedSeconds += await HistorySeeder.SeedRoomHistoryAsync(
                provider, database.ConnectionString, roomId, [.. users.Select(u => u.Id)], options.Messages, Spacing, cancellationToken);
            seedSeconds += await HistorySeeder.SeedConversationFieldsAsync(
                provider, database.ConnectionString, roomId, [.. users.Select(u => u.Id)], ConversationPageSize, cancellationToken);
            Console.WriteLine($"read on {provider}: seeded in {seedSeconds:F1} s");
        }

        var deepBefore = await HistorySeeder.MessageIdFromNewestAsync(provider, database.ConnectionString, roomId, (int)(options.Messages * DeepFraction) - 1, cancellationToken);
        var catchUpAfter = await HistorySeeder.MessageIdFromNewestAsync(provider, database.ConnectionString, roomId, options.CatchUp, cancellationToken);

        // --bearer: the baseline server also serves the authenticated page, reading the host's bearer tokens.
        await using var baseline = await ServerProcess.StartBenchServerAsync(
            [BaselineServer.Command, "--provider", provider, "--database", database.ConnectionString, "--bearer", "--contentRoot", ServerProcess.HostAppDirectory],
            SendScenario.BaselineServerSettings, cancellationToken);

        var newestPath = $"/api/chat/rooms/{roomId}/messages?limit={PageSize}";
        var deepPath = $"{newestPath}&cursor={MessagesCursor(roomId, deepBefore)}";
        var rawNewestPath = $"/rooms/{roomId}/messages?limit={PageSize}";
        var rawDeepPath = $"{rawNewestPath}&before={deepBefore}";
        await VerifyAsync(host.BaseAddress, baseline.BaseAddress, reader, newestPath, deepPath, rawNewestPath, rawDeepPath, deepBefore, cancellationToken);
        var page100Path = $"/api/chat/rooms/{roomId}/messages?limit={ConversationPageSize}";
        var rawPage100Path = $"/authenticated/rooms/{roomId}/messages?limit={ConversationPageSize}";
        var page100Bytes = await VerifySameBytesAsync(host.BaseAddress, page100Path, baseline.BaseAddress, rawPage100Path, reader, cancellationToken);

        Console.WriteLine($"read on {provider}: settling both servers with {options.Settle.TotalSeconds:F0} s of unmeasured reads each");
        var settleConnections = options.Connections.Max();
        using (var settleHost = LoadRunner.CreateClient(host.BaseAddress, settleConnections))
        using (var settleBaseline = LoadRunner.CreateClient(baseline.BaseAddress, settleConnections))
        {
            await LoadRunner.RunAsync(settleConnections, TimeSpan.Zero, options.Settle, (worker, ct) => worker % 2 == 0
                ? RawGetAsync(settleBaseline, rawNewestPath, reader, ct)
                : LoadRunner.GetAsync(settleBaseline, rawPage100Path, reader.AccessToken, ct), cancellationToken);
            await LoadRunner.RunAsync(settleConnections, TimeSpan.Zero, options.Settle, (worker, ct) =>
                LoadRunner.GetAsync(settleHost, (worker % 3) switch { 0 => newestPath, 1 => deepPath, _ => page100Path }, reader.AccessToken, ct), cancellationToken);
        }

        var rows = new List<ReadRow>();
        foreach (var connections in options.Connections)
        {
            using var toHost = LoadRunner.CreateClient(host.BaseAddress, connections);
            using var toBaseline = LoadRunner.CreateClient(baseline.BaseAddress, connections);
            async Task<LoadResult> RunOnceAsync(string label, LoadOperation operation)
            {
                LoadResult result;
                using (await MachineLock.AcquireAsync(options.LockFile, cancellationToken))
                    result = await LoadRunner.RunAsync(connections, options.WarmUp, options.Duration, operation, cancellationToken);
                Console.WriteLine($"  {connections,3} conn  {label,-64} {result.Throughput,8:F0} req/s  p50 {result.P50,7:F2} ms  p99 {result.P99,7:F1} ms  failures: {result.FailureSummary}");
                return result;
            }

            // The four page reads in alternation, round after round; each figure pools its rounds.
            (string Label, ReadRowKind Kind, LoadOperation Operation)[] alternated =
            [
                (RawNewestLabel, ReadRowKind.RawNewest, (_, ct) => RawGetAsync(toBaseline, rawNewestPath, reader, ct)),
                (NewestLabel, ReadRowKind.Newest, (_, ct) => LoadRunner.GetAsync(toHost, newestPath, reader.AccessToken, ct)),
                (DeepLabel, ReadRowKind.Deep, (_, ct) => LoadRunner.GetAsync(toHost, deepPath, reader.AccessToken, ct)),
                (RawDeepLabel, ReadRowKind.RawDeep, (_, ct) => RawGetAsync(toBaseline, rawDeepPath, reader, ct)),
                (RawPage100Label, ReadRowKind.RawPage100, (_, ct) => LoadRunner.GetAsync(toBaseline, rawPage100Path, reader.AccessToken, ct)),
                (Page100Label, ReadRowKind.Page100, (_, ct) => LoadRunner.GetAsync(toHost, page100Path, reader.AccessToken, ct)),
            ];
            var results = alternated.Select(_ => new List<LoadResult>()).ToArray();
            for (var round = 0; round < options.Rounds; round++)
            {
                for (var i = 0; i < alternated.Length; i++)
                    results[i].Add(await RunOnceAsync(alternated[i].Label, alternated[i].Operation));
            }

            for (var i = 0; i < alternated.Length; i++)
                rows.Add(new ReadRow(alternated[i].Label, alternated[i].Kind, connections, LoadResult.Combine(results[i])));

            rows.Add(new ReadRow(AuthenticatedLabel, ReadRowKind.Authenticated, connections,
                await RunOnceAsync(AuthenticatedLabel, (_, ct) => LoadRunner.GetAsync(toHost, "/api/chat/users/me", reader.AccessToken, ct))));
            rows.Add(new ReadRow(EmptyLabel, ReadRowKind.Empty, connections,
                await RunOnceAsync(EmptyLabel, (_, ct) => LoadRunner.GetAsync(toBaseline, "/empty", null, ct))));
        }

        Console.WriteLine($"read on {provider}: catch-up from {options.CatchUp:N0} messages back, one connection");
        var catchUp = await MeasureCatchUpAsync(options, host.BaseAddress, reader, roomId, catchUpAfter, newestPath, cancellationToken);

        var hostPeak = await host.StopAsync();
        var baselinePeak = await baseline.StopAsync();
        return new ReadReport(provider, options.Messages, options.Population, seedSeconds, rows, catchUp, hostPeak, baselinePeak, page100Bytes);
    }

    /// <summary>
    /// DfChat's page of 100 and the authenticated baseline's must be the same bytes (and a full page whose
    /// messages carry the §8 fields); the baseline must refuse a request without a token. Returns the size.
    /// </summary>
    private static async Task<int> VerifySameBytesAsync(Uri hostAddress, string path, Uri baselineAddress, string rawPath, BenchAccount reader, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        async Task<byte[]> GetAsync(Uri server, string url, string? token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server, url));
            if (token is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
            return body;
        }

        var dfchat = await GetAsync(hostAddress, path, reader.AccessToken);
        var raw = await GetAsync(baselineAddress, rawPath, reader.AccessToken);
        if (!dfchat.AsSpan().SequenceEqual(raw))
            throw new InvalidOperationException($"The authenticated baseline's page differs from DfChat's:{Environment.NewLine}{Encoding.UTF8.GetString(dfchat)}{Environment.NewLine}{Encoding.UTF8.GetString(raw)}");
        var items = JsonDocument.Parse(dfchat).RootElement.GetProperty("items");
        if (items.GetArrayLength() != ConversationPageSize
            || !items.EnumerateArray().Any(m => m.GetProperty("threadReplyCount").GetInt32() > 0)
            || !items.EnumerateArray().Any(m => m.GetProperty("pinnedAt").ValueKind == JsonValueKind.String)
            || !items.EnumerateArray().Any(m => m.GetProperty("mentions").GetArrayLength() > 0))
            throw new InvalidOperationException($"GET {path}: not a page of {ConversationPageSize} messages with threads, pins and mentions.");

        using var anonymous = new HttpRequestMessage(HttpMethod.Get, new Uri(baselineAddress, rawPath));
        using var refused = await http.SendAsync(anonymous, cancellationToken);
        if (refused.StatusCode != System.Net.HttpStatusCode.Unauthorized)
            throw new InvalidOperationException($"GET {rawPath} without a token answered {(int)refused.StatusCode}, not 401.");
        return dfchat.Length;
    }

    /// <summary>
    /// A cursor of the message list (<c>src/DfChat/Services/Cursor.cs</c>: <c>c1|messages:{room}|0|{id}</c>,
    /// base64url), positioned after message <paramref name="id"/>: the position a client reaches by paging
    /// down from the top, without paging 900,000 messages first. <see cref="VerifyAsync"/> checks that the
    /// host accepts it and that it lands where it should.
    /// </summary>
    public static string MessagesCursor(string roomId, long id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"c1|messages:{roomId}|0|{id}")));

    /// <summary>Before measuring, one request of each kind must answer a full page of the right messages.</summary>
    private static async Task VerifyAsync(
        Uri hostAddress, Uri baselineAddress, BenchAccount reader, string newest, string deep, string rawNewest, string rawDeep, long deepBefore, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        async Task<JsonElement> GetAsync(Uri server, string path, bool raw)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server, path));
            if (raw)
                request.Headers.TryAddWithoutValidation("X-User-Id", reader.Id);
            else
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", reader.AccessToken);
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {body}");
            return JsonDocument.Parse(body).RootElement.Clone();
        }

        static long FirstId(JsonElement page, string path)
        {
            var items = page.GetProperty("items");
            if (items.GetArrayLength() != PageSize)
                throw new InvalidOperationException($"GET {path} answered {items.GetArrayLength()} messages, not {PageSize}.");
            var id = items[0].GetProperty("id");
            return id.ValueKind == JsonValueKind.String ? long.Parse(id.GetString()!, CultureInfo.InvariantCulture) : id.GetInt64();
        }

        var newestId = FirstId(await GetAsync(hostAddress, newest, raw: false), newest);
        if (FirstId(await GetAsync(baselineAddress, rawNewest, raw: true), rawNewest) != newestId)
            throw new InvalidOperationException("The baseline's newest page does not start with DfChat's newest message.");
        var deepId = FirstId(await GetAsync(hostAddress, deep, raw: false), deep);
        if (deepId >= deepBefore || FirstId(await GetAsync(baselineAddress, rawDeep, raw: true), rawDeep) != deepId)
            throw new InvalidOperationException($"The deep page starts at message {deepId}, not just before {deepBefore}, or the baseline's differs.");
    }

    /// <summary>
    /// Catch-ups one after the other on one connection, alternating by rounds with the newest page: each
    /// catch-up asks <c>?after=</c> the message <c>--catch-up</c> messages back, then follows
    /// <c>nextCursor</c> until it is null, each page timed on its own (the request and its whole body; the
    /// JSON is read for the cursor after the clock stops). Only pages completed inside the measured window
    /// count, as in <see cref="LoadRunner"/>.
    /// </summary>
    private static async Task<CatchUpResult> MeasureCatchUpAsync(
        BenchOptions options, Uri hostAddress, BenchAccount reader, string roomId, long after, string newestPath, CancellationToken cancellationToken)
    {
        var expectedPages = (options.CatchUp + PageSize - 1) / PageSize;
        var byPage = Enumerable.Range(0, expectedPages).Select(_ => new List<double>()).ToArray();
        var walks = new List<double>();
        var newestRounds = new List<LoadResult>();
        var failures = new Dictionary<string, int>();
        using var http = LoadRunner.CreateClient(hostAddress, 1);
        for (var round = 0; round < options.Rounds; round++)
        {
            using (await MachineLock.AcquireAsync(options.LockFile, cancellationToken))
            {
                newestRounds.Add(await LoadRunner.RunAsync(1, options.WarmUp, options.Duration, (_, ct) => LoadRunner.GetAsync(http, newestPath, reader.AccessToken, ct), cancellationToken));
                var clock = Stopwatch.StartNew();
                var (from, until) = (options.WarmUp, options.WarmUp + options.Duration);
                while (clock.Elapsed < until)
                {
                    var walkStarted = clock.Elapsed;
                    string? cursor = null;
                    var page = 0;
                    var messages = 0;
                    var pageTimes = new List<(double Ended, double Milliseconds)>();
                    string? failure = null;
                    do
                    {
                        var path = $"/api/chat/rooms/{roomId}/messages?after={after}&limit={PageSize}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
                        using var request = new HttpRequestMessage(HttpMethod.Get, path);
                        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", reader.AccessToken);
                        var started = clock.Elapsed;
                        byte[] body;
                        using (var response = await http.SendAsync(request, cancellationToken))
                        {
                            body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                            if (!response.IsSuccessStatusCode)
                                failure = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                        }

                        var ended = clock.Elapsed;
                        if (failure is not null)
                            break;
                        pageTimes.Add((ended.TotalMilliseconds, (ended - started).TotalMilliseconds));
                        using var json = JsonDocument.Parse(body);
                        messages += json.RootElement.GetProperty("items").GetArrayLength();
                        cursor = json.RootElement.GetProperty("nextCursor") is { ValueKind: JsonValueKind.String } next ? next.GetString() : null;
                        page++;
                    }
                    while (cursor is not null && page <= expectedPages);

                    if (failure is null && (page != expectedPages || messages != options.CatchUp))
                        failure = $"{messages} messages in {page} pages";
                    var walkEnded = clock.Elapsed;
                    if (walkEnded < from || walkEnded > until)
                        continue;
                    if (failure is not null)
                    {
                        failures[failure] = failures.GetValueOrDefault(failure) + 1;
                        continue;
                    }

                    walks.Add((walkEnded - walkStarted).TotalMilliseconds);
                    for (var i = 0; i < pageTimes.Count; i++)
                        byPage[i].Add(pageTimes[i].Milliseconds);
                }
            }

            Console.WriteLine($"    round {round + 1}: newest page p50 {newestRounds[^1].P50:F2} ms; catch-ups so far {walks.Count}, failures: {(failures.Count == 0 ? "none" : string.Join(", ", failures.Select(f => $"{f.Key}: {f.Value}")))}");
        }

        // Pages grouped by their place in the catch-up: flat from the first group to the last means linear in pages.
        var bucketSize = Math.Max(1, (int)Math.Ceiling(expectedPages / (double)CatchUpBuckets));
        var buckets = Enumerable.Range(0, (expectedPages + bucketSize - 1) / bucketSize).Select(b =>
        {
            var first = b * bucketSize;
            var last = Math.Min(expectedPages, first + bucketSize) - 1;
            double[] latencies = [.. byPage[first..(last + 1)].SelectMany(l => l).Order()];
            return new CatchUpBucket(first + 1, last + 1, latencies);
        }).ToList();
        return new CatchUpResult(options.CatchUp, expectedPages, LoadResult.Combine(newestRounds), [.. byPage.SelectMany(l => l).Order()], buckets, [.. walks.Order()], failures);
    }

    /// <summary>A read from the baseline server, which has no authentication: the user's id travels in a header.</summary>
    private static Task<int> RawGetAsync(HttpClient http, string path, BenchAccount reader, CancellationToken cancellationToken) =>
        LoadRunner.GetAsync(http, path, bearerToken: null, cancellationToken, ("X-User-Id", reader.Id));
}

/// <summary>What a row of the read tables measures.</summary>
internal enum ReadRowKind
{
    RawNewest,
    Newest,
    Deep,
    RawDeep,
    Authenticated,
    Empty,

    /// <summary>DfChat's newest page of 100 (issue 22).</summary>
    Page100,

    /// <summary>The same bytes from the same statements behind the same authentication: the baseline of <see cref="Page100"/>.</summary>
    RawPage100,
}

/// <summary>One (pooled) load run of the read tables.</summary>
internal sealed record ReadRow(string Label, ReadRowKind Kind, int Connections, LoadResult Result);

/// <summary>Page latencies of the pages from <paramref name="FirstPage"/> to <paramref name="LastPage"/> (1-based) of every catch-up.</summary>
internal sealed record CatchUpBucket(int FirstPage, int LastPage, double[] SortedLatencies)
{
    public double Percentile(double fraction) => CatchUpResult.Percentile(SortedLatencies, fraction);
}

/// <summary>The catch-ups of one run, beside the newest page measured in alternation with them.</summary>
internal sealed record CatchUpResult(
    int Messages, int Pages, LoadResult Newest, double[] SortedPageLatencies, IReadOnlyList<CatchUpBucket> Buckets, double[] SortedWalks, IReadOnlyDictionary<string, int> Failures)
{
    public static double Percentile(double[] sorted, double fraction) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)];

    public string FailureSummary => Failures.Count == 0
        ? "none"
        : string.Join(", ", Failures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}: {f.Value}"));
}

/// <summary>The read tables of one provider: newest page against the raw query, deep page and catch-up against the newest page.</summary>
internal sealed record ReadReport(
    string Provider, int Messages, int Population, double SeedSeconds, IReadOnlyList<ReadRow> Rows, CatchUpResult CatchUp, long HostPeakBytes, long BaselinePeakBytes, int Page100Bytes)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public ReadRow Row(int connections, ReadRowKind kind) => Rows.Single(r => r.Connections == connections && r.Kind == kind);

    public IEnumerable<string> MissingFigures(IReadOnlyList<int> connectionCounts)
    {
        foreach (var connections in connectionCounts)
        {
            foreach (var kind in Enum.GetValues<ReadRowKind>())
            {
                if (Rows.FirstOrDefault(r => r.Connections == connections && r.Kind == kind) is not { } row)
                    yield return $"{connections} connections: no figure for {kind}";
                else if (row.Result.Successes == 0 || double.IsNaN(row.Result.P99))
                    yield return $"{connections} connections, {row.Label}: no successful request";
            }
        }

        if (CatchUp.SortedWalks.Length == 0)
            yield return "catch-up: no complete catch-up";
        if (CatchUp.Newest.Successes == 0)
            yield return "catch-up: no newest page beside it";
        foreach (var bucket in CatchUp.Buckets.Where(b => b.SortedLatencies.Length == 0))
            yield return $"catch-up: no figure for pages {bucket.FirstPage}–{bucket.LastPage}";
        if (CatchUp.Failures.Count > 0)
            yield return $"catch-up: failures {CatchUp.FailureSummary}";
        if (HostPeakBytes <= 0)
            yield return "no peak memory of the host";
    }

    public void AppendMarkdown(StringBuilder md, IReadOnlyList<int> connectionCounts)
    {
        var provider = Reporting.BenchReport.ProviderName(Provider);
        md.AppendLine();
        md.AppendLine(Invariant, $"### Read, {provider}: one room of {Messages:N0} messages");
        md.AppendLine();
        md.AppendLine(Invariant, $"Seeded straight into the database in {SeedSeconds:F0} s (the reader, its room and its fellow authors over HTTP), beside {Population:N0} other users and {Population:N0} group rooms of two of them. One reader, a member of the room, with its bearer token on every connection. The baseline reads the same tables of the same database from the baseline server: the caller's membership, then the page with its authors' names (`Baselines/RawMessageReader.cs`), as JSON.");
        md.AppendLine();
        md.AppendLine("#### Newest page of 50 (ratio of throughput; target ≥ 0.5×)");
        md.AppendLine();
        md.AppendLine("| connections | what | ratio to baseline | req/s | p50 ms | p99 ms | non-2xx |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---|");
        foreach (var connections in connectionCounts)
        {
            var baseline = Row(connections, ReadRowKind.RawNewest);
            foreach (var kind in new[] { ReadRowKind.RawNewest, ReadRowKind.Newest, ReadRowKind.Authenticated, ReadRowKind.Empty })
            {
                var row = Row(connections, kind);
                var ratio = Reporting.BenchReport.Ratio(row.Result.Throughput, baseline.Result.Throughput);
                var label = kind switch
                {
                    ReadRowKind.RawNewest => $"{row.Label} — **baseline**",
                    ReadRowKind.Newest => $"**{row.Label}**",
                    _ => row.Label,
                };
                if (kind == ReadRowKind.Newest)
                    ratio = $"**{ratio}**";
                AppendRow(md, connections, label, ratio, row.Result);
            }
        }

        md.AppendLine();
        md.AppendLine(Invariant, $"#### Newest page of {ReadScenario.ConversationPageSize}, with thread, pin and mention fields, against the same bytes behind the same authentication (ratio of throughput; target ≥ 0.5×)");
        md.AppendLine();
        md.AppendLine(Invariant, $"The newest {ReadScenario.ConversationPageSize} messages carry the fields of API.md §8 as the chat stores them (every fourth mentions two members, every tenth has a thread of two replies, three are pinned). The baseline (`Baselines/RawConversationPage.cs`) runs the statements DfChat runs and writes the same {Page100Bytes:N0} bytes (compared before measuring), behind the host's bearer-token handler and the authorization middleware.");
        md.AppendLine();
        md.AppendLine("| connections | what | ratio to baseline | req/s | p50 ms | p99 ms | non-2xx |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---|");
        foreach (var connections in connectionCounts)
        {
            var baseline = Row(connections, ReadRowKind.RawPage100);
            var page = Row(connections, ReadRowKind.Page100);
            AppendRow(md, connections, $"{baseline.Label} — **baseline**", "1.00×", baseline.Result);
            AppendRow(md, connections, $"**{page.Label}**", $"**{Reporting.BenchReport.Ratio(page.Result.Throughput, baseline.Result.Throughput)}**", page.Result);
        }

        md.AppendLine();
        md.AppendLine(Invariant, $"#### A page {ReadScenarioDepth(Messages)} deep (ratio of p50 latency to the newest page's; target ≤ 1.2×)");
        md.AppendLine();
        md.AppendLine("| connections | what | p50 ratio to the newest page | req/s | p50 ms | p99 ms | non-2xx |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---|");
        foreach (var connections in connectionCounts)
        {
            var newest = Row(connections, ReadRowKind.Newest);
            var rawNewest = Row(connections, ReadRowKind.RawNewest);
            AppendRow(md, connections, $"{newest.Label} — **newest**", "1.00×", newest.Result);
            var deep = Row(connections, ReadRowKind.Deep);
            AppendRow(md, connections, $"**{deep.Label}**", $"**{Reporting.BenchReport.Ratio(deep.Result.P50, newest.Result.P50)}**", deep.Result);
            AppendRow(md, connections, $"{rawNewest.Label} (its own newest: 1.00×)", "1.00×", rawNewest.Result);
            var rawDeep = Row(connections, ReadRowKind.RawDeep);
            AppendRow(md, connections, rawDeep.Label, Reporting.BenchReport.Ratio(rawDeep.Result.P50, rawNewest.Result.P50), rawDeep.Result);
        }

        md.AppendLine();
        md.AppendLine(Invariant, $"#### Catch-up: `?after=` {CatchUp.Messages:N0} messages back, paged to the end with `nextCursor` (1 connection; ratio of p50 latency to the newest page's; target ≤ 1.2× for every page)");
        md.AppendLine();
        var newestP50 = CatchUp.Newest.P50;
        var walkP50 = CatchUp.SortedWalks.Length == 0 ? double.NaN : Percentile(CatchUp.SortedWalks, 0.5);
        md.AppendLine(Invariant, $"{CatchUp.SortedWalks.Length} complete catch-ups of {CatchUp.Pages} pages each (failures: {CatchUp.FailureSummary}); a whole catch-up took {Reporting.BenchReport.Milliseconds(walkP50)} ms at the median, {Reporting.BenchReport.Milliseconds(walkP50 / CatchUp.Pages)} ms per page.");
        md.AppendLine();
        md.AppendLine("| pages | p50 ratio to the newest page | requests | p50 ms | p99 ms |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        md.AppendLine(Invariant, $"| the newest page (`?limit=50`), measured in alternation — **baseline** | 1.00× | {CatchUp.Newest.Successes:N0} | {Reporting.BenchReport.Milliseconds(newestP50)} | {Reporting.BenchReport.Milliseconds(CatchUp.Newest.P99)} |");
        md.AppendLine(Invariant, $"| **every page of the catch-ups** | **{Reporting.BenchReport.Ratio(Percentile(CatchUp.SortedPageLatencies, 0.5), newestP50)}** | {CatchUp.SortedPageLatencies.Length:N0} | {Reporting.BenchReport.Milliseconds(Percentile(CatchUp.SortedPageLatencies, 0.5))} | {Reporting.BenchReport.Milliseconds(Percentile(CatchUp.SortedPageLatencies, 0.99))} |");
        foreach (var bucket in CatchUp.Buckets)
        {
            var pages = bucket.FirstPage == bucket.LastPage ? $"page {bucket.FirstPage}" : $"pages {bucket.FirstPage}–{bucket.LastPage}";
            md.AppendLine(Invariant, $"| {pages} | {Reporting.BenchReport.Ratio(bucket.Percentile(0.5), newestP50)} | {bucket.SortedLatencies.Length:N0} | {Reporting.BenchReport.Milliseconds(bucket.Percentile(0.5))} | {Reporting.BenchReport.Milliseconds(bucket.Percentile(0.99))} |");
        }

        md.AppendLine();
        md.AppendLine(Invariant, $"Peak working set (VmHWM): the sample host {Reporting.BenchReport.Megabytes(HostPeakBytes)}, the baseline server {Reporting.BenchReport.Megabytes(BaselinePeakBytes)}.");
    }

    private static string ReadScenarioDepth(int messages) => $"{(int)(messages * 0.9):N0} messages";

    private static double Percentile(double[] sorted, double fraction) => CatchUpResult.Percentile(sorted, fraction);

    private static void AppendRow(StringBuilder md, int connections, string label, string ratio, LoadResult result) =>
        md.AppendLine(Invariant, $"| {connections} | {label} | {ratio} | {result.Throughput:N0} | {Reporting.BenchReport.Milliseconds(result.P50)} | {Reporting.BenchReport.Milliseconds(result.P99)} | {result.FailureSummary} |");
}
