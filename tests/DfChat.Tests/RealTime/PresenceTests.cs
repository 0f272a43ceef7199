using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using DfChat.Events;
using DfChat.Tests.Http.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace DfChat.Tests.RealTime;

/// <summary>The <c>presence</c> events a hub connection receives, recorded apart from the other events.</summary>
public sealed class PresenceRecorder
{
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();

    public PresenceRecorder(HubClient client) =>
        client.Connection.On<JsonElement>(ChatEventNames.Presence, payload => _events.Writer.TryWrite(payload));

    /// <summary>The next presence event of <paramref name="userId"/>; fails after <paramref name="seconds"/>.</summary>
    public async Task<JsonElement> NextAsync(string userId, double seconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            while (true)
            {
                var payload = await _events.Reader.ReadAsync(timeout.Token);
                if (payload.GetProperty("userId").GetString() == userId)
                    return payload;
            }
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"No presence event of {userId} within {seconds} s.");
        }
    }

    /// <summary>The presence events received so far.</summary>
    public List<JsonElement> Received()
    {
        var seen = new List<JsonElement>();
        while (_events.Reader.TryRead(out var payload))
            seen.Add(payload);
        return seen;
    }
}

/// <summary>A host whose grace period is short, so that tests see users go offline quickly.</summary>
public abstract class PresenceApi(DatabaseProvider provider) : ChatApiFactory(provider)
{
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(1);

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["DfChat:Presence:GracePeriod"] = GracePeriod.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
    };
}

public sealed class SqlitePresenceApi() : PresenceApi(DatabaseProvider.Sqlite);

public sealed class PostgresPresenceApi() : PresenceApi(DatabaseProvider.Postgres);

/// <summary><c>GET /users/{userId}</c> and the hub's <c>presence</c> event on one node (API.md §8).</summary>
public abstract class PresenceTests(ChatApiFactory api) : HttpTestBase(api)
{
    [SkippableFact]
    public async Task GetUser_SharesRoom_IdNameAndOffline()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        await alice.CreateGroupAsync(bob);

        var user = await alice.GetJsonAsync($"users/{bob.Id}");

        Assert.Equal(["displayName", "id", "lastActiveAt", "online"], user.Names());
        Assert.Equal(bob.Id, user.Str("id"));
        Assert.Equal(bob.Email, user.Str("displayName"));
        Assert.False(user.GetProperty("online").GetBoolean());
        Assert.Equal(JsonValueKind.Null, user.GetProperty("lastActiveAt").ValueKind);
    }

    [SkippableFact]
    public async Task GetUser_NoSharedRoom_NotFound()
    {
        var (alice, bob, eve) = (await UserAsync("alice"), await UserAsync("bob"), await UserAsync("eve"));
        await alice.CreateGroupAsync(bob);
        await eve.CreateRoomIdAsync("channel", "open", isPublic: true);

        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"users/{eve.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"users/{Guid.NewGuid()}")).StatusCode);
    }

    [SkippableFact]
    public async Task GetUser_OwnId_Found()
    {
        var alice = await UserAsync("alice");

        var user = await alice.GetJsonAsync($"users/{alice.Id}");

        Assert.Equal(alice.Id, user.Str("id"));
    }

    [SkippableFact]
    public async Task Presence_FirstConnection_OnlineToRoommatesOnly()
    {
        var (alice, bob, eve) = (await UserAsync("alice"), await UserAsync("bob"), await UserAsync("eve"));
        await alice.CreateGroupAsync(bob);
        var eveAlone = await eve.CreateGroupAsync();
        await using var bobHub = await HubClient.ConnectAsync(Api, bob);
        var atBob = new PresenceRecorder(bobHub);
        await using var eveHub = await HubClient.ConnectAsync(Api, eve);
        var atEve = new PresenceRecorder(eveHub);

        await using var aliceHub = await HubClient.ConnectAsync(Api, alice);

        var online = await atBob.NextAsync(alice.Id);
        Assert.Equal(["lastActiveAt", "online", "userId"], online.Names());
        Assert.True(online.GetProperty("online").GetBoolean());
        Assert.True((await bob.GetJsonAsync($"users/{alice.Id}")).GetProperty("online").GetBoolean());
        await eveHub.BeforeBeaconAsync(eve, eveAlone);
        Assert.Empty(atEve.Received());
    }

    [SkippableFact]
    public async Task Presence_BlockedUser_NothingToTheBlockerOthersHearIt()
    {
        // Arrange: Alice blocked Bob; Carol shares the room with both.
        var (alice, bob, carol) = (await UserAsync("alice"), await UserAsync("bob"), await UserAsync("carol"));
        var room = await alice.CreateGroupAsync(bob, carol);
        await HttpAssert.JsonAsync(await alice.PostAsync("users/me/blocks", new { userId = bob.Id }), HttpStatusCode.Created);
        await using var aliceHub = await HubClient.ConnectAsync(Api, alice);
        var atAlice = new PresenceRecorder(aliceHub);
        await using var carolHub = await HubClient.ConnectAsync(Api, carol);
        var atCarol = new PresenceRecorder(carolHub);
        await atAlice.NextAsync(carol.Id);

        // Act: Bob comes online, then goes offline.
        var bobHub = await HubClient.ConnectAsync(Api, bob);
        Assert.True((await atCarol.NextAsync(bob.Id)).GetProperty("online").GetBoolean());
        await bobHub.DisposeAsync();
        Assert.False((await atCarol.NextAsync(bob.Id)).GetProperty("online").GetBoolean());

        // Assert: Alice heard neither (her queue is in order: the beacon comes after both).
        await aliceHub.BeforeBeaconAsync(carol, room);
        Assert.DoesNotContain(atAlice.Received(), p => p.GetProperty("userId").GetString() == bob.Id);
    }

    [SkippableFact]
    public async Task Presence_LastConnectionClosed_OfflineAfterGracePeriod()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        await alice.CreateGroupAsync(bob);
        await using var bobHub = await HubClient.ConnectAsync(Api, bob);
        var atBob = new PresenceRecorder(bobHub);
        var aliceHub = await HubClient.ConnectAsync(Api, alice);
        await atBob.NextAsync(alice.Id);

        await aliceHub.DisposeAsync();

        var offline = await atBob.NextAsync(alice.Id);
        Assert.False(offline.GetProperty("online").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, offline.GetProperty("lastActiveAt").ValueKind);
        var user = await bob.GetJsonAsync($"users/{alice.Id}");
        Assert.False(user.GetProperty("online").GetBoolean());
        Assert.Equal(offline.GetProperty("lastActiveAt").GetDateTime(), user.GetProperty("lastActiveAt").GetDateTime());
    }

    [SkippableFact]
    public async Task Presence_ReconnectWithinGracePeriod_NoFlap()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateGroupAsync(bob);
        await using var bobHub = await HubClient.ConnectAsync(Api, bob);
        var atBob = new PresenceRecorder(bobHub);
        var first = await HubClient.ConnectAsync(Api, alice);
        await atBob.NextAsync(alice.Id);

        // A page reload: the connection closes and a new one opens at once.
        await first.DisposeAsync();
        await using var second = await HubClient.ConnectAsync(Api, alice);
        await Task.Delay(PresenceApi.GracePeriod * 2);

        await bobHub.BeforeBeaconAsync(alice, room);
        Assert.Empty(atBob.Received());
        Assert.True((await bob.GetJsonAsync($"users/{alice.Id}")).GetProperty("online").GetBoolean());
    }
}

public sealed class SqlitePresenceTests(SqlitePresenceApi api) : PresenceTests(api), IClassFixture<SqlitePresenceApi>;

public sealed class PostgresPresenceTests(PostgresPresenceApi api) : PresenceTests(api), IClassFixture<PostgresPresenceApi>;
