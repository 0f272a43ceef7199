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
        var validation = document.GetProperty("components").GetProperty("schemas").GetProperty("HttpValidationProblemDetails");
        Assert.True(validation.GetProperty("properties").TryGetProperty("errors", out _));
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
        var operation = Operation(await DocumentAsync(), "post", "/media");

        var schema = operation.Operation.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data").GetProperty("schema");
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
    public async Task RoomType_IsAStringEnumOfTheContractValues()
    {
        var document = await DocumentAsync();
        string[] expected = ["private_messages", "group", "channel"];

        Assert.Equal(expected, Enum(Schema(document, "RoomModel").GetProperty("properties").GetProperty("type")));
        var create = Operation(document, "post", "/rooms").Operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Equal(expected, Enum(Resolve(document, create).GetProperty("properties").GetProperty("type")));
        var typeFilter = Operation(document, "get", "/rooms").Operation.GetProperty("parameters").EnumerateArray().Single(p => p.Str("name") == "type");
        Assert.Equal(expected, Enum(typeFilter.GetProperty("schema")));
    }

    [Fact]
    public async Task Permissions_AreStringEnumsOfTheContractValues()
    {
        var document = await DocumentAsync();
        var expected = ChatPermissionNames.All.ToArray();
        Assert.Equal(9, expected.Length);

        foreach (var model in new[] { "MemberModel", "MembershipModel" })
            Assert.Equal(expected, Enum(Schema(document, model).GetProperty("properties").GetProperty("permissions").GetProperty("items")));
        foreach (var (method, path) in new[] { ("post", "/rooms/{roomId}/users"), ("patch", "/rooms/{roomId}/users/{userId}") })
        {
            var body = Operation(document, method, path).Operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
            Assert.Equal(expected, Enum(Resolve(document, body).GetProperty("properties").GetProperty("permissions").GetProperty("items")));
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
        var references = messages.EnumerateObject()
            .SelectMany(m => m.Value.GetProperty("payload").TryGetProperty("allOf", out var all) ? all.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Where(p => p.TryGetProperty("$ref", out _))
            .Select(p => p.Str("$ref"))
            .ToList();
        Assert.NotEmpty(references);
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

    private static DocumentedOperation Operation(JsonElement document, string method, string path)
    {
        Assert.True(document.GetProperty("paths").TryGetProperty(Prefix + path, out var item), $"{path} is not documented");
        Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is not documented");
        return new DocumentedOperation(method, Prefix + path, operation);
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
