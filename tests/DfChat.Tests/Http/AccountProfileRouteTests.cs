using System.Net;
using System.Net.Http.Json;
using System.Text;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary>
/// The sample's <c>PATCH /auth/me</c> { displayName }: the name the chat shows from sign-up on (API.md §4 and §6);
/// and <c>GET /page/settings</c>, the options the sample page follows.
/// </summary>
public abstract class AccountProfileRouteTests(ChatApiFactory api) : HttpTestBase(api)
{
    private static readonly Uri Me = new("/auth/me", UriKind.Relative);

    [SkippableFact]
    public async Task UpdateMe_DisplayName_ShownByTheChatAndFoundBySearch()
    {
        // Arrange
        var alice = await UserAsync("alice");
        var bob = await UserAsync("bob");
        var room = await alice.CreateGroupAsync(bob);

        // Act
        var response = await alice.Client.PatchAsJsonAsync(Me, new { displayName = "  Alice Liddell " });

        // Assert
        var account = await HttpAssert.JsonAsync(response);
        Assert.Equal((alice.Id, "Alice Liddell"), (account.Str("id"), account.Str("displayName")));
        Assert.Equal("Alice Liddell", (await alice.GetJsonAsync("users/me")).Str("displayName"));
        Assert.Equal("Alice Liddell", (await bob.GetJsonAsync($"rooms/{room}/users/{alice.Id}")).Str("displayName"));
        Assert.Equal("Alice Liddell", (await alice.SendAsync(room)).GetProperty("user").Str("displayName"));
        var found = (await bob.GetJsonAsync("users?search=liddell")).GetProperty("items").EnumerateArray().Select(u => u.Str("id"));
        Assert.Contains(alice.Id, found);
    }

    [SkippableTheory]
    [InlineData("""{"displayName":""}""")]
    [InlineData("""{"displayName":"   "}""")]
    [InlineData("""{"displayName":"a\u0000b"}""")]
    [InlineData("""{"displayName":"\ud800"}""")]
    [InlineData("""{"displayName":7}""")]
    [InlineData("""{}""")]
    public async Task UpdateMe_EmptyOrMalformedName_400AndNameKept(string body)
    {
        // Arrange
        var alice = await UserAsync("alice");
        var before = (await alice.GetJsonAsync("users/me")).Str("displayName");

        // Act
        var response = await alice.Client.PatchAsync(Me, new StringContent(body, Encoding.UTF8, "application/json"));

        // Assert
        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "displayName");
        Assert.Equal(before, (await alice.GetJsonAsync("users/me")).Str("displayName"));
    }

    [SkippableFact]
    public async Task UpdateMe_TooLong_400()
    {
        var alice = await UserAsync("alice");

        var response = await alice.Client.PatchAsJsonAsync(Me, new { displayName = new string('a', 101) });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "displayName");
    }

    [SkippableFact]
    public async Task PageSettings_ConfiguredReactions_TellsThePageThePolicy()
    {
        // Arrange
        using var host = Api.WithSettings(new Dictionary<string, string?>
        {
            ["DfChat:Reactions:Allowed:0"] = "wow",
            ["DfChat:Reactions:AllowAnyEmoji"] = "true",
        });

        // Act
        var response = await host.CreateClient().GetAsync(new Uri("/page/settings", UriKind.Relative));

        // Assert
        var reactions = (await HttpAssert.JsonAsync(response)).GetProperty("reactions");
        Assert.Equal(["wow"], reactions.GetProperty("allowed").EnumerateArray().Select(v => v.GetString()));
        Assert.True(reactions.GetProperty("allowAnyEmoji").GetBoolean());
        Assert.False(reactions.GetProperty("allowCustomText").GetBoolean());
    }

    [SkippableFact]
    public async Task UpdateMe_Anonymous_401()
    {
        var response = await Api.CreateAnonymousClient().PatchAsJsonAsync(Me, new { displayName = "Mallory" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

public sealed class SqliteAccountProfileRouteTests(SqliteChatApi api) : AccountProfileRouteTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresAccountProfileRouteTests(PostgresChatApi api) : AccountProfileRouteTests(api), IClassFixture<PostgresChatApi>;
