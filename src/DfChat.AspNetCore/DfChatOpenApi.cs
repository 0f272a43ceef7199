using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using DfChat.Entities;
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
/// Describes the chat endpoints in the host's OpenAPI documents: request bodies, what each status
/// means (with <c>Location</c> on a 201), the binary content of media, closed value sets as enums, and
/// the host's security schemes on every chat operation; <see cref="DfChatOpenApiComponents"/> then
/// names the shared shapes.
/// </summary>
internal static class DfChatOpenApi
{
    /// <summary>The chat's operations of the document being generated (with the type of their body), for the document transformer that runs last.</summary>
    private static readonly ConditionalWeakTable<OpenApiOperation, ChatOperation> ChatOperations = new();

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

    private static readonly string[] RoomTypes = DfChatOpenApiComponents.RoomTypes;

    /// <summary>What the 200 of a creating route means (API.md §4, §9): what existed already, returned instead of a duplicate.</summary>
    private static readonly Dictionary<string, string> ExistingAnswers = new(StringComparer.Ordinal)
    {
        ["/rooms"] = "The two users' existing private room (private_messages only): no second one is created.",
        ["/rooms/{roomId}/messages"] = "The message first sent with this clientMessageId by the caller in this room.",
        ["/rooms/{roomId}/messages/{messageId}/reactions"] = "The caller's existing reaction of this value to this message.",
        ["/rooms/{roomId}/bans"] = "The user was banned already: the ban, with its new reason and expiry.",
        ["/users/me/blocks"] = "The user was blocked already: the existing block.",
    };

    /// <summary>
    /// Closed value sets of the contract: a property holding one of them, or a list of them. The document
    /// transformer then replaces each with a reference to the value set's component.
    /// </summary>
    private static readonly Dictionary<(Type Type, string Property), IReadOnlyList<string>> Enums = new()
    {
        [(typeof(RoomModel), nameof(RoomModel.Type))] = RoomTypes,
        [(typeof(CreateRoomRequest), nameof(CreateRoomRequest.Type))] = RoomTypes,
        [(typeof(MembershipModel), nameof(MembershipModel.Permissions))] = ChatPermissionNames.All,
        [(typeof(MemberModel), nameof(MemberModel.Permissions))] = ChatPermissionNames.All,
        [(typeof(AddMemberRequest), nameof(AddMemberRequest.Permissions))] = ChatPermissionNames.All,
        [(typeof(UpdateMemberRequest), nameof(UpdateMemberRequest.Permissions))] = ChatPermissionNames.All,
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
        var body = metadata.OfType<DfChatRequestBody>().FirstOrDefault();
        ChatOperations.AddOrUpdate(operation, new ChatOperation(route, body?.Type));

        if (body is not null)
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

        if (operation.Responses?.TryGetValue("201", out var created) == true && created is OpenApiResponse createdResponse)
        {
            if (ExistingAnswers.TryGetValue(route.Pattern, out var existing) && operation.Responses.TryGetValue("200", out var ok) && ok is OpenApiResponse okResponse)
                okResponse.Description = existing;
            createdResponse.Description = "Created: Location is the new resource's address.";
            createdResponse.Headers ??= new Dictionary<string, IOpenApiHeader>();
            createdResponse.Headers["Location"] = new OpenApiHeader
            {
                Description = "The address of the new resource.",
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
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
    /// Gives the document its shared shapes (<see cref="DfChatOpenApiComponents"/>), and requires on every
    /// chat operation that the caller be authenticated by any of the security schemes the host declares in
    /// its document (a host declares its own, as the sample does for bearer tokens and cookies).
    /// </summary>
    private static async Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var chat = document.Paths.Values
            .SelectMany(p => p.Operations?.Values.AsEnumerable() ?? [])
            .Select(o => (Operation: o, Chat: ChatOperations.TryGetValue(o, out var found) ? found : null))
            .Where(o => o.Chat is not null)
            .ToList();
        if (chat.Count == 0)
            return;

        var bodies = chat.Where(o => o.Chat!.Body is not null).Select(o => (o.Operation, o.Chat!.Body!));
        await DfChatOpenApiComponents.ApplyAsync(document, context, bodies, cancellationToken);

        var schemes = document.Components?.SecuritySchemes?.Keys.ToList() ?? [];
        foreach (var (operation, _) in chat)
        {
            if (schemes.Count > 0)
                operation.Security = [.. schemes.Select(s => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(s, document)] = [] })];
        }
    }

    /// <summary>A chat operation of the document: its route, and the type of the body it reads, if any.</summary>
    private sealed record ChatOperation(DfChatRoute Route, Type? Body);
}
