using System.Net;
using System.Text.Json;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary>The message routes: list (newest first, and catch-up with ?after=), send, get, edit, delete.</summary>
public abstract class MessageRouteTests(ChatApiFactory api) : HttpTestBase(api)
{
    private static readonly string[] MessageFields = ["createdAt", "editedAt", "id", "media", "mentions", "pinnedAt", "pinnedBy", "reactions", "replyToId", "roomId", "text", "threadId", "threadLastReplyAt", "threadReplyCount", "user", "userId"];

    [SkippableFact]
    public async Task SendMessage_Text_Returns201WithLocationAndFields()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.PostAsync($"rooms/{roomId}/messages", new { text = "hello" });

        var message = await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
        Assert.Equal($"/api/chat/rooms/{roomId}/messages/{message.Str("id")}", response.Headers.Location?.OriginalString);
        Assert.Equal(MessageFields, message.Names());
        Assert.Equal(roomId, message.Str("roomId"));
        Assert.Equal(alice.Id, message.Str("userId"));
        Assert.Equal(alice.Id, message.Prop("user").Str("id"));
        Assert.Equal(alice.Email, message.Prop("user").Str("displayName"));
        Assert.Equal("hello", message.Str("text"));
        Assert.Empty(message.Prop("media").EnumerateArray());
        Assert.Empty(message.Prop("reactions").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, message.Prop("replyToId").ValueKind);
        Assert.Equal(JsonValueKind.Null, message.Prop("editedAt").ValueKind);
        HttpAssert.Timestamp(message.Prop("createdAt"));
    }

    [SkippableFact]
    public async Task SendMessage_LocationHeader_ReturnsTheMessage()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var response = await alice.PostAsync($"rooms/{roomId}/messages", new { text = "find me" });

        var message = await HttpAssert.JsonAsync(await alice.Client.GetAsync(response.Headers.Location));

        Assert.Equal("find me", message.Str("text"));
    }

    [SkippableFact]
    public async Task SendMessage_NoTextNoMedia_Returns400Text()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.PostAsync($"rooms/{roomId}/messages", new { text = "  " });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "text");
    }

    [SkippableFact]
    public async Task SendMessage_TextOverMaximum_Returns400Text()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.PostAsync($"rooms/{roomId}/messages", new { text = new string('x', 4001) });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "text");
    }

    [SkippableFact]
    public async Task SendMessage_TextAtMaximum_Returns201()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.PostAsync($"rooms/{roomId}/messages", new { text = new string('x', 4000) });

        await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
    }

    [SkippableFact]
    public async Task SendMessage_ReplyToMessageOfSameRoom_KeepsReplyToId()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var first = await alice.SendIdAsync(roomId);

        var reply = await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages", new { text = "re", replyToId = first }), HttpStatusCode.Created);

        Assert.Equal(first, reply.Str("replyToId"));
    }

    [SkippableFact]
    public async Task SendMessage_ReplyToMessageOfAnotherRoom_Returns400ReplyToId()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var foreign = await alice.SendIdAsync(await alice.CreateGroupAsync());

        var response = await alice.PostAsync($"rooms/{roomId}/messages", new { text = "re", replyToId = foreign });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "replyToId");
    }

    [SkippableFact]
    public async Task SendMessage_ClientMessageIdOver100Chars_Returns400ClientMessageId()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.PostAsync($"rooms/{roomId}/messages", new { text = "x", clientMessageId = new string('c', 101) });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "clientMessageId");
    }

    [SkippableFact]
    public async Task SendMessage_RepeatedClientMessageId_Returns200WithFirstMessage()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var first = await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages", new { text = "once", clientMessageId = "c-1" }), HttpStatusCode.Created);

        var again = await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages", new { text = "once", clientMessageId = "c-1" }), HttpStatusCode.OK);

        Assert.Equal(first.Str("id"), again.Str("id"));
        Assert.Single((await alice.GetJsonAsync($"rooms/{roomId}/messages")).Items());
    }

    [SkippableFact]
    public async Task SendMessage_SameClientMessageIdByAnotherUser_Returns201()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages", new { text = "a", clientMessageId = "same" }), HttpStatusCode.Created);

        var response = await bob.PostAsync($"rooms/{roomId}/messages", new { text = "b", clientMessageId = "same" });

        await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
    }

    [SkippableFact]
    public async Task SendMessage_SeveralMedia_KeepsTheirOrder()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var ids = new[] { await alice.UploadPngAsync(), (await alice.UploadOkAsync(HttpFiles.Pdf(), "application/pdf", "doc.pdf")).Str("id"), await alice.UploadPngAsync() };
        var order = new[] { ids[2], ids[0], ids[1] };

        var message = await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages", new { mediaIds = order }), HttpStatusCode.Created);

        Assert.Equal(order, message.Prop("media").EnumerateArray().Select(m => m.Str("id")));
        Assert.Equal(order, (await alice.GetJsonAsync($"rooms/{roomId}/messages/{message.Str("id")}")).Prop("media").EnumerateArray().Select(m => m.Str("id")));
    }

    [SkippableFact]
    public async Task SendMessage_MediaOfAnotherUser_Returns400MediaIds()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var bobs = await bob.UploadPngAsync();

        var response = await alice.PostAsync($"rooms/{roomId}/messages", new { mediaIds = new[] { bobs } });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "mediaIds");
    }

    [SkippableFact]
    public async Task SendMessage_MediaAlreadyAttached_Returns400MediaIds()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var mediaId = await alice.UploadPngAsync();
        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages", new { mediaIds = new[] { mediaId } }), HttpStatusCode.Created);

        var response = await alice.PostAsync($"rooms/{roomId}/messages", new { mediaIds = new[] { mediaId } });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "mediaIds");
    }

    [SkippableFact]
    public async Task SendMessage_ChannelMemberWithoutCanCreateMessages_Returns403()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("channel", members: bob);

        var response = await bob.PostAsync($"rooms/{roomId}/messages", new { text = "me too" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task SendMessage_NonMemberOfPublicRoom_Returns403()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("group", isPublic: true);

        var response = await eve.PostAsync($"rooms/{roomId}/messages", new { text = "hi" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task SendMessage_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await eve.PostAsync($"rooms/{roomId}/messages", new { text = "hi" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task SendMessage_ByOther_RaisesUnreadCountOfMember()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        await alice.SendAsync(roomId);
        await alice.SendAsync(roomId);
        await bob.SendAsync(roomId);

        Assert.Equal(2, (await bob.GetJsonAsync($"rooms/{roomId}")).Prop("membership").Prop("unreadCount").GetInt32());
        Assert.Equal(1, (await alice.GetJsonAsync($"rooms/{roomId}")).Prop("membership").Prop("unreadCount").GetInt32());
    }

    [SkippableFact]
    public async Task GetMessage_Member_Returns200()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var sent = await alice.SendAsync(roomId, "read me");

        var message = await bob.GetJsonAsync($"rooms/{roomId}/messages/{sent.Str("id")}");

        Assert.Equal(sent.ToString(), message.ToString());
    }

    [SkippableFact]
    public async Task GetMessage_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        var response = await eve.GetAsync($"rooms/{roomId}/messages/{messageId}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task GetMessage_OutsiderOfPublicRoom_Returns200()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("channel", isPublic: true);
        var messageId = await alice.SendIdAsync(roomId);

        var message = await eve.GetJsonAsync($"rooms/{roomId}/messages/{messageId}");

        Assert.Equal(messageId, message.Str("id"));
    }

    [SkippableFact]
    public async Task GetMessage_OfAnotherRoomUnderThisRoom_Returns404()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var foreign = await alice.SendIdAsync(await alice.CreateGroupAsync());

        var response = await alice.GetAsync($"rooms/{roomId}/messages/{foreign}");

        await HttpAssert.NotFoundAsync(response, "message_not_found");
    }

    [SkippableFact]
    public async Task GetMessage_WithReactions_SumsPerValueWithMe()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var carol = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob, carol);
        var messageId = await alice.SendIdAsync(roomId);
        await bob.ReactAsync(roomId, messageId, "like");
        await carol.ReactAsync(roomId, messageId, "like");
        await carol.ReactAsync(roomId, messageId, "dislike");

        var message = await bob.GetJsonAsync($"rooms/{roomId}/messages/{messageId}");

        var reactions = message.Prop("reactions").EnumerateArray().ToDictionary(r => r.Str("reaction"));
        Assert.Equal(["count", "me", "reaction"], reactions["like"].Names());
        Assert.Equal(2, reactions["like"].Prop("count").GetInt32());
        Assert.True(reactions["like"].Prop("me").GetBoolean());
        Assert.Equal(1, reactions["dislike"].Prop("count").GetInt32());
        Assert.False(reactions["dislike"].Prop("me").GetBoolean());
    }

    [SkippableFact]
    public async Task EditMessage_Author_Returns200WithEditedAt()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId, "tpyo");

        var message = await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}/messages/{messageId}", new { text = "typo" }));

        Assert.Equal("typo", message.Str("text"));
        HttpAssert.Timestamp(message.Prop("editedAt"));
        Assert.Equal("typo", (await alice.GetJsonAsync($"rooms/{roomId}/messages/{messageId}")).Str("text"));
    }

    [SkippableFact]
    public async Task EditMessage_OtherGroupMember_Returns403()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var messageId = await alice.SendIdAsync(roomId);

        var response = await bob.PatchAsync($"rooms/{roomId}/messages/{messageId}", new { text = "mine now" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task EditMessage_OwnerOfOthersMessage_Returns200()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var messageId = await bob.SendIdAsync(roomId);

        var response = await alice.PatchAsync($"rooms/{roomId}/messages/{messageId}", new { text = "moderated" });

        var edited = await HttpAssert.JsonAsync(response);
        Assert.Equal("moderated", edited.Str("text"));
        Assert.Equal(bob.Id, edited.Str("userId"));
        HttpAssert.Timestamp(edited.Prop("editedAt"));
        var read = await bob.GetJsonAsync($"rooms/{roomId}/messages/{messageId}");
        Assert.Equal("moderated", read.Str("text"));
        Assert.Equal(edited.Str("editedAt"), read.Str("editedAt"));
    }

    [SkippableFact]
    public async Task EditMessage_NoText_Returns400Text()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        var response = await alice.PatchAsync($"rooms/{roomId}/messages/{messageId}", new { });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "text");
    }

    [SkippableFact]
    public async Task EditMessage_TextOverMaximum_Returns400Text()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        var response = await alice.PatchAsync($"rooms/{roomId}/messages/{messageId}", new { text = new string('x', 4001) });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "text");
    }

    [SkippableFact]
    public async Task EditMessage_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        var response = await eve.PatchAsync($"rooms/{roomId}/messages/{messageId}", new { text = "x" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task DeleteMessage_Author_Returns204AndMessageIs404()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{messageId}"), HttpStatusCode.NoContent);

        await HttpAssert.NotFoundAsync(await alice.GetAsync($"rooms/{roomId}/messages/{messageId}"), "message_not_found");
    }

    [SkippableFact]
    public async Task DeleteMessage_Deleted_GoneFromListsAndCounts()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var kept = await alice.SendIdAsync(roomId, "kept");
        var messageId = await alice.SendIdAsync(roomId, "gone");

        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{messageId}"), HttpStatusCode.NoContent);

        Assert.Equal([kept], HttpAssert.Ids(await bob.GetJsonAsync($"rooms/{roomId}/messages")));
        var room = await bob.GetJsonAsync($"rooms/{roomId}");
        Assert.Equal(1, room.Prop("membership").Prop("unreadCount").GetInt32());
        Assert.Equal(kept, room.Prop("lastMessage").Str("id"));
    }

    [SkippableFact]
    public async Task DeleteMessage_WithReactionsAndMedia_TakesThemAlong()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var mediaId = await alice.UploadPngAsync();
        var messageId = (await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages", new { mediaIds = new[] { mediaId } }), HttpStatusCode.Created)).Str("id");
        var reaction = await alice.ReactAsync(roomId, messageId);

        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{messageId}"), HttpStatusCode.NoContent);

        await HttpAssert.ProblemAsync(await alice.GetAsync($"reactions/{reaction.Str("id")}"), HttpStatusCode.NotFound);
        await HttpAssert.ProblemAsync(await alice.GetAsync($"media/{mediaId}"), HttpStatusCode.NotFound);
        await HttpAssert.ProblemAsync(await alice.GetAsync($"media/{mediaId}/content"), HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task DeleteMessage_OtherGroupMember_Returns403()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var messageId = await alice.SendIdAsync(roomId);

        var response = await bob.DeleteAsync($"rooms/{roomId}/messages/{messageId}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task DeleteMessage_OwnerOfOthersMessage_Returns204()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var messageId = await bob.SendIdAsync(roomId);

        var response = await alice.DeleteAsync($"rooms/{roomId}/messages/{messageId}");

        await HttpAssert.StatusAsync(response, HttpStatusCode.NoContent);
        await HttpAssert.NotFoundAsync(await bob.GetAsync($"rooms/{roomId}/messages/{messageId}"), "message_not_found");
        Assert.Empty(HttpAssert.Ids(await bob.GetJsonAsync($"rooms/{roomId}/messages")));
    }

    [SkippableFact]
    public async Task DeleteMessage_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        var response = await eve.DeleteAsync($"rooms/{roomId}/messages/{messageId}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task ListMessages_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await eve.GetAsync($"rooms/{roomId}/messages");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task ListMessages_NoLimit_Returns50NewestFirstWithCursor()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var sent = new List<string>();
        for (var i = 0; i < 51; i++)
            sent.Add(await alice.SendIdAsync(roomId, $"m{i}"));

        var page = await alice.GetJsonAsync($"rooms/{roomId}/messages");

        sent.Reverse();
        Assert.Equal(sent.Take(50), HttpAssert.Ids(page));
        Assert.NotNull(page.Cursor());
    }

    [SkippableFact]
    public async Task ListMessages_120MessagesByCursor_ReturnsEachOnceNewestFirst()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var sent = new List<string>();
        for (var i = 0; i < 120; i++)
            sent.Add(await alice.SendIdAsync(roomId, $"m{i}"));

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await alice.GetJsonAsync($"rooms/{roomId}/messages?limit=25" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            seen.AddRange(HttpAssert.Ids(page));
            cursor = page.Cursor();
            pages++;
        }
        while (cursor is not null && pages < 10);

        sent.Reverse();
        Assert.Equal(sent, seen);
        Assert.Equal(5, pages);
    }

    [SkippableFact]
    public async Task ListMessages_LimitAtMaximum_Returns200()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        await alice.SendAsync(roomId);

        var page = await alice.GetJsonAsync($"rooms/{roomId}/messages?limit=100");

        Assert.Single(page.Items());
        Assert.Null(page.Cursor());
    }

    [SkippableTheory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("99999999999999999999")]
    public async Task ListMessages_BadLimit_Returns400Limit(string limit)
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.GetAsync($"rooms/{roomId}/messages?limit={limit}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "limit");
    }

    [SkippableTheory]
    [InlineData("garbage")]
    [InlineData("YzF8bWVzc2FnZXM6MXwwfDE")]
    [InlineData("%00%01")]
    public async Task ListMessages_GarbledCursor_Returns400Cursor(string cursor)
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.GetAsync($"rooms/{roomId}/messages?cursor={cursor}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "cursor");
    }

    [SkippableFact]
    public async Task ListMessages_CursorOfAnotherRoom_Returns400Cursor()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var other = await alice.CreateGroupAsync();
        await alice.SendAsync(other);
        await alice.SendAsync(other);
        var otherPage = await alice.GetJsonAsync($"rooms/{other}/messages?limit=1");

        var response = await alice.GetAsync($"rooms/{roomId}/messages?cursor={Uri.EscapeDataString(otherPage.Cursor()!)}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "cursor");
    }

    [SkippableFact]
    public async Task ListMessagesAfter_Message_ReturnsNewerOldestFirstThenNullCursor()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var anchor = await alice.SendIdAsync(roomId, "seen");
        var newer = new List<string>();
        for (var i = 0; i < 5; i++)
            newer.Add(await alice.SendIdAsync(roomId, $"new {i}"));

        var first = await alice.GetJsonAsync($"rooms/{roomId}/messages?after={anchor}&limit=3");
        var second = await alice.GetJsonAsync($"rooms/{roomId}/messages?after={anchor}&limit=3&cursor={Uri.EscapeDataString(first.Cursor()!)}");

        Assert.Equal(newer, [.. HttpAssert.Ids(first), .. HttpAssert.Ids(second)]);
        Assert.Null(second.Cursor());
    }

    [SkippableFact]
    public async Task ListMessagesAfter_NewestMessage_ReturnsEmptyWithNullCursor()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var newest = await alice.SendIdAsync(roomId);

        var page = await alice.GetJsonAsync($"rooms/{roomId}/messages?after={newest}");

        Assert.Empty(page.Items());
        Assert.Null(page.Cursor());
    }

    [SkippableFact]
    public async Task ListMessagesAfter_MessageOfAnotherRoom_Returns404()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var foreign = await alice.SendIdAsync(await alice.CreateGroupAsync());

        var response = await alice.GetAsync($"rooms/{roomId}/messages?after={foreign}");

        await HttpAssert.NotFoundAsync(response, "message_not_found");
    }

    [SkippableTheory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("99999999999999999999")]
    public async Task ListMessagesAfter_BadMessageId_Returns404(string after)
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.GetAsync($"rooms/{roomId}/messages?after={after}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }
}

public sealed class SqliteMessageRouteTests(SqliteChatApi api) : MessageRouteTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresMessageRouteTests(PostgresChatApi api) : MessageRouteTests(api), IClassFixture<PostgresChatApi>;
