using System.Net;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary>The reaction routes: a message's reactions, the caller's own, add, get, delete; and the policy from configuration.</summary>
public abstract class ReactionRouteTests(ChatApiFactory api) : HttpTestBase(api)
{
    private static readonly string[] ReactionFields = ["createdAt", "id", "messageId", "reaction", "roomId", "userId"];

    [SkippableFact]
    public async Task AddReaction_Member_Returns201WithLocationAndFields()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var messageId = await alice.SendIdAsync(roomId);

        var response = await bob.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = "like" });

        var reaction = await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
        Assert.Equal($"/api/chat/reactions/{reaction.Str("id")}", response.Headers.Location?.OriginalString);
        Assert.Equal(ReactionFields, reaction.Names());
        Assert.Equal(roomId, reaction.Str("roomId"));
        Assert.Equal(messageId, reaction.Str("messageId"));
        Assert.Equal(bob.Id, reaction.Str("userId"));
        Assert.Equal("like", reaction.Str("reaction"));
        HttpAssert.Timestamp(reaction.Prop("createdAt"));
    }

    [SkippableFact]
    public async Task AddReaction_SameValueAgain_Returns200WithExisting()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);
        var first = await alice.ReactAsync(roomId, messageId);

        var again = await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = "like" }));

        Assert.Equal(first.Str("id"), again.Str("id"));
    }

    [SkippableTheory]
    [InlineData("love")]
    [InlineData("")]
    [InlineData("👍")]
    [InlineData("LIKE")]
    public async Task AddReaction_OutsideDefaultPolicy_Returns400Reaction(string value)
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        var response = await alice.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = value });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "reaction");
    }

    [SkippableFact]
    public async Task AddReaction_Missing_Returns400Reaction()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        var response = await alice.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "reaction");
    }

    [SkippableFact]
    public async Task AddReaction_ChannelReaderWithoutPermissions_Returns201()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("channel");
        await alice.AddMemberAsync(roomId, bob, []);
        var messageId = await alice.SendIdAsync(roomId);

        var response = await bob.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = "like" });

        await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
    }

    [SkippableFact]
    public async Task AddReaction_NonMemberOfPublicRoom_Returns403()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("channel", isPublic: true);
        var messageId = await alice.SendIdAsync(roomId);

        var response = await eve.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = "like" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task AddReaction_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        var response = await eve.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = "like" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task AddReaction_UnknownMessage_Returns404()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.PostAsync($"rooms/{roomId}/messages/987654321/reactions", new { reaction = "like" });

        await HttpAssert.NotFoundAsync(response, "message_not_found");
    }

    [SkippableFact]
    public async Task ListMessageReactions_Reader_ReturnsThemInEnvelope()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var messageId = await alice.SendIdAsync(roomId);
        var first = await alice.ReactAsync(roomId, messageId, "like");
        var second = await bob.ReactAsync(roomId, messageId, "dislike");

        var page = await bob.GetJsonAsync($"rooms/{roomId}/messages/{messageId}/reactions");

        Assert.Equal([first.Str("id"), second.Str("id")], HttpAssert.Ids(page));
        Assert.Null(page.Cursor());
    }

    [SkippableFact]
    public async Task ListMessageReactions_LimitAndCursor_PagesThroughEachOnce()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var messageId = await alice.SendIdAsync(roomId);
        var ids = new[]
        {
            (await alice.ReactAsync(roomId, messageId, "like")).Str("id"),
            (await alice.ReactAsync(roomId, messageId, "dislike")).Str("id"),
            (await bob.ReactAsync(roomId, messageId, "like")).Str("id"),
        };

        var first = await alice.GetJsonAsync($"rooms/{roomId}/messages/{messageId}/reactions?limit=2");
        var second = await alice.GetJsonAsync($"rooms/{roomId}/messages/{messageId}/reactions?limit=2&cursor={Uri.EscapeDataString(first.Cursor()!)}");

        Assert.Equal(ids, HttpAssert.Ids(first).Concat(HttpAssert.Ids(second)));
        Assert.Null(second.Cursor());
    }

    [SkippableFact]
    public async Task ListMessageReactions_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);
        await alice.ReactAsync(roomId, messageId);

        var response = await eve.GetAsync($"rooms/{roomId}/messages/{messageId}/reactions");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task ListMessageReactions_OutsiderOfPublicRoom_Returns200()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("group", isPublic: true);
        var messageId = await alice.SendIdAsync(roomId);
        await alice.ReactAsync(roomId, messageId);

        var page = await eve.GetJsonAsync($"rooms/{roomId}/messages/{messageId}/reactions");

        Assert.Single(page.Items());
    }

    [SkippableTheory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("limit=many")]
    public async Task ListMessageReactions_BadLimit_Returns400Limit(string query)
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        var response = await alice.GetAsync($"rooms/{roomId}/messages/{messageId}/reactions?{query}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "limit");
    }

    [SkippableFact]
    public async Task ListMyReactions_Caller_ReturnsOwnNewestFirst()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var m1 = await alice.SendIdAsync(roomId);
        var m2 = await alice.SendIdAsync(roomId);
        var older = await bob.ReactAsync(roomId, m1);
        var newer = await bob.ReactAsync(roomId, m2, "dislike");
        await alice.ReactAsync(roomId, m1);

        var page = await bob.GetJsonAsync("reactions");

        Assert.Equal([newer.Str("id"), older.Str("id")], HttpAssert.Ids(page));
    }

    [SkippableFact]
    public async Task ListMyReactions_LimitAndCursor_PagesThroughEachOnce()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add((await alice.ReactAsync(roomId, await alice.SendIdAsync(roomId))).Str("id"));

        var first = await alice.GetJsonAsync("reactions?limit=2");
        var second = await alice.GetJsonAsync($"reactions?limit=2&cursor={Uri.EscapeDataString(first.Cursor()!)}");

        ids.Reverse();
        Assert.Equal(ids, [.. HttpAssert.Ids(first), .. HttpAssert.Ids(second)]);
        Assert.Null(second.Cursor());
    }

    [SkippableTheory]
    [InlineData("reactions?limit=0")]
    [InlineData("reactions?limit=101")]
    [InlineData("reactions?cursor=garbage")]
    public async Task ListMyReactions_BadPaging_Returns400(string path)
    {
        var alice = await UserAsync();

        var response = await alice.GetAsync(path);

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, path.Contains("cursor", StringComparison.Ordinal) ? "cursor" : "limit");
    }

    [SkippableFact]
    public async Task GetReaction_Reader_Returns200()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var messageId = await alice.SendIdAsync(roomId);
        var reaction = await alice.ReactAsync(roomId, messageId);

        var got = await bob.GetJsonAsync($"reactions/{reaction.Str("id")}");

        Assert.Equal(reaction.ToString(), got.ToString());
    }

    [SkippableFact]
    public async Task GetReaction_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var reaction = await alice.ReactAsync(roomId, await alice.SendIdAsync(roomId));

        var response = await eve.GetAsync($"reactions/{reaction.Str("id")}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task DeleteReaction_Author_Returns204AndIsGone()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);
        var reaction = await alice.ReactAsync(roomId, messageId);

        await HttpAssert.StatusAsync(await alice.DeleteAsync($"reactions/{reaction.Str("id")}"), HttpStatusCode.NoContent);

        await HttpAssert.ProblemAsync(await alice.GetAsync($"reactions/{reaction.Str("id")}"), HttpStatusCode.NotFound);
        Assert.Empty((await alice.GetJsonAsync($"rooms/{roomId}/messages/{messageId}")).Prop("reactions").EnumerateArray());
    }

    [SkippableFact]
    public async Task DeleteReaction_OtherMemberWithoutCanDeleteMessages_Returns403()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var reaction = await alice.ReactAsync(roomId, await alice.SendIdAsync(roomId));

        var response = await bob.DeleteAsync($"reactions/{reaction.Str("id")}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task DeleteReaction_OwnerOfOthersReaction_Returns204()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var messageId = await alice.SendIdAsync(roomId);
        var reaction = await bob.ReactAsync(roomId, messageId);

        var response = await alice.DeleteAsync($"reactions/{reaction.Str("id")}");

        await HttpAssert.StatusAsync(response, HttpStatusCode.NoContent);
        await HttpAssert.NotFoundAsync(await bob.GetAsync($"reactions/{reaction.Str("id")}"), "reaction_not_found");
        Assert.Empty((await bob.GetJsonAsync($"rooms/{roomId}/messages/{messageId}/reactions")).Items());
        Assert.Empty((await bob.GetJsonAsync($"rooms/{roomId}/messages/{messageId}")).Prop("reactions").EnumerateArray());
    }

    [SkippableFact]
    public async Task DeleteReaction_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var reaction = await alice.ReactAsync(roomId, await alice.SendIdAsync(roomId));

        var response = await eve.DeleteAsync($"reactions/{reaction.Str("id")}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task AddReaction_ConfiguredAllowedList_ReplacesDefault()
    {
        using var host = Api.WithSettings(new Dictionary<string, string?> { ["DfChat:Reactions:Allowed:0"] = "wow" });
        var alice = await ChatApiFactory.CreateUserAsync(host);
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        var like = await alice.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = "like" });
        var wow = await alice.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = "wow" });

        await HttpAssert.ProblemAsync(like, HttpStatusCode.BadRequest, "reaction");
        await HttpAssert.JsonAsync(wow, HttpStatusCode.Created);
    }

    [SkippableTheory]
    [InlineData("👍")]
    [InlineData("👍🏽")]
    [InlineData("👨‍👩‍👧")]
    [InlineData("🇫🇷")]
    public async Task AddReaction_AllowAnyEmojiConfigured_AcceptsSingleEmoji(string emoji)
    {
        using var host = Api.WithSettings(new Dictionary<string, string?> { ["DfChat:Reactions:AllowAnyEmoji"] = "true" });
        var alice = await ChatApiFactory.CreateUserAsync(host);
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        var response = await alice.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = emoji });

        Assert.Equal(emoji, (await HttpAssert.JsonAsync(response, HttpStatusCode.Created)).Str("reaction"));
    }

    [SkippableTheory]
    [InlineData("👍👍")]
    [InlineData("a")]
    [InlineData("wow")]
    public async Task AddReaction_AllowAnyEmojiConfigured_RefusesNonEmojiOrSeveral(string value)
    {
        using var host = Api.WithSettings(new Dictionary<string, string?> { ["DfChat:Reactions:AllowAnyEmoji"] = "true" });
        var alice = await ChatApiFactory.CreateUserAsync(host);
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        var response = await alice.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = value });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "reaction");
    }

    [SkippableFact]
    public async Task AddReaction_AllowAnyEmojiConfigured_StillAcceptsDefaultList()
    {
        using var host = Api.WithSettings(new Dictionary<string, string?> { ["DfChat:Reactions:AllowAnyEmoji"] = "true" });
        var alice = await ChatApiFactory.CreateUserAsync(host);
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        var response = await alice.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = "like" });

        await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
    }

    [SkippableFact]
    public async Task AddReaction_AllowCustomTextConfigured_AcceptsUpToMaxLength()
    {
        using var host = Api.WithSettings(new Dictionary<string, string?> { ["DfChat:Reactions:AllowCustomText"] = "true" });
        var alice = await ChatApiFactory.CreateUserAsync(host);
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);

        var ok = await alice.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = new string('r', 32) });
        var tooLong = await alice.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = new string('r', 33) });

        await HttpAssert.JsonAsync(ok, HttpStatusCode.Created);
        await HttpAssert.ProblemAsync(tooLong, HttpStatusCode.BadRequest, "reaction");
    }
}

public sealed class SqliteReactionRouteTests(SqliteChatApi api) : ReactionRouteTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresReactionRouteTests(PostgresChatApi api) : ReactionRouteTests(api), IClassFixture<PostgresChatApi>;
