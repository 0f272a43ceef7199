using System.Collections.Concurrent;
using DfChat.Entities;
using DfChat.Events;
using DfChat.Services;
using DfChat.Storage;
using DfChat.Tests.Http.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.RealTime;

/// <summary>
/// Issue 21 "each event published once per deployment": two nodes over one database (and one Redis
/// when there is one) recovering the same unpublished events publish each of them once, in seq order
/// per room; and a host listener that fails is retried until it gets every event, in order.
/// </summary>
public abstract class OutboxRecoveryTests(OutboxRecoveryTests.RecordingChatApi api) : HttpTestBase(api)
{
    private RecordingChatApi Node => (RecordingChatApi)Api;

    [SkippableFact]
    public async Task Recover_TwoNodesAtOnce_EachUnpublishedEventPublishedOnceInSeqOrder()
    {
        // Arrange: a second node on the same database; 3 rooms with events, all marked unpublished.
        var nodeB = Node.SecondNode();
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var rooms = new List<string>();
        for (var r = 0; r < 3; r++)
        {
            var roomId = await alice.CreateGroupAsync(bob);
            rooms.Add(roomId);
            for (var i = 0; i < 15; i++)
                await alice.SendAsync(roomId, $"m{i}");
        }

        var outboxA = Api.Services.GetRequiredService<ChatOutbox>();
        var outboxB = nodeB.Services.GetRequiredService<ChatOutbox>();
        await outboxA.WhenIdleAsync();
        await outboxA.CheckpointAsync(CancellationToken.None);
        int expected;
        await using (var scope = Api.Services.CreateAsyncScope())
        {
            var events = scope.ServiceProvider.GetRequiredService<IChatDbContextProvider>().Context.Set<ChatRoomEvent>();
            expected = await events.ExecuteUpdateAsync(u => u
                .SetProperty(e => e.PublishedAt, (DateTime?)null).SetProperty(e => e.ClaimedBy, (string?)null).SetProperty(e => e.ClaimedUntil, (DateTime?)null));
        }

        Node.Heard.Clear();

        // Act: both nodes recover at the same moment, twice over.
        await Task.WhenAll(
            outboxA.RecoverAsync(TimeSpan.Zero, CancellationToken.None), outboxB.RecoverAsync(TimeSpan.Zero, CancellationToken.None),
            outboxA.RecoverAsync(TimeSpan.Zero, CancellationToken.None), outboxB.RecoverAsync(TimeSpan.Zero, CancellationToken.None));
        await outboxA.WhenIdleAsync();
        await outboxB.WhenIdleAsync();

        // Assert
        var heard = Node.Heard.ToList();
        var twice = heard.GroupBy(h => (h.RoomId, h.Seq)).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}").ToList();
        Assert.True(twice.Count == 0, $"Published more than once: {string.Join(", ", twice)}");
        Assert.Equal(expected, heard.Count);
        foreach (var node in heard.GroupBy(h => h.Node))
        {
            foreach (var room in node.GroupBy(h => h.RoomId))
                Assert.Equal(room.Select(h => h.Seq).Order(), room.Select(h => h.Seq));
        }
    }

    [SkippableFact]
    public async Task Publish_HostListenerFailsThenRecovers_ItGetsEveryEventInSeqOrder()
    {
        // Arrange
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var roomId = await alice.CreateGroupAsync(bob);
        var outbox = Api.Services.GetRequiredService<ChatOutbox>();
        await outbox.WhenIdleAsync();
        Node.Heard.Clear();

        // Act: the listener fails its next 4 calls (retries of the first event), then works.
        Node.FailNext = 4;
        for (var i = 0; i < 10; i++)
            await alice.SendAsync(roomId, $"m{i}");
        await outbox.WhenIdleAsync();

        // Assert
        var seqs = Node.Heard.Where(h => h.RoomId == roomId).Select(h => h.Seq).ToList();
        Assert.Equal(10, seqs.Count);
        Assert.Equal(Enumerable.Range((int)seqs[0], 10).Select(s => (long)s), seqs);
        Assert.Equal(0, Node.FailNext);
    }

    /// <summary>The sample host with a recording host listener that can be told to fail, and quick retries.</summary>
    public abstract class RecordingChatApi(DatabaseProvider provider) : UnthrottledChatApi(provider)
    {
        private WebApplicationFactory<Program>? _second;
        private int _failNext;

        public ConcurrentQueue<(string Node, string RoomId, long Seq)> Heard { get; } = new();

        public int FailNext
        {
            get => Volatile.Read(ref _failNext);
            set => Volatile.Write(ref _failNext, value);
        }

        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            [RateLimitsSetting] = "false",
            ["DfChat:Events:ListenerRetryDelay"] = "00:00:00.010",
            ["DfChat:Events:ListenerAttempts"] = "5",
            ["ConnectionStrings:Redis"] = Environment.GetEnvironmentVariable(NodeTestBase.RedisVariable) ?? "",
        };

        /// <summary>Another node over the same database and Redis, recording as "B".</summary>
        public WebApplicationFactory<Program> SecondNode()
        {
            // Node B records as "B" only: the first node's "A" listener, registered by ConfigureWebHost for
            // every host this factory builds, is taken out, or B's publications would be heard twice.
            _second ??= WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            {
                foreach (var first in s.Where(d => d.ServiceType == typeof(IChatEventListener) && d.ImplementationInstance is RecordingListener).ToList())
                    s.Remove(first);
                s.AddSingleton<IChatEventListener>(new RecordingListener(this, "B"));
            }));
            _ = _second.Services;
            return _second;
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(s =>
            {
                if (!s.Any(d => d.ServiceType == typeof(IChatEventListener) && d.ImplementationInstance is RecordingListener))
                    s.AddSingleton<IChatEventListener>(new RecordingListener(this, "A"));
            });
        }

        private sealed class RecordingListener(RecordingChatApi api, string node) : IChatEventListener
        {
            public Task HandleAsync(ChatEvent chatEvent, CancellationToken cancellationToken)
            {
                if (chatEvent.Seq == 0)
                    return Task.CompletedTask;
                if (Interlocked.Decrement(ref api._failNext) >= 0)
                    throw new InvalidOperationException("the host's webhook is down");
                Interlocked.Exchange(ref api._failNext, 0);
                api.Heard.Enqueue((node, chatEvent.RoomId, chatEvent.Seq));
                return Task.CompletedTask;
            }
        }
    }
}

public sealed class SqliteRecordingChatApi() : OutboxRecoveryTests.RecordingChatApi(DatabaseProvider.Sqlite);

public sealed class PostgresRecordingChatApi() : OutboxRecoveryTests.RecordingChatApi(DatabaseProvider.Postgres);

public sealed class SqliteOutboxRecoveryTests(SqliteRecordingChatApi api) : OutboxRecoveryTests(api), IClassFixture<SqliteRecordingChatApi>;

public sealed class PostgresOutboxRecoveryTests(PostgresRecordingChatApi api) : OutboxRecoveryTests(api), IClassFixture<PostgresRecordingChatApi>;
