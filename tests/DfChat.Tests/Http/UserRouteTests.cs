using System.Net;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary><c>GET /users/me</c> and <c>GET /users</c>.</summary>
public abstract class UserRouteTests(ChatApiFactory api) : HttpTestBase(api)
{
    [SkippableFact]
    public async Task GetMe_Authenticated_ReturnsIdAndUserNameAsDisplayName()
    {
        var alice = await UserAsync("alice");

        var me = await alice.GetJsonAsync("users/me");

        Assert.Equal(["displayName", "id"], me.Names());
        Assert.Equal(alice.Id, me.Str("id"));
        Assert.Equal(alice.Email, me.Str("displayName"));
    }

    [SkippableFact]
    public async Task SearchUsers_UpperCaseFragment_FindsUserCaseInsensitively()
    {
        var alice = await UserAsync("alice");
        var fragment = alice.Email[..alice.Email.IndexOf('@', StringComparison.Ordinal)].ToUpperInvariant();

        var page = await alice.GetJsonAsync($"users?search={Uri.EscapeDataString(fragment)}");

        var found = Assert.Single(page.Items());
        Assert.Equal(alice.Id, found.Str("id"));
        Assert.Equal(alice.Email, found.Str("displayName"));
    }

    [SkippableFact]
    public async Task SearchUsers_NoMatch_ReturnsEmptyEnvelope()
    {
        var alice = await UserAsync();

        var page = await alice.GetJsonAsync("users?search=nobody-has-this-" + Guid.NewGuid().ToString("N"));

        Assert.Empty(page.Items());
        Assert.Null(page.Cursor());
    }

    [SkippableFact]
    public async Task SearchUsers_Limit_ReturnsAtMostLimit()
    {
        var alice = await UserAsync("limited");
        await UserAsync("limited");
        await UserAsync("limited");

        var page = await alice.GetJsonAsync("users?search=limited-&limit=2");

        Assert.Equal(2, page.Items().Count);
    }

    [SkippableTheory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-5")]
    [InlineData("ten")]
    public async Task SearchUsers_BadLimit_Returns400(string limit)
    {
        var alice = await UserAsync();

        var response = await alice.GetAsync($"users?limit={limit}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "limit");
    }

    [SkippableTheory]
    [InlineData("%")]
    [InlineData("_")]
    public async Task SearchUsers_LikeWildcard_MatchesLiterally(string wildcard)
    {
        var alice = await UserAsync();

        var page = await alice.GetJsonAsync($"users?search={Uri.EscapeDataString(wildcard)}");

        Assert.Empty(page.Items());
    }
}

public sealed class SqliteUserRouteTests(SqliteChatApi api) : UserRouteTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresUserRouteTests(PostgresChatApi api) : UserRouteTests(api), IClassFixture<PostgresChatApi>;
