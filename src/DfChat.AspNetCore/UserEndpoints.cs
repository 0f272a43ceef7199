using System.Reflection;
using System.Text.Json;
using DfChat.Models;
using DfChat.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace DfChat.AspNetCore;

/// <summary>Routes of the host's users: <c>/users/me</c>, the caller's data export and user search.</summary>
internal static class UserEndpoints
{
    public static void Map(ChatRouteMapper map)
    {
        map.Get("/users/me", GetMe, "DfChatGetMe", "The caller.", "Users");
        map.Get("/users/me/export", Export, "DfChatExportMe", "Everything the chat holds about the caller (memberships, messages, reactions, uploads), streamed.", "Users");
        map.Get("/users/{userId}", GetUser, "DfChatGetUser", "A user who shares a room with the caller, with its presence (online, lastActiveAt).", "Users");
        map.Get("/users", SearchUsers, "DfChatSearchUsers", "Users whose display name or user name contains the search, case-insensitive.", "Users");
    }

    /// <summary>The literal route wins over <c>/users/{userId}</c> and keeps its v1 answer <c>{ id, displayName }</c>.</summary>
    private static async Task<Results<ChatOk<UserModel>, ProblemHttpResult>> GetMe(HttpContext http, IChatUserService users, CancellationToken cancellationToken) =>
        ChatResults.Ok(await users.GetMeAsync(ChatHttp.Caller(http), cancellationToken));

    private static async Task<Results<ChatExport, ProblemHttpResult>> Export(HttpContext http, IChatUserData data, CancellationToken cancellationToken)
    {
        var export = await data.ExportAsync(ChatHttp.Caller(http), cancellationToken);
        return export.Succeeded ? new ChatExport(export.Value!) : ChatHttp.ToProblem(export.Error!);
    }
    private static async Task<Results<ChatOk<UserPresenceModel>, ProblemHttpResult>> GetUser(HttpContext http, IChatUserService users, string userId, CancellationToken cancellationToken) =>
        ChatResults.Ok(await users.GetAsync(ChatHttp.Caller(http), userId, cancellationToken));

    private static async Task<Results<ChatOk<PageModel<UserModel>>, ProblemHttpResult>> SearchUsers(
        HttpContext http, IChatUserService users, string? search, string? limit, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await users.SearchAsync(ChatHttp.Caller(http), search, take, cancellationToken));
    }
}

/// <summary>
/// The caller's data as one JSON object, written as its pages are read (<see cref="ChatUserExport"/>): the
/// answer is never held in memory whole, however much the user wrote.
/// </summary>
internal sealed class ChatExport(ChatUserExport export) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = ChatJson.Default.Options.Encoder, SkipValidation = true };

    int? IStatusCodeHttpResult.StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.ContentDisposition = "attachment; filename=\"chat-export.json\"";
        await using var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions);
        writer.WriteStartObject();
        writer.WritePropertyName("user");
        JsonSerializer.Serialize(writer, export.User, ChatJson.Of<UserModel>());
        await WriteAsync(writer, response, "memberships", export.Memberships, cancellationToken);
        await WriteAsync(writer, response, "messages", export.Messages, cancellationToken);
        await WriteAsync(writer, response, "reactions", export.Reactions, cancellationToken);
        await WriteAsync(writer, response, "media", export.Media, cancellationToken);
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
        await response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>Writes one list, sending what is written every <see cref="FlushEvery"/> items.</summary>
    private static async Task WriteAsync<T>(Utf8JsonWriter writer, HttpResponse response, string name, IAsyncEnumerable<T> items, CancellationToken cancellationToken)
    {
        var typeInfo = ChatJson.Of<T>();
        writer.WritePropertyName(name);
        writer.WriteStartArray();
        var written = 0;
        await foreach (var item in items.WithCancellation(cancellationToken))
        {
            JsonSerializer.Serialize(writer, item, typeInfo);
            if (++written % FlushEvery == 0)
            {
                await writer.FlushAsync(cancellationToken);
                await response.BodyWriter.FlushAsync(cancellationToken);
            }
        }

        writer.WriteEndArray();
    }

    private const int FlushEvery = 100;

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(UserExportDocument), ["application/json"]));
}

/// <summary>The shape of <c>GET /users/me/export</c>'s answer, for the OpenAPI document (the answer itself is streamed).</summary>
internal sealed record UserExportDocument
{
    /// <summary>The caller.</summary>
    public required UserModel User { get; init; }

    /// <summary>The caller's memberships, in joining order.</summary>
    public required IReadOnlyList<MemberModel> Memberships { get; init; }

    /// <summary>The caller's messages, each with its room id, oldest first.</summary>
    public required IReadOnlyList<MessageModel> Messages { get; init; }

    /// <summary>The caller's reactions, oldest first.</summary>
    public required IReadOnlyList<ReactionModel> Reactions { get; init; }

    /// <summary>The caller's uploads, oldest first.</summary>
    public required IReadOnlyList<MediaModel> Media { get; init; }
}
