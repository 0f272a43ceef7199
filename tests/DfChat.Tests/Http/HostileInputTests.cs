using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DfChat.Entities;
using DfChat.Tests.Http.Infrastructure;
using HostApp.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Http;

/// <summary>
/// The hostile-input corpus (API.md §2): malformed, truncated and mistyped JSON, deep nesting, huge
/// strings, NUL and unpaired surrogates in every text field, huge and negative numbers, forged cursors,
/// ids of every shape in every path, lying content types, broken multipart, bad file names and images
/// that claim huge dimensions. Each case answers exactly its status: a 4xx with problem details (and,
/// for 400, its field under <c>errors</c>) that stores nothing — no row, no event, no file — or, where
/// the contract keeps the input (control and zero-width characters), a 2xx whose text round-trips.
/// No case may answer a 5xx or hang. One host per provider serves the whole corpus.
/// </summary>
public abstract class HostileInputTests(HostileInputApi api) : HttpTestBase(api)
{
    /// <summary>Every route that reads a JSON body, with the world's ids as placeholders.</summary>
    private static readonly (string Method, string Path)[] BodyRoutes =
    [
        ("POST", "rooms"), ("PATCH", "rooms/{room}"), ("POST", "rooms/{room}/read"), ("POST", "rooms/{room}/users"),
        ("PATCH", "rooms/{room}/users/me"), ("POST", "rooms/{room}/messages"), ("PATCH", "rooms/{room}/messages/{message}"),
        ("POST", "rooms/{room}/messages/{message}/reactions"),
    ];

    /// <summary>Every text field of every JSON body: route, a valid body with the field's value written as {v}, the field.</summary>
    private static readonly (string Method, string Path, string Body, string Field)[] TextFields =
    [
        ("POST", "rooms", """{"type":{v},"name":"x"}""", "type"),
        ("POST", "rooms", """{"type":"group","name":{v}}""", "name"),
        ("POST", "rooms", """{"type":"group","name":"x","description":{v}}""", "description"),
        ("POST", "rooms", """{"type":"group","name":"x","avatarMediaId":{v}}""", "avatarMediaId"),
        ("POST", "rooms", """{"type":"group","name":"x","userIds":[{v}]}""", "userIds"),
        ("PATCH", "rooms/{room}", """{"name":{v}}""", "name"),
        ("PATCH", "rooms/{room}", """{"description":{v}}""", "description"),
        ("PATCH", "rooms/{room}", """{"avatarMediaId":{v}}""", "avatarMediaId"),
        ("POST", "rooms/{room}/read", """{"messageId":{v}}""", "messageId"),
        ("POST", "rooms/{room}/users", """{"userId":{v}}""", "userId"),
        ("POST", "rooms/{room}/users", """{"userId":"{bob}","permissions":[{v}]}""", "permissions"),
        ("PATCH", "rooms/{room}/users/me", """{"permissions":[{v}]}""", "permissions"),
        ("POST", "rooms/{room}/messages", """{"text":{v}}""", "text"),
        ("POST", "rooms/{room}/messages", """{"text":"x","mediaIds":[{v}]}""", "mediaIds"),
        ("POST", "rooms/{room}/messages", """{"text":"x","replyToId":{v}}""", "replyToId"),
        ("POST", "rooms/{room}/messages", """{"text":"x","clientMessageId":{v}}""", "clientMessageId"),
        ("PATCH", "rooms/{room}/messages/{message}", """{"text":{v}}""", "text"),
        ("POST", "rooms/{room}/messages/{message}/reactions", """{"reaction":{v}}""", "reaction"),
        ("POST", "rooms/{room}/messages", """{"text":"x","threadId":{v}}""", "threadId"),
        ("POST", "rooms/{room}/messages", """{"text":"x","mentions":[{v}]}""", "mentions"),
        ("PATCH", "rooms/{room}/messages/{message}", """{"mentions":[{v}]}""", "mentions"),
    ];

    /// <summary>Routes with ids in the path, the id slot written as {x}.</summary>
    private static readonly (string Method, string Path)[] IdRoutes =
    [
        ("GET", "rooms/{x}"), ("PATCH", "rooms/{x}"), ("DELETE", "rooms/{x}"), ("POST", "rooms/{x}/join"), ("POST", "rooms/{x}/read"),
        ("GET", "rooms/{x}/events?after=0"), ("GET", "rooms/{x}/users"), ("POST", "rooms/{x}/users"), ("GET", "rooms/{x}/users/{x}"),
        ("PATCH", "rooms/{x}/users/{x}"), ("DELETE", "rooms/{x}/users/{x}"), ("GET", "rooms/{x}/messages"), ("GET", "rooms/{x}/messages?after={x}"),
        ("POST", "rooms/{x}/messages"), ("GET", "rooms/{x}/messages/{x}"), ("PATCH", "rooms/{x}/messages/{x}"), ("DELETE", "rooms/{x}/messages/{x}"),
        ("GET", "rooms/{x}/messages/{x}/reactions"), ("POST", "rooms/{x}/messages/{x}/reactions"),
        ("GET", "reactions/{x}"), ("DELETE", "reactions/{x}"), ("GET", "media/{x}"), ("GET", "media/{x}/content"),
        ("GET", "rooms/{x}/messages/{x}/thread"), ("POST", "rooms/{x}/messages/{x}/pin"), ("DELETE", "rooms/{x}/messages/{x}/pin"),
        ("GET", "rooms/{x}/pins"), ("GET", "rooms/{x}/messages/{x}/history"), ("GET", "rooms/{x}/messages/{x}/readers"), ("GET", "users/{x}"),
    ];

    /// <summary>Routes of lists, which take <c>limit</c> and <c>cursor</c>.</summary>
    private static readonly string[] ListRoutes =
    [
        "rooms", "rooms/public", "rooms/{room}/users", "rooms/{room}/messages", "rooms/{room}/messages/{message}/reactions",
        "reactions", "rooms/{room}/events?after=0", "rooms/{room}/messages/{message}/thread", "rooms/{room}/pins",
        "rooms/{room}/messages/{message}/history", "rooms/{room}/messages/{message}/readers", "search/messages?q=hello",
        "search/messages?q=hello&roomId={room}",
    ];

    private static readonly Lazy<Dictionary<string, HostileCase>> Corpus = new(Build);

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var name in Corpus.Value.Keys)
            names.Add(name);
        return names;
    }

    [SkippableFact]
    public void Corpus_HasAtLeast300Cases() => Assert.True(Corpus.Value.Count >= 300, $"{Corpus.Value.Count} cases");

    [SkippableTheory]
    [MemberData(nameof(CaseNames))]
    public async Task HostileRequest_AnswersItsStatus_StoresNothingWhenRefused(string name)
    {
        // Arrange
        var hostile = Corpus.Value[name];
        var world = await ((HostileInputApi)Api).WorldAsync();
        var before = await SnapshotAsync();
        using var request = hostile.Request(world);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // Act
        using var response = await world.Alice.Client.SendAsync(request, timeout.Token);

        // Assert
        if (hostile.Status >= 400)
        {
            await HttpAssert.ProblemAsync(response, (HttpStatusCode)hostile.Status, hostile.Field);
            Assert.Equal(before, await SnapshotAsync());
        }
        else
        {
            var body = await HttpAssert.JsonAsync(response, (HttpStatusCode)hostile.Status);
            hostile.Check?.Invoke(body);

            // Kept means stored: what was created reads back the same.
            if (response.Headers.Location is { } location)
                hostile.Check?.Invoke(await world.Alice.GetJsonAsync(location.ToString()));
        }
    }

    /// <summary>What the chat has stored: rows of every chat table and files of the media folder.</summary>
    private async Task<string> SnapshotAsync()
    {
        await using var scope = Api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var files = Directory.Exists(Api.MediaRoot) ? Directory.GetFiles(Api.MediaRoot, "*", SearchOption.AllDirectories).Length : 0;
        return string.Join(
            ' ',
            "rooms", await db.Set<ChatRoom<string>>().CountAsync(),
            "members", await db.Set<ChatRoomUser<string>>().CountAsync(),
            "messages", await db.Set<ChatMessage<string>>().CountAsync(),
            "reactions", await db.Set<ChatMessageReaction<string>>().CountAsync(),
            "media", await db.Set<ChatMedia<string>>().CountAsync(),
            "events", await db.Set<ChatRoomEvent>().CountAsync(),
            "files", files);
    }

    private static Dictionary<string, HostileCase> Build()
    {
        var cases = new Dictionary<string, HostileCase>(StringComparer.Ordinal);
        void Add(string name, Func<HostileWorld, HttpRequestMessage> request, int status, string? field = null, Action<System.Text.Json.JsonElement>? check = null) =>
            cases.Add(name, new HostileCase(request, status, field, check));

        // Malformed and truncated JSON: 400 on every body route.
        string[] malformed =
        [
            "this is not json", "{", "{\"text\":", "{\"text\":\"x\"", "{\"text\":\"x\",}", "{'text':'x'}", "{\"text\":\"x\"} trailing",
            "{\"text\" \"x\"}", "[1, 2, 3]", "\"text\"", "12345", "true", "{\"text\":\"\\x\"}", "{\"text\":\"\\u12\"}",
        ];
        foreach (var (method, path) in BodyRoutes)
        {
            for (var i = 0; i < malformed.Length; i++)
            {
                var body = malformed[i];
                Add($"malformed json #{i} {method} {path}", w => Json(w, method, path, body), 400);
            }
        }

        // Bytes that are not UTF-8, and an unpaired surrogate written raw (CESU-8): 400 for the field.
        Add("invalid utf-8 in text", w => Bytes(w, "POST", "rooms/{room}/messages", [.. "{\"text\":\""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8], "application/json"), 400, "text");
        Add("raw unpaired surrogate in text", w => Bytes(w, "POST", "rooms/{room}/messages", [.. "{\"text\":\"a"u8, 0xED, 0xA0, 0x80, .. "\"}"u8], "application/json"), 400, "text");
        Add("raw unpaired surrogate in name", w => Bytes(w, "POST", "rooms", [.. "{\"type\":\"group\",\"name\":\""u8, 0xED, 0xB0, 0x80, .. "\"}"u8], "application/json"), 400, "name");

        // Deep nesting, in a known field and in an unknown one.
        foreach (var (method, path) in BodyRoutes)
        {
            Add($"deep arrays {method} {path}", w => Json(w, method, path, "{\"text\":" + new string('[', 5000) + new string(']', 5000) + "}"), 400);
            Add($"deep objects in an unknown field {method} {path}", w => Json(w, method, path, "{\"zz\":" + string.Concat(Enumerable.Repeat("{\"a\":", 1000)) + "1" + new string('}', 1000) + "}"), 400);
            Add($"body over 1 MiB {method} {path}", w => Json(w, method, path, "{\"text\":\"" + new string('x', 3 * 1024 * 1024) + "\"}"), 413);
        }

        // Wrong JSON types: 400 for that field.
        (string Method, string Path, string Body, string Field)[] mistyped =
        [
            ("POST", "rooms", """{"type": 5, "name": "x"}""", "type"),
            ("POST", "rooms", """{"type": "group", "name": "x", "isPublic": "yes"}""", "isPublic"),
            ("POST", "rooms", """{"type": "group", "name": "x", "isPublic": null}""", "isPublic"),
            ("POST", "rooms", """{"type": "group", "name": "x", "userIds": "abc"}""", "userIds"),
            ("POST", "rooms", """{"type": "group", "name": "x", "userIds": [{"id": "a"}]}""", "userIds"),
            ("POST", "rooms", """{"type": "group", "name": ["x"]}""", "name"),
            ("POST", "rooms", """{"type": "group", "name": "x", "avatarMediaId": 7}""", "avatarMediaId"),
            ("PATCH", "rooms/{room}", """{"isPublic": 1}""", "isPublic"),
            ("PATCH", "rooms/{room}", """{"description": {}}""", "description"),
            ("POST", "rooms/{room}/read", """{"messageId": true}""", "messageId"),
            ("POST", "rooms/{room}/read", """{"messageId": 1}""", "messageId"),
            ("POST", "rooms/{room}/users", """{"userId": 42}""", "userId"),
            ("POST", "rooms/{room}/users", """{"userId": "u", "permissions": "can_add_users"}""", "permissions"),
            ("PATCH", "rooms/{room}/users/me", """{"muted": "sometimes"}""", "muted"),
            ("PATCH", "rooms/{room}/users/me", """{"muted": 0}""", "muted"),
            ("PATCH", "rooms/{room}/users/me", """{"lastSeenAt": 12345}""", "lastSeenAt"),
            ("PATCH", "rooms/{room}/users/me", """{"lastSeenAt": "2026-13-45T99:00:00Z"}""", "lastSeenAt"),
            ("PATCH", "rooms/{room}/users/me", """{"lastSeenAt": "yesterday"}""", "lastSeenAt"),
            ("PATCH", "rooms/{room}/users/me", """{"permissions": [1, 2]}""", "permissions"),
            ("POST", "rooms/{room}/messages", """{"text": {"a": 1}}""", "text"),
            ("POST", "rooms/{room}/messages", """{"text": 1e400}""", "text"),
            ("POST", "rooms/{room}/messages", """{"mediaIds": [1, 2]}""", "mediaIds"),
            ("POST", "rooms/{room}/messages", """{"mediaIds": {"0": "1"}}""", "mediaIds"),
            ("POST", "rooms/{room}/messages", """{"text": "x", "clientMessageId": 7}""", "clientMessageId"),
            ("POST", "rooms/{room}/messages", """{"text": "x", "replyToId": 1}""", "replyToId"),
            ("PATCH", "rooms/{room}/messages/{message}", """{"text": false}""", "text"),
            ("POST", "rooms/{room}/messages/{message}/reactions", """{"reaction": 1}""", "reaction"),
            ("POST", "rooms/{room}/messages/{message}/reactions", """{"reaction": ["like"]}""", "reaction"),
        ];
        foreach (var (method, path, body, field) in mistyped)
            Add($"wrong type of {field}: {method} {path} {body}", w => Json(w, method, path, body), 400, field);

        // Missing, empty and null bodies: the fields they lack are 400 (never 415 or 500).
        (string Method, string Path, string Field)[] required =
        [
            ("POST", "rooms", "type"), ("PATCH", "rooms/{room}", "body"), ("POST", "rooms/{room}/users", "userId"),
            ("PATCH", "rooms/{room}/users/me", "body"), ("POST", "rooms/{room}/messages", "text"),
            ("PATCH", "rooms/{room}/messages/{message}", "text"), ("POST", "rooms/{room}/messages/{message}/reactions", "reaction"),
        ];
        foreach (var (method, path, field) in required)
        {
            Add($"no body {method} {path}", w => new HttpRequestMessage(new HttpMethod(method), Fill(w, path)), 400, field);
            Add($"empty json body {method} {path}", w => Json(w, method, path, ""), 400, field);
            Add($"json null body {method} {path}", w => Json(w, method, path, "null"), 400, field);
            Add($"json empty object {method} {path}", w => Json(w, method, path, "{}"), 400, field);
        }

        // Huge strings: 100,000 characters in each text field are over its limit (400 for that field).
        foreach (var (method, path, body, field) in TextFields)
            Add($"100k characters in {field}: {method} {path}", w => Json(w, method, path, body.Replace("{v}", Quote(new string('7', 100_000)), StringComparison.Ordinal)), 400, field);

        // NUL and unpaired surrogates in every text field: 400 for that field.
        (string Name, string Value)[] forbidden =
        [
            ("NUL", "\\u0000"), ("NUL inside", "a\\u0000b"), ("lone high surrogate", "\\ud800"), ("lone low surrogate", "x\\udc00y"),
            ("reversed pair", "\\ude00\\ud83d"), ("high surrogate at the end", "smile \\ud83d"),
        ];
        foreach (var (method, path, body, field) in TextFields)
        {
            foreach (var (what, value) in forbidden)
                Add($"{what} in {field}: {method} {path}", w => Json(w, method, path, body.Replace("{v}", "\"" + value + "\"", StringComparison.Ordinal)), 400, field);
        }

        // NUL in query strings: 400 for that parameter.
        Add("NUL in rooms search", w => Get(w, "rooms?search=a%00b"), 400, "search");
        Add("NUL in public rooms search", w => Get(w, "rooms/public?search=%00"), 400, "search");
        Add("NUL in users search", w => Get(w, "users?search=%00"), 400, "search");
        Add("NUL in rooms type", w => Get(w, "rooms?type=group%00"), 400, "type");
        Add("NUL in cursor", w => Get(w, "rooms?cursor=%00"), 400, "cursor");
        Add("NUL in limit", w => Get(w, "rooms?limit=1%00"), 400, "limit");
        Add("NUL in after", w => Get(w, "rooms/{room}/messages?after=1%00"), 400, "after");
        Add("NUL in events after", w => Get(w, "rooms/{room}/events?after=%00"), 400, "after");
        Add("NUL in search q", w => Get(w, "search/messages?q=a%00b"), 400, "q");
        Add("NUL alone in search q", w => Get(w, "search/messages?q=%00"), 400, "q");
        Add("NUL in search roomId", w => Get(w, "search/messages?q=hello&roomId={room}%00"), 400, "roomId");
        // An encoded unpaired surrogate is not UTF-8, so no query string can carry one: ASP.NET Core leaves the
        // invalid escapes as typed ("a%ED%A0%80"), which is valid text: a search for it, and no room of that id.
        Add("encoded unpaired surrogate in search q", w => Get(w, "search/messages?q=a%ED%A0%80"), 200,
            check: page => Assert.Equal(System.Text.Json.JsonValueKind.Array, page.Prop("items").ValueKind));
        Add("encoded unpaired surrogate in search roomId", w => Get(w, "search/messages?q=hello&roomId=%ED%B0%80"), 404);
        Add("empty search q", w => Get(w, "search/messages?q="), 400, "q");
        Add("no search q", w => Get(w, "search/messages"), 400, "q");
        Add("search q of 201 characters", w => Get(w, "search/messages?q=" + new string('q', 201)), 400, "q");
        Add("search q of 100k characters", w => Get(w, "search/messages?q=" + new string('q', 100_000)), 400, "q");

        // A NUL in a path never reaches the chat: ASP.NET Core refuses to decode it (Kestrel answers 400 itself).
        // Huge, negative and malformed numbers.
        string[] limits = ["-1", "0", "101", "99999999999999999999", "1e3", "1.5", "0x10", "ten"];
        foreach (var list in ListRoutes)
        {
            foreach (var limit in limits)
                Add($"limit={limit} on {list}", w => Get(w, list + (list.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "limit=" + limit), 400, "limit");
        }

        Add("users limit 0", w => Get(w, "users?limit=0"), 400, "limit");
        Add("users limit huge", w => Get(w, "users?limit=99999999999999999999"), 400, "limit");
        Add("events after a negative seq", w => Get(w, "rooms/{room}/events?after=-1"), 400, "after");
        Add("events after a huge seq", w => Get(w, "rooms/{room}/events?after=99999999999999999999"), 400, "after");
        Add("messages after a negative id", w => Get(w, "rooms/{room}/messages?after=-1"), 404);
        Add("messages after a huge id", w => Get(w, "rooms/{room}/messages?after=99999999999999999999"), 404);
        Add("lastSeenAt before year 1", w => Json(w, "PATCH", "rooms/{room}/users/me", """{"lastSeenAt":"-0001-01-01T00:00:00Z"}"""), 400, "lastSeenAt");
        Add("lastSeenAt after year 9999", w => Json(w, "PATCH", "rooms/{room}/users/me", """{"lastSeenAt":"10000-01-01T00:00:00Z"}"""), 400, "lastSeenAt");
        Add("mediaIds of a negative id", w => Json(w, "POST", "rooms/{room}/messages", """{"mediaIds":["-5"]}"""), 400, "mediaIds");
        Add("mediaIds of a huge id", w => Json(w, "POST", "rooms/{room}/messages", """{"mediaIds":["99999999999999999999"]}"""), 400, "mediaIds");
        Add("replyToId of a negative id", w => Json(w, "POST", "rooms/{room}/messages", """{"text":"x","replyToId":"-1"}"""), 400, "replyToId");
        Add("read up to a negative id", w => Json(w, "POST", "rooms/{room}/read", """{"messageId":"-1"}"""), 400, "messageId");

        // Forged cursors: 400 cursor.
        string[] cursors = ["garbage", "AAAA", "eyJ0IjoxfQ", new string('A', 5000), "%2F%2F%2F"];
        foreach (var list in ListRoutes)
        {
            for (var i = 0; i < cursors.Length; i++)
            {
                var cursor = cursors[i];
                Add($"forged cursor #{i} on {list}", w => Get(w, list + (list.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "cursor=" + cursor), 400, "cursor");
            }
        }

        Add("cursor of another list", w => Get(w, "rooms/{room}/messages?cursor={roomsCursor}"), 400, "cursor");

        // Ids of every shape in every path: 404, the same answer as for an id that does not exist.
        string[] ids = ["abc", "-1", "0", "00", "+1", "99999999999999999999", "1.5", "1e3", "%20", "%E2%82%AC", "%27%20OR%201%3D1", "...", new string('9', 400)];
        foreach (var id in ids)
        {
            foreach (var (method, path) in IdRoutes)
            {
                Add($"id '{(id.Length > 20 ? id[..20] + "…" : id)}' in {method} {path}", w =>
                {
                    var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{x}", id, StringComparison.Ordinal));
                    if (method is "POST" or "PATCH")
                        request.Content = new StringContent("""{"text":"x","reaction":"like","userId":"x"}""", Encoding.UTF8, "application/json");
                    return request;
                }, 404);
            }
        }

        Add("message id of another shape in a real room", w => Get(w, "rooms/{room}/messages/abc"), 404);
        Add("member id of another shape in a real room", w => Get(w, "rooms/{room}/users/-1"), 404);
        Add("member id of 451 characters in a real room", w => Get(w, "rooms/{room}/users/" + new string('u', 451)), 404);
        foreach (var route in new[] { "thread", "history", "readers" })
        {
            Add($"message id of another shape in a real room's {route}", w => Get(w, "rooms/{room}/messages/abc/" + route), 404);
            Add($"message id that does not exist in a real room's {route}", w => Get(w, "rooms/{room}/messages/999999999/" + route), 404);
        }

        Add("message id of another shape to pin", w => new HttpRequestMessage(HttpMethod.Post, Fill(w, "rooms/{room}/messages/abc/pin")), 404);
        Add("message id of another shape to unpin", w => new HttpRequestMessage(HttpMethod.Delete, Fill(w, "rooms/{room}/messages/-1/pin")), 404);
        Add("search in a room id of another shape", w => Get(w, "search/messages?q=hello&roomId=abc"), 404);
        Add("search in a room id that does not exist", w => Get(w, "search/messages?q=hello&roomId=999999999"), 404);
        Add("user id of 451 characters", w => Get(w, "users/" + new string('u', 451)), 404);

        // Bodies not sent as application/json: 415 on every body route, whatever the body says.
        string?[] notJson = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/json", "application/json; charset=utf-16", "application/jsonp", null];
        foreach (var (method, path) in BodyRoutes)
        {
            foreach (var type in notJson)
                Add($"body as {type ?? "no content type"} {method} {path}", w => Bytes(w, method, path, """{"type":"group","name":"x","text":"x","reaction":"like"}"""u8.ToArray(), type), 415);
        }

        Add("form post to join", w => Bytes(w, "POST", "rooms/{room}/join", "a=1"u8.ToArray(), "application/x-www-form-urlencoded"), 415);

        // Uploads: broken multipart, lying types, bad file names, zero bytes.
        var png = HttpFiles.Png();
        Add("upload as json", w => Bytes(w, "POST", "media", "{}"u8.ToArray(), "application/json"), 415);
        Add("upload as text", w => Bytes(w, "POST", "media", png, "text/plain"), 415);
        Add("upload without content type", w => Bytes(w, "POST", "media", png, null), 415);
        Add("upload without boundary", w => Bytes(w, "POST", "media", Multipart("b", Part("image/png", "a.png"), png), "multipart/form-data"), 400, "file");
        Add("upload with a 300-character boundary", w => Bytes(w, "POST", "media", Multipart("b", Part("image/png", "a.png"), png), "multipart/form-data; boundary=" + new string('b', 300)), 400, "file");
        Add("upload with the wrong boundary", w => Bytes(w, "POST", "media", Multipart("b", Part("image/png", "a.png"), png), "multipart/form-data; boundary=other"), 400, "file");
        Add("upload cut off in the part headers", w => Bytes(w, "POST", "media", "--b\r\nContent-Disposition: form-da"u8.ToArray(), "multipart/form-data; boundary=b"), 400, "file");
        Add("upload cut off in the file", w => Bytes(w, "POST", "media", Multipart("b", Part("application/pdf", "a.pdf"), HttpFiles.Pdf(), close: false), "multipart/form-data; boundary=b"), 400, "file");
        Add("upload of only the closing boundary", w => Bytes(w, "POST", "media", "--b--\r\n"u8.ToArray(), "multipart/form-data; boundary=b"), 400, "file");
        Add("upload with an empty body", w => Bytes(w, "POST", "media", [], "multipart/form-data; boundary=b"), 400, "file");
        Add("upload with the part named otherwise", w => Bytes(w, "POST", "media", Multipart("b", Part("image/png", "a.png", name: "picture"), png), "multipart/form-data; boundary=b"), 400, "file");
        Add("upload of zero bytes", w => Upload(w, Part("application/pdf", "a.pdf"), []), 400, "file");
        Add("upload of a zero-byte image", w => Upload(w, Part("image/png", "a.png"), []), 415);
        Add("upload of text declared as png", w => Upload(w, Part("image/png", "a.png"), HttpFiles.Text()), 415);
        Add("upload of png declared as jpeg", w => Upload(w, Part("image/jpeg", "a.jpg"), png), 415);
        Add("upload of svg declared as png", w => Upload(w, Part("image/png", "a.png"), HttpFiles.Svg()), 415);
        Add("upload of svg", w => Upload(w, Part("image/svg+xml", "a.svg"), HttpFiles.Svg()), 415);
        Add("upload of html", w => Upload(w, Part("text/html", "a.html"), "<script>alert(1)</script>"u8.ToArray()), 415);
        Add("upload of an executable", w => Upload(w, Part("application/x-msdownload", "a.exe"), "MZ"u8.ToArray()), 415);
        Add("upload without a part content type", w => Upload(w, Part(null, "a.png"), png), 415);
        Add("upload with a content type of 300 characters", w => Upload(w, Part("audio/" + new string('a', 300), "a.mp3"), png), 415);
        Add("upload with a control character in the content type", w => Upload(w, Part("audio/mp\u00013", "a.mp3"), png), 415);
        Add("upload with a DEL in the content type", w => Upload(w, Part("audio/mp\u007f3", "a.mp3"), png), 415);
        Add("upload with a non-ASCII content type", w => Upload(w, Part("audio/mpé", "a.mp3"), png), 415);
        Add("upload with a space inside the content type", w => Upload(w, Part("audio/mp 3", "a.mp3"), png), 415);
        Add("upload with a content type without subtype", w => Upload(w, Part("audio/", "a.mp3"), png), 415);
        Add("upload with NUL in the content type", w => Upload(w, Part("audio/mp\u00003", "a.mp3"), png), 400, "contentType");
        Add("upload with NUL in the file name", w => Upload(w, Part("image/png", "a\u0000.png"), png), 400, "fileName");
        // An encoded unpaired surrogate is not UTF-8: the header's decoder turns it into U+FFFD, which is valid text.
        Add("upload with an encoded unpaired surrogate in the file name", w => Upload(w, "Content-Disposition: form-data; name=\"file\"; filename*=UTF-8''a%ED%A0%80.png\r\nContent-Type: image/png", png), 201,
            check: m => Assert.Equal("a\ufffd\ufffd\ufffd.png", m.Str("fileName")));
        Add("upload with a path in the file name", w => Upload(w, Part("image/png", "../../../etc/passwd"), png), 201, check: m => Assert.Equal("passwd", m.Str("fileName")));
        Add("upload with a Windows path in the file name", w => Upload(w, Part("image/png", "..\\..\\windows\\win.ini"), png), 201, check: m => Assert.Equal("win.ini", m.Str("fileName")));
        Add("upload with a 1,000-character file name", w => Upload(w, Part("image/png", new string('n', 996) + ".png"), png), 201, check: m => Assert.Equal(new string('n', 255), m.Str("fileName")));
        Add("upload with emoji cut at 255 characters", w => Upload(w, Part("image/png", new string('n', 254) + "😀😀"), png), 201, check: m => Assert.Equal(new string('n', 254), m.Str("fileName")));
        Add("upload with control characters in the file name", w => Upload(w, Part("image/png", "a\u0001b\u001fc.png"), png), 201, check: m => Assert.Equal("abc.png", m.Str("fileName")));
        Add("upload with an empty file name", w => Upload(w, Part("image/png", ""), png), 201, check: m => Assert.Equal("file", m.Str("fileName")));
        Add("upload of a png claiming 2^31 pixels a side", w => Upload(w, Part("image/png", "huge.png"), HugePng()), 201, check: m => Assert.Equal("image/png", m.Str("contentType")));
        Add("upload of a gif claiming 65535 pixels a side", w => Upload(w, Part("image/gif", "huge.gif"), [.. "GIF89a"u8, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, .. new byte[64]]), 201);
        Add("upload of a jpeg claiming 65535 pixels a side", w => Upload(w, Part("image/jpeg", "huge.jpg"), [0xFF, 0xD8, 0xFF, 0xC0, 0, 0x11, 8, 0xFF, 0xFF, 0xFF, 0xFF, 3, .. new byte[64]]), 201);
        Add("upload of a bmp claiming 2^31 pixels a side", w => Upload(w, Part("image/bmp", "huge.bmp"), [.. "BM"u8, .. new byte[16], 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, .. new byte[64]]), 201);

        // Control and zero-width characters are kept as sent, and round-trip.
        (string Name, string Text)[] kept =
        [
            ("SOH", "a\u0001b"), ("unit separator", "a\u001fb"), ("DEL", "a\u007fb"), ("tab and newlines", "a\tb\r\nc"), ("zero-width space", "a\u200bb"),
            ("zero-width joiner", "👩\u200d💻"), ("byte order mark", "\ufeffa"), ("right-to-left override", "a\u202egnp.exe"),
            ("line separator", "a\u2028b"), ("combining marks", "e\u0301\u0302"), ("emoji pair", "😀"), ("private use", "\ue000"),
            ("noncharacter", "a\uffffb"), ("replacement character", "\ufffd"),
        ];
        foreach (var (what, text) in kept)
        {
            var json = System.Text.Json.JsonSerializer.Serialize(text);
            Add($"{what} in a message is kept", w => Json(w, "POST", "rooms/{room}/messages", "{\"text\":" + json + "}"), 201, check: m => Assert.Equal(text, m.Str("text")));
            Add($"{what} in a room name is kept", w => Json(w, "POST", "rooms", "{\"type\":\"group\",\"name\":" + json + "}"), 201, check: r => Assert.Equal(text, r.Str("name")));
        }

        Add("unknown fields are ignored", w => Json(w, "POST", "rooms", """{"type": "group", "name": "x", "color": "red"}"""), 201);
        Add("charset utf-8 is fine", w => Bytes(w, "POST", "rooms", """{"type":"group","name":"x"}"""u8.ToArray(), "application/json; charset=utf-8"), 201);
        Add("charset UTF-8 quoted is fine", w => Bytes(w, "POST", "rooms", """{"type":"group","name":"x"}"""u8.ToArray(), "Application/JSON; charset=\"UTF-8\""), 201);
        return cases;
    }

    private static string Fill(HostileWorld w, string path) => path
        .Replace("{room}", w.Room, StringComparison.Ordinal)
        .Replace("{message}", w.Message, StringComparison.Ordinal)
        .Replace("{roomsCursor}", Uri.EscapeDataString(w.RoomsCursor), StringComparison.Ordinal);

    private static string Quote(string text) => "\"" + text + "\"";

    private static HttpRequestMessage Get(HostileWorld w, string path) => new(HttpMethod.Get, Fill(w, path));

    private static HttpRequestMessage Json(HostileWorld w, string method, string path, string body) =>
        new(new HttpMethod(method), Fill(w, path)) { Content = new StringContent(body.Replace("{bob}", w.Bob.Id, StringComparison.Ordinal), Encoding.UTF8, "application/json") };

    /// <summary>A body of raw bytes with any content type header (or none), unchecked by the client.</summary>
    private static HttpRequestMessage Bytes(HostileWorld w, string method, string path, byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return new HttpRequestMessage(new HttpMethod(method), Fill(w, path)) { Content = content };
    }

    private static string Part(string? contentType, string fileName, string name = "file") =>
        $"Content-Disposition: form-data; name=\"{name}\"; filename=\"{fileName}\"" + (contentType is null ? "" : $"\r\nContent-Type: {contentType}");

    /// <summary>A multipart body written byte by byte, so that its part headers may hold anything.</summary>
    private static byte[] Multipart(string boundary, string partHeaders, byte[] file, bool close = true) =>
        [.. Encoding.UTF8.GetBytes($"--{boundary}\r\n{partHeaders}\r\n\r\n"), .. file, .. close ? Encoding.UTF8.GetBytes($"\r\n--{boundary}--\r\n") : []];

    private static HttpRequestMessage Upload(HostileWorld w, string partHeaders, byte[] file) =>
        Bytes(w, "POST", "media", Multipart("boundary42", partHeaders, file), "multipart/form-data; boundary=boundary42");

    /// <summary>A PNG whose header claims 2,147,483,647 × 2,147,483,647 pixels: never decoded, so nothing is allocated for it.</summary>
    private static byte[] HugePng() =>
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, .. "IHDR"u8, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 8, 6, 0, 0, 0, 0, 0, 0, 0, .. new byte[64]];
}

/// <summary>One hostile request, the status it must get, and for a 400 the field it must name.</summary>
public sealed record HostileCase(Func<HostileWorld, HttpRequestMessage> Request, int Status, string? Field, Action<System.Text.Json.JsonElement>? Check);

/// <summary>What the corpus runs against: Alice owns a group with Bob, a message and a first page of rooms.</summary>
public sealed record HostileWorld(ChatUser Alice, ChatUser Bob, string Room, string Message, string RoomsCursor);

/// <summary>The corpus's host: one per provider, with its world made once.</summary>
public abstract class HostileInputApi(DatabaseProvider provider) : ChatApiFactory(provider)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private HostileWorld? _world;

    public async Task<HostileWorld> WorldAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_world is not null)
                return _world;
            var alice = await CreateUserAsync("alice");
            var bob = await CreateUserAsync("bob");
            await alice.CreateGroupAsync();
            var room = await alice.CreateGroupAsync(bob);
            var message = await alice.SendIdAsync(room);
            var rooms = await alice.GetJsonAsync("rooms?limit=1");
            return _world = new HostileWorld(alice, bob, room, message, rooms.Cursor()!);
        }
        finally
        {
            _gate.Release();
        }
    }
}

public sealed class SqliteHostileInputApi() : HostileInputApi(DatabaseProvider.Sqlite);

public sealed class PostgresHostileInputApi() : HostileInputApi(DatabaseProvider.Postgres);

public sealed class SqliteHostileInputTests(SqliteHostileInputApi api) : HostileInputTests(api), IClassFixture<SqliteHostileInputApi>;

public sealed class PostgresHostileInputTests(PostgresHostileInputApi api) : HostileInputTests(api), IClassFixture<PostgresHostileInputApi>;
