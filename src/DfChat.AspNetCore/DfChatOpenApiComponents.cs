using System.Text.Json.Nodes;
using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DfChat.AspNetCore;

/// <summary>
/// The shapes of the document a client generator turns into types: one component per closed value set
/// and per request body, problem details that a validation problem extends, and the events of the
/// catch-up route as a union discriminated by their name.
/// </summary>
/// <remarks>
/// A generator makes one type per schema it meets inline: an enum written out on four properties becomes
/// four enum types, and an inline body becomes a type named after its route. Naming each shape once in
/// <c>components</c> and referring to it everywhere gives a client one type per concept.
/// </remarks>
internal static class DfChatOpenApiComponents
{
    public const string RoomType = "RoomType";
    public const string Permission = "Permission";
    public const string ProblemDetails = "ProblemDetails";
    public const string ValidationProblemDetails = "HttpValidationProblemDetails";
    public const string ValidationErrors = "ValidationErrors";
    public const string EventModel = "EventModel";
    public const string RedactedPayload = "RedactedPayload";

    /// <summary>Names of the events kept in a room's log (every event but <c>typing</c> and <c>presence</c>).</summary>
    public static readonly string[] LoggedEventNames =
    [
        ChatEventNames.MessageCreated, ChatEventNames.MessageUpdated, ChatEventNames.MessageDeleted,
        ChatEventNames.ReactionAdded, ChatEventNames.ReactionRemoved,
        ChatEventNames.MemberAdded, ChatEventNames.MemberUpdated, ChatEventNames.MemberRemoved,
        ChatEventNames.RoomUpdated, ChatEventNames.RoomDeleted, ChatEventNames.Read,
    ];

    public static readonly string[] RoomTypes = [.. Enum.GetValues<ChatRoomType>().Select(ChatPermissionNames.ToName)];

    /// <summary>The closed value sets of the contract, each a component that every property holding one refers to.</summary>
    private static readonly (string Name, string Description, IReadOnlyList<string> Values)[] SharedEnums =
    [
        (RoomType, "The type of a room.", RoomTypes),
        (Permission, "A permission of a room member.", ChatPermissionNames.All),
    ];

    /// <summary>
    /// The payload of each logged event (API.md §5), by event name: a model of the routes or one of the
    /// payload types, and whether a deleted message's redaction can replace it.
    /// </summary>
    private static readonly (string Event, Type Payload, bool Redactable)[] Events =
    [
        (ChatEventNames.MessageCreated, typeof(MessageModel), true),
        (ChatEventNames.MessageUpdated, typeof(MessageModel), true),
        (ChatEventNames.MessageDeleted, typeof(MessageDeletedPayload), false),
        (ChatEventNames.ReactionAdded, typeof(ReactionModel), true),
        (ChatEventNames.ReactionRemoved, typeof(ReactionRemovedPayload), true),
        (ChatEventNames.MemberAdded, typeof(MemberModel), false),
        (ChatEventNames.MemberUpdated, typeof(MemberModel), false),
        (ChatEventNames.MemberRemoved, typeof(MemberRemovedPayload), false),
        (ChatEventNames.RoomUpdated, typeof(RoomModel), false),
        (ChatEventNames.RoomDeleted, typeof(RoomDeletedPayload), false),
        (ChatEventNames.Read, typeof(ReadPayload), false),
    ];

    /// <summary>The name of a request body's component.</summary>
    public static string BodyName(Type body) => body == typeof(Microsoft.AspNetCore.Http.IFormFile) ? "MediaUploadForm" : body.Name;

    /// <summary>Gives the document its shared shapes; <paramref name="bodies"/> are the chat operations' inline request bodies.</summary>
    public static async Task ApplyAsync(
        OpenApiDocument document, OpenApiDocumentTransformerContext context, IEnumerable<(OpenApiOperation Operation, Type Body)> bodies, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        var schemas = document.Components.Schemas;

        DescribeProblems(schemas, document);
        foreach (var (operation, body) in bodies)
        {
            foreach (var media in operation.RequestBody?.Content?.Values ?? [])
            {
                if (media.Schema is not OpenApiSchema inline)
                    continue;
                schemas[BodyName(body)] = inline;
                media.Schema = new OpenApiSchemaReference(BodyName(body), document);
            }
        }

        foreach (var (name, description, values) in SharedEnums)
            schemas[name] = new OpenApiSchema { Type = JsonSchemaType.String, Description = description, Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v)!)] };

        await DescribeEventsAsync(document, context, cancellationToken);
        ReferSharedEnums(document);
    }

    /// <summary>
    /// RFC 9457 problem details with the chat's <c>code</c>, <c>detail</c> marked as the message of a
    /// generated client's exception, and validation problems as an extension of them with typed <c>errors</c>.
    /// </summary>
    private static void DescribeProblems(IDictionary<string, IOpenApiSchema> schemas, OpenApiDocument document)
    {
        static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = description };

        var detail = Text("A human-readable explanation of this occurrence of the problem.");
        detail.Extensions = new Dictionary<string, IOpenApiExtension> { ["x-ms-primary-error-message"] = new JsonNodeExtension(JsonValue.Create(true)) };
        schemas[ProblemDetails] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An RFC 9457 problem: every error of the chat.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Text("A URI reference that identifies the problem type."),
                ["title"] = Text("A short summary of the problem type."),
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int32", Description = "The HTTP status code." },
                ["detail"] = detail,
                ["instance"] = Text("A URI reference that identifies this occurrence of the problem."),
                ["code"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "A stable, machine-readable code of the chat's problems, such as room_not_found or invalid_text.",
                },
            },
        };
        schemas[ValidationErrors] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "The messages of each offending field, keyed by its camelCase name.",
            AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
        };
        schemas[ValidationProblemDetails] = new OpenApiSchema
        {
            Description = "Invalid input (400): a problem with the messages keyed by the camelCase name of each offending field.",
            AllOf =
            [
                new OpenApiSchemaReference(ProblemDetails, document),
                new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "errors" },
                    Properties = new Dictionary<string, IOpenApiSchema> { ["errors"] = new OpenApiSchemaReference(ValidationErrors, document) },
                },
            ],
        };
    }

    /// <summary>
    /// The items of <c>GET /rooms/{roomId}/events</c>: one schema per event, told apart by <c>type</c>, each
    /// with its payload typed; a deleted message's events carry the redacted payload instead.
    /// </summary>
    private static async Task DescribeEventsAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var schemas = document.Components!.Schemas!;
        if (!schemas.ContainsKey(EventModel))
            return;

        var seq = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "1", Description = "The event's number in its room." };
        schemas[RedactedPayload] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "The payload of a deleted message's earlier events (messageCreated, messageUpdated, reactionAdded, reactionRemoved): its content is gone.",
            Required = new HashSet<string> { "seq", "roomId", "messageId", "redacted" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["seq"] = seq,
                ["roomId"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["messageId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The deleted message." },
                ["redacted"] = new OpenApiSchema { Type = JsonSchemaType.Boolean, Description = "Always true." },
            },
        };

        var mapping = new Dictionary<string, OpenApiSchemaReference>(StringComparer.Ordinal);
        foreach (var (name, payloadType, redactable) in Events)
        {
            var payloadName = await PayloadSchemaAsync(document, context, name, payloadType, seq, cancellationToken);
            IOpenApiSchema payload = new OpenApiSchemaReference(payloadName, document);
            if (redactable)
            {
                // A component of its own, so that the events sharing it (messageCreated and messageUpdated) share
                // one generated type. anyOf rather than oneOf: the two have no property to tell them apart by,
                // and generators read anyOf into one object holding both (Kiota's intersection type), where a
                // client checks redacted.
                var either = payloadName.Replace("Model", "", StringComparison.Ordinal).Replace("Payload", "", StringComparison.Ordinal) + "OrRedacted";
                schemas[either] = new OpenApiSchema
                {
                    Description = $"The payload ({payloadName}, with the event's seq) or, once its message is deleted, the redacted payload.",
                    AnyOf = [payload, new OpenApiSchemaReference(RedactedPayload, document)],
                };
                payload = new OpenApiSchemaReference(either, document);
            }

            var eventName = char.ToUpperInvariant(name[0]) + name[1..] + "Event";
            schemas[eventName] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = $"A {name} event of the room's log.",
                Required = new HashSet<string> { "seq", "type", "payload", "createdAt" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["seq"] = seq,
                    ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = name, Description = "The event's name." },
                    ["payload"] = payload,
                    ["createdAt"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "When the change was committed." },
                },
            };
            mapping[name] = new OpenApiSchemaReference(eventName, document);
        }

        schemas[EventModel] = new OpenApiSchema
        {
            Description = "One event of a room's log, for catch-up: its payload as the hub sent it (with seq), typed by the event's name.",
            OneOf = [.. mapping.Values],
            Discriminator = new OpenApiDiscriminator { PropertyName = "type", Mapping = mapping },
        };
        schemas.Remove("JsonElement");
    }

    /// <summary>The component of a payload type: the routes' own model, or the payload record with its <c>seq</c>.</summary>
    private static async Task<string> PayloadSchemaAsync(
        OpenApiDocument document, OpenApiDocumentTransformerContext context, string eventName, Type type, OpenApiSchema seq, CancellationToken cancellationToken)
    {
        var schemas = document.Components!.Schemas!;
        if (schemas.ContainsKey(type.Name))
            return type.Name;
        var schema = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
        schema.Description = $"The payload of {eventName} events.";
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties["seq"] = seq;
        schema.Required = new HashSet<string>(schema.Properties.Keys);
        schemas[type.Name] = schema;
        return type.Name;
    }

    /// <summary>Replaces every inline enum of a shared value set, in components and operations, with a reference to its component.</summary>
    private static void ReferSharedEnums(OpenApiDocument document)
    {
        var seen = new HashSet<OpenApiSchema>(ReferenceEqualityComparer.Instance);
        var schemas = document.Components!.Schemas!;
        foreach (var name in schemas.Keys.ToList())
        {
            if (!SharedEnums.Any(e => e.Name == name))
                schemas[name] = Refer(schemas[name], document, seen);
        }

        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
        {
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                if (parameter.Schema is { } schema)
                    parameter.Schema = Refer(schema, document, seen);
            }

            var contents = (operation.RequestBody?.Content?.Values ?? Enumerable.Empty<OpenApiMediaType>())
                .Concat(operation.Responses?.Values.SelectMany(r => r.Content?.Values ?? Enumerable.Empty<OpenApiMediaType>()) ?? []);
            foreach (var media in contents)
            {
                if (media.Schema is { } schema)
                    media.Schema = Refer(schema, document, seen);
            }
        }
    }

    private static IOpenApiSchema Refer(IOpenApiSchema schema, OpenApiDocument document, HashSet<OpenApiSchema> seen)
    {
        if (schema is not OpenApiSchema inline)
            return schema;
        if (inline.Enum is { Count: > 0 } values && SharedEnumOf(values) is { } name)
            return new OpenApiSchemaReference(name, document) { Description = inline.Description };
        if (!seen.Add(inline))
            return inline;

        if (inline.Properties is { } properties)
        {
            foreach (var key in properties.Keys.ToList())
                properties[key] = Refer(properties[key], document, seen);
        }

        if (inline.Items is { } items)
            inline.Items = Refer(items, document, seen);
        if (inline.AdditionalProperties is { } additional)
            inline.AdditionalProperties = Refer(additional, document, seen);
        foreach (var list in new[] { inline.AllOf, inline.OneOf, inline.AnyOf })
        {
            for (var i = 0; list is not null && i < list.Count; i++)
                list[i] = Refer(list[i], document, seen);
        }

        return inline;
    }

    private static string? SharedEnumOf(IList<JsonNode> values)
    {
        var strings = values.Select(v => v is JsonValue value && value.TryGetValue<string>(out var s) ? s : null).ToList();
        return SharedEnums.FirstOrDefault(e => e.Values.Count == strings.Count && e.Values.All(strings.Contains)).Name;
    }
}
