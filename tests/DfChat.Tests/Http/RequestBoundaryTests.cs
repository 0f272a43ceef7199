using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using DfChat.Entities;
using DfChat.Tests.Http.Infrastructure;
using HostApp.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DfChat.Tests.Http;

/// <summary>
/// The request boundary beyond the hostile-input corpus: 401 comes before 415; a caller that is not a
/// user of the host (an id that is not a key, a deleted user) is 401 on the routes and closed on the
/// hub, never a 404 or a 500; media content is served sandboxed, with a valid content type whatever
/// was stored; the chat's answers keep the contract's field names whatever the host's JSON settings.
/// </summary>
public abstract class RequestBoundaryTests(ChatApiFactory api) : HttpTestBase(api)
{
    /// <summary>Every route of API.md §4; {room} is a public room, {message} a message in it.</summary>
    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "users/me" }, { "GET", "users?search=a" }, { "GET", "rooms" }, { "GET", "rooms/public" }, { "POST", "rooms" },
        { "GET", "rooms/{room}" }, { "PATCH", "rooms/{room}" }, { "DELETE", "rooms/{room}" }, { "POST", "rooms/{room}/join" },
        { "POST", "rooms/{room}/read" }, { "GET", "rooms/{room}/events?after=0" }, { "GET", "rooms/{room}/users" },
        { "POST", "rooms/{room}/users" }, { "GET", "rooms/{room}/users/me" }, { "PATCH", "rooms/{room}/users/me" },
        { "DELETE", "rooms/{room}/users/me" }, { "GET", "rooms/{room}/messages" }, { "GET", "rooms/{room}/messages?after={message}" },
        { "POST", "rooms/{room}/messages" }, { "GET", "rooms/{room}/messages/{message}" }, { "PATCH", "rooms/{room}/messages/{message}" },
        { "DELETE", "rooms/{room}/messages/{message}" }, { "GET", "rooms/{room}/messages/{message}/reactions" },
        { "POST", "rooms/{room}/messages/{message}/reactions" }, { "GET", "reactions" }, { "GET", "reactions/1" },
        { "DELETE", "reactions/1" }, { "POST", "media" }, { "GET", "media/1" }, { "GET", "media/1/content" },
    };

    /// <summary>Caller ids that are no key of the sample's string-keyed users, as the header stand-in sends them (URL-encoded).</summary>
    private static readonly string[] UnparsableCallerIds = ["%20%20", new string('u', 451), "a%00b", "a%ED%A0%80b"];

    private static HttpContent? BodyFor(string method, string path)
    {
        if (path == "media")
        {
            var file = new ByteArrayContent(HttpFiles.Png());
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            return new MultipartFormDataContent { { file, "file", "a.png" } };
        }

        return method is "POST" or "PATCH" ? new StringContent("""{"type":"group","name":"x","text":"x","reaction":"like","muted":true}""", Encoding.UTF8, "application/json") : null;
    }

    private async Task<(string Room, string Message)> PublicRoomAsync()
    {
        var owner = await UserAsync("owner");
        var room = await owner.CreateRoomIdAsync("group", isPublic: true);
        return (room, await owner.SendIdAsync(room));
    }

    private static HttpRequestMessage Request(string method, string path, string room, string message) =>
        new(new HttpMethod(method), path.Replace("{room}", room, StringComparison.Ordinal).Replace("{message}", message, StringComparison.Ordinal))
        {
            Content = BodyFor(method, path),
        };

    [SkippableTheory]
    [InlineData("POST", "rooms")]
    [InlineData("PATCH", "rooms/1")]
    [InlineData("POST", "rooms/1/join")]
    [InlineData("POST", "rooms/1/read")]
    [InlineData("POST", "rooms/1/messages")]
    [InlineData("POST", "rooms/1/messages/1/reactions")]
    public async Task JsonRoute_AnonymousFormPost_Returns401Not415(string method, string path)
    {
        // Arrange
        using var anonymous = Api.CreateAnonymousClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("a=1", Encoding.UTF8, "application/x-www-form-urlencoded") };

        // Act
        var response = await anonymous.SendAsync(request);

        // Assert
        await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [SkippableFact]
    public async Task CreateRoom_JsonSentAsTextPlain_Returns415AndTheRoomIsNotCreated()
    {
        // Arrange
        var alice = await UserAsync();

        // Act
        var response = await alice.SendRawAsync(HttpMethod.Post, "rooms", """{"type":"group","name":"cross-site"}""", "text/plain");

        // Assert
        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("unsupported_content_type", problem.Str("code"));
        Assert.Empty((await alice.GetJsonAsync("rooms")).Items());
    }

    [SkippableFact]
    public async Task MarkRead_NoBodyNoContentType_Returns200()
    {
        // Arrange
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        // Act
        var response = await alice.PostAsync($"rooms/{roomId}/read");

        // Assert
        var membership = await HttpAssert.JsonAsync(response);
        Assert.Equal(0, membership.GetProperty("unreadCount").GetInt32());
    }

    [SkippableTheory]
    [MemberData(nameof(Routes))]
    public async Task Route_CallerIdNotAKeyOfTheUserType_Returns401(string method, string path)
    {
        // Arrange
        var (room, message) = await PublicRoomAsync();
        using var host = HeaderAuthenticated();
        foreach (var id in UnparsableCallerIds)
        {
            using var client = host.CreateClient();
            client.BaseAddress = new Uri(client.BaseAddress!, "/api/chat/");
            client.DefaultRequestHeaders.Add(HeaderUserHandler.Header, id);

            // Act
            var response = await client.SendAsync(Request(method, path, room, message));

            // Assert
            var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
            Assert.Equal("not_authenticated", problem.Str("code"));
        }
    }

    [SkippableFact]
    public async Task Route_HeaderCallerWhoIsAUser_Returns200()
    {
        // Arrange: the stand-in authentication itself works, so the 401s above are the chat's.
        var alice = await UserAsync();
        using var host = HeaderAuthenticated();
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(HeaderUserHandler.Header, alice.Id);

        // Act
        var me = await HttpAssert.JsonAsync(await client.GetAsync("/api/chat/users/me"));

        // Assert
        Assert.Equal(alice.Id, me.Str("id"));
    }

    [SkippableTheory]
    [InlineData("GET", "users/me")]
    [InlineData("POST", "rooms")]
    [InlineData("POST", "rooms/{room}/join")]
    [InlineData("POST", "media")]
    public async Task Route_TokenOfADeletedUser_Returns401AndStoresNothing(string method, string path)
    {
        // Arrange
        var (room, message) = await PublicRoomAsync();
        var ghost = await UserAsync("ghost");
        await DeleteUserAsync(ghost);
        var files = MediaFiles();

        // Act
        var response = await ghost.Client.SendAsync(Request(method, path, room, message));

        // Assert
        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("not_authenticated", problem.Str("code"));
        Assert.Equal(files, MediaFiles());
        Assert.Equal(1, (await (await UserAsync()).GetJsonAsync($"rooms/{room}")).GetProperty("memberCount").GetInt32());
    }

    [SkippableTheory]
    [MemberData(nameof(Routes))]
    public async Task Route_TokenOfADeletedUser_NeverAServerError(string method, string path)
    {
        // Arrange
        var (room, message) = await PublicRoomAsync();
        var ghost = await UserAsync("ghost");
        await DeleteUserAsync(ghost);

        // Act
        var response = await ghost.Client.SendAsync(Request(method, path, room, message));

        // Assert: what is not the ghost's own is as for anyone (a public room reads); nothing is a 5xx.
        var status = (int)response.StatusCode;
        Assert.True(status < 500, $"{method} {path}: {status} {await response.Content.ReadAsStringAsync()}");
        if (status >= 400)
            await HttpAssert.ProblemAsync(response, response.StatusCode);
    }

    [SkippableFact]
    public async Task Hub_TokenOfADeletedUser_ConnectionIsClosed()
    {
        // Arrange
        var ghost = await UserAsync("ghost");
        var alice = await UserAsync();
        await DeleteUserAsync(ghost);

        // Act
        var refused = await ConnectAsync(Api.Server, ghost.Client.DefaultRequestHeaders.Authorization!.Parameter!, header: null);
        var accepted = await ConnectAsync(Api.Server, alice.Client.DefaultRequestHeaders.Authorization!.Parameter!, header: null);

        // Assert
        Assert.Equal(HubConnectionState.Disconnected, refused);
        Assert.Equal(HubConnectionState.Connected, accepted);
    }

    [SkippableFact]
    public async Task Hub_CallerIdNotAKeyOfTheUserType_ConnectionIsClosed()
    {
        // Arrange
        var alice = await UserAsync();
        using var host = HeaderAuthenticated();

        // Act
        var refused = await ConnectAsync(host.Server, token: null, header: "a%00b");
        var accepted = await ConnectAsync(host.Server, token: null, header: alice.Id);

        // Assert
        Assert.Equal(HubConnectionState.Disconnected, refused);
        Assert.Equal(HubConnectionState.Connected, accepted);
    }

    [SkippableTheory]
    [InlineData("image/png", "inline")]
    [InlineData("application/pdf", "attachment")]
    public async Task GetMediaContent_AnyFile_IsSandboxedAndNotSniffed(string contentType, string disposition)
    {
        // Arrange
        var alice = await UserAsync();
        var bytes = contentType == "image/png" ? HttpFiles.Png() : HttpFiles.Pdf();
        var media = await alice.UploadOkAsync(bytes, contentType, "f");

        // Act
        var response = await alice.GetAsync(media.Str("url").Replace("/api/chat/", "", StringComparison.Ordinal));

        // Assert
        await HttpAssert.StatusAsync(response, HttpStatusCode.OK);
        Assert.Equal("default-src 'none'; sandbox", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(disposition, response.Content.Headers.ContentDisposition?.DispositionType);
    }

    [SkippableFact]
    public async Task GetMediaContent_RangeRequest_IsSandboxedToo()
    {
        // Arrange
        var alice = await UserAsync();
        var id = await alice.UploadPngAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"media/{id}/content");
        request.Headers.Range = new RangeHeaderValue(0, 9);

        // Act
        var response = await alice.Client.SendAsync(request);

        // Assert
        await HttpAssert.StatusAsync(response, HttpStatusCode.PartialContent);
        Assert.Equal("default-src 'none'; sandbox", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
    }

    [SkippableFact]
    public async Task GetMediaContent_StoredTypeWithControlCharacters_ServedAsOctetStream()
    {
        // Arrange: a row stored before content types were checked.
        var alice = await UserAsync();
        var id = await alice.UploadPngAsync();
        await using (var scope = Api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var key = long.Parse(id, System.Globalization.CultureInfo.InvariantCulture);
            await db.Set<ChatMedia<string>>().Where(m => m.Id == key).ExecuteUpdateAsync(s => s.SetProperty(m => m.ContentType, "audio/x\u0001\r\nX-Evil: 1"));
        }

        // Act
        var response = await alice.GetAsync($"media/{id}/content");

        // Assert
        await HttpAssert.StatusAsync(response, HttpStatusCode.OK);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.False(response.Headers.Contains("X-Evil"));
    }

    private int MediaFiles() => Directory.Exists(Api.MediaRoot) ? Directory.GetFiles(Api.MediaRoot, "*", SearchOption.AllDirectories).Length : 0;

    /// <summary>Deletes the user behind <paramref name="user"/> as a host would; its bearer token stays valid until it expires.</summary>
    private async Task DeleteUserAsync(ChatUser user)
    {
        await using var scope = Api.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var result = await users.DeleteAsync((await users.FindByIdAsync(user.Id))!);
        Assert.True(result.Succeeded, string.Join(", ", result.Errors.Select(e => e.Description)));
    }

    [SkippableFact]
    public async Task Routes_HostWritesItsOwnJsonInPascalCase_ChatAnswersKeepTheContractsFieldNames()
    {
        // Arrange: a host whose JSON settings (for its own endpoints) name properties as they are in C#.
        var alice = await UserAsync();
        using var host = HeaderAuthenticated(services => services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = null));
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(HeaderUserHandler.Header, alice.Id);

        // Act
        var room = await HttpAssert.JsonAsync(await client.PostAsync("/api/chat/rooms", Json("""{"type":"group","name":"Pascal"}""")), HttpStatusCode.Created);
        var roomId = room.Str("id");
        var sent = await HttpAssert.JsonAsync(await client.PostAsync($"/api/chat/rooms/{roomId}/messages", Json("""{"text":"hello"}""")), HttpStatusCode.Created);
        var page = await HttpAssert.JsonAsync(await client.GetAsync($"/api/chat/rooms/{roomId}/messages"));
        var me = await HttpAssert.JsonAsync(await client.GetAsync("/api/chat/users/me"));

        // Assert: the contract's camelCase names, not the host's.
        Assert.Equal("group", room.Str("type"));
        Assert.True(room.GetProperty("membership").GetProperty("isOwner").GetBoolean());
        Assert.Equal(roomId, sent.Str("roomId"));
        Assert.Equal(alice.Id, sent.GetProperty("user").Str("id"));
        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(("hello", sent.Str("id")), (item.Str("text"), item.Str("id")));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, page.GetProperty("nextCursor").ValueKind);
        Assert.Equal(alice.Id, me.Str("id"));
        Assert.False(room.TryGetProperty("Id", out _), "The host's naming policy reached a chat answer.");
    }

    [SkippableFact]
    public async Task MessagePage_ManyTimesJsonsStreamingBuffer_IsWrittenWholeEveryTime()
    {
        // Arrange: 25 messages of 4,000 characters, with text JSON must escape (quotes, markup, a surrogate pair),
        // so that a page is about a hundred kilobytes: far past the 8 KB after which System.Text.Json stops
        // streaming a type through the source generator's fast path, which the chat's answers write through.
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        const string Unit = "Ünïcödé <b>&\"q\" 😀 ";
        var texts = Enumerable.Range(0, 25)
            .Select(i => string.Concat(Enumerable.Repeat(Unit, (4000 - 4) / Unit.Length)).Insert(0, $"{i:D3} "))
            .ToList();
        foreach (var text in texts)
            await alice.SendIdAsync(roomId, text);

        for (var attempt = 0; attempt < 3; attempt++)
        {
            // Act
            using var response = await alice.GetAsync($"rooms/{roomId}/messages?limit=25");
            var body = await response.Content.ReadAsByteArrayAsync();

            // Assert: the whole page, every time, as the contract's JSON.
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.True(body.Length > 100_000, $"The page was {body.Length} bytes.");
            using var page = System.Text.Json.JsonDocument.Parse(body);
            var shown = page.RootElement.GetProperty("items").EnumerateArray().Select(m => m.Str("text")).ToList();
            Assert.Equal(Enumerable.Reverse(texts), shown);
        }
    }

    [SkippableFact]
    public void Routes_EveryAnswerBody_IsAChatJsonType()
    {
        // Arrange
        var bodies = Api.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .Where(e => e.Metadata.GetMetadata<DfChat.AspNetCore.DfChatRoute>() is not null)
            .SelectMany(e => e.Metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>())
            .Where(m => m.StatusCode is 200 or 201 && m.Type is not null && m.Type != typeof(void))
            .Select(m => m.Type!)
            .Distinct()
            .ToList();

        // Assert: a type missing from ChatJson would answer 500 on its route.
        Assert.NotEmpty(bodies);
        Assert.All(bodies, type => Assert.NotNull(DfChat.AspNetCore.ChatJson.Default.GetTypeInfo(type)));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>The sample with a stand-in authentication that believes the <see cref="HeaderUserHandler.Header"/> header.</summary>
    private WebApplicationFactory<Program> HeaderAuthenticated(Action<IServiceCollection>? more = null) => Api.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
    {
        more?.Invoke(services);
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>(HeaderUserHandler.SchemeName, null);
        services.PostConfigure<AuthenticationOptions>(o =>
        {
            o.DefaultScheme = HeaderUserHandler.SchemeName;
            o.DefaultAuthenticateScheme = HeaderUserHandler.SchemeName;
            o.DefaultChallengeScheme = HeaderUserHandler.SchemeName;
        });
    }));

    /// <summary>Connects to the hub and makes one call; returns the connection's state once the server has answered or closed it.</summary>
    private static async Task<HubConnectionState> ConnectAsync(TestServer server, string? token, string? header)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/api/chat/hub"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.WebSocketFactory = (context, cancellationToken) =>
                {
                    var client = server.CreateWebSocketClient();
                    if (header is not null)
                        client.ConfigureRequest = r => r.Headers[HeaderUserHandler.Header] = header;
                    var uri = token is null ? context.Uri : new Uri($"{context.Uri}?access_token={Uri.EscapeDataString(token)}");
                    return new ValueTask<System.Net.WebSockets.WebSocket>(client.ConnectAsync(uri, cancellationToken));
                };
            })
            .Build();
        connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        try
        {
            await connection.StartAsync();
            await connection.InvokeAsync("Unwatch", "0");
            return connection.State;
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            // Refused during the handshake (never connected, so no Closed event), or closed after it.
            if (connection.State != HubConnectionState.Disconnected)
                await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return connection.State;
        }
    }
}

/// <summary>A stand-in authentication, as in the README: it believes the (URL-decoded) user id of a header.</summary>
public sealed class HeaderUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "TestHeader";
    public const string Header = "X-Test-User";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var raw = Request.Headers[Header].ToString();
        if (raw.Length == 0)
            return Task.FromResult(AuthenticateResult.NoResult());
        var id = DecodeKeepingInvalidUtf16(raw);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    /// <summary>Decodes %XX escapes; %ED%A0%80 becomes the unpaired surrogate U+D800 that a careless host could put in a claim.</summary>
    private static string DecodeKeepingInvalidUtf16(string raw) =>
        Uri.UnescapeDataString(raw.Replace("%ED%A0%80", "\uD800", StringComparison.OrdinalIgnoreCase));
}

public sealed class SqliteRequestBoundaryTests(SqliteChatApi api) : RequestBoundaryTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresRequestBoundaryTests(PostgresChatApi api) : RequestBoundaryTests(api), IClassFixture<PostgresChatApi>;
