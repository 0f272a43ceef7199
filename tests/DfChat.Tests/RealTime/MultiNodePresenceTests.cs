using System.Net.Http.Json;
using System.Text.Json;
using DfChat.Tests.Http.Infrastructure;
using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.RealTime;

/// <summary>
/// Presence across sample-host processes sharing one database and a real redis-server: a user is online
/// once whatever the number of its connections and nodes, and a node that dies without shutting down
/// leaves nobody online for longer than the node timeout.
/// </summary>
public abstract class MultiNodePresenceTests(DatabaseProvider provider) : NodeTestBase(provider)
{
    private static readonly Dictionary<string, string> FastPresence = new()
    {
        ["DfChat__Presence__GracePeriod"] = "00:00:01",
        ["DfChat__Presence__HeartbeatInterval"] = "00:00:00.500",
        ["DfChat__Presence__NodeTimeout"] = "00:00:03",
    };

    /// <summary>A node timeout well above a busy machine's pauses, for the test that must see no flap.</summary>
    private static readonly Dictionary<string, string> SteadyPresence = new(FastPresence) { ["DfChat__Presence__NodeTimeout"] = "00:00:15" };

    private static async Task ShareRoomAsync(NodeUser owner, NodeUser other)
    {
        var created = await owner.User.Client.PostAsJsonAsync("rooms", new { type = "group", name = "presence", userIds = new[] { other.Id } });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
    }

    private static async Task<bool> OnlineAsync(NodeUser asker, NodeUser user) =>
        (await asker.User.Client.GetFromJsonAsync<JsonElement>($"users/{user.Id}")).GetProperty("online").GetBoolean();

    [SkippableFact]
    [RequiresRedis]
    public async Task Presence_ConnectionsOnTwoNodes_OnlineOnceOfflineAfterTheLast()
    {
        // A deployment of its own on the shared Redis: other tests' nodes publish presence too.
        var redis = RequireRedis() + ",channelPrefix=" + Guid.NewGuid().ToString("N");
        await using var nodeA = await StartNodeAsync(redis, SteadyPresence);
        await using var nodeB = await StartNodeAsync(redis, SteadyPresence);
        var alice = await UserAsync(nodeA, "alice");
        var bob = await UserAsync(nodeB, "bob");
        await ShareRoomAsync(alice, bob);
        await using var bobHub = await HubClient.ConnectAsync(HubUrl(nodeB), bob.Token);
        var atBob = new PresenceRecorder(bobHub);

        // Online once, from node A, though a second connection opens on node B.
        var onA = await HubClient.ConnectAsync(HubUrl(nodeA), alice.Token);
        Assert.True((await atBob.NextAsync(alice.Id, 15)).GetProperty("online").GetBoolean());
        var onB = await HubClient.ConnectAsync(HubUrl(nodeB), alice.Token);
        Assert.True(await OnlineAsync(bob, alice));

        // Node A's connection closes: still online on node B, past the grace period.
        await onA.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.True(await OnlineAsync(bob, alice));
        var flaps = atBob.Received();
        Assert.True(flaps.Count == 0, "Expected no presence event, got: " + string.Join("; ", flaps));

        // The last one closes: offline, seen from either node.
        await onB.DisposeAsync();
        Assert.False((await atBob.NextAsync(alice.Id, 15)).GetProperty("online").GetBoolean());
        Assert.False(await OnlineAsync(bob, alice));
        var fromA = await LoginAsync(nodeA, bob.User.Email);
        Assert.False(await OnlineAsync(fromA, alice));
    }

    [SkippableFact]
    [RequiresRedis]
    public async Task Presence_NodeKilledWithoutShutdown_UsersGoOfflineAfterNodeTimeout()
    {
        // A deployment of its own on the shared Redis: other tests' nodes publish presence too.
        var redis = RequireRedis() + ",channelPrefix=" + Guid.NewGuid().ToString("N");
        await using var survivor = await StartNodeAsync(redis, FastPresence);
        var doomed = await StartNodeAsync(redis, FastPresence);
        var alice = await UserAsync(survivor, "alice");
        var bob = await UserAsync(survivor, "bob");
        await ShareRoomAsync(alice, bob);
        await using var bobHub = await HubClient.ConnectAsync(HubUrl(survivor), bob.Token);
        var atBob = new PresenceRecorder(bobHub);
        var aliceOnDoomed = await LoginAsync(doomed, alice.User.Email);
        var aliceHub = await HubClient.ConnectAsync(HubUrl(doomed), aliceOnDoomed.Token);
        Assert.True((await atBob.NextAsync(alice.Id, 15)).GetProperty("online").GetBoolean());

        // Killed: no clean shutdown, its Redis entries stay until the others count it dead.
        await doomed.DisposeAsync();

        var offline = await atBob.NextAsync(alice.Id, 20);
        Assert.False(offline.GetProperty("online").GetBoolean());
        Assert.False(await OnlineAsync(bob, alice));
        await aliceHub.DisposeAsync();
    }
}

public sealed class SqliteMultiNodePresenceTests() : MultiNodePresenceTests(DatabaseProvider.Sqlite);

public sealed class PostgresMultiNodePresenceTests() : MultiNodePresenceTests(DatabaseProvider.Postgres);
