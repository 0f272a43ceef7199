using System.Net;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary>Races the contract promises to settle: one message per clientMessageId, one private room per pair, one reaction, one membership.</summary>
public abstract class ConcurrencyTests(ChatApiFactory api) : HttpTestBase(api)
{
    private const int Parallel = 10;

    [SkippableFact]
    public async Task SendMessage_SameClientMessageIdInParallel_OneCreatedRestReturnIt()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, Parallel)
            .Select(_ => alice.PostAsync($"rooms/{roomId}/messages", new { text = "once", clientMessageId = "race-1" })));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(Parallel - 1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.ReadJsonAsync()).Str("id")));
        Assert.Single(ids.Distinct());
        Assert.Equal(ids[0], Assert.Single((await alice.GetJsonAsync($"rooms/{roomId}/messages")).Items()).Str("id"));
    }

    [SkippableFact]
    public async Task CreateRoom_PrivateMessagesByBothInParallel_OneRoom()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(i => i % 2 == 0
            ? alice.PostAsync("rooms", new { type = "private_messages", userIds = new[] { bob.Id } })
            : bob.PostAsync("rooms", new { type = "private_messages", userIds = new[] { alice.Id } })));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"got {(int)r.StatusCode}"));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.ReadJsonAsync()).Str("id")));
        Assert.Single(ids.Distinct());
        Assert.Single((await alice.GetJsonAsync("rooms?type=private_messages")).Items());
        Assert.Single((await bob.GetJsonAsync("rooms?type=private_messages")).Items());
    }

    [SkippableFact]
    public async Task AddReaction_SameReactionInParallel_OneCreated()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        var responses = await Task.WhenAll(Enumerable.Range(0, Parallel)
            .Select(_ => alice.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = "like" })));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(Parallel - 1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.ReadJsonAsync()).Str("id")));
        Assert.Single(ids.Distinct());
        Assert.Single((await alice.GetJsonAsync($"rooms/{roomId}/messages/{messageId}/reactions")).Items());
    }

    [SkippableFact]
    public async Task JoinRoom_SameUserInParallel_OneMembership()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("group", isPublic: true);

        var responses = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ => bob.PostAsync($"rooms/{roomId}/join")));

        foreach (var response in responses)
            await HttpAssert.JsonAsync(response);
        Assert.Equal(2, (await alice.GetJsonAsync($"rooms/{roomId}")).Prop("memberCount").GetInt32());
        Assert.Equal(2, (await alice.GetJsonAsync($"rooms/{roomId}/users")).Items().Count);
    }

    [SkippableFact]
    public async Task AddMember_SameUserInParallel_OneCreatedRestConflict()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ => alice.PostAsync($"rooms/{roomId}/users", new { userId = bob.Id })));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(Parallel - 1, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(2, (await alice.GetJsonAsync($"rooms/{roomId}")).Prop("memberCount").GetInt32());
    }

    [SkippableFact]
    public async Task SendMessage_ManyInParallel_UnreadCountMatches()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        var responses = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(i => alice.PostAsync($"rooms/{roomId}/messages", new { text = $"m{i}" })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(Parallel, (await bob.GetJsonAsync($"rooms/{roomId}")).Prop("membership").Prop("unreadCount").GetInt32());
    }
}

public sealed class SqliteConcurrencyTests(SqliteChatApi api) : ConcurrencyTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresConcurrencyTests(PostgresChatApi api) : ConcurrencyTests(api), IClassFixture<PostgresChatApi>;
