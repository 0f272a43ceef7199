using System.Net;
using System.Text.Json;
using DfChat.Events;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary>
/// API.md §5 "Deleted means gone (v1.2)": once a message is deleted, no route and no event of the log
/// serves its text; the log keeps its earlier events' seq and type, their payloads redacted.
/// </summary>
public abstract class DeletedMessageRedactionTests(ChatApiFactory api) : HttpTestBase(api)
{
    private const string Secret = "SECRET-4e1f";

    [SkippableFact]
    public async Task DeleteMessage_AfterEditReactionsRoomUpdateAndReply_NoRouteNorEventServesItsText()
    {
        // Arrange: the secret is posted, edited, reacted to (added and removed), shown as the room's last
        // message by a roomUpdated, and replied to.
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var roomId = await alice.CreateGroupAsync(bob);
        var secret = await alice.SendIdAsync(roomId, $"the code is {Secret}");
        await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}/messages/{secret}", new { text = $"the code is still {Secret}" }));
        var kept = await bob.ReactAsync(roomId, secret, "like");
        var removed = await bob.ReactAsync(roomId, secret, "dislike");
        await HttpAssert.StatusAsync(await bob.DeleteAsync($"reactions/{removed.Str("id")}"), HttpStatusCode.NoContent);
        await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}", new { name = "renamed" }));
        var reply = await HttpAssert.JsonAsync(await bob.PostAsync($"rooms/{roomId}/messages", new { text = "noted", replyToId = secret }), HttpStatusCode.Created);
        var before = await WritePath.AllEventsAsync(bob, roomId);
        Assert.Contains(before, e => e.Prop("payload").GetRawText().Contains(Secret, StringComparison.Ordinal));

        // Act
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{secret}"), HttpStatusCode.NoContent);

        // Assert: every route a member reads, and the whole log, without the secret.
        foreach (var path in new[]
        {
            $"rooms/{roomId}/messages", $"rooms/{roomId}/messages?limit=100", $"rooms/{roomId}/messages/{reply.Str("id")}",
            $"rooms/{roomId}", "rooms", "reactions", $"rooms/{roomId}/events?after=0", $"rooms/{roomId}/events?after=0&limit=100",
        })
        {
            var body = await HttpAssert.JsonAsync(await bob.GetAsync(path));
            Assert.DoesNotContain(Secret, body.GetRawText(), StringComparison.Ordinal);
        }

        foreach (var path in new[] { $"rooms/{roomId}/messages/{secret}", $"rooms/{roomId}/messages/{secret}/reactions", $"reactions/{kept.Str("id")}" })
        {
            var response = await bob.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.DoesNotContain(Secret, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The log keeps every event's seq and type; the message's own are redacted to the contract's shape.
        var after = await WritePath.AllEventsAsync(bob, roomId);
        WritePath.SeqIsGapless(after);
        Assert.Equal(before.Select(e => (e.Prop("seq").GetInt64(), e.Str("type"))), after.Take(before.Count).Select(e => (e.Prop("seq").GetInt64(), e.Str("type"))));
        Assert.Equal(ChatEventNames.MessageDeleted, after[^1].Str("type"));
        string[] ofTheMessage = [ChatEventNames.MessageCreated, ChatEventNames.MessageUpdated, ChatEventNames.ReactionAdded, ChatEventNames.ReactionRemoved];
        var redacted = after.Where(e => e.Prop("payload").TryGetProperty("redacted", out _)).ToList();
        Assert.Equal(
            [ChatEventNames.MessageCreated, ChatEventNames.MessageUpdated, ChatEventNames.ReactionAdded, ChatEventNames.ReactionAdded, ChatEventNames.ReactionRemoved],
            redacted.Select(e => e.Str("type")));
        foreach (var item in redacted)
        {
            var payload = item.Prop("payload");
            Assert.Equal(["seq", "roomId", "messageId", "redacted"], payload.EnumerateObject().Select(p => p.Name));
            Assert.Equal(item.Prop("seq").GetInt64(), payload.Prop("seq").GetInt64());
            Assert.Equal(roomId, payload.Str("roomId"));
            Assert.Equal(secret, payload.Str("messageId"));
            Assert.True(payload.Prop("redacted").GetBoolean());
        }

        // The rename keeps its room, without the deleted last message; the reply keeps its own text.
        var renamed = after.Single(e => e.Str("type") == ChatEventNames.RoomUpdated).Prop("payload");
        Assert.Equal("renamed", renamed.Str("name"));
        Assert.Equal(JsonValueKind.Null, renamed.Prop("lastMessage").ValueKind);
        Assert.Contains(after, e => e.Str("type") == ChatEventNames.MessageCreated && e.Prop("payload").TryGetProperty("text", out var text) && text.GetString() == "noted");
        Assert.DoesNotContain(after, e => ofTheMessage.Contains(e.Str("type")) && e.Prop("payload").GetRawText().Contains(Secret, StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task DeleteMessage_OtherMessagesOfTheRoom_KeepTheirEvents()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var roomId = await alice.CreateGroupAsync(bob);
        var other = await alice.SendIdAsync(roomId, "stays");
        var deleted = await alice.SendIdAsync(roomId, Secret);

        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/messages/{deleted}"), HttpStatusCode.NoContent);

        var created = (await WritePath.AllEventsAsync(bob, roomId)).Where(e => e.Str("type") == ChatEventNames.MessageCreated).Select(e => e.Prop("payload")).ToList();
        Assert.Equal(2, created.Count);
        Assert.Equal(other, created[0].Str("id"));
        Assert.Equal("stays", created[0].Str("text"));
        Assert.True(created[1].Prop("redacted").GetBoolean());
    }
}

public sealed class SqliteDeletedMessageRedactionTests(SqliteUnthrottledChatApi api) : DeletedMessageRedactionTests(api), IClassFixture<SqliteUnthrottledChatApi>;

public sealed class PostgresDeletedMessageRedactionTests(PostgresUnthrottledChatApi api) : DeletedMessageRedactionTests(api), IClassFixture<PostgresUnthrottledChatApi>;
