using System.Globalization;
using System.Text.Json;
using DfChat.AspNetCore;
using DfChat.Entities;
using DfChat.Tests.Http.Infrastructure;
using HostApp;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Http;

/// <summary>
/// <c>/openapi/v1.json</c> of the sample tells a client generator the truth (API.md §2, §4): every
/// problem status with its problem-details schema, the media's bytes, closed value sets as enums and
/// the host's security schemes; and it is generated once, then served from memory. The document does
/// not depend on the database, so SQLite alone covers it.
/// </summary>
public sealed class OpenApiDocumentTests(SqliteChatApi api) : HttpTestBase(api), IClassFixture<SqliteChatApi>
{
    private const string Prefix = "/api/chat";

    /// <summary>Routes that read a JSON body (API.md §2: 415 for any other content type).</summary>
    public static TheoryData<string, string> JsonBodyRoutes => new()
    {
        { "post", "/rooms" },
        { "patch", "/rooms/{roomId}" },
        { "post", "/rooms/{roomId}/read" },
        { "post", "/rooms/{roomId}/users" },
        { "patch", "/rooms/{roomId}/users/{userId}" },
        { "post", "/rooms/{roomId}/messages" },
        { "patch", "/rooms/{roomId}/messages/{messageId}" },
        { "post", "/rooms/{roomId}/messages/{messageId}/reactions" },
    };

    /// <summary>Statuses API.md names for particular routes.</summary>
    public static TheoryData<string, string, string> RouteStatuses => new()
    {
        { "post", "/rooms/{roomId}/users", "409" },
        { "patch", "/rooms/{roomId}/users/{userId}", "409" },
        { "delete", "/rooms/{roomId}/users/{userId}", "409" },
        { "get", "/rooms/{roomId}/events", "410" },
        { "post", "/media", "413" },
        { "post", "/media", "415" },
        { "post", "/media", "429" },
        { "post", "/rooms/{roomId}/messages", "429" },
        { "delete", "/rooms/{roomId}", "403" },
        { "get", "/rooms/{roomId}", "404" },
        { "get", "/media/{mediaId}/content", "404" },
    };

    /// <summary>
    /// The success statuses of every route that answers more than the method's usual one (API.md §4, §9): a
    /// creating route answers 201, and 200 only where the contract returns something that existed.
    /// </summary>
    private static readonly Dictionary<string, int[]> SuccessStatuses = new(StringComparer.Ordinal)
    {
        ["POST /rooms"] = [200, 201],
        ["POST /rooms/{roomId}/messages"] = [200, 201],
        ["POST /rooms/{roomId}/messages/{messageId}/reactions"] = [200, 201],
        ["POST /rooms/{roomId}/bans"] = [200, 201],
        ["POST /users/me/blocks"] = [200, 201],
        ["POST /rooms/{roomId}/users"] = [201],
        ["POST /media"] = [201],
        ["POST /rooms/{roomId}/invites"] = [201],
        ["POST /rooms/{roomId}/messages/{messageId}/reports"] = [202],
        ["GET /media/{mediaId}/content"] = [200, 206, 416],
        ["DELETE /rooms/{roomId}/messages/{messageId}/pin"] = [200],
    };

    [Fact]
    public async Task Document_RequestedTwice_IsTheSameBytesGeneratedOnce()
    {
        using var client = Api.CreateClient();

        var first = await client.GetAsync("/openapi/v1.json");
        var second = await client.GetAsync("/openapi/v1.json");

        Assert.Equal("application/json", first.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, Api.Services.GetRequiredService<CachedOpenApiDocument>().Generations);
    }

    [Fact]
    public async Task Document_IsOpenApi31WithoutServers()
    {
        var document = await DocumentAsync();

        Assert.StartsWith("3.1", document.Str("openapi"), StringComparison.Ordinal);
        Assert.False(document.TryGetProperty("servers", out _), "Servers would pin the cached document to the host of its first request.");
    }

    [Fact]
    public async Task StatusTable_ListsExactlyTheMappedChatRoutes()
    {
        var document = await DocumentAsync();

        var documented = ChatOperations(document).Select(o => $"{o.Method.ToUpperInvariant()} {o.Path[Prefix.Length..]}").Order().ToList();
        Assert.Equal(DfChatRouteStatuses.Routes.Order().ToList(), documented);
    }

    [Fact]
    public async Task EveryChatOperation_Documents401And503AsProblemDetails()
    {
        var document = await DocumentAsync();

        Assert.All(ChatOperations(document), o =>
        {
            AssertProblem(o, "401", "ProblemDetails");
            AssertProblem(o, "503", "ProblemDetails");
            Assert.True(o.Operation.GetProperty("responses").GetProperty("503").GetProperty("headers").TryGetProperty("Retry-After", out _), $"{o} 503 without Retry-After");
        });
    }

    [Fact]
    public async Task EveryChatOperationWithInput_Documents400AsValidationProblem()
    {
        var document = await DocumentAsync();

        Assert.All(ChatOperations(document).Where(o => o.Path != Prefix + "/users/me" && o.Path != Prefix + "/users/me/export"), o => AssertProblem(o, "400", "HttpValidationProblemDetails"));
    }

    [Fact]
    public async Task ValidationProblem_ExtendsProblemDetailsWithErrorsAsAMapOfStringArrays()
    {
        var document = await DocumentAsync();

        var parts = Schema(document, "HttpValidationProblemDetails").GetProperty("allOf").EnumerateArray().ToList();
        Assert.Equal(2, parts.Count);
        Assert.Equal("#/components/schemas/ProblemDetails", parts[0].Str("$ref"));
        Assert.Contains("errors", parts[1].GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        var errors = Resolve(document, parts[1].GetProperty("properties").GetProperty("errors"));
        Assert.Equal("object", errors.Str("type"));
        Assert.Equal("array", errors.GetProperty("additionalProperties").Str("type"));
        Assert.Equal("string", errors.GetProperty("additionalProperties").GetProperty("items").Str("type"));
    }

    [Fact]
    public async Task ProblemDetails_MarksDetailAsThePrimaryErrorMessage()
    {
        var problem = Schema(await DocumentAsync(), "ProblemDetails").GetProperty("properties");

        Assert.True(problem.GetProperty("detail").GetProperty("x-ms-primary-error-message").GetBoolean());
        Assert.Equal(["integer", "null"], problem.GetProperty("status").GetProperty("type").EnumerateArray().Select(t => t.GetString()).Order());
        Assert.Equal("string", problem.GetProperty("code").Str("type"));
    }

    [Fact]
    public async Task EveryCreatedResponse_DeclaresLocation()
    {
        var document = await DocumentAsync();

        var created = ChatOperations(document).Where(o => o.Operation.GetProperty("responses").TryGetProperty("201", out _)).ToList();
        Assert.Equal(SuccessStatuses.Where(s => s.Value.Contains(201)).Select(s => s.Key).Order(), created.Select(o => $"{o.Method.ToUpperInvariant()} {o.Path[Prefix.Length..]}").Order());
        Assert.All(created, o => Assert.True(
            o.Operation.GetProperty("responses").GetProperty("201").GetProperty("headers").TryGetProperty("Location", out var location) && location.GetProperty("required").GetBoolean(),
            $"{o} 201 without Location"));
    }

    [Fact]
    public async Task EveryChatOperation_DocumentsExactlyTheStatusesOfTheContract()
    {
        var document = await DocumentAsync();

        Assert.All(ChatOperations(document), o =>
        {
            var route = $"{o.Method.ToUpperInvariant()} {o.Path[Prefix.Length..]}";
            var success = SuccessStatuses.TryGetValue(route, out var declared) ? declared : [o.Method == "delete" ? 204 : 200];
            var expected = success.Concat(DfChatRouteStatuses.Of(o.Method.ToUpperInvariant(), o.Path[Prefix.Length..])).Select(s => s.ToString(CultureInfo.InvariantCulture)).Order();
            Assert.Equal(expected, o.Operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        });
    }

    [Fact]
    public async Task EveryEnum_IsOneSharedComponentReferencedEverywhere()
    {
        var document = await DocumentAsync();

        var inline = new List<string>();
        FindEnums(document, "#", inline);
        Assert.Equal(["#/components/schemas/Permission", "#/components/schemas/RoomType"], inline.Order());
    }

    [Fact]
    public async Task EveryChatRequestBody_IsAComponent()
    {
        var document = await DocumentAsync();

        var bodies = ChatOperations(document).Where(o => o.Operation.TryGetProperty("requestBody", out _)).ToList();
        Assert.NotEmpty(bodies);
        Assert.All(bodies, o =>
        {
            var content = o.Operation.GetProperty("requestBody").GetProperty("content").EnumerateObject().Single();
            var reference = content.Value.GetProperty("schema").Str("$ref");
            Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty(reference.Split('/')[^1], out _), $"{o} body {reference}");
        });
    }

    [Theory]
    [MemberData(nameof(JsonBodyRoutes))]
    public async Task JsonBodyRoute_DocumentsItsBodyAnd413And415(string method, string path)
    {
        var operation = Operation(await DocumentAsync(), method, path);

        var requestBody = operation.Operation.GetProperty("requestBody");
        Assert.True(requestBody.GetProperty("content").TryGetProperty("application/json", out var body), $"{operation} without a JSON body");
        Assert.True(body.TryGetProperty("schema", out _));
        // Only the read position's body may be left out (it means "now"); every other names what the route needs.
        Assert.Equal(path != "/rooms/{roomId}/read", requestBody.TryGetProperty("required", out var required) && required.GetBoolean());
        AssertProblem(operation, "413", "ProblemDetails");
        AssertProblem(operation, "415", "ProblemDetails");
    }

    [Theory]
    [MemberData(nameof(RouteStatuses))]
    public async Task Route_DocumentsTheStatusTheContractNames(string method, string path, string status)
    {
        var operation = Operation(await DocumentAsync(), method, path);

        AssertProblem(operation, status, "ProblemDetails");
    }

    [Fact]
    public async Task SendAndUpload_Document429WithRetryAfter()
    {
        var document = await DocumentAsync();

        foreach (var operation in new[] { Operation(document, "post", "/rooms/{roomId}/messages"), Operation(document, "post", "/media") })
            Assert.True(operation.Operation.GetProperty("responses").GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _), $"{operation} 429 without Retry-After");
    }

    [Fact]
    public async Task Upload_DocumentsAMultipartFilePart()
    {
        var document = await DocumentAsync();
        var operation = Operation(document, "post", "/media");

        var schema = Resolve(document, operation.Operation.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data").GetProperty("schema"));
        Assert.Equal("binary", schema.GetProperty("properties").GetProperty("file").Str("format"));
    }

    [Fact]
    public async Task MediaContent_DocumentsTheBytesRangesAnd416()
    {
        var responses = Operation(await DocumentAsync(), "get", "/media/{mediaId}/content").Operation.GetProperty("responses");

        foreach (var status in new[] { "200", "206" })
        {
            var bytes = responses.GetProperty(status).GetProperty("content").GetProperty("*/*").GetProperty("schema");
            Assert.Equal("binary", bytes.Str("format"));
            Assert.True(responses.GetProperty(status).GetProperty("headers").TryGetProperty("Content-Disposition", out _));
        }

        Assert.True(responses.GetProperty("206").GetProperty("headers").TryGetProperty("Content-Range", out _));
        Assert.True(responses.TryGetProperty("416", out _));
    }

    [Fact]
    public async Task MediaContent_DeclaresRangeAsAHeaderParameter()
    {
        var parameters = Operation(await DocumentAsync(), "get", "/media/{mediaId}/content").Operation.GetProperty("parameters");

        var range = parameters.EnumerateArray().Single(p => p.Str("name") == "Range");
        Assert.Equal("header", range.Str("in"));
        Assert.Equal("string", range.GetProperty("schema").Str("type"));
    }

    [Fact]
    public async Task CatchUpEvents_AreAOneOfDiscriminatedByTypeWithTypedPayloads()
    {
        var document = await DocumentAsync();

        var events = Schema(document, "EventModel");
        var discriminator = events.GetProperty("discriminator");
        Assert.Equal("type", discriminator.Str("propertyName"));
        var mapping = discriminator.GetProperty("mapping").EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetString()!);
        var logged = typeof(DfChat.Events.ChatEventNames).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)
            .Where(n => n is not "typing" and not "presence").Order();
        Assert.Equal(logged, mapping.Keys.Order());
        Assert.Equal(mapping.Values.Order(), events.GetProperty("oneOf").EnumerateArray().Select(r => r.Str("$ref")).Order());
        Assert.False(document.GetProperty("components").GetProperty("schemas").TryGetProperty("JsonElement", out _), "an untyped payload is left");

        foreach (var (name, reference) in mapping)
        {
            var properties = Resolve(document, JsonDocument.Parse($"{{\"$ref\":\"{reference}\"}}").RootElement).GetProperty("properties");
            Assert.Equal(name, properties.GetProperty("type").Str("const"));
            var payload = properties.GetProperty("payload");
            Assert.StartsWith("#/components/schemas/", payload.Str("$ref"), StringComparison.Ordinal);
            var resolved = Resolve(document, payload);
            var payloads = resolved.TryGetProperty("anyOf", out var any) ? any.EnumerateArray().Select(p => p.Str("$ref")).ToList() : [payload.Str("$ref")];
            Assert.All(payloads, p => Assert.StartsWith("#/components/schemas/", p, StringComparison.Ordinal));
            // API.md §5: a deleted message's messageCreated, messageUpdated, reactionAdded and reactionRemoved are redacted.
            Assert.Equal(name is "messageCreated" or "messageUpdated" or "reactionAdded" or "reactionRemoved", payloads.Contains("#/components/schemas/RedactedPayload"));
        }

        // One schema for the payload that messageCreated and messageUpdated share, so that a generator makes one type.
        Assert.Equal("#/components/schemas/MessageOrRedacted", Schema(document, "MessageCreatedEvent").GetProperty("properties").GetProperty("payload").Str("$ref"));
        Assert.Equal("#/components/schemas/MessageOrRedacted", Schema(document, "MessageUpdatedEvent").GetProperty("properties").GetProperty("payload").Str("$ref"));
        Assert.Equal("#/components/schemas/MessageModel", Schema(document, "MessageOrRedacted").GetProperty("anyOf")[0].Str("$ref"));
        Assert.Equal("#/components/schemas/ReadPayload", Schema(document, "ReadEvent").GetProperty("properties").GetProperty("payload").Str("$ref"));
    }

    [Fact]
    public async Task SampleAuthRoutes_DocumentTheir400And401()
    {
        var document = await DocumentAsync();

        AssertProblem(Operation(document, "post", "/auth/login", prefix: ""), "401", "ProblemDetails");
        AssertProblem(Operation(document, "post", "/auth/refresh", prefix: ""), "401", "ProblemDetails");
        AssertProblem(Operation(document, "delete", "/auth/me", prefix: ""), "401", "ProblemDetails");
        AssertProblem(Operation(document, "post", "/auth/login", prefix: ""), "400", "ProblemDetails");
        AssertProblem(Operation(document, "post", "/auth/register", prefix: ""), "400", "HttpValidationProblemDetails");
        AssertProblem(Operation(document, "delete", "/auth/me", prefix: ""), "400", "HttpValidationProblemDetails");
    }

    [Fact]
    public async Task RoomType_IsAStringEnumOfTheContractValues()
    {
        var document = await DocumentAsync();
        string[] expected = ["private_messages", "group", "channel"];

        Assert.Equal(expected, Enum(Schema(document, "RoomType")));
        Assert.Equal("#/components/schemas/RoomType", Schema(document, "RoomModel").GetProperty("properties").GetProperty("type").Str("$ref"));
        var create = Operation(document, "post", "/rooms").Operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Equal("#/components/schemas/RoomType", Resolve(document, create).GetProperty("properties").GetProperty("type").Str("$ref"));
        var typeFilter = Operation(document, "get", "/rooms").Operation.GetProperty("parameters").EnumerateArray().Single(p => p.Str("name") == "type");
        Assert.Equal("#/components/schemas/RoomType", typeFilter.GetProperty("schema").Str("$ref"));
    }

    [Fact]
    public async Task Permissions_AreStringEnumsOfTheContractValues()
    {
        var document = await DocumentAsync();
        var expected = ChatPermissionNames.All.ToArray();
        Assert.Equal(9, expected.Length);

        Assert.Equal(expected, Enum(Schema(document, "Permission")));
        foreach (var model in new[] { "MemberModel", "MembershipModel" })
            Assert.Equal("#/components/schemas/Permission", Schema(document, model).GetProperty("properties").GetProperty("permissions").GetProperty("items").Str("$ref"));
        foreach (var (method, path) in new[] { ("post", "/rooms/{roomId}/users"), ("patch", "/rooms/{roomId}/users/{userId}") })
        {
            var body = Operation(document, method, path).Operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
            Assert.Equal("#/components/schemas/Permission", Resolve(document, body).GetProperty("properties").GetProperty("permissions").GetProperty("items").Str("$ref"));
        }
    }

    [Fact]
    public async Task ChatNumbers_AreIntegersOnly()
    {
        var document = await DocumentAsync();

        var memberCount = Schema(document, "RoomModel").GetProperty("properties").GetProperty("memberCount");
        Assert.Equal("integer", memberCount.Str("type"));
    }

    [Fact]
    public async Task EveryChatOperation_RequiresBearerOrCookie()
    {
        var document = await DocumentAsync();

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("bearer").Str("scheme"));
        Assert.Equal("cookie", schemes.GetProperty("cookie").Str("in"));
        Assert.All(ChatOperations(document), o =>
        {
            var alternatives = o.Operation.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Order().ToList();
            Assert.Equal(["bearer", "cookie"], alternatives);
        });
    }

    [Fact]
    public async Task HubEventsDocument_DescribesEveryEventWithSchemasOfTheOpenApiDocument()
    {
        var document = await DocumentAsync();
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "DfChat.sln")))
            root = root.Parent;
        Assert.NotNull(root);
        using var events = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(root.FullName, "docs", "hub-events.json")));
        var messages = events.RootElement.GetProperty("components").GetProperty("messages");

        var names = typeof(DfChat.Events.ChatEventNames).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order().ToList();
        Assert.Equal(names, messages.EnumerateObject().Select(m => m.Name).Order().ToList());
        static IEnumerable<string> RefsIn(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Object => e.EnumerateObject().SelectMany(p => p.Name == "$ref" && p.Value.ValueKind == JsonValueKind.String ? [p.Value.GetString()!] : RefsIn(p.Value)),
            JsonValueKind.Array => e.EnumerateArray().SelectMany(RefsIn),
            _ => [],
        };
        var references = messages.EnumerateObject().SelectMany(m => RefsIn(m.Value.GetProperty("payload"))).Where(r => r.StartsWith('/')).ToList();
        Assert.NotEmpty(references);

        // Deleted means gone (API.md §5): the events that carry a message's content may come redacted.
        foreach (var carrier in new[] { "messageCreated", "messageUpdated", "reactionAdded", "reactionRemoved" })
            Assert.Contains("#/components/schemas/RedactedEvent", RefsIn(messages.GetProperty(carrier).GetProperty("payload")));
        var guarantees = events.RootElement.GetProperty("x-dfchat-guarantees");
        Assert.True(guarantees.TryGetProperty("redaction", out _) && guarantees.TryGetProperty("slowClients", out _));
        Assert.All(references, r => Assert.True(
            r.StartsWith("/openapi/v1.json#/components/schemas/", StringComparison.Ordinal)
            && document.GetProperty("components").GetProperty("schemas").TryGetProperty(r.Split('/')[^1], out _),
            $"{r} is not a schema of /openapi/v1.json"));
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var client = Api.CreateClient();
        return await HttpAssert.JsonAsync(await client.GetAsync("/openapi/v1.json"));
    }

    private static List<DocumentedOperation> ChatOperations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith(Prefix + "/", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject()
                .Where(o => o.Value.ValueKind == JsonValueKind.Object && o.Name is "get" or "post" or "patch" or "delete" or "put")
                .Select(o => new DocumentedOperation(o.Name, p.Name, o.Value)))
            .ToList();

    private static DocumentedOperation Operation(JsonElement document, string method, string path, string prefix = Prefix)
    {
        Assert.True(document.GetProperty("paths").TryGetProperty(prefix + path, out var item), $"{path} is not documented");
        Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is not documented");
        return new DocumentedOperation(method, prefix + path, operation);
    }

    /// <summary>Collects the JSON pointer of every schema that lists its own enum values.</summary>
    private static void FindEnums(JsonElement element, string pointer, List<string> found)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            if (element.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array)
                found.Add(pointer);
            foreach (var property in element.EnumerateObject())
                FindEnums(property.Value, $"{pointer}/{property.Name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}", found);
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in element.EnumerateArray())
                FindEnums(item, $"{pointer}/{i++}", found);
        }
    }

    private static void AssertProblem(DocumentedOperation operation, string status, string schema)
    {
        Assert.True(operation.Operation.GetProperty("responses").TryGetProperty(status, out var response), $"{operation} does not document {status}");
        var problem = default(JsonElement);
        Assert.True(response.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out problem),
            $"{operation} {status} is not application/problem+json");
        Assert.Equal($"#/components/schemas/{schema}", problem.GetProperty("schema").Str("$ref"));
    }

    private static JsonElement Schema(JsonElement document, string name) =>
        document.GetProperty("components").GetProperty("schemas").GetProperty(name);

    private static JsonElement Resolve(JsonElement document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference) ? Schema(document, reference.GetString()!.Split('/')[^1]) : schema;

    private static string[] Enum(JsonElement schema)
    {
        Assert.True(schema.TryGetProperty("enum", out var values), $"No enum in {schema}");
        Assert.Equal("string", schema.Str("type"));
        return values.EnumerateArray().Select(v => v.GetString()!).ToArray();
    }

    private sealed record DocumentedOperation(string Method, string Path, JsonElement Operation)
    {
        public override string ToString() => $"{Method.ToUpperInvariant()} {Path}";
    }
}
