using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DfChat.Events;
using DfChat.Tests.Http.Infrastructure;
using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.RealTime;

/// <summary>
/// Several nodes: two sample-host processes sharing one database and a real redis-server deliver each
/// other's events; and a Redis outage never fails a send.
/// </summary>
public sealed class MultiNodeTests : IAsyncLifetime
{
    private const string RedisVariable = "DFCHAT_TEST_REDIS";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dfchat-nodes-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A host still closing its database file; the OS cleans temp folders.
        }

        return Task.CompletedTask;
    }

    [SkippableFact]
    [RequiresRedis]
    public async Task MessagePostedOnNodeB_ReachesClientConnectedToNodeA()
    {
        var redis = Environment.GetEnvironmentVariable(RedisVariable);
        Skip.If(string.IsNullOrEmpty(redis), $"Redis not available: set {RedisVariable} (.ci/run starts a redis-server and does)");
        var settings = Settings(redis);
        await using var nodeA = await HostProcess.StartSampleAsync(settings, _folder);
        await using var nodeB = await HostProcess.StartSampleAsync(settings, _folder);

        var alice = await UserAsync(nodeA.BaseAddress, "alice");
        var bob = await UserAsync(nodeB.BaseAddress, "bob");
        var room = await PostAsync(alice, "rooms", new { type = "group", name = "two nodes", userIds = new[] { bob.Id } });
        await using var aliceHub = await HubClient.ConnectAsync(new Uri(nodeA.BaseAddress, "/api/chat/hub"), alice.Token);

        var sent = await PostAsync(bob, $"rooms/{room.GetProperty("id").GetString()}/messages", new { text = "from node B" });
        var received = await aliceHub.NextAsync(ChatEventNames.MessageCreated, seconds: 15);

        Assert.Equal(sent.GetProperty("id").GetString(), received.GetProperty("id").GetString());
        Assert.Equal("from node B", received.GetProperty("text").GetString());
    }

    [SkippableFact]
    public async Task RedisDown_SendStillSucceedsAndIsStored_AndEventsResumeWhenRedisReturns()
    {
        await using var redis = await HostProcess.StartRedisAsync();
        Skip.If(redis is null, "redis-server is not installed (.ci/run installs it)");
        var port = redis.Port;
        await using var node = await HostProcess.StartSampleAsync(Settings($"127.0.0.1:{port}"), _folder);
        var alice = await UserAsync(node.BaseAddress, "alice");
        var bob = await UserAsync(node.BaseAddress, "bob");
        var room = (await PostAsync(alice, "rooms", new { type = "group", name = "outage", userIds = new[] { bob.Id } })).GetProperty("id").GetString();
        await using var bobHub = await HubClient.ConnectAsync(new Uri(node.BaseAddress, "/api/chat/hub"), bob.Token);

        await redis.DisposeAsync();
        var duringOutage = await alice.Client.PostAsJsonAsync($"rooms/{room}/messages", new { text = "while Redis is down" });
        var stored = await alice.Client.GetFromJsonAsync<JsonElement>($"rooms/{room}/messages");
        await using var restarted = await HostProcess.StartRedisAsync(port);
        await WaitUntilAsync(async () => (await alice.Client.PostAsJsonAsync($"rooms/{room}/messages", new { text = "ping" })).IsSuccessStatusCode
            && await ReceivedAsync(bobHub));

        Assert.Equal(System.Net.HttpStatusCode.Created, duringOutage.StatusCode);
        Assert.Contains(stored.GetProperty("items").EnumerateArray(), m => m.GetProperty("text").GetString() == "while Redis is down");
    }

    [SkippableFact]
    public async Task OneMessageToARoomOf50ConnectedMembersOnTwoNodes_IsOneRedisPublish()
    {
        await using var redis = await HostProcess.StartRedisAsync();
        Skip.If(redis is null, "redis-server is not installed (.ci/run installs it)");
        var settings = Settings($"127.0.0.1:{redis.Port}");
        await using var nodeA = await HostProcess.StartSampleAsync(settings, _folder);
        await using var nodeB = await HostProcess.StartSampleAsync(settings, _folder);
        var nodes = new[] { nodeA, nodeB };
        var users = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => UserAsync(nodes[i % 2].BaseAddress, $"member{i}")));
        var owner = users[0];
        var room = (await PostAsync(owner, "rooms", new { type = "channel", name = "big", userIds = users.Skip(1).Select(u => u.Id).ToArray() })).GetProperty("id").GetString()!;
        var hubs = await Task.WhenAll(users.Select((u, i) => HubClient.ConnectAsync(new Uri(nodes[i % 2].BaseAddress, "/api/chat/hub"), u.Token)));
        await using var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        try
        {
            // A first message, received everywhere, so that nothing published before it is still on its way.
            await PostAsync(owner, $"rooms/{room}/messages", new { text = "warm-up" });
            await Task.WhenAll(hubs.Select(h => h.NextAsync(ChatEventNames.MessageCreated, seconds: 15)));
            var before = await PublishCountAsync(server);

            await PostAsync(owner, $"rooms/{room}/messages", new { text = "to everyone" });
            var received = await Task.WhenAll(hubs.Select(h => h.NextAsync(ChatEventNames.MessageCreated, seconds: 15)));
            var after = await PublishCountAsync(server);

            Assert.All(received, m => Assert.Equal("to everyone", m.GetProperty("text").GetString()));
            Assert.Equal(1, after - before);
        }
        finally
        {
            foreach (var hub in hubs)
                await hub.DisposeAsync();
        }
    }

    [SkippableFact]
    [RequiresRedis]
    public async Task MembershipChangedOnNodeA_TakesEffectAtOnceForAClientOfNodeB()
    {
        var redis = Environment.GetEnvironmentVariable(RedisVariable);
        Skip.If(string.IsNullOrEmpty(redis), $"Redis not available: set {RedisVariable} (.ci/run starts a redis-server and does)");
        var settings = Settings(redis);
        await using var nodeA = await HostProcess.StartSampleAsync(settings, _folder);
        await using var nodeB = await HostProcess.StartSampleAsync(settings, _folder);
        var alice = await UserAsync(nodeA.BaseAddress, "alice");
        var carol = await UserAsync(nodeB.BaseAddress, "carol");
        var room = (await PostAsync(alice, "rooms", new { type = "group", name = "club" })).GetProperty("id").GetString()!;
        var beacon = (await PostAsync(alice, "rooms", new { type = "group", name = "beacon", userIds = new[] { carol.Id } })).GetProperty("id").GetString()!;
        await using var carolHub = await HubClient.ConnectAsync(new Uri(nodeB.BaseAddress, "/api/chat/hub"), carol.Token);

        await PostAsync(alice, $"rooms/{room}/users", new { userId = carol.Id });
        var added = await carolHub.NextAsync(ChatEventNames.MemberAdded, seconds: 15);
        await PostAsync(alice, $"rooms/{room}/messages", new { text = "welcome" });
        var welcome = await carolHub.NextAsync(ChatEventNames.MessageCreated, seconds: 15);
        var removal = await alice.Client.DeleteAsync($"rooms/{room}/users/{carol.Id}");
        var removed = await carolHub.NextAsync(ChatEventNames.MemberRemoved, seconds: 15);
        await PostAsync(alice, $"rooms/{room}/messages", new { text = "after removal" });
        await PostAsync(alice, $"rooms/{beacon}/messages", new { text = "beacon" });
        var beforeBeacon = await carolHub.UntilAsync(ChatEventNames.MessageCreated, beacon, seconds: 15);

        Assert.Equal((room, carol.Id), (added.GetProperty("roomId").GetString(), added.GetProperty("userId").GetString()));
        Assert.Equal("welcome", welcome.GetProperty("text").GetString());
        Assert.Equal(System.Net.HttpStatusCode.NoContent, removal.StatusCode);
        Assert.Equal((room, carol.Id), (removed.GetProperty("roomId").GetString(), removed.GetProperty("userId").GetString()));
        Assert.DoesNotContain(beforeBeacon, e => e.Payload.GetProperty("roomId").GetString() == room);
    }

    [SkippableFact]
    public async Task RedisOutage_MemberAddedMeanwhileOnNodeA_GetsTheRoomsEventsOnNodeBOnceRedisReturns()
    {
        await using var redis = await HostProcess.StartRedisAsync();
        Skip.If(redis is null, "redis-server is not installed (.ci/run installs it)");
        var port = redis.Port;
        var settings = Settings($"127.0.0.1:{port}");
        await using var nodeA = await HostProcess.StartSampleAsync(settings, _folder);
        await using var nodeB = await HostProcess.StartSampleAsync(settings, _folder);
        var alice = await UserAsync(nodeA.BaseAddress, "alice");
        var carol = await UserAsync(nodeB.BaseAddress, "carol");
        var room = (await PostAsync(alice, "rooms", new { type = "group", name = "club" })).GetProperty("id").GetString()!;
        await using var carolHub = await HubClient.ConnectAsync(new Uri(nodeB.BaseAddress, "/api/chat/hub"), carol.Token);

        await redis.DisposeAsync();
        await PostAsync(alice, $"rooms/{room}/users", new { userId = carol.Id });
        await using var restarted = await HostProcess.StartRedisAsync(port);

        // The memberAdded was lost with the outage; node B reloads its users' rooms when its subscription is back.
        await WaitUntilAsync(async () => (await alice.Client.PostAsJsonAsync($"rooms/{room}/messages", new { text = "ping" })).IsSuccessStatusCode
            && await ReceivedAsync(carolHub));
    }

    /// <summary>How many PUBLISH commands the Redis server has run.</summary>
    private static async Task<long> PublishCountAsync(StackExchange.Redis.IServer server)
    {
        var stats = await server.InfoAsync("commandstats");
        var publish = stats.SelectMany(g => g).FirstOrDefault(p => p.Key == "cmdstat_publish").Value;
        if (publish is null)
            return 0;
        var calls = publish.Split(',').First(p => p.StartsWith("calls=", StringComparison.Ordinal));
        return long.Parse(calls["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<bool> ReceivedAsync(HubClient hub)
    {
        try
        {
            await hub.NextAsync(ChatEventNames.MessageCreated, seconds: 2);
            return true;
        }
        catch (Xunit.Sdk.XunitException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 15; attempt++)
        {
            if (await condition())
                return;
        }

        Assert.Fail("Events did not resume after Redis came back.");
    }

    private Dictionary<string, string> Settings(string? redis) => new()
    {
        ["ConnectionStrings__Chat"] = $"Data Source={Path.Combine(_folder, "shared.db")}",
        // A channel of its own, so that nodes of other test runs sharing the Redis server are not heard.
        ["ConnectionStrings__Redis"] = string.IsNullOrEmpty(redis) ? "" : $"{redis},channelPrefix=dfchat-test-{Guid.NewGuid():N}",
        ["Media__Root"] = Path.Combine(_folder, "media"),
    };

    private static async Task<(string Id, string Token, HttpClient Client)> UserAsync(Uri node, string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}@test.example";
        string token;
        using (var auth = new HttpClient { BaseAddress = node })
        {
            (await auth.PostAsJsonAsync("/auth/register", new { email, password = ChatApiFactory.Password })).EnsureSuccessStatusCode();
            var login = await (await auth.PostAsJsonAsync("/auth/login", new { email, password = ChatApiFactory.Password })).Content.ReadFromJsonAsync<JsonElement>();
            token = login.GetProperty("accessToken").GetString()!;
        }

        var http = new HttpClient { BaseAddress = new Uri(node, "/api/chat/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await http.GetFromJsonAsync<JsonElement>("users/me");
        return (me.GetProperty("id").GetString()!, token, http);
    }

    private static async Task<JsonElement> PostAsync((string Id, string Token, HttpClient Client) user, string path, object body)
    {
        var response = await user.Client.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
