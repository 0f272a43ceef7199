using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using DfChat.AspNetCore.RealTime;
using DfChat.Events;
using DfChat.Tests.Http.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.RealTime;

/// <summary>
/// API.md §5 "Slow clients" (issue 21): delivery to one connection never waits on another. A client
/// that stops reading its socket, on a real Kestrel server, delays no other member and is closed; the
/// node holds at most the configured number of events for it.
/// </summary>
public abstract class SlowClientTests(SlowClientTests.KestrelChatApi api) : IDisposable
{
    private const int Capacity = 200;

    private static readonly TimeSpan NoiseFloor = TimeSpan.FromMilliseconds(200);
    private const int Burst = 300;
    private const int Senders = 6;

    /// <summary>Messages as long as the default limit allows: a burst then fills any socket buffer quickly.</summary>
    private static readonly string Padding = new('x', 3900);

    public void Dispose() => GC.SuppressFinalize(this);

    [SkippableFact]
    public async Task Burst_OneClientStopsReading_OthersP99WithinThreeTimesBaselineAndItIsClosed()
    {
        // Arrange: alice sends; three members listen on healthy connections.
        api.SkipIfUnavailable();
        _ = api.ServerAddress;
        var alice = await ChatApiFactory.CreateUserAsync(api, "alice");
        var listeners = new List<ChatUser>();
        for (var i = 0; i < 3; i++)
            listeners.Add(await ChatApiFactory.CreateUserAsync(api, $"listener{i}"));
        var stalled = await ChatApiFactory.CreateUserAsync(api, "stalled");
        var roomId = await alice.CreateGroupAsync([.. listeners, stalled]);
        var received = new ConcurrentDictionary<string, long>();
        var hubs = new List<HubClient>();
        foreach (var listener in listeners)
        {
            var hub = await HubClient.ConnectAsync(HubUrl, Token(listener));
            var name = listener.Id;
            hub.Connection.On<JsonElement>(ChatEventNames.MessageCreated, payload =>
            {
                if (payload.GetProperty("text").GetString() is { } text && text.StartsWith('#'))
                    received.TryAdd(name + " " + text[..text.IndexOf(' ', StringComparison.Ordinal)], Stopwatch.GetTimestamp());
            });
            hubs.Add(hub);
        }

        try
        {
            await BurstAsync(alice, roomId, "warm", 60, received, listeners);
            var baseline = await BurstAsync(alice, roomId, "base", Burst, received, listeners);

            // Act: a member connects, reads the handshake, and never reads again; the same burst follows.
            var connections = api.Services.GetRequiredService<ChatHubLifetimeManager>();
            var before = connections.Senders.Select(s => s.ConnectionId).ToHashSet();
            using var stalledClient = await StalledClient.ConnectAsync(api.ServerAddress, Token(stalled));
            var stalledId = await WaitForAsync(() => connections.Senders.Select(s => s.ConnectionId).FirstOrDefault(id => !before.Contains(id)), "the stalled connection on the server");
            var largestQueue = 0;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    largestQueue = Math.Max(largestQueue, connections.Senders.Select(s => s.Count).DefaultIfEmpty().Max());
                    await Task.Delay(5, CancellationToken.None);
                }
            });
            var withStalled = await BurstAsync(alice, roomId, "stall", Burst, received, listeners);
            await sampling.CancelAsync();
            await sampler;

            // Assert
            // Within 3x the same burst without the stalled member, give or take the scheduling noise a busy
            // 2-core machine adds to any one burst (NoiseFloor): a delivery that waited on the stalled socket
            // would cost the others the whole stall timeout (1 s here), far above either.
            Assert.True(
                withStalled <= 3 * baseline + NoiseFloor,
                $"p99 with a stalled member {withStalled.TotalMilliseconds:0} ms, without {baseline.TotalMilliseconds:0} ms: more than 3x");
            await WaitForAsync(() => connections.Find(stalledId) is null ? "closed" : null, $"the stalled connection closed (queue {connections.Find(stalledId)?.Count}, closed {connections.Find(stalledId)?.IsClosed}, largest {largestQueue})", seconds: 15);
            Assert.InRange(largestQueue, 0, Capacity);
        }
        finally
        {
            foreach (var hub in hubs)
                await hub.DisposeAsync();
        }
    }

    private static string Token(ChatUser user) => user.Client.DefaultRequestHeaders.Authorization!.Parameter!;

    private Uri HubUrl => new(api.ServerAddress, "/api/chat/hub");

    /// <summary>Posts <paramref name="count"/> messages from a few concurrent senders; the p99 of send-to-receipt over every listener.</summary>
    private static async Task<TimeSpan> BurstAsync(ChatUser sender, string roomId, string tag, int count, ConcurrentDictionary<string, long> received, List<ChatUser> listeners)
    {
        var sentAt = new ConcurrentDictionary<string, long>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                var key = $"#{tag}{i}";
                sentAt[key] = Stopwatch.GetTimestamp();
                using var response = await sender.Client.PostAsJsonAsync($"rooms/{roomId}/messages", new { text = $"{key} {Padding}" });
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }
        }));

        var expected = listeners.SelectMany(l => sentAt.Keys.Select(k => l.Id + " " + k)).ToList();
        await WaitForAsync(() => expected.All(received.ContainsKey) ? "all" : null, $"every message of burst {tag} at every listener", seconds: 20);
        var latencies = expected.Select(k => Stopwatch.GetElapsedTime(sentAt[k[(k.IndexOf(' ', StringComparison.Ordinal) + 1)..]], received[k])).Order().ToList();
        return latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1];
    }

    private static async Task<string> WaitForAsync(Func<string?> probe, string what, double seconds = 10)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            if (probe() is { } found)
                return found;
            await Task.Delay(20);
        }

        throw new Xunit.Sdk.XunitException($"Waited {seconds} s for {what}.");
    }

    /// <summary>The sample host on a real Kestrel server (a stalled socket needs real TCP), with a small per-connection queue.</summary>
    public abstract class KestrelChatApi(DatabaseProvider provider) : UnthrottledChatApi(provider)
    {
        private Uri? _address;

        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            [RateLimitsSetting] = "false",
            ["DfChat:RealTime:ConnectionQueueCapacity"] = Capacity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DfChat:RealTime:ConnectionStallTimeout"] = "00:00:01",
        };

        /// <summary>
        /// Small socket send buffers (accepted sockets inherit them from the listening one), so that a client
        /// that stops reading stalls its writes after a few dozen messages rather than a few megabytes.
        /// </summary>
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.Configure<SocketTransportOptions>(o => o.CreateBoundListenSocket = endpoint =>
            {
                var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
                socket.SendBufferSize = 16 * 1024;
                return socket;
            }));
        }

        /// <summary>The server's address (starting it).</summary>
        public Uri ServerAddress
        {
            get
            {
                if (_address is null)
                {
                    UseKestrel(0);
                    StartServer();
                    var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
                    _address = new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
                }

                return _address;
            }
        }
    }

    /// <summary>A hub client over a raw socket with a small receive buffer: it connects, completes SignalR's handshake, and never reads again.</summary>
    private sealed class StalledClient : IDisposable
    {
        private readonly Socket _socket;
        private readonly WebSocket _webSocket;

        private StalledClient(Socket socket, WebSocket webSocket) => (_socket, _webSocket) = (socket, webSocket);

        public static async Task<StalledClient> ConnectAsync(Uri server, string token)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            await socket.ConnectAsync(IPAddress.Loopback, server.Port);
            var stream = new NetworkStream(socket, ownsSocket: false);
            var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
            var upgrade = $"GET /api/chat/hub?access_token={Uri.EscapeDataString(token)} HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\n"
                + $"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(upgrade));

            // The answer's head, byte by byte, so that nothing after it is consumed.
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                Assert.Equal(1, await stream.ReadAsync(one));
                head.Append((char)one[0]);
            }

            Assert.StartsWith("HTTP/1.1 101", head.ToString(), StringComparison.Ordinal);
            var webSocket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false });
            await webSocket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
            var buffer = new byte[256];
            var handshake = await webSocket.ReceiveAsync(buffer, CancellationToken.None);
            Assert.Equal("{}\u001e", Encoding.UTF8.GetString(buffer, 0, handshake.Count));
            return new StalledClient(socket, webSocket);
        }

        public void Dispose()
        {
            _webSocket.Abort();
            _socket.Dispose();
        }
    }
}

public sealed class SqliteKestrelChatApi() : SlowClientTests.KestrelChatApi(DatabaseProvider.Sqlite);

public sealed class PostgresKestrelChatApi() : SlowClientTests.KestrelChatApi(DatabaseProvider.Postgres);

public sealed class SqliteSlowClientTests(SqliteKestrelChatApi api) : SlowClientTests(api), IClassFixture<SqliteKestrelChatApi>;

public sealed class PostgresSlowClientTests(PostgresKestrelChatApi api) : SlowClientTests(api), IClassFixture<PostgresKestrelChatApi>;
