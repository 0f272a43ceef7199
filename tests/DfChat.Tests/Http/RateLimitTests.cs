using System.Globalization;
using System.Net;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary>
/// Per-user rate limits on sends and uploads (API.md §2): over the limit, 429 problem details with
/// <c>Retry-After</c>; another user is not limited; <c>RateLimits:Enabled=false</c> lifts them.
/// </summary>
public abstract class RateLimitTests(RateLimitedChatApi api) : HttpTestBase(api)
{
    /// <summary>Sends until the limit, then once more.</summary>
    private static async Task<HttpResponseMessage> SendOverTheLimitAsync(ChatUser user, string roomId)
    {
        for (var i = 0; i < RateLimitedChatApi.MessagesPerMinute; i++)
            await user.SendAsync(roomId, $"m{i}");
        return await user.PostAsync($"rooms/{roomId}/messages", new { text = "one too many" });
    }

    private static async Task AssertRetryAfterAsync(HttpResponseMessage response)
    {
        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Equal("rate_limited", problem.Str("code"));
        var retryAfter = Assert.Single(response.Headers.GetValues("Retry-After"));
        Assert.True(int.TryParse(retryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds >= 1, $"Retry-After: {retryAfter}");
    }

    [SkippableFact]
    public async Task SendMessage_OverTheLimit_Returns429WithRetryAfterAndStoresNothing()
    {
        // Arrange
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        // Act
        var response = await SendOverTheLimitAsync(alice, roomId);

        // Assert
        await AssertRetryAfterAsync(response);
        var messages = await alice.GetJsonAsync($"rooms/{roomId}/messages");
        Assert.Equal(RateLimitedChatApi.MessagesPerMinute, messages.Items().Count);
        Assert.DoesNotContain(messages.Items(), m => m.Str("text") == "one too many");
    }

    [SkippableFact]
    public async Task SendMessage_AnotherUserOverTheLimit_Returns201()
    {
        // Arrange
        var bob = await UserAsync("bob");
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        await AssertRetryAfterAsync(await SendOverTheLimitAsync(alice, roomId));

        // Act
        var response = await bob.PostAsync($"rooms/{roomId}/messages", new { text = "mine" });

        // Assert
        await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
    }

    [SkippableFact]
    public async Task Routes_CallerOverTheSendLimit_ReadAndReactStillWork()
    {
        // Arrange
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);
        for (var i = 1; i < RateLimitedChatApi.MessagesPerMinute; i++)
            await alice.SendAsync(roomId);

        // Act
        var read = await alice.GetAsync($"rooms/{roomId}/messages");
        var react = await alice.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = "like" });
        var send = await alice.PostAsync($"rooms/{roomId}/messages", new { text = "x" });

        // Assert
        await HttpAssert.JsonAsync(read);
        await HttpAssert.JsonAsync(react, HttpStatusCode.Created);
        await AssertRetryAfterAsync(send);
    }

    [SkippableFact]
    public async Task UploadMedia_OverTheLimit_Returns429WithRetryAfter()
    {
        // Arrange
        var alice = await UserAsync();
        for (var i = 0; i < RateLimitedChatApi.UploadsPerMinute; i++)
            await alice.UploadPngAsync();

        // Act
        var response = await alice.UploadAsync(HttpFiles.Png(), "image/png", "one-too-many.png");

        // Assert
        await AssertRetryAfterAsync(response);
        var bob = await UserAsync("bob");
        await HttpAssert.JsonAsync(await bob.UploadAsync(HttpFiles.Png(), "image/png"), HttpStatusCode.Created);
    }

    [SkippableFact]
    public async Task SendMessage_Anonymous_Returns401NotCounted()
    {
        // Arrange
        using var anonymous = Api.CreateAnonymousClient();

        // Act
        var response = await anonymous.PostAsync("rooms/1/messages", new StringContent("""{"text":"x"}""", System.Text.Encoding.UTF8, "application/json"));

        // Assert
        await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [SkippableFact]
    public async Task SendMessage_LimitsDisabled_NeverReturns429()
    {
        // Arrange
        using var unlimited = Api.WithSettings(new Dictionary<string, string?> { [UnthrottledChatApi.RateLimitsSetting] = "false" });
        var alice = await ChatApiFactory.CreateUserAsync(unlimited);
        var roomId = await alice.CreateGroupAsync();

        // Act
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3 * RateLimitedChatApi.MessagesPerMinute; i++)
            statuses.Add((await alice.PostAsync($"rooms/{roomId}/messages", new { text = $"m{i}" })).StatusCode);

        // Assert
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Created, s));
    }
}

/// <summary>A host with low limits, as a chat would set them for a trial: three messages and two uploads a minute.</summary>
public abstract class RateLimitedChatApi(DatabaseProvider provider) : ChatApiFactory(provider)
{
    public const int MessagesPerMinute = 3;
    public const int UploadsPerMinute = 2;

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["DfChat:RateLimits:MessagesPerMinute"] = MessagesPerMinute.ToString(CultureInfo.InvariantCulture),
        ["DfChat:RateLimits:UploadsPerMinute"] = UploadsPerMinute.ToString(CultureInfo.InvariantCulture),
    };
}

public sealed class SqliteRateLimitedChatApi() : RateLimitedChatApi(DatabaseProvider.Sqlite);

public sealed class PostgresRateLimitedChatApi() : RateLimitedChatApi(DatabaseProvider.Postgres);

public sealed class SqliteRateLimitTests(SqliteRateLimitedChatApi api) : RateLimitTests(api), IClassFixture<SqliteRateLimitedChatApi>;

public sealed class PostgresRateLimitTests(PostgresRateLimitedChatApi api) : RateLimitTests(api), IClassFixture<PostgresRateLimitedChatApi>;
