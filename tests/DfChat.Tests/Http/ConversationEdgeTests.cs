using System.Net;
using System.Text.Json;
using DfChat.Events;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary>
/// API.md §8 at its edges: the mention cap at exactly 50, pin and unpin events, paging of pins, deleting
/// pinned messages and thread roots ("deleted means gone", §5), and what thread replies leave untouched
/// (the room's list, its activity and order), with search's <c>q</c> bounds over HTTP.
/// </summary>
public abstract class ConversationEdgeTests(ChatApiFactory api) : HttpTestBase(api)
{
    /// <summary>API.md §8: a message mentions at most 50 members; a room holds at most 50 pins.</summary>
    private const int Cap = 50;

    private static Task<HttpResponseMessage> Send(ChatUser user, string roomId, object body) => user.PostAsync($"rooms/{roomId}/messages", body);

    private static async Task<JsonElement> ReplyAsync(ChatUser user, string roomId, string threadId, string text = "reply") =>
        await HttpAssert.JsonAsync(await Send(user, roomId, new { text, threadId }), HttpStatusCode.Created);

    private static async Task<JsonElement> PinAsync(ChatUser user, string roomId, string messageId) =>
        await HttpAssert.JsonAsync(await user.PostAsync($"rooms/{roomId}/messages/{messageId}/pin"));

    private static async Task<long> LastSeqAsync(ChatUser user, string roomId) =>
        (await user.GetJsonAsync($"rooms/{roomId}")).Prop("lastSeq").GetInt64();

    private static string Escape(string? cursor) => Uri.EscapeDataString(cursor ?? throw new InvalidOperationException("No cursor to follow."));

    /// <summary>A group owned by a new user with <paramref name="others"/> more members: the owner and every member, the owner first.</summary>
    private async Task<(ChatUser Owner, string RoomId, List<string> MemberIds)> CrowdedGroupAsync(int others)
    {
        var owner = await UserAsync("owner");
        var members = await WritePath.BoundedAsync(Enumerable.Range(0, others).ToList(), 8, i => UserAsync($"member{i}"));
        var roomId = await owner.CreateRoomIdAsync("group", null, false, members);
        return (owner, roomId, [owner.Id, .. members.Select(m => m.Id)]);
    }

    // ---- mentions: the cap of 50 counts members, and holds on edits too

    [SkippableFact]
    public async Task SendMessage_MentionCap_FiftyMembersAccepted51Refused()
    {
        // Arrange: a group of 51 members, so that 51 real members can be named.
        var (owner, roomId, memberIds) = await CrowdedGroupAsync(Cap);
        Assert.Equal(Cap + 1, memberIds.Count);

        // Act
        var tooMany = await Send(owner, roomId, new { text = "everyone", mentions = memberIds });
        var fifty = await Send(owner, roomId, new { text = "almost everyone", mentions = memberIds.Skip(1).ToArray() });

        // Assert: 51 is refused and stores nothing; 50 are all carried, in the order given.
        await HttpAssert.ProblemAsync(tooMany, HttpStatusCode.BadRequest, "mentions");
        var sent = await HttpAssert.JsonAsync(fifty, HttpStatusCode.Created);
        Assert.Equal(memberIds.Skip(1), sent.Strings("mentions"));
        var listed = (await owner.GetJsonAsync($"rooms/{roomId}/messages")).Items();
        Assert.Equal([sent.Str("id")], listed.Select(m => m.Str("id")));
        Assert.Equal(memberIds.Skip(1), listed[0].Strings("mentions"));
    }

    [SkippableFact]
    public async Task EditMessage_MentionCap_FiftyMembersAccepted51Refused()
    {
        // Arrange
        var (owner, roomId, memberIds) = await CrowdedGroupAsync(Cap);
        var id = await owner.SendIdAsync(roomId, "to be edited");

        // Act
        var tooMany = await owner.PatchAsync($"rooms/{roomId}/messages/{id}", new { mentions = memberIds });
        var unchanged = await owner.GetJsonAsync($"rooms/{roomId}/messages/{id}");
        var fifty = await owner.PatchAsync($"rooms/{roomId}/messages/{id}", new { mentions = memberIds.Take(Cap).ToArray() });

        // Assert
        await HttpAssert.ProblemAsync(tooMany, HttpStatusCode.BadRequest, "mentions");
        Assert.Empty(unchanged.Strings("mentions"));
        Assert.Equal(JsonValueKind.Null, unchanged.Prop("editedAt").ValueKind);
        var edited = await HttpAssert.JsonAsync(fifty);
        Assert.Equal(memberIds.Take(Cap), edited.Strings("mentions"));
        Assert.Equal(memberIds.Take(Cap), (await owner.GetJsonAsync($"rooms/{roomId}/messages/{id}")).Strings("mentions"));
    }

    // ---- pin events

    [SkippableFact]
    public async Task PinMessage_ByAnotherMember_MessageUpdatedCarriesPinnedAtAndThePinner()
    {
        // Arrange: in a private room either member pins; Bob pins Alice's message, so pinner and author differ.
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var roomId = await alice.CreateRoomIdAsync("private_messages", null, false, bob);
        var id = await alice.SendIdAsync(roomId, "pin me");
        var seq = await LastSeqAsync(alice, roomId);

        // Act
        var pinned = await PinAsync(bob, roomId, id);

        // Assert
        var events = await WritePath.AllEventsAsync(alice, roomId, seq);
        var updated = Assert.Single(events);
        Assert.Equal(ChatEventNames.MessageUpdated, updated.Str("type"));
        var payload = updated.Prop("payload");
        Assert.Equal(id, payload.Str("id"));
        Assert.Equal(alice.Id, payload.Str("userId"));
        Assert.Equal(bob.Id, payload.Str("pinnedBy"));
        Assert.Equal(HttpAssert.Timestamp(pinned.Prop("pinnedAt")), HttpAssert.Timestamp(payload.Prop("pinnedAt")));
    }

    [SkippableFact]
    public async Task UnpinMessage_Pinned_MessageUpdatedCarriesNullPinnedAtAndPinnedBy()
    {
        // Arrange
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var roomId = await alice.CreateRoomIdAsync("private_messages", null, false, bob);
        var id = await alice.SendIdAsync(roomId, "pin me");
        await PinAsync(bob, roomId, id);
        var seq = await LastSeqAsync(alice, roomId);

        // Act
        var unpinned = await HttpAssert.JsonAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{id}/pin"));

        // Assert
        Assert.Equal(JsonValueKind.Null, unpinned.Prop("pinnedAt").ValueKind);
        var updated = Assert.Single(await WritePath.AllEventsAsync(bob, roomId, seq));
        Assert.Equal(ChatEventNames.MessageUpdated, updated.Str("type"));
        var payload = updated.Prop("payload");
        Assert.Equal(id, payload.Str("id"));
        Assert.Equal(JsonValueKind.Null, payload.Prop("pinnedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, payload.Prop("pinnedBy").ValueKind);
    }

    // ---- pins: paging and the limit

    [SkippableFact]
    public async Task ListPins_FivePinsLimitTwo_NewestPinFirstEachOnceLastCursorNull()
    {
        // Arrange: pinned out of message order, so that pin order and message order differ.
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messages = new List<string>();
        for (var i = 0; i < 5; i++)
            messages.Add(await alice.SendIdAsync(roomId, $"m{i}"));
        int[] pinOrder = [2, 0, 4, 1, 3];
        foreach (var i in pinOrder)
            await PinAsync(alice, roomId, messages[i]);

        // Act
        var first = await alice.GetJsonAsync($"rooms/{roomId}/pins?limit=2");
        var second = await alice.GetJsonAsync($"rooms/{roomId}/pins?limit=2&cursor={Escape(first.Cursor())}");
        var third = await alice.GetJsonAsync($"rooms/{roomId}/pins?limit=2&cursor={Escape(second.Cursor())}");

        // Assert
        Assert.Equal(2, HttpAssert.Ids(first).Count);
        Assert.Equal(2, HttpAssert.Ids(second).Count);
        Assert.Null(third.Cursor());
        Assert.Equal(
            pinOrder.Reverse().Select(i => messages[i]),
            HttpAssert.Ids(first).Concat(HttpAssert.Ids(second)).Concat(HttpAssert.Ids(third)));
    }

    [SkippableFact]
    public async Task ListPins_ForgedOrForeignCursor_Returns400Cursor()
    {
        // Arrange: a real cursor of another room's pins, and one of this room's messages.
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var otherRoom = await alice.CreateGroupAsync();
        for (var i = 0; i < 2; i++)
        {
            await PinAsync(alice, roomId, await alice.SendIdAsync(roomId, $"m{i}"));
            await PinAsync(alice, otherRoom, await alice.SendIdAsync(otherRoom, $"o{i}"));
        }

        var otherPins = (await alice.GetJsonAsync($"rooms/{otherRoom}/pins?limit=1")).Cursor();
        var messagesCursor = (await alice.GetJsonAsync($"rooms/{roomId}/messages?limit=1")).Cursor();

        // Act and assert
        await HttpAssert.ProblemAsync(await alice.GetAsync($"rooms/{roomId}/pins?cursor=garbage"), HttpStatusCode.BadRequest, "cursor");
        await HttpAssert.ProblemAsync(await alice.GetAsync($"rooms/{roomId}/pins?cursor={Escape(otherPins)}"), HttpStatusCode.BadRequest, "cursor");
        await HttpAssert.ProblemAsync(await alice.GetAsync($"rooms/{roomId}/pins?cursor={Escape(messagesCursor)}"), HttpStatusCode.BadRequest, "cursor");
        Assert.Single(HttpAssert.Ids(await alice.GetJsonAsync($"rooms/{otherRoom}/pins?limit=1&cursor={Escape(otherPins)}")));
    }

    [SkippableFact]
    public async Task DeleteMessage_Pinned_LeavesPinsAndFreesASlot()
    {
        // Arrange: a room at the limit, and one more message, which cannot be pinned yet.
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var pinned = new List<string>();
        for (var i = 0; i < Cap; i++)
        {
            var id = await alice.SendIdAsync(roomId, $"m{i}");
            await PinAsync(alice, roomId, id);
            pinned.Add(id);
        }

        var extra = await alice.SendIdAsync(roomId, "one too many");
        await HttpAssert.ProblemAsync(await alice.PostAsync($"rooms/{roomId}/messages/{extra}/pin"), HttpStatusCode.Conflict);
        var deleted = pinned[10];

        // Act
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{deleted}"), HttpStatusCode.NoContent);
        var afterDelete = HttpAssert.Ids(await alice.GetJsonAsync($"rooms/{roomId}/pins?limit=100"));
        var pin = await alice.PostAsync($"rooms/{roomId}/messages/{extra}/pin");

        // Assert
        Assert.Equal(Cap - 1, afterDelete.Count);
        Assert.DoesNotContain(deleted, afterDelete);
        Assert.Equal(alice.Id, (await HttpAssert.JsonAsync(pin)).Str("pinnedBy"));
        var pins = HttpAssert.Ids(await alice.GetJsonAsync($"rooms/{roomId}/pins?limit=100"));
        Assert.Equal(Cap, pins.Count);
        Assert.Equal(extra, pins[0]);
        Assert.DoesNotContain(deleted, pins);
    }

    // ---- deleting a thread root: its replies are gone everywhere

    [SkippableFact]
    public async Task DeleteMessage_ThreadRoot_RepliesTheirHistoryPinsAndSearchHitsGone()
    {
        // Arrange: a reply edited (so that it has a history), pinned, and found by search.
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var root = await alice.SendIdAsync(roomId, "root");
        var edited = (await ReplyAsync(alice, roomId, root, "first draft")).Str("id");
        await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}/messages/{edited}", new { text = "quokkafirst final" }));
        var other = (await ReplyAsync(alice, roomId, root, "quokkasecond")).Str("id");
        await PinAsync(alice, roomId, edited);
        Assert.Single((await alice.GetJsonAsync($"rooms/{roomId}/messages/{edited}/history")).Items());
        Assert.Equal([other, edited], HttpAssert.Ids(await alice.GetJsonAsync($"search/messages?q=quokka&roomId={roomId}")));

        // Act
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{root}"), HttpStatusCode.NoContent);

        // Assert
        foreach (var reply in new[] { edited, other })
        {
            await HttpAssert.NotFoundAsync(await alice.GetAsync($"rooms/{roomId}/messages/{reply}"), "message_not_found");
            await HttpAssert.NotFoundAsync(await alice.GetAsync($"rooms/{roomId}/messages/{reply}/history"), "message_not_found");
            await HttpAssert.NotFoundAsync(await alice.GetAsync($"rooms/{roomId}/messages/{reply}/readers"), "message_not_found");
        }

        await HttpAssert.NotFoundAsync(await alice.GetAsync($"rooms/{roomId}/messages/{root}/thread"), "message_not_found");
        Assert.Empty(HttpAssert.Ids(await alice.GetJsonAsync($"rooms/{roomId}/pins")));
        Assert.Empty(HttpAssert.Ids(await alice.GetJsonAsync($"search/messages?q=quokka&roomId={roomId}")));
        Assert.Empty(HttpAssert.Ids(await alice.GetJsonAsync("search/messages?q=quokkafirst")));
        Assert.Empty(HttpAssert.Ids(await alice.GetJsonAsync($"rooms/{roomId}/messages")));
    }

    [SkippableFact]
    public async Task DeleteMessage_ThreadRoot_MessageDeletedForRootAndEachReplyTheirEventsRedacted()
    {
        // Arrange
        const string Secret = "SECRET-thread-9c2d";
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var roomId = await alice.CreateGroupAsync(bob);
        var root = await alice.SendIdAsync(roomId, "root");
        var first = (await ReplyAsync(bob, roomId, root, $"first {Secret}")).Str("id");
        var second = (await ReplyAsync(alice, roomId, root, $"second {Secret}")).Str("id");
        await bob.ReactAsync(roomId, second);
        var before = await WritePath.AllEventsAsync(bob, roomId);
        Assert.Contains(before, e => e.Prop("payload").GetRawText().Contains(Secret, StringComparison.Ordinal));

        // Act
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{root}"), HttpStatusCode.NoContent);

        // Assert: one messageDeleted for the root and for each reply, and nothing else.
        var events = await WritePath.AllEventsAsync(bob, roomId);
        WritePath.SeqIsGapless(events);
        var deletion = events.Skip(before.Count).ToList();
        Assert.All(deletion, e => Assert.Equal(ChatEventNames.MessageDeleted, e.Str("type")));
        Assert.Equal(
            new[] { root, first, second }.Order(StringComparer.Ordinal),
            deletion.Select(e => e.Prop("payload").Str("messageId")).Order(StringComparer.Ordinal));
        Assert.All(deletion, e => Assert.Equal(roomId, e.Prop("payload").Str("roomId")));

        // The log keeps every earlier event's seq and type, and serves none of the deleted messages' text.
        Assert.Equal(before.Select(e => (e.Prop("seq").GetInt64(), e.Str("type"))), events.Take(before.Count).Select(e => (e.Prop("seq").GetInt64(), e.Str("type"))));
        Assert.DoesNotContain(events, e => e.Prop("payload").GetRawText().Contains(Secret, StringComparison.Ordinal));
        var redacted = events.Where(e => e.Prop("payload").TryGetProperty("redacted", out _)).ToList();
        Assert.Equal(
            [(ChatEventNames.MessageCreated, root), (ChatEventNames.MessageCreated, first), (ChatEventNames.MessageUpdated, root),
                (ChatEventNames.MessageCreated, second), (ChatEventNames.MessageUpdated, root), (ChatEventNames.ReactionAdded, second)],
            redacted.Select(e => (e.Str("type"), e.Prop("payload").Str("messageId"))));
    }

    // ---- thread replies stay out of the room's own list and activity

    [SkippableFact]
    public async Task ListMessagesAfter_ThreadReplies_LeftOut()
    {
        // Arrange
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var start = await alice.SendIdAsync(roomId, "start");
        var root = await alice.SendIdAsync(roomId, "root");
        var reply = (await ReplyAsync(alice, roomId, root)).Str("id");
        var later = await alice.SendIdAsync(roomId, "later");

        // Act
        var page = await alice.GetJsonAsync($"rooms/{roomId}/messages?after={start}");

        // Assert
        Assert.Equal([root, later], HttpAssert.Ids(page));
        Assert.DoesNotContain(reply, HttpAssert.Ids(page));
        Assert.Null(page.Cursor());
    }

    [SkippableFact]
    public async Task SendMessage_ThreadReply_RoomActivityLastMessageAndOrderUnchanged()
    {
        // Arrange: the thread's room had activity before a newer room was created.
        var alice = await UserAsync();
        var threadRoom = await alice.CreateGroupAsync();
        var root = await alice.SendAsync(threadRoom, "root");
        var newerRoom = await alice.CreateGroupAsync();
        var rooms = await alice.GetJsonAsync("rooms");
        Assert.Equal([newerRoom, threadRoom], HttpAssert.Ids(rooms));
        var activity = HttpAssert.Timestamp(rooms.Items()[1].Prop("lastActivityAt"));
        Assert.Equal(HttpAssert.Timestamp(root.Prop("createdAt")), activity);

        // Act
        await ReplyAsync(alice, threadRoom, root.Str("id"));

        // Assert
        rooms = await alice.GetJsonAsync("rooms");
        Assert.Equal([newerRoom, threadRoom], HttpAssert.Ids(rooms));
        foreach (var room in new[] { rooms.Items()[1], await alice.GetJsonAsync($"rooms/{threadRoom}") })
        {
            Assert.Equal(activity, HttpAssert.Timestamp(room.Prop("lastActivityAt")));
            Assert.Equal(root.Str("id"), room.Prop("lastMessage").Str("id"));
        }
    }

    [SkippableFact]
    public async Task DeleteMessage_LastThreadReply_RootCountZeroLastReplyNull()
    {
        // Arrange
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var root = await alice.SendIdAsync(roomId, "root");
        var reply = (await ReplyAsync(alice, roomId, root)).Str("id");
        var seq = await LastSeqAsync(alice, roomId);

        // Act
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{reply}"), HttpStatusCode.NoContent);

        // Assert: the root reads as never replied to, by its route, in the room's list and in its event.
        var listed = Assert.Single((await alice.GetJsonAsync($"rooms/{roomId}/messages")).Items());
        var updated = (await WritePath.AllEventsAsync(alice, roomId, seq)).Single(e => e.Str("type") == ChatEventNames.MessageUpdated).Prop("payload");
        foreach (var message in new[] { await alice.GetJsonAsync($"rooms/{roomId}/messages/{root}"), listed, updated })
        {
            Assert.Equal(root, message.Str("id"));
            Assert.Equal(0, message.Prop("threadReplyCount").GetInt32());
            Assert.Equal(JsonValueKind.Null, message.Prop("threadLastReplyAt").ValueKind);
        }

        Assert.Empty(HttpAssert.Ids(await alice.GetJsonAsync($"rooms/{roomId}/messages/{root}/thread")));
    }

    // ---- search: q of 1 to 200 characters

    [SkippableFact]
    public async Task SearchMessages_QLength_OneTo200CharactersElse400()
    {
        // Arrange: a message that a q of exactly 200 characters finds.
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var longest = new string('w', 190) + " wombatish";
        Assert.Equal(200, longest.Length);
        var id = await alice.SendIdAsync(roomId, longest);

        // Act and assert
        await HttpAssert.ProblemAsync(await alice.GetAsync("search/messages"), HttpStatusCode.BadRequest, "q");
        await HttpAssert.ProblemAsync(await alice.GetAsync("search/messages?q="), HttpStatusCode.BadRequest, "q");
        await HttpAssert.ProblemAsync(await alice.GetAsync($"search/messages?q={Uri.EscapeDataString(longest + "x")}"), HttpStatusCode.BadRequest, "q");
        await HttpAssert.ProblemAsync(await alice.GetAsync($"search/messages?q={Uri.EscapeDataString(longest + "x")}&roomId={roomId}"), HttpStatusCode.BadRequest, "q");
        Assert.Equal([id], HttpAssert.Ids(await alice.GetJsonAsync($"search/messages?q={Uri.EscapeDataString(longest)}")));
        Assert.Equal([id], HttpAssert.Ids(await alice.GetJsonAsync($"search/messages?q={Uri.EscapeDataString(longest)}&roomId={roomId}")));
        Assert.Equal([id], HttpAssert.Ids(await alice.GetJsonAsync("search/messages?q=w")));
    }
}

public sealed class SqliteConversationEdgeTests(SqliteChatApi api) : ConversationEdgeTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresConversationEdgeTests(PostgresChatApi api) : ConversationEdgeTests(api), IClassFixture<PostgresChatApi>;
