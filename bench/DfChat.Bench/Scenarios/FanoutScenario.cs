using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DfChat.Bench.Baselines;
using DfChat.Bench.Http;
using DfChat.Bench.Reporting;
using DfChat.Bench.Seeding;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace DfChat.Bench.Scenarios;

/// <summary>
/// One message to a room whose members are all connected to the hub: how long until each member's
/// connection has it (from just before the POST to the moment the client sees the event), and whether every
/// one got it. The baseline is a bare SignalR hub in the baseline server broadcasting the same payload to a
/// group of as many connections, timed the same way from just before its POST.
/// </summary>
internal static class FanoutScenario
{
    private const int ConnectConcurrency = 16;
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(15);

    public static async Task<FanoutReport> RunAsync(BenchOptions options, string provider, string folder, CancellationToken cancellationToken)
    {
        var recipients = options.Recipients;
        var messages = options.Smoke ? 3 : 20;
        Console.WriteLine($"fan-out on {provider}: starting the sample host and the baseline server");
        await using var hostDatabase = await BenchDatabase.CreateAsync(provider, "fanout", folder, options.PostgresConnectionString, cancellationToken);
        var hostSettings = new Dictionary<string, string>
        {
            ["Database__Provider"] = provider,
            ["ConnectionStrings__Chat"] = hostDatabase.ConnectionString,
            ["Media__Root"] = Directory.CreateDirectory(Path.Combine(folder, $"media-fanout-{provider}")).FullName,
            ["DfChat__RateLimits__Enabled"] = "false",
        };
        List<string> baselineArguments = [BaselineServer.Command, "--provider", "sqlite", "--database", $"Data Source={Path.Combine(folder, "unused.db")}"];
        if (options.Redis is { } redis)
        {
            hostSettings["ConnectionStrings__Redis"] = redis;
            baselineArguments.AddRange(["--redis", redis]);
        }

        await using var host = await ServerProcess.StartHostAppAsync(hostSettings, cancellationToken);
        await using var baseline = await ServerProcess.StartBenchServerAsync(
            baselineArguments, new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" }, cancellationToken);

        Console.WriteLine($"fan-out on {provider}: seeding {recipients} users over HTTP, their memberships in the database");
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        var api = new ChatApiClient(http);
        var members = await api.CreateUsersAsync("member", recipients, cancellationToken);
        var sender = members[0];
        var roomId = await api.CreateGroupAsync(sender, "fan-out benchmark", [sender], cancellationToken);
        await MembershipSeeder.AddGroupMembersAsync(provider, hostDatabase.ConnectionString, roomId, sender.Id, members.Select(m => m.Id), cancellationToken);

        Console.WriteLine($"fan-out on {provider}: connecting {recipients} members to the hub");
        var hubUrl = new Uri(host.BaseAddress, "/api/chat/hub");
        await using var ours = await Audience.ConnectAsync(
            members.Select(m => Connection(hubUrl, m.AccessToken)).ToList(), _ => Task.CompletedTask, cancellationToken);
        var body = Encoding.UTF8.GetBytes("""{"text":"Hello everyone: one message to the whole room."}""");
        async Task<string> PostAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/chat/rooms/{roomId}/messages") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sender.AccessToken);
            using var response = await http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString()!;
        }

        // Until every connection has one message: the hub puts a connection into its groups after the handshake.
        await ours.WarmUpAsync(PostAsync, cancellationToken);
        FanoutResult dfchat;
        await using (var backplane = await StartCounterAsync(options.Redis, HostChannelPrefix))
        using (await MachineLock.AcquireAsync(options.LockFile, cancellationToken))
            dfchat = await ours.MeasureAsync(messages, PostAsync, backplane, cancellationToken);
        var payload = ours.LastPayload ?? throw new InvalidOperationException("No messageCreated payload was received.");

        Console.WriteLine($"fan-out on {provider}: the bare hub, {recipients} connections");
        var bareUrl = new Uri(baseline.BaseAddress, "/hub");
        await using var bare = await Audience.ConnectAsync(
            members.Select(_ => Connection(bareUrl, accessToken: null)).ToList(), c => c.InvokeAsync("Join", "room", cancellationToken), cancellationToken);
        using var toBaseline = new HttpClient { BaseAddress = baseline.BaseAddress };
        var sequence = 0;
        async Task<string> BroadcastAsync()
        {
            // The payload DfChat delivered, with an id of its own so that each broadcast is told apart.
            var id = $"bare-{Interlocked.Increment(ref sequence).ToString(CultureInfo.InvariantCulture)}";
            var node = JsonNode.Parse(payload.GetRawText())!;
            node["id"] = id;
            using var content = new StringContent(node.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await toBaseline.PostAsync(new Uri("/broadcast/room", UriKind.Relative), content, cancellationToken);
            response.EnsureSuccessStatusCode();
            return id;
        }

        await bare.WarmUpAsync(BroadcastAsync, cancellationToken);
        FanoutResult broadcast;
        await using (var backplane = await StartCounterAsync(options.Redis, BaselineServer.BareHubChannelPrefix))
        using (await MachineLock.AcquireAsync(options.LockFile, cancellationToken))
            broadcast = await bare.MeasureAsync(messages, BroadcastAsync, backplane, cancellationToken);

        var hostPeak = await host.StopAsync();
        var baselinePeak = await baseline.StopAsync();
        return new FanoutReport(provider, recipients, messages, dfchat, broadcast, hostPeak, baselinePeak, options.Redis is not null);
    }

    /// <summary>The sample host's backplane channel prefix (HostSetup.AddChatBackplane).</summary>
    private const string HostChannelPrefix = "dfchat";

    private static async Task<BackplaneCounter?> StartCounterAsync(string? redis, string channelPrefix) =>
        redis is null ? null : await BackplaneCounter.StartAsync(redis, channelPrefix);

    private static HubConnection Connection(Uri url, string? accessToken) =>
        new HubConnectionBuilder()
            .WithUrl(url, o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                if (accessToken is not null)
                    o.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
            })
            .Build();

    /// <summary>Hub connections that record when each of them receives each <c>messageCreated</c>, by message id.</summary>
    private sealed class Audience : IAsyncDisposable
    {
        private readonly List<HubConnection> _connections;
        private readonly ConcurrentDictionary<string, ConcurrentQueue<long>> _arrivals = new();

        private Audience(List<HubConnection> connections) => _connections = connections;

        public JsonElement? LastPayload { get; private set; }

        public static async Task<Audience> ConnectAsync(List<HubConnection> connections, Func<HubConnection, Task> afterStart, CancellationToken cancellationToken)
        {
            var audience = new Audience(connections);
            foreach (var connection in connections)
            {
                connection.On<JsonElement>("messageCreated", payload =>
                {
                    var arrived = Stopwatch.GetTimestamp();
                    audience.LastPayload = payload;
                    audience._arrivals.GetOrAdd(payload.GetProperty("id").GetString()!, _ => new()).Enqueue(arrived);
                });
            }

            var started = Stopwatch.StartNew();
            await Parallel.ForEachAsync(connections, new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency, CancellationToken = cancellationToken }, async (c, ct) =>
            {
                await c.StartAsync(ct);
                await afterStart(c);
            });
            Console.WriteLine($"  {connections.Count} connections open in {started.Elapsed.TotalSeconds:F1} s");
            return audience;
        }

        /// <summary>Sends until one message reaches every connection (at most 10 tries).</summary>
        public async Task WarmUpAsync(Func<Task<string>> send, CancellationToken cancellationToken)
        {
            for (var attempt = 0; attempt < 10; attempt++)
            {
                var id = await send();
                if (await WaitForAllAsync(id, TimeSpan.FromSeconds(5), cancellationToken))
                    return;
                Console.WriteLine($"  warm-up: {Received(id)} of {_connections.Count} connections received message {id}; {_connections.Count(c => c.State != HubConnectionState.Connected)} not connected");
            }

            throw new InvalidOperationException("The connections never all received a message.");
        }

        private int Received(string id) => _arrivals.TryGetValue(id, out var queue) ? queue.Count : 0;

        /// <summary>Sends <paramref name="count"/> messages one after the other; each is timed from just before its send.</summary>
        public async Task<FanoutResult> MeasureAsync(int count, Func<Task<string>> send, BackplaneCounter? backplane, CancellationToken cancellationToken)
        {
            var latencies = new List<double>();
            var missed = 0;
            var published = backplane?.Count;
            for (var i = 0; i < count; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var id = await send();
                await WaitForAllAsync(id, DeliveryTimeout, cancellationToken);
                var arrivals = _arrivals.TryGetValue(id, out var queue) ? queue.ToArray() : [];
                latencies.AddRange(arrivals.Select(a => Stopwatch.GetElapsedTime(started, a).TotalMilliseconds));
                missed += Math.Max(0, _connections.Count - arrivals.Length);
            }

            latencies.Sort();
            if (backplane is not null)
            {
                // Every message was published before it was delivered; let the counter's subscription catch up.
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                published = backplane.Count - published;
            }

            return new FanoutResult(count * _connections.Count, latencies.ToArray(), missed, published / (double?)count);
        }

        private async Task<bool> WaitForAllAsync(string id, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < timeout)
            {
                if (_arrivals.TryGetValue(id, out var queue) && queue.Count >= _connections.Count)
                    return true;
                await Task.Delay(5, cancellationToken);
            }

            return false;
        }

        public async ValueTask DisposeAsync()
        {
            await Parallel.ForEachAsync(_connections, new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency }, async (c, _) => await c.DisposeAsync());
        }
    }
}

/// <summary>The deliveries of a series of messages to every connection of a room.</summary>
/// <param name="Expected">Messages × connections.</param>
/// <param name="SortedLatencies">Per delivery, ms from just before the send to its arrival at the client, ascending.</param>
/// <param name="Missed">Deliveries that did not arrive within the timeout.</param>
/// <param name="BackplanePerEvent">Messages published on the Redis backplane per message sent; null without a backplane.</param>
internal sealed record FanoutResult(int Expected, double[] SortedLatencies, int Missed, double? BackplanePerEvent)
{
    public double Percentile(double fraction) =>
        SortedLatencies.Length == 0
            ? double.NaN
            : SortedLatencies[Math.Clamp((int)Math.Ceiling(fraction * SortedLatencies.Length) - 1, 0, SortedLatencies.Length - 1)];
}

/// <summary>The fan-out table of one provider.</summary>
internal sealed record FanoutReport(string Provider, int Recipients, int Messages, FanoutResult DfChat, FanoutResult Broadcast, long HostPeakBytes, long BaselinePeakBytes, bool Backplane)
{
    public IEnumerable<string> MissingFigures()
    {
        if (DfChat.SortedLatencies.Length == 0)
            yield return "no DfChat delivery";
        if (Broadcast.SortedLatencies.Length == 0)
            yield return "no bare broadcast delivery";
        if (HostPeakBytes <= 0)
            yield return "no peak memory of the host";
        if (BaselinePeakBytes <= 0)
            yield return "no peak memory of the bare hub's server";
        if (Backplane && (DfChat.BackplanePerEvent is null || Broadcast.BackplanePerEvent is null))
            yield return "no count of backplane messages";
    }

    public void AppendMarkdown(StringBuilder md)
    {
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"### Fan-out, {BenchReport.ProviderName(Provider)}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"A group room of {Recipients} members, every one connected to the hub over WebSockets; {Messages} messages posted one after the other; each delivery timed from just before the POST to its arrival at the client.");
        md.AppendLine();
        md.AppendLine("| what | p99 ratio to baseline | deliveries | p50 ms | p99 ms | max ms | backplane messages per event |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        Row(md, "**DfChat: POST a message, `messageCreated` to every member**", DfChat);
        Row(md, "bare SignalR hub: POST, broadcast of the same payload to a group — **baseline**", Broadcast);
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Peak working set (VmHWM): the sample host {BenchReport.Megabytes(HostPeakBytes)}, the bare hub's server {BenchReport.Megabytes(BaselinePeakBytes)} (each with the {Recipients} connections). {(Backplane ? "Both through a Redis backplane; its messages counted by a subscriber to each one's channel prefix." : "No backplane (one node).")}");
    }

    private void Row(StringBuilder md, string label, FanoutResult result)
    {
        var ratio = BenchReport.Ratio(result.Percentile(0.99), Broadcast.Percentile(0.99));
        var delivered = result.Expected - result.Missed;
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {label} | {ratio} | {delivered:N0} / {result.Expected:N0} | {BenchReport.Milliseconds(result.Percentile(0.5))} | {BenchReport.Milliseconds(result.Percentile(0.99))} | {BenchReport.Milliseconds(result.SortedLatencies.LastOrDefault(double.NaN))} | {result.BackplanePerEvent?.ToString("0.#", CultureInfo.InvariantCulture) ?? "n/a"} |");
    }
}
