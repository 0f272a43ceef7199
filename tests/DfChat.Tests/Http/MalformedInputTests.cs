using System.Net;
using System.Text;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary>No client input, however malformed, yields a 5xx: bad ids in paths, broken or mistyped JSON, huge bodies.</summary>
public abstract class MalformedInputTests(ChatApiFactory api) : HttpTestBase(api)
{
    /// <summary>Routes with ids, the id slot written as {x}.</summary>
    public static TheoryData<string, string, string> BadIdRoutes()
    {
        string[] ids = ["abc", "-1", "0", "99999999999999999999", "1.5", "1e3", "%20", "%E2%82%AC", new string('9', 400)];
        (string Method, string Path)[] routes =
        [
            ("GET", "rooms/{x}"), ("PATCH", "rooms/{x}"), ("DELETE", "rooms/{x}"), ("POST", "rooms/{x}/join"), ("POST", "rooms/{x}/read"),
            ("GET", "rooms/{x}/users"), ("POST", "rooms/{x}/users"), ("GET", "rooms/{x}/users/{x}"), ("PATCH", "rooms/{x}/users/{x}"), ("DELETE", "rooms/{x}/users/{x}"),
            ("GET", "rooms/{x}/messages"), ("GET", "rooms/{x}/messages?after={x}"), ("POST", "rooms/{x}/messages"),
            ("GET", "rooms/{x}/messages/{x}"), ("PATCH", "rooms/{x}/messages/{x}"), ("DELETE", "rooms/{x}/messages/{x}"),
            ("GET", "rooms/{x}/messages/{x}/reactions"), ("POST", "rooms/{x}/messages/{x}/reactions"),
            ("GET", "reactions/{x}"), ("DELETE", "reactions/{x}"), ("GET", "media/{x}"), ("GET", "media/{x}/content"),
        ];
        var data = new TheoryData<string, string, string>();
        foreach (var id in ids)
        {
            foreach (var (method, path) in routes)
                data.Add(method, path, id);
        }

        return data;
    }

    /// <summary>Body routes with a JSON body that has one field of the wrong type, and that field.</summary>
    public static TheoryData<string, string, string, string> MistypedBodies => new()
    {
        { "POST", "rooms", """{"type": 5, "name": "x"}""", "type" },
        { "POST", "rooms", """{"type": "group", "name": "x", "isPublic": "yes"}""", "isPublic" },
        { "POST", "rooms", """{"type": "group", "name": "x", "userIds": "abc"}""", "userIds" },
        { "POST", "rooms", """{"type": "group", "name": ["x"]}""", "name" },
        { "PATCH", "rooms/{room}", """{"isPublic": 1}""", "isPublic" },
        { "PATCH", "rooms/{room}", """{"description": {}}""", "description" },
        { "POST", "rooms/{room}/read", """{"messageId": true}""", "messageId" },
        { "POST", "rooms/{room}/users", """{"userId": 42}""", "userId" },
        { "POST", "rooms/{room}/users", """{"userId": "u", "permissions": "can_add_users"}""", "permissions" },
        { "PATCH", "rooms/{room}/users/me", """{"muted": "sometimes"}""", "muted" },
        { "PATCH", "rooms/{room}/users/me", """{"lastSeenAt": 12345}""", "lastSeenAt" },
        { "PATCH", "rooms/{room}/users/me", """{"lastSeenAt": "2026-13-45T99:00:00Z"}""", "lastSeenAt" },
        { "POST", "rooms/{room}/messages", """{"text": {"a": 1}}""", "text" },
        { "POST", "rooms/{room}/messages", """{"mediaIds": [1, 2]}""", "mediaIds" },
        { "POST", "rooms/{room}/messages", """{"text": "x", "clientMessageId": 7}""", "clientMessageId" },
        { "PATCH", "rooms/{room}/messages/{message}", """{"text": false}""", "text" },
        { "POST", "rooms/{room}/messages/{message}/reactions", """{"reaction": 1}""", "reaction" },
    };

    /// <summary>Every route that reads a JSON body.</summary>
    public static TheoryData<string, string> BodyRoutes => new()
    {
        { "POST", "rooms" },
        { "PATCH", "rooms/{room}" },
        { "POST", "rooms/{room}/read" },
        { "POST", "rooms/{room}/users" },
        { "PATCH", "rooms/{room}/users/me" },
        { "POST", "rooms/{room}/messages" },
        { "PATCH", "rooms/{room}/messages/{message}" },
        { "POST", "rooms/{room}/messages/{message}/reactions" },
    };

    [SkippableTheory]
    [MemberData(nameof(BadIdRoutes))]
    public async Task Route_BadId_Returns4xxProblem(string method, string path, string id)
    {
        var alice = await UserAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{x}", id, StringComparison.Ordinal));
        if (method is "POST" or "PATCH")
            request.Content = new StringContent("""{"text":"x","reaction":"like","userId":"x"}""", Encoding.UTF8, "application/json");

        var response = await alice.Client.SendAsync(request);

        await HttpAssert.ClientErrorAsync(response);
    }

    [SkippableTheory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("99999999999999999999")]
    public async Task GetRoom_BadId_Returns404(string id)
    {
        var alice = await UserAsync();

        var response = await alice.GetAsync($"rooms/{id}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableTheory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("99999999999999999999")]
    public async Task GetMessage_BadMessageIdInRealRoom_Returns404(string id)
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.GetAsync($"rooms/{roomId}/messages/{id}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableTheory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("99999999999999999999")]
    public async Task GetMember_BadUserIdInRealRoom_Returns404(string id)
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.GetAsync($"rooms/{roomId}/users/{id}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableTheory]
    [MemberData(nameof(BodyRoutes))]
    public async Task BodyRoute_MalformedJson_Returns400Body(string method, string path)
    {
        var (alice, resolved) = await ResolveAsync(path);

        var response = await alice.SendRawAsync(new HttpMethod(method), resolved, "this is not json");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "body");
    }

    [SkippableTheory]
    [MemberData(nameof(BodyRoutes))]
    public async Task BodyRoute_JsonArrayInsteadOfObject_Returns400Body(string method, string path)
    {
        var (alice, resolved) = await ResolveAsync(path);

        var response = await alice.SendRawAsync(new HttpMethod(method), resolved, "[1, 2, 3]");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "body");
    }

    [SkippableTheory]
    [MemberData(nameof(BodyRoutes))]
    public async Task BodyRoute_DeeplyNestedJson_Returns4xxProblem(string method, string path)
    {
        var (alice, resolved) = await ResolveAsync(path);
        var nested = """{"text": """ + new string('[', 5000) + new string(']', 5000) + "}";

        var response = await alice.SendRawAsync(new HttpMethod(method), resolved, nested);

        await HttpAssert.ClientErrorAsync(response);
    }

    [SkippableTheory]
    [MemberData(nameof(BodyRoutes))]
    public async Task BodyRoute_BodyOver1MiB_Returns4xxProblem(string method, string path)
    {
        var (alice, resolved) = await ResolveAsync(path);
        var huge = "{\"text\": \"" + new string('x', 3 * 1024 * 1024) + "\"}";

        var response = await alice.SendRawAsync(new HttpMethod(method), resolved, huge);

        await HttpAssert.ClientErrorAsync(response);
    }

    [SkippableFact]
    public async Task SendMessage_InvalidUtf8Text_Returns400Text()
    {
        var (alice, resolved) = await ResolveAsync("rooms/{room}/messages");
        var content = new ByteArrayContent([.. "{\"text\":\""u8.ToArray(), 0xC3, 0x28, 0xFF, .. "\"}"u8.ToArray()]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await alice.Client.PostAsync(resolved, content);

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "text");
    }

    [SkippableTheory]
    [MemberData(nameof(MistypedBodies))]
    public async Task BodyRoute_WrongJsonType_Returns400WithThatField(string method, string path, string body, string field)
    {
        var (alice, resolved) = await ResolveAsync(path);

        var response = await alice.SendRawAsync(new HttpMethod(method), resolved, body);

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, field);
    }

    [SkippableFact]
    public async Task SendMessage_JsonNullBody_Returns400Text()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.SendRawAsync(HttpMethod.Post, $"rooms/{roomId}/messages", "null");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "text");
    }

    [SkippableFact]
    public async Task CreateRoom_UnknownFieldsIgnored_Returns201()
    {
        var alice = await UserAsync();

        var response = await alice.SendRawAsync(HttpMethod.Post, "rooms", """{"type": "group", "name": "x", "color": "red"}""");

        await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
    }

    [SkippableFact]
    public async Task ListRooms_HugeLimit_Returns400Limit()
    {
        var alice = await UserAsync();

        var response = await alice.GetAsync("rooms?limit=99999999999999999999");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "limit");
    }

    [SkippableFact]
    public async Task ListMessages_OverlongCursor_Returns400Cursor()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.GetAsync($"rooms/{roomId}/messages?cursor={new string('A', 5000)}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "cursor");
    }

    /// <summary>A user with a room and a message of its own, and the path with their ids filled in.</summary>
    private async Task<(ChatUser User, string Path)> ResolveAsync(string path)
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var messageId = await alice.SendIdAsync(roomId);
        return (alice, path.Replace("{room}", roomId, StringComparison.Ordinal).Replace("{message}", messageId, StringComparison.Ordinal));
    }
}

public sealed class SqliteMalformedInputTests(SqliteChatApi api) : MalformedInputTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresMalformedInputTests(PostgresChatApi api) : MalformedInputTests(api), IClassFixture<PostgresChatApi>;
