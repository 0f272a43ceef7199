using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary>Every route of API.md §4 needs an authenticated caller, and the OpenAPI document lists them all.</summary>
public abstract class AuthenticationTests(ChatApiFactory api) : HttpTestBase(api)
{
    /// <summary>Every route of API.md §4, with placeholder ids.</summary>
    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "users/me" },
        { "GET", "users/me/export" },
        { "GET", "users?search=a" },
        { "GET", "users/1" },
        { "GET", "search/messages?q=a" },
        { "GET", "rooms" },
        { "GET", "rooms/public" },
        { "POST", "rooms" },
        { "GET", "rooms/1" },
        { "PATCH", "rooms/1" },
        { "DELETE", "rooms/1" },
        { "POST", "rooms/1/join" },
        { "POST", "rooms/1/read" },
        { "GET", "rooms/1/users" },
        { "POST", "rooms/1/users" },
        { "GET", "rooms/1/users/me" },
        { "PATCH", "rooms/1/users/me" },
        { "DELETE", "rooms/1/users/me" },
        { "GET", "rooms/1/messages" },
        { "GET", "rooms/1/messages?after=1" },
        { "POST", "rooms/1/messages" },
        { "GET", "rooms/1/messages/1" },
        { "PATCH", "rooms/1/messages/1" },
        { "DELETE", "rooms/1/messages/1" },
        { "GET", "rooms/1/messages/1/reactions" },
        { "POST", "rooms/1/messages/1/reactions" },
        { "GET", "reactions" },
        { "GET", "reactions/1" },
        { "DELETE", "reactions/1" },
        { "POST", "media" },
        { "GET", "media/1" },
        { "GET", "media/1/content" },
        { "POST", "rooms/1/bans" },
        { "GET", "rooms/1/bans" },
        { "DELETE", "rooms/1/bans/1" },
        { "POST", "users/me/blocks" },
        { "GET", "users/me/blocks" },
        { "DELETE", "users/me/blocks/1" },
        { "POST", "rooms/1/owner" },
        { "POST", "rooms/1/invites" },
        { "GET", "rooms/1/invites" },
        { "DELETE", "rooms/1/invites/1" },
        { "POST", "invites/abc/accept" },
        { "POST", "rooms/1/messages/1/reports" },
        { "GET", "rooms/1/messages/1/thread" },
        { "POST", "rooms/1/messages/1/pin" },
        { "DELETE", "rooms/1/messages/1/pin" },
        { "GET", "rooms/1/pins" },
        { "GET", "rooms/1/messages/1/history" },
        { "GET", "rooms/1/messages/1/readers" },
    };

    /// <summary>The routes as the OpenAPI document names them, under the sample's mount.</summary>
    public static TheoryData<string, string> DocumentedRoutes => new()
    {
        { "get", "/api/chat/users/me" },
        { "get", "/api/chat/users/me/export" },
        { "get", "/api/chat/users/{userId}" },
        { "get", "/api/chat/search/messages" },
        { "get", "/api/chat/users" },
        { "get", "/api/chat/rooms" },
        { "post", "/api/chat/rooms" },
        { "get", "/api/chat/rooms/public" },
        { "get", "/api/chat/rooms/{roomId}" },
        { "patch", "/api/chat/rooms/{roomId}" },
        { "delete", "/api/chat/rooms/{roomId}" },
        { "post", "/api/chat/rooms/{roomId}/join" },
        { "post", "/api/chat/rooms/{roomId}/read" },
        { "get", "/api/chat/rooms/{roomId}/events" },
        { "get", "/api/chat/rooms/{roomId}/users" },
        { "post", "/api/chat/rooms/{roomId}/users" },
        { "get", "/api/chat/rooms/{roomId}/users/{userId}" },
        { "patch", "/api/chat/rooms/{roomId}/users/{userId}" },
        { "delete", "/api/chat/rooms/{roomId}/users/{userId}" },
        { "get", "/api/chat/rooms/{roomId}/messages" },
        { "post", "/api/chat/rooms/{roomId}/messages" },
        { "get", "/api/chat/rooms/{roomId}/messages/{messageId}" },
        { "patch", "/api/chat/rooms/{roomId}/messages/{messageId}" },
        { "delete", "/api/chat/rooms/{roomId}/messages/{messageId}" },
        { "get", "/api/chat/rooms/{roomId}/messages/{messageId}/reactions" },
        { "post", "/api/chat/rooms/{roomId}/messages/{messageId}/reactions" },
        { "get", "/api/chat/reactions" },
        { "get", "/api/chat/reactions/{reactionId}" },
        { "delete", "/api/chat/reactions/{reactionId}" },
        { "post", "/api/chat/media" },
        { "get", "/api/chat/media/{mediaId}" },
        { "get", "/api/chat/media/{mediaId}/content" },
        { "post", "/api/chat/rooms/{roomId}/bans" },
        { "get", "/api/chat/rooms/{roomId}/bans" },
        { "delete", "/api/chat/rooms/{roomId}/bans/{userId}" },
        { "post", "/api/chat/users/me/blocks" },
        { "get", "/api/chat/users/me/blocks" },
        { "delete", "/api/chat/users/me/blocks/{userId}" },
        { "post", "/api/chat/rooms/{roomId}/owner" },
        { "post", "/api/chat/rooms/{roomId}/invites" },
        { "get", "/api/chat/rooms/{roomId}/invites" },
        { "delete", "/api/chat/rooms/{roomId}/invites/{token}" },
        { "post", "/api/chat/invites/{token}/accept" },
        { "post", "/api/chat/rooms/{roomId}/messages/{messageId}/reports" },
        { "get", "/api/chat/rooms/{roomId}/messages/{messageId}/thread" },
        { "post", "/api/chat/rooms/{roomId}/messages/{messageId}/pin" },
        { "delete", "/api/chat/rooms/{roomId}/messages/{messageId}/pin" },
        { "get", "/api/chat/rooms/{roomId}/pins" },
        { "get", "/api/chat/rooms/{roomId}/messages/{messageId}/history" },
        { "get", "/api/chat/rooms/{roomId}/messages/{messageId}/readers" },
    };

    /// <summary>A well-formed body for the route, so that only the missing caller is wrong.</summary>
    private static HttpContent? BodyFor(string method, string path)
    {
        if (path == "media")
        {
            var file = new ByteArrayContent(HttpFiles.Png());
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            return new MultipartFormDataContent { { file, "file", "a.png" } };
        }

        return method is "POST" or "PATCH" ? new StringContent("{}", Encoding.UTF8, "application/json") : null;
    }

    [SkippableTheory]
    [MemberData(nameof(Routes))]
    public async Task Route_Anonymous_Returns401Problem(string method, string path)
    {
        using var client = Api.CreateAnonymousClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Content = BodyFor(method, path);

        var response = await client.SendAsync(request);

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [SkippableTheory]
    [MemberData(nameof(Routes))]
    public async Task Route_ForgedBearerToken_Returns401Problem(string method, string path)
    {
        using var client = Api.CreateAnonymousClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        request.Content = BodyFor(method, path);

        var response = await client.SendAsync(request);

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [SkippableFact]
    public async Task UploadMedia_AnonymousWithJsonBody_Returns401Problem()
    {
        using var client = Api.CreateAnonymousClient();

        var response = await client.PostAsync("media", new StringContent("{}", Encoding.UTF8, "application/json"));

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [SkippableTheory]
    [MemberData(nameof(DocumentedRoutes))]
    public async Task OpenApiDocument_ChatRoute_IsListed(string method, string path)
    {
        using var client = Api.CreateClient();

        var document = await HttpAssert.JsonAsync(await client.GetAsync("/openapi/v1.json"));

        Assert.True(document.GetProperty("paths").TryGetProperty(path, out var item), $"{path} is missing from the OpenAPI document.");
        Assert.True(item.TryGetProperty(method, out _), $"{method} {path} is missing from the OpenAPI document.");
    }

    [SkippableFact]
    public async Task OpenApiDocument_Anonymous_ListsNoChatRouteBeyondTheContract()
    {
        using var client = Api.CreateClient();
        var documented = DocumentedRoutes.Select(row => $"{row[0]} {row[1]}").ToHashSet(StringComparer.Ordinal);

        var document = await HttpAssert.JsonAsync(await client.GetAsync("/openapi/v1.json"));

        var listed = document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith("/api/chat/", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject().Where(o => o.Value.ValueKind == JsonValueKind.Object).Select(o => $"{o.Name} {p.Name}"))
            .ToList();
        Assert.All(listed, route => Assert.Contains(route, documented));
    }
}

public sealed class SqliteAuthenticationTests(SqliteChatApi api) : AuthenticationTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresAuthenticationTests(PostgresChatApi api) : AuthenticationTests(api), IClassFixture<PostgresChatApi>;
