using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DfChat.AspNetCore;

/// <summary>
/// The request body a chat endpoint reads itself. It is metadata for the OpenAPI document only:
/// unlike <c>Accepts&lt;T&gt;()</c>, it never makes routing answer 415 before authentication answers 401.
/// </summary>
internal sealed record DfChatRequestBody(Type Type, string ContentType);

/// <summary>
/// Every status a chat route can answer besides its success, in one table keyed by method and route
/// (API.md §2 and §4), so that the OpenAPI document tells a client generator the whole truth.
/// </summary>
internal static class DfChatRouteStatuses
{
    /// <summary>Any route: no authenticated caller, or the database unavailable (with <c>Retry-After</c>).</summary>
    private static readonly int[] Always = [StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable];

    /// <summary>A route reading a JSON body: invalid input, a body over 1 MiB, a content type other than JSON.</summary>
    private static readonly int[] JsonBody = [StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType];

    private const int Invalid = StatusCodes.Status400BadRequest;
    private const int Forbidden = StatusCodes.Status403Forbidden;
    private const int NotFound = StatusCodes.Status404NotFound;
    private const int Conflict = StatusCodes.Status409Conflict;
    private const int Gone = StatusCodes.Status410Gone;
    private const int TooLarge = StatusCodes.Status413PayloadTooLarge;
    private const int UnsupportedType = StatusCodes.Status415UnsupportedMediaType;
    private const int TooMany = StatusCodes.Status429TooManyRequests;

    /// <summary>
    /// The problem statuses of each route beyond <see cref="Always"/>. Ids in paths count as input:
    /// one holding U+0000 is a 400 like any other text.
    /// </summary>
    private static readonly Dictionary<string, int[]> ByRoute = new(StringComparer.Ordinal)
    {
        ["GET /users/me"] = [],
        ["GET /users/me/export"] = [],
        ["GET /users"] = [Invalid],
        ["GET /users/{userId}"] = [Invalid, NotFound],
        ["GET /rooms"] = [Invalid],
        ["GET /rooms/public"] = [Invalid],
        ["POST /rooms"] = [.. JsonBody, Forbidden],
        ["GET /rooms/{roomId}"] = [Invalid, NotFound],
        ["PATCH /rooms/{roomId}"] = [.. JsonBody, Forbidden, NotFound],
        ["DELETE /rooms/{roomId}"] = [Invalid, Forbidden, NotFound],
        ["POST /rooms/{roomId}/join"] = [Invalid, Forbidden, NotFound, UnsupportedType],
        ["POST /rooms/{roomId}/read"] = [.. JsonBody, Forbidden, NotFound],
        ["GET /rooms/{roomId}/events"] = [Invalid, NotFound, Gone],
        ["GET /rooms/{roomId}/users"] = [Invalid, NotFound],
        ["POST /rooms/{roomId}/users"] = [.. JsonBody, Forbidden, NotFound, Conflict],
        ["GET /rooms/{roomId}/users/{userId}"] = [Invalid, NotFound],
        ["PATCH /rooms/{roomId}/users/{userId}"] = [.. JsonBody, Forbidden, NotFound, Conflict],
        ["DELETE /rooms/{roomId}/users/{userId}"] = [Invalid, Forbidden, NotFound, Conflict],
        ["GET /rooms/{roomId}/messages"] = [Invalid, NotFound],
        ["POST /rooms/{roomId}/messages"] = [.. JsonBody, Forbidden, NotFound, TooMany],
        ["GET /rooms/{roomId}/messages/{messageId}"] = [Invalid, NotFound],
        ["PATCH /rooms/{roomId}/messages/{messageId}"] = [.. JsonBody, Forbidden, NotFound],
        ["DELETE /rooms/{roomId}/messages/{messageId}"] = [Invalid, Forbidden, NotFound],
        ["GET /rooms/{roomId}/messages/{messageId}/reactions"] = [Invalid, NotFound],
        ["POST /rooms/{roomId}/messages/{messageId}/reactions"] = [.. JsonBody, Forbidden, NotFound],
        ["GET /rooms/{roomId}/messages/{messageId}/thread"] = [Invalid, NotFound],
        ["POST /rooms/{roomId}/messages/{messageId}/pin"] = [Invalid, Forbidden, NotFound, Conflict, UnsupportedType],
        ["DELETE /rooms/{roomId}/messages/{messageId}/pin"] = [Invalid, Forbidden, NotFound],
        ["GET /rooms/{roomId}/pins"] = [Invalid, NotFound],
        ["GET /rooms/{roomId}/messages/{messageId}/history"] = [Invalid, NotFound],
        ["GET /rooms/{roomId}/messages/{messageId}/readers"] = [Invalid, NotFound],
        ["GET /reactions"] = [Invalid],
        ["GET /reactions/{reactionId}"] = [Invalid, NotFound],
        ["DELETE /reactions/{reactionId}"] = [Invalid, Forbidden, NotFound],
        ["POST /media"] = [Invalid, TooLarge, UnsupportedType, TooMany],
        ["GET /media/{mediaId}"] = [Invalid, NotFound],
        ["GET /search/messages"] = [Invalid, NotFound],

        // 206 and 416 of range requests are described by DfChatOpenApi: they carry no problem details.
        ["GET /media/{mediaId}/content"] = [Invalid, NotFound],

        // Moderation (API.md §9).
        ["POST /rooms/{roomId}/bans"] = [.. JsonBody, Forbidden, NotFound, Conflict],
        ["GET /rooms/{roomId}/bans"] = [Invalid, Forbidden, NotFound],
        ["DELETE /rooms/{roomId}/bans/{userId}"] = [Invalid, Forbidden, NotFound],
        ["POST /users/me/blocks"] = [.. JsonBody],
        ["GET /users/me/blocks"] = [Invalid],
        ["DELETE /users/me/blocks/{userId}"] = [Invalid, NotFound],
        ["POST /rooms/{roomId}/owner"] = [.. JsonBody, Forbidden, NotFound],
        ["POST /rooms/{roomId}/invites"] = [.. JsonBody, Forbidden, NotFound],
        ["GET /rooms/{roomId}/invites"] = [Invalid, Forbidden, NotFound],
        ["DELETE /rooms/{roomId}/invites/{token}"] = [Invalid, Forbidden, NotFound],
        ["POST /invites/{token}/accept"] = [Invalid, NotFound, Conflict, UnsupportedType],
        ["POST /rooms/{roomId}/messages/{messageId}/reports"] = [.. JsonBody, NotFound],
    };

    /// <summary>The routes of the table, for tests that compare it with what is mapped.</summary>
    public static IReadOnlyCollection<string> Routes => ByRoute.Keys;

    /// <summary>Declares the route's problem statuses on its endpoint; a route missing from the table is a bug.</summary>
    public static RouteHandlerBuilder ProducesChatProblems(this RouteHandlerBuilder builder, string method, string pattern)
    {
        if (!ByRoute.TryGetValue($"{method} {pattern}", out var statuses))
            throw new InvalidOperationException($"{method} {pattern} has no entry in {nameof(DfChatRouteStatuses)}: list the statuses it can answer.");
        foreach (var status in statuses.Concat(Always).Distinct().Order())
        {
            if (status == StatusCodes.Status400BadRequest)
                builder.ProducesValidationProblem();
            else
                builder.ProducesProblem(status);
        }

        return builder;
    }
}

/// <summary>
/// Describes the chat endpoints in the host's OpenAPI documents: request bodies, what each problem
/// status means, the binary content of media, closed value sets as enums, and the host's security
/// schemes on every chat operation.
/// </summary>
internal static class DfChatOpenApi
{
    /// <summary>The chat's operations of the document being generated, for the document transformer that runs last.</summary>
    private static readonly ConditionalWeakTable<OpenApiOperation, object> ChatOperations = new();

    private static readonly Dictionary<string, string> ProblemDescriptions = new(StringComparer.Ordinal)
    {
        ["400"] = "Invalid input: `errors` holds the messages keyed by the camelCase name of each offending field.",
        ["401"] = "No authenticated caller.",
        ["403"] = "The caller can see the room but lacks the permission; code room_frozen when the room is frozen, banned when the caller is banned from it, blocked when the other user blocked the caller.",
        ["404"] = "It does not exist, or the caller may not see it (a non-member of a non-public room gets 404 for everything in it, never 403).",
        ["409"] = "A conflict with the room's state: the user is a member already (or banned: code banned), the owner would be removed, banned, leave or lose permissions, or the room holds the most pins it may.",
        ["410"] = "The seq is older than the retained events: reload the room.",
        ["413"] = "The body (JSON bodies: 1 MiB) or the file (the configured limit) is too large.",
        ["415"] = "The content type is not allowed: JSON routes take application/json; uploads take the configured file types, and an image must match its real signature.",
        ["429"] = "Too many requests (rate limits, slow mode): retry after Retry-After seconds.",
        ["503"] = "The database is unavailable or a write could not complete in time: retry after Retry-After seconds. Never a 500.",
    };

    private static readonly string[] RoomTypes = [.. Enum.GetValues<ChatRoomType>().Select(ChatPermissionNames.ToName)];

    /// <summary>Names of the events kept in a room's log (every event but <c>typing</c>).</summary>
    private static readonly string[] LoggedEventNames =
    [
        ChatEventNames.MessageCreated, ChatEventNames.MessageUpdated, ChatEventNames.MessageDeleted,
        ChatEventNames.ReactionAdded, ChatEventNames.ReactionRemoved,
        ChatEventNames.MemberAdded, ChatEventNames.MemberUpdated, ChatEventNames.MemberRemoved,
        ChatEventNames.RoomUpdated, ChatEventNames.RoomDeleted, ChatEventNames.Read,
    ];

    /// <summary>Closed value sets of the contract: a property holding one of them, or a list of them.</summary>
    private static readonly Dictionary<(Type Type, string Property), IReadOnlyList<string>> Enums = new()
    {
        [(typeof(RoomModel), nameof(RoomModel.Type))] = RoomTypes,
        [(typeof(CreateRoomRequest), nameof(CreateRoomRequest.Type))] = RoomTypes,
        [(typeof(MembershipModel), nameof(MembershipModel.Permissions))] = ChatPermissionNames.All,
        [(typeof(MemberModel), nameof(MemberModel.Permissions))] = ChatPermissionNames.All,
        [(typeof(AddMemberRequest), nameof(AddMemberRequest.Permissions))] = ChatPermissionNames.All,
        [(typeof(UpdateMemberRequest), nameof(UpdateMemberRequest.Permissions))] = ChatPermissionNames.All,
        [(typeof(EventModel), nameof(EventModel.Type))] = LoggedEventNames,
    };

    /// <summary>Registers the transformers that describe chat endpoints and their models.</summary>
    public static void Configure(OpenApiOptions options)
    {
        options.AddOperationTransformer(DescribeOperationAsync);
        options.AddSchemaTransformer(DescribeSchema);
    }

    /// <summary>Registers what must run after the host's own transformers: they declare the security schemes.</summary>
    public static void PostConfigure(OpenApiOptions options) => options.AddDocumentTransformer(DescribeDocument);

    private static async Task DescribeOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<DfChatRoute>().FirstOrDefault() is not { } route)
            return;
        ChatOperations.AddOrUpdate(operation, route);

        if (metadata.OfType<DfChatRequestBody>().FirstOrDefault() is { } body)
            operation.RequestBody = await RequestBodyAsync(body, route, context, cancellationToken);

        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            // The endpoints parse ?limit= themselves (so that a non-number is a 400, not a binding failure): it is a number all the same.
            if (parameter is { Name: "limit", In: ParameterLocation.Query })
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1" };
            else if (parameter is { Name: "type", In: ParameterLocation.Query })
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. RoomTypes.Select(v => (JsonNode)JsonValue.Create(v)!)] };
            else if (parameter is { Name: "after", In: ParameterLocation.Query } && route.Pattern == "/rooms/{roomId}/events")
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "0" };
        }

        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is not OpenApiResponse problem || !ProblemDescriptions.TryGetValue(status, out var description))
                continue;
            problem.Description = description;
            if (status is "429" or "503")
                problem.Headers = new Dictionary<string, IOpenApiHeader> { ["Retry-After"] = Header("Seconds to wait before trying again.", JsonSchemaType.Integer) };
        }

        if (route.Pattern == "/media/{mediaId}/content")
            DescribeContent(operation);
    }

    private static async Task<OpenApiRequestBody> RequestBodyAsync(DfChatRequestBody body, DfChatRoute route, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        IOpenApiSchema schema = body.Type == typeof(IFormFile)
            ? new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "file" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                },
            }
            : await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken);
        return new OpenApiRequestBody
        {
            // Every body names something the route needs (an empty one is a 400), except the read position's: absent means now.
            Required = route.Pattern != "/rooms/{roomId}/read",
            Content = new Dictionary<string, OpenApiMediaType> { [body.ContentType] = new() { Schema = schema } },
        };
    }

    /// <summary>The bytes of a media: whole (200) or a range (206), and 416 for a range past the end.</summary>
    private static void DescribeContent(OpenApiOperation operation)
    {
        var bytes = new Dictionary<string, OpenApiMediaType>
        {
            ["*/*"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
        };
        Dictionary<string, IOpenApiHeader> Headers(bool partial)
        {
            var headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Content-Disposition"] = Header("inline for images, attachment for anything else, with the file name.", JsonSchemaType.String),
                ["X-Content-Type-Options"] = Header("Always nosniff.", JsonSchemaType.String),
                ["Accept-Ranges"] = Header("bytes: range requests are supported.", JsonSchemaType.String),
            };
            if (partial)
                headers["Content-Range"] = Header("The range sent, as bytes first-last/size.", JsonSchemaType.String);
            return headers;
        }

        operation.Responses ??= [];
        operation.Responses["200"] = new OpenApiResponse { Description = "The whole file, with the media's content type.", Content = bytes, Headers = Headers(partial: false) };
        operation.Responses["206"] = new OpenApiResponse { Description = "The range asked for with a Range header.", Content = bytes, Headers = Headers(partial: true) };
        operation.Responses["416"] = new OpenApiResponse
        {
            Description = "The range is not satisfiable; Content-Range gives the size as bytes */size.",
            Headers = new Dictionary<string, IOpenApiHeader> { ["Content-Range"] = Header("bytes */size.", JsonSchemaType.String) },
        };
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "Range",
            In = ParameterLocation.Header,
            Description = "A byte range, such as bytes=0-1023.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
    }

    private static OpenApiHeader Header(string description, JsonSchemaType type) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = type } };

    /// <summary>Enums for the contract's closed value sets, and plain integers for the chat's numbers.</summary>
    private static Task DescribeSchema(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is not { } property || property.DeclaringType.Assembly != typeof(RoomModel).Assembly)
            return Task.CompletedTask;

        // The web serializer reads numbers from strings too, which the schema shows as "integer or string":
        // the chat always writes numbers, and a generated client should see one type.
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.Integer) && type.HasFlag(JsonSchemaType.String))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        var propertyName = property.AttributeProvider is System.Reflection.MemberInfo member ? member.Name : null;
        if (propertyName is null || !Enums.TryGetValue((property.DeclaringType, propertyName), out var values))
            return Task.CompletedTask;
        var target = schema.Type is { } t && t.HasFlag(JsonSchemaType.Array) ? schema.Items as OpenApiSchema : schema;
        if (target is null)
            return Task.CompletedTask;
        // A null where the contract wants one of the values is invalid input (400), like any other value.
        target.Type &= ~JsonSchemaType.Null;
        target.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v)!)];
        return Task.CompletedTask;
    }

    /// <summary>
    /// Every chat operation requires the caller to be authenticated by any of the security schemes the host
    /// declares in its document (a host declares its own, as the sample does for bearer tokens and cookies).
    /// The problem details' <c>code</c> is documented here too, as it applies to every chat problem.
    /// </summary>
    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var name in new[] { "ProblemDetails", "HttpValidationProblemDetails" })
        {
            if (document.Components?.Schemas?.TryGetValue(name, out var found) == true && found is OpenApiSchema problem)
            {
                problem.Properties ??= new Dictionary<string, IOpenApiSchema>();
                problem.Properties.TryAdd("code", new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "A stable, machine-readable code of the chat's problems, such as room_not_found or invalid_text.",
                });
            }
        }

        var schemes = document.Components?.SecuritySchemes?.Keys.ToList() ?? [];
        if (schemes.Count == 0)
            return Task.CompletedTask;
        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
        {
            if (!ChatOperations.TryGetValue(operation, out _))
                continue;
            operation.Security = [.. schemes.Select(s => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(s, document)] = [] })];
        }

        return Task.CompletedTask;
    }
}
