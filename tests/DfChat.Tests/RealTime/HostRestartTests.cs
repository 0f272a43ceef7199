using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DfChat.Events;
using DfChat.Tests.Http.Infrastructure;
using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.RealTime;

/// <summary>
/// API.md §5 "Ordering and catch-up": events are delivered after the commit whatever happens, "a host
/// that stops right after the commit" included. The host is killed (no graceful stop) while many sends
/// are in flight, so that some are committed and not yet published when it dies; after a restart on the
/// same database the log holds an event for every stored change, and clients get them.
/// </summary>
public abstract class HostRestartTests(DatabaseProvider provider) : NodeTestBase(provider)
{
    private const int Sends = 200;
    private const int KillAfter = 40;

    /// <summary>
    /// Starts <see cref="Sends"/> sends at once and kills <paramref name="node"/> as soon as
    /// <see cref="KillAfter"/> of them answered 201; returns the ids of the messages answered 201.
    /// </summary>
    private static async Task<List<string>> SendThenKillAsync(HostProcess node, ChatUser sender, string roomId)
    {
        var created = new ConcurrentQueue<string>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = Enumerable.Range(0, Sends).Select(async i =>
        {
            try
            {
                using var response = await sender.Client.PostAsJsonAsync($"rooms/{roomId}/messages", new { text = $"in flight {i}" });
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    created.Enqueue((await response.Content.ReadFromJsonAsync<JsonElement>()).Str("id"));
                    if (created.Count >= KillAfter)
                        enough.TrySetResult();
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
            {
                // The host died under this request.
            }
        }).ToList();
        await Task.WhenAny(enough.Task, Task.WhenAll(sends));
        await node.DisposeAsync();
        await Task.WhenAll(sends);
        return created.ToList();
    }

    [SkippableFact]
    public async Task HostKilledRightAfterCommits_AfterRestart_LogHasAnEventForEveryChangeAndSeqContinues()
    {
        // Arrange
        var node = await StartNodeAsync();
        NodeUser alice, bob;
        string roomId;
        List<string> created;
        try
        {
            alice = await UserAsync(node, "alice");
            bob = await UserAsync(node, "bob");
            roomId = await alice.User.CreateGroupAsync(bob.User);

            // Act
            created = await SendThenKillAsync(node, alice.User, roomId);
        }
        finally
        {
            await node.DisposeAsync();
        }

        await using var restarted = await StartNodeAsync();
        alice = await LoginAsync(restarted, alice.User.Email);
        bob = await LoginAsync(restarted, bob.User.Email);
        await using var bobHub = await HubClient.ConnectAsync(HubUrl(restarted), bob.Token);
        var recorder = HubEventRecorder.Attach(bobHub);

        // Assert: every 201 is stored; the log has 1..N, N = lastSeq, one messageCreated per stored message.
        var stored = (await WritePath.AllMessagesAsync(bob.User, roomId)).Select(m => m.Str("id")).ToList();
        Assert.True(created.Count >= KillAfter, $"only {created.Count} sends answered 201 before the host was killed");
        Assert.Empty(created.Except(stored));
        var log = await WritePath.AllEventsAsync(bob.User, roomId);
        WritePath.SeqIsGapless(log);
        Assert.Equal(log.Count, (await bob.User.GetJsonAsync($"rooms/{roomId}")).Prop("lastSeq").GetInt64());
        Assert.Equal(2, log.Count(e => e.Str("type") == ChatEventNames.MemberAdded));
        Assert.Equal(
            stored.Order(StringComparer.Ordinal),
            log.Where(e => e.Str("type") == ChatEventNames.MessageCreated).Select(e => e.Prop("payload").Str("id")).Order(StringComparer.Ordinal));
        Assert.Equal(2 + stored.Count, log.Count);

        // After the restart, seq goes on from where the log ends and reaches the hub.
        var next = await alice.User.SendIdAsync(roomId, "after the restart");
        var heard = await recorder.WaitForAsync(e => e.Name == ChatEventNames.MessageCreated && e.Payload.Str("id") == next, "the message sent after the restart");
        Assert.Equal(log.Count + 1, heard.Seq);
    }

    [SkippableFact]
    [RequiresRedis]
    public async Task HostKilledRightAfterCommits_ClientOfAnotherNode_GetsEveryEventInSeqOrder()
    {
        // Arrange: bob stays connected to node B while node A, which takes the sends, is killed and restarted.
        var redis = RequireRedis();
        await using var nodeB = await StartNodeAsync(redis);
        var nodeA = await StartNodeAsync(redis);
        NodeUser alice;
        string roomId;
        List<string> created;
        var bob = await UserAsync(nodeB, "bob");
        await using var bobHub = await HubClient.ConnectAsync(HubUrl(nodeB), bob.Token);
        var recorder = HubEventRecorder.Attach(bobHub);
        try
        {
            alice = await UserAsync(nodeA, "alice");
            roomId = await alice.User.CreateGroupAsync(bob.User);
            await recorder.WaitUntilAsync(e => e.Count(x => x.RoomId == roomId && x.Name == ChatEventNames.MemberAdded) >= 2, "both memberAdded of the creation at bob");

            // Act
            created = await SendThenKillAsync(nodeA, alice.User, roomId);
        }
        finally
        {
            await nodeA.DisposeAsync();
        }

        await using var restartedA = await StartNodeAsync(redis);

        // Assert: bob hears of every stored message, in seq order, without a gap.
        var stored = (await WritePath.AllMessagesAsync(bob.User, roomId)).Select(m => m.Str("id")).ToHashSet();
        Assert.Empty(created.Except(stored));
        await recorder.WaitUntilAsync(
            events => stored.IsSubsetOf(events.Where(e => e.Name == ChatEventNames.MessageCreated && e.RoomId == roomId).Select(e => e.Payload.Str("id"))),
            $"every one of the {stored.Count} stored messages delivered to bob",
            seconds: 60);
        var live = recorder.InSeqOrder(roomId);
        Assert.Equal(2 + stored.Count, live.Count);
    }

    [SkippableFact]
    public async Task HostKilledWhileBackplaneIsDown_ChangesCommittedMeanwhile_ReachClientsAfterRestart()
    {
        // Arrange: a Redis of this test's own, so that it can be stopped; bob listens on node B.
        var redis = await HostProcess.StartRedisAsync();
        Skip.If(redis is null, "redis-server is not installed (.ci/run installs it)");
        HostProcess? redisAgain = null;
        var backplane = $"127.0.0.1:{redis.Port}";
        var nodeA = await StartNodeAsync(backplane);
        try
        {
            await using var nodeB = await StartNodeAsync(backplane);
            var alice = await UserAsync(nodeA, "alice");
            var aliceOnB = await LoginAsync(nodeB, alice.User.Email);
            var bob = await UserAsync(nodeB, "bob");
            var roomId = await alice.User.CreateGroupAsync(bob.User);
            var probeRoom = await aliceOnB.User.CreateGroupAsync(bob.User);
            await using var bobHub = await HubClient.ConnectAsync(HubUrl(nodeB), bob.Token);
            var recorder = HubEventRecorder.Attach(bobHub);
            var before = await alice.User.SendIdAsync(roomId, "before the outage");
            await recorder.WaitForAsync(e => e.Name == ChatEventNames.MessageCreated && e.Payload.Str("id") == before, "the message before the outage");

            // Act: with the backplane down, node A commits messages it cannot have published; then it is killed.
            await redis.DisposeAsync();
            var sent = new List<string>();
            for (var i = 0; i < 10; i++)
                sent.Add(await alice.User.SendIdAsync(roomId, $"while the backplane is down {i}"));
            await nodeA.DisposeAsync();

            // Redis returns; once node B hears the backplane again (a probe through it reaches bob), node A restarts.
            redisAgain = await HostProcess.StartRedisAsync(redis.Port);
            for (var attempt = 0; ; attempt++)
            {
                var probe = await aliceOnB.User.SendIdAsync(probeRoom, $"probe {attempt}");
                try
                {
                    await recorder.WaitForAsync(e => e.Name == ChatEventNames.MessageCreated && e.Payload.Str("id") == probe, "a probe through the backplane", seconds: 2);
                    break;
                }
                catch (Xunit.Sdk.XunitException) when (attempt < 15)
                {
                }
            }

            await using var restartedA = await StartNodeAsync(backplane);

            // Assert: bob gets every message committed during the outage, in seq order after what it had.
            await recorder.WaitUntilAsync(
                events => sent.ToHashSet().IsSubsetOf(events.Where(e => e.Name == ChatEventNames.MessageCreated && e.RoomId == roomId).Select(e => e.Payload.Str("id"))),
                "every message committed while the backplane was down delivered to bob",
                seconds: 60);
            var live = recorder.InSeqOrder(roomId, firstSeq: 3);
            Assert.Equal(new[] { before }.Concat(sent), live.Select(e => e.Payload.Str("id")));
        }
        finally
        {
            await nodeA.DisposeAsync();
            await redis.DisposeAsync();
            if (redisAgain is not null)
                await redisAgain.DisposeAsync();
        }
    }
}

public sealed class SqliteHostRestartTests() : HostRestartTests(DatabaseProvider.Sqlite);

public sealed class PostgresHostRestartTests() : HostRestartTests(DatabaseProvider.Postgres);
