using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary><c>GET /users/me/export</c> and the sample's <c>DELETE /auth/me</c> (API.md §4 and §6), over HTTP.</summary>
public abstract class UserDataRouteTests(ChatApiFactory api) : HttpTestBase(api)
{
    private static readonly Uri DeleteMe = new("/auth/me", UriKind.Relative);

    private static Task<HttpResponseMessage> DeleteAccountAsync(HttpClient client, object? body) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, DeleteMe) { Content = body is null ? null : JsonContent.Create(body) });

    [SkippableFact]
    public async Task Export_UserWithRoomsMessagesReactions_StreamsEverything()
    {
        // Arrange
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var room = await alice.CreateGroupAsync(bob);
        var message = await alice.SendIdAsync(room, "mine");
        var bobs = await bob.SendIdAsync(room, "his");
        await alice.ReactAsync(room, bobs);

        // Act
        var response = await alice.GetAsync("users/me/export");

        // Assert
        var export = await HttpAssert.JsonAsync(response);
        Assert.Equal(alice.Id, export.GetProperty("user").Str("id"));
        Assert.Equal(room, Assert.Single(export.GetProperty("memberships").EnumerateArray()).Str("roomId"));
        var sent = Assert.Single(export.GetProperty("messages").EnumerateArray());
        Assert.Equal((message, room, "mine"), (sent.Str("id"), sent.Str("roomId"), sent.Str("text")));
        Assert.Equal(bobs, Assert.Single(export.GetProperty("reactions").EnumerateArray()).Str("messageId"));
        Assert.Empty(export.GetProperty("media").EnumerateArray());
    }

    [SkippableFact]
    public async Task DeleteMe_RightPassword_ChatErasedAndAccountGone()
    {
        // Arrange: Alice owns a group with Bob, posted, was replied to and reacted.
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var room = await alice.CreateGroupAsync(bob);
        var hers = await alice.SendIdAsync(room, "hello");
        var reply = await HttpAssert.JsonAsync(await bob.PostAsync($"rooms/{room}/messages", new { text = "hi", replyToId = hers }), HttpStatusCode.Created);
        await alice.ReactAsync(room, reply.Str("id"));

        // Act
        var response = await DeleteAccountAsync(alice.Client, new { password = ChatApiFactory.Password });

        // Assert
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var after = await bob.GetJsonAsync($"rooms/{room}");
        Assert.Equal(1, after.GetProperty("memberCount").GetInt32());
        Assert.True(after.GetProperty("membership").GetProperty("isOwner").GetBoolean());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("createdBy").ValueKind);
        var kept = await bob.GetJsonAsync($"rooms/{room}/messages/{hers}");
        Assert.Equal(JsonValueKind.Null, kept.GetProperty("userId").ValueKind);
        Assert.Equal(JsonValueKind.Null, kept.GetProperty("user").ValueKind);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.GetAsync("users/me")).StatusCode);
        var login = await Api.CreateAnonymousClient().PostAsJsonAsync(new Uri("/auth/login", UriKind.Relative), new { email = alice.Email, password = ChatApiFactory.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
    }

    [SkippableFact]
    public async Task DeleteMe_UserWhoModerated_AccountGoneAndTheRoomsRulesStay()
    {
        // Arrange: Alice owns a group with Bob and Carol, bans Dave, invites, blocks Bob, is blocked by
        // Carol, and reports Bob's message; Bob reports hers.
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var carol = await UserAsync("carol");
        var dave = await UserAsync("dave");
        var room = await alice.CreateGroupAsync(bob, carol);
        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/bans", new { userId = dave.Id, reason = "spam" }), HttpStatusCode.Created);
        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/invites", new { maxUses = 5 }), HttpStatusCode.Created);
        await HttpAssert.StatusAsync(await alice.PostAsync("users/me/blocks", new { userId = bob.Id }), HttpStatusCode.Created);
        await HttpAssert.StatusAsync(await carol.PostAsync("users/me/blocks", new { userId = alice.Id }), HttpStatusCode.Created);
        var bobs = await bob.SendIdAsync(room, "bob's");
        var hers = await alice.SendIdAsync(room, "hers");
        await HttpAssert.StatusAsync(await alice.PostAsync($"rooms/{room}/messages/{bobs}/reports", new { reason = "rude" }), HttpStatusCode.Accepted);
        await HttpAssert.StatusAsync(await bob.PostAsync($"rooms/{room}/messages/{hers}/reports", new { reason = "rude" }), HttpStatusCode.Accepted);

        // Act
        var response = await DeleteAccountAsync(alice.Client, new { password = ChatApiFactory.Password });

        // Assert: the account is gone; Dave's ban holds under the new owner, who sees it; Carol's block list is empty.
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var bans = await bob.GetJsonAsync($"rooms/{room}/bans");
        Assert.Equal(dave.Id, Assert.Single(bans.GetProperty("items").EnumerateArray()).Str("userId"));
        await HttpAssert.StatusAsync(await dave.PostAsync($"rooms/{room}/join"), HttpStatusCode.NotFound);
        Assert.Empty((await carol.GetJsonAsync("users/me/blocks")).GetProperty("items").EnumerateArray());
        Assert.Empty((await bob.GetJsonAsync($"rooms/{room}/invites")).GetProperty("items").EnumerateArray());
    }

    [SkippableFact]
    public async Task DeleteMe_WrongPassword_400AndNothingChanges()
    {
        // Arrange
        var alice = await UserAsync("alice");
        var room = await alice.CreateGroupAsync();

        // Act
        var response = await DeleteAccountAsync(alice.Client, new { password = "not it" });

        // Assert
        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "password");
        Assert.Equal(1, (await alice.GetJsonAsync($"rooms/{room}")).GetProperty("memberCount").GetInt32());
    }

    [SkippableFact]
    public async Task DeleteMe_Anonymous_401()
    {
        var response = await DeleteAccountAsync(Api.CreateAnonymousClient(), new { password = ChatApiFactory.Password });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

public sealed class SqliteUserDataRouteTests(SqliteChatApi api) : UserDataRouteTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresUserDataRouteTests(PostgresChatApi api) : UserDataRouteTests(api), IClassFixture<PostgresChatApi>;
