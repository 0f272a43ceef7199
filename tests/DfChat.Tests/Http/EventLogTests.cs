using System.Net;
using System.Text.Json;
using DfChat.Events;
using DfChat.Tests.Http.Infrastructure;
using DfChat.Tests.RealTime;
using Microsoft.AspNetCore.SignalR.Client;

namespace DfChat.Tests.Http;

/// <summary>
/// API.md §5 "Ordering and catch-up (v1.1)": every event of a room but <c>typing</c> carries <c>seq</c>,
/// 1, 2, 3… in commit order; <c>GET /rooms/{roomId}/events?after=&amp;limit=</c> gives the same events
/// as items <c>{ seq, type, payload, createdAt }</c>, oldest first; <c>GET /rooms/{roomId}</c> has <c>lastSeq</c>.
/// </summary>
public abstract class EventLogTests(ChatApiFactory api) : HttpTestBase(api)
{
    private static string Events(string roomId, string query) => $"rooms/{roomId}/events?{query}";

    /// <summary>One change of every kind that has an event, in this order, and the events they record.</summary>
    private static async Task<string[]> EveryKindOfChangeAsync(ChatUser alice, ChatUser bob, ChatUser carol, string roomId)
    {
        var message = await alice.SendIdAsync(roomId, "first");
        await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}/messages/{message}", new { text = "first, edited" }));
        var reaction = await bob.ReactAsync(roomId, message);
        await HttpAssert.StatusAsync(await bob.DeleteAsync($"reactions/{reaction.Str("id")}"), HttpStatusCode.NoContent);
        await HttpAssert.JsonAsync(await bob.PostAsync($"rooms/{roomId}/read", new { }));
        await HttpAssert.JsonAsync(await bob.PatchAsync($"rooms/{roomId}/users/me", new { muted = true }));
        await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}", new { name = "renamed" }));
        await alice.AddMemberAsync(roomId, carol);
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/users/{carol.Id}"), HttpStatusCode.NoContent);
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{message}"), HttpStatusCode.NoContent);
        return
        [
            ChatEventNames.MemberAdded, ChatEventNames.MemberAdded, // the room's creation: alice and bob
            ChatEventNames.MessageCreated, ChatEventNames.MessageUpdated, ChatEventNames.ReactionAdded, ChatEventNames.ReactionRemoved,
            ChatEventNames.Read, ChatEventNames.MemberUpdated, ChatEventNames.RoomUpdated, ChatEventNames.MemberAdded,
            ChatEventNames.MemberRemoved, ChatEventNames.MessageDeleted,
        ];
    }

    [SkippableFact]
    public async Task HubEvents_EveryKindOfChange_CarrySeqOneByOneInCommitOrder_AndTheLogHoldsTheSamePayloads()
    {
        // Arrange: bob listens from before the room exists.
        var (alice, bob, carol) = (await UserAsync("alice"), await UserAsync("bob"), await UserAsync("carol"));
        await using var bobHub = await HubClient.ConnectAsync(Api, bob);
        var recorder = HubEventRecorder.Attach(bobHub);

        // Act
        var roomId = await alice.CreateGroupAsync(bob);
        var expected = await EveryKindOfChangeAsync(alice, bob, carol, roomId);
        await alice.SendAsync(roomId, "last");
        expected = [.. expected, ChatEventNames.MessageCreated];

        // Assert: the hub gave seq 1..N in order, each event once at least; the log holds them as sent.
        await recorder.WaitUntilAsync(e => e.Any(x => x.RoomId == roomId && x.Name == ChatEventNames.MessageCreated && x.Payload.Str("text") == "last"), "the last message at bob");
        var live = recorder.InSeqOrder(roomId);
        Assert.Equal(expected, live.Select(e => e.Name));
        var log = await WritePath.AllEventsAsync(bob, roomId);
        WritePath.SeqIsGapless(log);
        Assert.Equal(expected, log.Select(e => e.Str("type")));
        foreach (var (item, heard) in log.Zip(live))
        {
            Assert.Equal(heard.Seq, item.Prop("seq").GetInt64());

            // The deleted message's events were heard live; the log has redacted them since (deleted means
            // gone), and the rename that showed it as the room's last message shows none.
            if (item.Prop("payload").TryGetProperty("redacted", out _))
                continue;
            var heardPayload = heard.Payload;
            if (heard.Name == ChatEventNames.RoomUpdated)
            {
                var room = System.Text.Json.Nodes.JsonNode.Parse(heardPayload.GetRawText())!.AsObject();
                room["lastMessage"] = null;
                heardPayload = JsonSerializer.SerializeToElement(room);
            }

            Assert.True(JsonElement.DeepEquals(heardPayload, item.Prop("payload")), $"seq {heard.Seq}: the hub sent {heard.Payload}, the log holds {item.Prop("payload")}");
        }

        Assert.Equal(expected.Length, (await bob.GetJsonAsync($"rooms/{roomId}")).Prop("lastSeq").GetInt64());
    }

    [SkippableFact]
    public async Task GetEvents_AfterZero_ItemsOfSeqTypePayloadCreatedAt_OldestFirst()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var roomId = await alice.CreateGroupAsync(bob);
        var sent = await alice.SendAsync(roomId, "hello log");

        var page = await bob.GetJsonAsync(Events(roomId, "after=0"));

        var items = page.Items();
        Assert.Null(page.Cursor());
        Assert.Equal(3, items.Count);
        Assert.All(items, i => Assert.Equal(new[] { "createdAt", "payload", "seq", "type" }, i.Names()));
        Assert.Equal(new long[] { 1, 2, 3 }, items.Select(i => i.Prop("seq").GetInt64()));
        Assert.Equal(new[] { ChatEventNames.MemberAdded, ChatEventNames.MemberAdded, ChatEventNames.MessageCreated }, items.Select(i => i.Str("type")));
        Assert.All(items, i => HttpAssert.Timestamp(i.Prop("createdAt")));
        Assert.All(items, i => Assert.Equal(i.Prop("seq").GetInt64(), i.Prop("payload").Prop("seq").GetInt64()));
        Assert.Equal(new[] { alice.Id, bob.Id }.Order(StringComparer.Ordinal), items.Take(2).Select(i => i.Prop("payload").Str("userId")).Order(StringComparer.Ordinal));

        // The messageCreated payload is the Message of the route, plus its seq.
        var payload = items[2].Prop("payload");
        Assert.Equal(sent.Names().Union(["seq"]).Order(StringComparer.Ordinal), payload.Names());
        foreach (var property in sent.EnumerateObject())
            Assert.True(JsonElement.DeepEquals(property.Value, payload.Prop(property.Name)), $"{property.Name}: sent {property.Value}, logged {payload.Prop(property.Name)}");
    }

    [SkippableFact]
    public async Task GetEvents_Limit_PagesWithNextCursorUntilNull()
    {
        var alice = await UserAsync("alice");
        var roomId = await alice.CreateGroupAsync();
        for (var i = 0; i < 6; i++)
            await alice.SendAsync(roomId, $"m{i}");

        var first = await alice.GetJsonAsync(Events(roomId, "after=0&limit=3"));
        var second = await alice.GetJsonAsync(Events(roomId, $"after=0&limit=3&cursor={Uri.EscapeDataString(first.Cursor()!)}"));
        var third = await alice.GetJsonAsync(Events(roomId, $"after=0&limit=3&cursor={Uri.EscapeDataString(second.Cursor()!)}"));

        Assert.Equal(new long[] { 1, 2, 3 }, first.Items().Select(i => i.Prop("seq").GetInt64()));
        Assert.Equal(new long[] { 4, 5, 6 }, second.Items().Select(i => i.Prop("seq").GetInt64()));
        Assert.Equal(new long[] { 7 }, third.Items().Select(i => i.Prop("seq").GetInt64()));
        Assert.NotNull(second.Cursor());
        Assert.Null(third.Cursor());
    }

    [SkippableFact]
    public async Task GetEvents_DefaultLimit_Is50()
    {
        var alice = await UserAsync("alice");
        var roomId = await alice.CreateGroupAsync();
        for (var i = 0; i < 50; i++)
            await alice.SendAsync(roomId, $"m{i}");

        var page = await alice.GetJsonAsync(Events(roomId, "after=0"));

        Assert.Equal(50, page.Items().Count);
        Assert.NotNull(page.Cursor());
    }

    [SkippableFact]
    public async Task GetEvents_AfterASeq_OnlyNewerEvents_AndNothingAfterTheLast()
    {
        var alice = await UserAsync("alice");
        var roomId = await alice.CreateGroupAsync();
        await alice.SendAsync(roomId, "one");
        await alice.SendAsync(roomId, "two");
        await alice.SendAsync(roomId, "three");

        var newer = await alice.GetJsonAsync(Events(roomId, "after=2"));
        var none = await alice.GetJsonAsync(Events(roomId, "after=4"));

        Assert.Equal(new long[] { 3, 4 }, newer.Items().Select(i => i.Prop("seq").GetInt64()));
        Assert.Equal(new[] { "two", "three" }, newer.Items().Select(i => i.Prop("payload").Str("text")));
        Assert.Null(newer.Cursor());
        Assert.Empty(none.Items());
        Assert.Null(none.Cursor());
    }

    [SkippableFact]
    public async Task UpdateRoom_Answer_CarriesTheSeqItsRoomUpdatedWasGiven()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var roomId = await alice.CreateGroupAsync(bob);
        await alice.SendAsync(roomId, "before");

        var answer = await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}", new { name = "renamed" }));

        var updated = (await WritePath.AllEventsAsync(bob, roomId)).Single(e => e.Str("type") == ChatEventNames.RoomUpdated);
        Assert.Equal(updated.Prop("seq").GetInt64(), answer.Prop("lastSeq").GetInt64());
        Assert.Equal(updated.Prop("seq").GetInt64(), updated.Prop("payload").Prop("lastSeq").GetInt64());
        Assert.Equal(updated.Prop("seq").GetInt64(), (await bob.GetJsonAsync($"rooms/{roomId}")).Prop("lastSeq").GetInt64());
    }

    [SkippableFact]
    public async Task GetRoom_LastSeq_IsTheLastEventsSeq()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var roomId = await alice.CreateGroupAsync(bob);
        var atCreation = (await alice.GetJsonAsync($"rooms/{roomId}")).Prop("lastSeq").GetInt64();
        var message = await alice.SendIdAsync(roomId);
        await bob.ReactAsync(roomId, message);

        var room = await bob.GetJsonAsync($"rooms/{roomId}");
        var log = await WritePath.AllEventsAsync(bob, roomId);

        Assert.Equal(2, atCreation);
        Assert.Equal(4, room.Prop("lastSeq").GetInt64());
        Assert.Equal(log[^1].Prop("seq").GetInt64(), room.Prop("lastSeq").GetInt64());
    }

    [SkippableFact]
    public async Task GetEvents_SeqIsPerRoom_EachRoomStartsAtOne()
    {
        var alice = await UserAsync("alice");
        var first = await alice.CreateGroupAsync();
        await alice.SendAsync(first, "in the first room");
        var second = await alice.CreateGroupAsync();
        await alice.SendAsync(second, "in the second room");

        var log = await WritePath.AllEventsAsync(alice, second);

        Assert.Equal(new long[] { 1, 2 }, log.Select(i => i.Prop("seq").GetInt64()));
        Assert.Equal("in the second room", log[1].Prop("payload").Str("text"));
        Assert.Equal(2, (await alice.GetJsonAsync($"rooms/{first}")).Prop("lastSeq").GetInt64());
    }

    [SkippableFact]
    public async Task GetEvents_OutsiderOfNonPublicRoom_404()
    {
        var (alice, eve) = (await UserAsync("alice"), await UserAsync("eve"));
        var roomId = await alice.CreateGroupAsync();
        await alice.SendAsync(roomId, "secret");

        await HttpAssert.JsonAsync(await alice.GetAsync(Events(roomId, "after=0")));
        await HttpAssert.ProblemAsync(await eve.GetAsync(Events(roomId, "after=0")), HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task GetEvents_RemovedMember_404()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var roomId = await alice.CreateGroupAsync(bob);
        await HttpAssert.JsonAsync(await bob.GetAsync(Events(roomId, "after=0")));
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/users/{bob.Id}"), HttpStatusCode.NoContent);

        await HttpAssert.ProblemAsync(await bob.GetAsync(Events(roomId, "after=0")), HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task GetEvents_NonMemberOfPublicRoom_ReadsThem()
    {
        var (alice, visitor) = (await UserAsync("alice"), await UserAsync("visitor"));
        var roomId = await alice.CreateRoomIdAsync("group", "public square", true);
        await alice.SendAsync(roomId, "news");

        var page = await visitor.GetJsonAsync(Events(roomId, "after=0"));

        Assert.Equal(new[] { ChatEventNames.MemberAdded, ChatEventNames.MessageCreated }, page.Items().Select(i => i.Str("type")));
        Assert.Equal("news", page.Items()[1].Prop("payload").Str("text"));
    }

    [SkippableTheory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("99999999999999999999999")]
    public async Task GetEvents_BadAfter_400(string after)
    {
        var alice = await UserAsync("alice");
        var roomId = await alice.CreateGroupAsync();

        await HttpAssert.ProblemAsync(await alice.GetAsync(Events(roomId, $"after={Uri.EscapeDataString(after)}")), HttpStatusCode.BadRequest, "after");
    }

    [SkippableTheory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("101")]
    [InlineData("x")]
    public async Task GetEvents_LimitOutOfRange_400(string limit)
    {
        var alice = await UserAsync("alice");
        var roomId = await alice.CreateGroupAsync();

        await HttpAssert.ProblemAsync(await alice.GetAsync(Events(roomId, $"after=0&limit={limit}")), HttpStatusCode.BadRequest, "limit");
    }

    [SkippableFact]
    public async Task GetEvents_CursorNotFromThisList_400()
    {
        var alice = await UserAsync("alice");
        var roomId = await alice.CreateGroupAsync();

        await HttpAssert.ProblemAsync(await alice.GetAsync(Events(roomId, "after=0&cursor=not-a-cursor")), HttpStatusCode.BadRequest, "cursor");
    }

    [SkippableTheory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("987654321")]
    public async Task GetEvents_InvalidOrUnknownRoom_404(string roomId)
    {
        var alice = await UserAsync("alice");
        await HttpAssert.JsonAsync(await alice.GetAsync(Events(await alice.CreateGroupAsync(), "after=0")));

        await HttpAssert.ProblemAsync(await alice.GetAsync(Events(roomId, "after=0")), HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task GetEvents_DeletedRoom_404()
    {
        var alice = await UserAsync("alice");
        var roomId = await alice.CreateGroupAsync();
        await alice.SendAsync(roomId);
        await HttpAssert.JsonAsync(await alice.GetAsync(Events(roomId, "after=0")));
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}"), HttpStatusCode.NoContent);

        await HttpAssert.ProblemAsync(await alice.GetAsync(Events(roomId, "after=0")), HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task GetEvents_Anonymous_401()
    {
        var alice = await UserAsync("alice");
        var roomId = await alice.CreateGroupAsync();
        using var anonymous = Api.CreateAnonymousClient();
        await HttpAssert.JsonAsync(await alice.GetAsync(Events(roomId, "after=0")));

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Events(roomId, "after=0"))).StatusCode);
    }

    [SkippableFact]
    public async Task Typing_CarriesNoSeq_AndTakesNone()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var roomId = await alice.CreateGroupAsync(bob);
        await using var aliceHub = await HubClient.ConnectAsync(Api, alice);
        await using var bobHub = await HubClient.ConnectAsync(Api, bob);

        await aliceHub.Connection.InvokeAsync("Typing", roomId);
        var typing = await bobHub.NextAsync(ChatEventNames.Typing);
        await alice.SendAsync(roomId, "after typing");

        Assert.False(typing.TryGetProperty("seq", out _), $"typing carries a seq: {typing}");
        Assert.Equal(3, (await bobHub.NextAsync(ChatEventNames.MessageCreated)).Prop("seq").GetInt64());
    }
}

public sealed class SqliteEventLogTests(SqliteUnthrottledChatApi api) : EventLogTests(api), IClassFixture<SqliteUnthrottledChatApi>;

public sealed class PostgresEventLogTests(PostgresUnthrottledChatApi api) : EventLogTests(api), IClassFixture<PostgresUnthrottledChatApi>;
