using System.Net;
using System.Text.Json;
using DfChat.Entities;
using DfChat.Tests.Http.Infrastructure;
using HostApp.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Http;

/// <summary>API.md §8 around messages: threads, mentions, pins, edit history and read receipts, with who may do what.</summary>
public abstract class ConversationRouteTests(ChatApiFactory api) : HttpTestBase(api)
{
    private static Task<HttpResponseMessage> Send(ChatUser user, string roomId, object body) => user.PostAsync($"rooms/{roomId}/messages", body);

    private static async Task<JsonElement> ReplyAsync(ChatUser user, string roomId, string threadId, string text = "reply") =>
        await HttpAssert.JsonAsync(await Send(user, roomId, new { text, threadId }), HttpStatusCode.Created);

    private static async Task<JsonElement> MembershipAsync(ChatUser user, string roomId) =>
        (await user.GetJsonAsync($"rooms/{roomId}")).Prop("membership");

    private static async Task<List<string>> EventTypesAsync(ChatUser user, string roomId, long after) =>
        (await WritePath.AllEventsAsync(user, roomId, after)).Select(e => e.Str("type")).ToList();

    private static async Task<long> LastSeqAsync(ChatUser user, string roomId) =>
        (await user.GetJsonAsync($"rooms/{roomId}")).Prop("lastSeq").GetInt64();

    private async Task<int> CountAsync<T>(Func<IQueryable<T>, IQueryable<T>> rows)
        where T : class
    {
        await using var scope = Api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return await rows(db.Set<T>()).CountAsync();
    }

    // ---- threads

    [SkippableFact]
    public async Task SendMessage_ThreadReply_OutOfRoomListUnreadAndLastMessage()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var root = await alice.SendAsync(roomId, "root");
        await alice.PostAsync($"rooms/{roomId}/read");

        var reply = await ReplyAsync(bob, roomId, root.Str("id"));

        Assert.Equal(root.Str("id"), reply.Str("threadId"));
        Assert.Equal([root.Str("id")], HttpAssert.Ids(await alice.GetJsonAsync($"rooms/{roomId}/messages")));
        var room = await alice.GetJsonAsync($"rooms/{roomId}");
        Assert.Equal(root.Str("id"), room.Prop("lastMessage").Str("id"));
        Assert.Equal(0, room.Prop("membership").Prop("unreadCount").GetInt32());
        var listed = (await alice.GetJsonAsync($"rooms/{roomId}/messages")).Items()[0];
        Assert.Equal(1, listed.Prop("threadReplyCount").GetInt32());
        Assert.Equal(HttpAssert.Timestamp(reply.Prop("createdAt")), HttpAssert.Timestamp(listed.Prop("threadLastReplyAt")));
        Assert.Equal(JsonValueKind.Null, listed.Prop("threadId").ValueKind);
    }

    [SkippableFact]
    public async Task SendMessage_ThreadReply_MessageCreatedThenMessageUpdatedForRoot()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var root = await alice.SendAsync(roomId, "root");
        var seq = await LastSeqAsync(alice, roomId);

        await ReplyAsync(alice, roomId, root.Str("id"));

        var events = await WritePath.AllEventsAsync(alice, roomId, seq);
        Assert.Equal(["messageCreated", "messageUpdated"], events.Select(e => e.Str("type")));
        Assert.Equal(root.Str("id"), events[0].Prop("payload").Str("threadId"));
        Assert.Equal(root.Str("id"), events[1].Prop("payload").Str("id"));
        Assert.Equal(1, events[1].Prop("payload").Prop("threadReplyCount").GetInt32());
    }

    [SkippableFact]
    public async Task SendMessage_ThreadIdInvalid_Returns400ThreadId()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var otherRoom = await alice.CreateGroupAsync();
        var root = await alice.SendAsync(roomId, "root");
        var reply = await ReplyAsync(alice, roomId, root.Str("id"));
        var elsewhere = await alice.SendAsync(otherRoom, "elsewhere");

        await HttpAssert.ProblemAsync(await Send(alice, roomId, new { text = "x", threadId = reply.Str("id") }), HttpStatusCode.BadRequest, "threadId");
        await HttpAssert.ProblemAsync(await Send(alice, roomId, new { text = "x", threadId = elsewhere.Str("id") }), HttpStatusCode.BadRequest, "threadId");
        await HttpAssert.ProblemAsync(await Send(alice, roomId, new { text = "x", threadId = "999999999" }), HttpStatusCode.BadRequest, "threadId");
    }

    [SkippableFact]
    public async Task ListThread_Replies_OldestFirstPagedAndOutsiders404()
    {
        var alice = await UserAsync();
        var outsider = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var root = await alice.SendAsync(roomId, "root");
        var replies = new List<string>();
        for (var i = 0; i < 3; i++)
            replies.Add((await ReplyAsync(alice, roomId, root.Str("id"), $"r{i}")).Str("id"));

        var first = await alice.GetJsonAsync($"rooms/{roomId}/messages/{root.Str("id")}/thread?limit=2");
        var second = await alice.GetJsonAsync($"rooms/{roomId}/messages/{root.Str("id")}/thread?limit=2&cursor={first.Cursor()}");

        Assert.Equal(replies, HttpAssert.Ids(first).Concat(HttpAssert.Ids(second)));
        Assert.Null(second.Cursor());
        await HttpAssert.NotFoundAsync(await outsider.GetAsync($"rooms/{roomId}/messages/{root.Str("id")}/thread"), "room_not_found");
        await HttpAssert.NotFoundAsync(await alice.GetAsync($"rooms/{roomId}/messages/999999999/thread"), "message_not_found");
    }

    [SkippableFact]
    public async Task DeleteMessage_ThreadReply_RootCountBackAndMessageUpdated()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var root = await alice.SendAsync(roomId, "root");
        var first = await ReplyAsync(alice, roomId, root.Str("id"), "first");
        var second = await ReplyAsync(alice, roomId, root.Str("id"), "second");
        var seq = await LastSeqAsync(alice, roomId);

        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{second.Str("id")}"), HttpStatusCode.NoContent);

        var rootNow = await alice.GetJsonAsync($"rooms/{roomId}/messages/{root.Str("id")}");
        Assert.Equal(1, rootNow.Prop("threadReplyCount").GetInt32());
        Assert.Equal(HttpAssert.Timestamp(first.Prop("createdAt")), HttpAssert.Timestamp(rootNow.Prop("threadLastReplyAt")));
        Assert.Equal(["messageDeleted", "messageUpdated"], await EventTypesAsync(alice, roomId, seq));
    }

    [SkippableFact]
    public async Task DeleteMessage_ThreadRoot_RepliesGoWithIt()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var root = await alice.SendAsync(roomId, "root");
        var reply = await ReplyAsync(alice, roomId, root.Str("id"));
        await alice.ReactAsync(roomId, reply.Str("id"));

        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{root.Str("id")}"), HttpStatusCode.NoContent);

        await HttpAssert.NotFoundAsync(await alice.GetAsync($"rooms/{roomId}/messages/{reply.Str("id")}"), "message_not_found");
        Assert.Equal(0, await CountAsync<ChatMessage<string>>(q => q.Where(m => m.RoomId == long.Parse(roomId, System.Globalization.CultureInfo.InvariantCulture))));
    }

    // ---- mentions

    [SkippableFact]
    public async Task SendMessage_Mentions_CarriedAndCountedUntilRead()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var carol = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob, carol);

        var message = await HttpAssert.JsonAsync(await Send(alice, roomId, new { text = "hi @bob", mentions = new[] { bob.Id, bob.Id, alice.Id } }), HttpStatusCode.Created);

        Assert.Equal([bob.Id, alice.Id], message.Strings("mentions"));
        Assert.Equal([bob.Id, alice.Id], (await alice.GetJsonAsync($"rooms/{roomId}/messages")).Items()[0].Strings("mentions"));
        Assert.Equal(1, (await MembershipAsync(bob, roomId)).Prop("mentionCount").GetInt32());
        Assert.Equal(0, (await MembershipAsync(carol, roomId)).Prop("mentionCount").GetInt32());
        Assert.Equal(0, (await MembershipAsync(alice, roomId)).Prop("mentionCount").GetInt32());
        var read = await HttpAssert.JsonAsync(await bob.PostAsync($"rooms/{roomId}/read"));
        Assert.Equal(0, read.Prop("mentionCount").GetInt32());
        Assert.Equal(0, (await MembershipAsync(bob, roomId)).Prop("mentionCount").GetInt32());
    }

    [SkippableFact]
    public async Task SendMessage_MentionsInvalid_Returns400Mentions()
    {
        var alice = await UserAsync();
        var outsider = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        await HttpAssert.ProblemAsync(await Send(alice, roomId, new { text = "x", mentions = new[] { outsider.Id } }), HttpStatusCode.BadRequest, "mentions");
        await HttpAssert.ProblemAsync(await Send(alice, roomId, new { text = "x", mentions = new[] { "not a user" } }), HttpStatusCode.BadRequest, "mentions");
        await HttpAssert.ProblemAsync(
            await Send(alice, roomId, new { text = "x", mentions = Enumerable.Range(0, 51).Select(i => $"user-{i}").ToArray() }), HttpStatusCode.BadRequest, "mentions");
        await HttpAssert.ProblemAsync(await alice.PatchAsync($"rooms/{roomId}/messages/{await alice.SendIdAsync(roomId)}", new { mentions = new[] { outsider.Id } }), HttpStatusCode.BadRequest, "mentions");
    }

    [SkippableFact]
    public async Task EditMessage_AddsAndDropsMentions_CountsFollow()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var carol = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob, carol);
        var message = await HttpAssert.JsonAsync(await Send(alice, roomId, new { text = "hi", mentions = new[] { bob.Id } }), HttpStatusCode.Created);

        var edited = await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}/messages/{message.Str("id")}", new { mentions = new[] { carol.Id } }));

        Assert.Equal([carol.Id], edited.Strings("mentions"));
        Assert.Equal("hi", edited.Str("text"));
        Assert.Equal(0, (await MembershipAsync(bob, roomId)).Prop("mentionCount").GetInt32());
        Assert.Equal(1, (await MembershipAsync(carol, roomId)).Prop("mentionCount").GetInt32());
        var textOnly = await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}/messages/{message.Str("id")}", new { text = "hello" }));
        Assert.Equal([carol.Id], textOnly.Strings("mentions"));
        Assert.Equal(1, (await MembershipAsync(carol, roomId)).Prop("mentionCount").GetInt32());
    }

    [SkippableFact]
    public async Task DeleteMessage_Mentioning_CountFalls()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var message = await HttpAssert.JsonAsync(await Send(alice, roomId, new { text = "hi", mentions = new[] { bob.Id } }), HttpStatusCode.Created);
        await HttpAssert.JsonAsync(await Send(alice, roomId, new { text = "again", mentions = new[] { bob.Id } }), HttpStatusCode.Created);

        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{message.Str("id")}"), HttpStatusCode.NoContent);

        Assert.Equal(1, (await MembershipAsync(bob, roomId)).Prop("mentionCount").GetInt32());
    }

    [SkippableFact]
    public async Task SendMessage_MentionInThreadReply_NotCountedLikeUnread()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var root = await alice.SendAsync(roomId, "root");
        await bob.PostAsync($"rooms/{roomId}/read");

        var reply = await HttpAssert.JsonAsync(await Send(alice, roomId, new { text = "r", threadId = root.Str("id"), mentions = new[] { bob.Id } }), HttpStatusCode.Created);

        Assert.Equal([bob.Id], reply.Strings("mentions"));
        var membership = await MembershipAsync(bob, roomId);
        Assert.Equal((0, 0), (membership.Prop("unreadCount").GetInt32(), membership.Prop("mentionCount").GetInt32()));
    }

    // ---- pins

    [SkippableFact]
    public async Task PinMessage_Owner_Returns200PinnedListedNewestFirstAndUnpins()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var first = await alice.SendIdAsync(roomId, "first");
        var second = await alice.SendIdAsync(roomId, "second");
        var seq = await LastSeqAsync(alice, roomId);

        var pinned = await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages/{first}/pin"));
        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages/{second}/pin"));

        HttpAssert.Timestamp(pinned.Prop("pinnedAt"));
        Assert.Equal(alice.Id, pinned.Str("pinnedBy"));
        Assert.Equal([second, first], HttpAssert.Ids(await alice.GetJsonAsync($"rooms/{roomId}/pins")));
        var page = await alice.GetJsonAsync($"rooms/{roomId}/messages");
        Assert.All(page.Items(), m => Assert.Equal(alice.Id, m.Str("pinnedBy")));
        Assert.Equal(["messageUpdated", "messageUpdated"], await EventTypesAsync(alice, roomId, seq));

        var unpinned = await HttpAssert.JsonAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{first}/pin"));
        Assert.Equal(JsonValueKind.Null, unpinned.Prop("pinnedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, unpinned.Prop("pinnedBy").ValueKind);
        Assert.Equal([second], HttpAssert.Ids(await alice.GetJsonAsync($"rooms/{roomId}/pins")));
    }

    [SkippableFact]
    public async Task PinMessage_WhoMay_EditRoomOrPrivateMemberElse403Or404()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var outsider = await UserAsync();
        var group = await alice.CreateGroupAsync(bob);
        var inGroup = await alice.SendIdAsync(group);
        var dm = await alice.CreateRoomIdAsync("private_messages", null, false, bob);
        var inDm = await alice.SendIdAsync(dm);
        var publicRoom = await alice.CreateRoomIdAsync("group", null, true);
        var inPublic = await alice.SendIdAsync(publicRoom);

        await HttpAssert.ProblemAsync(await bob.PostAsync($"rooms/{group}/messages/{inGroup}/pin"), HttpStatusCode.Forbidden);
        await HttpAssert.JsonAsync(await bob.PostAsync($"rooms/{dm}/messages/{inDm}/pin"));
        await HttpAssert.NotFoundAsync(await outsider.PostAsync($"rooms/{group}/messages/{inGroup}/pin"), "room_not_found");
        await HttpAssert.NotFoundAsync(await outsider.GetAsync($"rooms/{group}/pins"), "room_not_found");
        await HttpAssert.ProblemAsync(await outsider.PostAsync($"rooms/{publicRoom}/messages/{inPublic}/pin"), HttpStatusCode.Forbidden);
        await HttpAssert.JsonAsync(await outsider.GetAsync($"rooms/{publicRoom}/pins"));
        await HttpAssert.NotFoundAsync(await alice.PostAsync($"rooms/{group}/messages/{inDm}/pin"), "message_not_found");
    }

    [SkippableFact]
    public async Task PinMessage_Fifty_First_Returns409()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        for (var i = 0; i < 50; i++)
            await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages/{await alice.SendIdAsync(roomId, $"m{i}")}/pin"));
        var last = await alice.SendIdAsync(roomId, "one too many");

        await HttpAssert.ProblemAsync(await alice.PostAsync($"rooms/{roomId}/messages/{last}/pin"), HttpStatusCode.Conflict);
    }

    // ---- edit history

    [SkippableFact]
    public async Task ListHistory_TwoEdits_EarlierVersionsNewestFirstAndGoneWithTheMessage()
    {
        var alice = await UserAsync();
        var outsider = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var id = await alice.SendIdAsync(roomId, "v1");
        var second = await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}/messages/{id}", new { text = "v2" }));
        var third = await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}/messages/{id}", new { text = "v3" }));

        var history = (await alice.GetJsonAsync($"rooms/{roomId}/messages/{id}/history")).Items();

        Assert.Equal(["v2", "v1"], history.Select(v => v.Str("text")));
        Assert.Equal(HttpAssert.Timestamp(third.Prop("editedAt")), HttpAssert.Timestamp(history[0].Prop("editedAt")));
        Assert.Equal(HttpAssert.Timestamp(second.Prop("editedAt")), HttpAssert.Timestamp(history[1].Prop("editedAt")));
        await HttpAssert.NotFoundAsync(await outsider.GetAsync($"rooms/{roomId}/messages/{id}/history"), "room_not_found");

        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{id}"), HttpStatusCode.NoContent);
        await HttpAssert.NotFoundAsync(await alice.GetAsync($"rooms/{roomId}/messages/{id}/history"), "message_not_found");
        Assert.Equal(0, await CountAsync<ChatMessageEdit>(q => q.Where(e => e.MessageId == long.Parse(id, System.Globalization.CultureInfo.InvariantCulture))));
    }

    // ---- read receipts

    [SkippableFact]
    public async Task ListReaders_MembersAtOrAfterTheMessage_AuthorExcludedPaged()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var carol = await UserAsync();
        var dave = await UserAsync();
        var outsider = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob, carol, dave);
        var id = await alice.SendIdAsync(roomId, "read me");
        var later = await alice.SendIdAsync(roomId, "later");
        await HttpAssert.JsonAsync(await bob.PostAsync($"rooms/{roomId}/read", new { messageId = id }));
        await HttpAssert.JsonAsync(await carol.PostAsync($"rooms/{roomId}/read"));

        var first = await alice.GetJsonAsync($"rooms/{roomId}/messages/{id}/readers?limit=1");
        var second = await alice.GetJsonAsync($"rooms/{roomId}/messages/{id}/readers?limit=1&cursor={first.Cursor()}");

        Assert.Equal([bob.Id, carol.Id], first.Items().Concat(second.Items()).Select(m => m.Str("userId")));
        Assert.Null(second.Cursor());
        Assert.Equal([carol.Id], (await alice.GetJsonAsync($"rooms/{roomId}/messages/{later}/readers")).Items().Select(m => m.Str("userId")));
        await HttpAssert.NotFoundAsync(await outsider.GetAsync($"rooms/{roomId}/messages/{id}/readers"), "room_not_found");
        await HttpAssert.NotFoundAsync(await alice.GetAsync($"rooms/{roomId}/messages/999999999/readers"), "message_not_found");
    }
}

public sealed class SqliteConversationRouteTests(SqliteChatApi api) : ConversationRouteTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresConversationRouteTests(PostgresChatApi api) : ConversationRouteTests(api), IClassFixture<PostgresChatApi>;
