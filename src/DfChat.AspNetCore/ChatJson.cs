using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using DfChat.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace DfChat.AspNetCore;

/// <summary>
/// The JSON of the contract, its request bodies read and its answers written with DfChat's own settings
/// rather than the host's <c>JsonOptions</c>: a host that sets another naming policy or adds converters
/// for its own endpoints must not rename or reshape the chat's fields (API.md §2). Source-generated, so
/// a page of messages is written without reflection.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(UserModel))]
[JsonSerializable(typeof(UserPresenceModel))]
[JsonSerializable(typeof(PageModel<UserModel>))]
[JsonSerializable(typeof(RoomModel))]
[JsonSerializable(typeof(PageModel<RoomModel>))]
[JsonSerializable(typeof(MembershipModel))]
[JsonSerializable(typeof(MemberModel))]
[JsonSerializable(typeof(PageModel<MemberModel>))]
[JsonSerializable(typeof(MessageModel))]
[JsonSerializable(typeof(PageModel<MessageModel>))]
[JsonSerializable(typeof(ReactionModel))]
[JsonSerializable(typeof(PageModel<ReactionModel>))]
[JsonSerializable(typeof(MediaModel))]
[JsonSerializable(typeof(PageModel<EventModel>))]
[JsonSerializable(typeof(CreateRoomRequest))]
[JsonSerializable(typeof(UpdateRoomRequest))]
[JsonSerializable(typeof(AddMemberRequest))]
[JsonSerializable(typeof(UpdateMemberRequest))]
[JsonSerializable(typeof(SendMessageRequest))]
[JsonSerializable(typeof(Contracts.MarkReadBody))]
[JsonSerializable(typeof(Contracts.EditMessageBody))]
[JsonSerializable(typeof(Contracts.AddReactionBody))]
[JsonSerializable(typeof(BanModel))]
[JsonSerializable(typeof(PageModel<BanModel>))]
[JsonSerializable(typeof(BlockModel))]
[JsonSerializable(typeof(PageModel<BlockModel>))]
[JsonSerializable(typeof(InviteModel))]
[JsonSerializable(typeof(PageModel<InviteModel>))]
[JsonSerializable(typeof(UserExportDocument))]
[JsonSerializable(typeof(BanRequest))]
[JsonSerializable(typeof(UserIdRequest))]
[JsonSerializable(typeof(CreateInviteRequest))]
[JsonSerializable(typeof(ReportRequest))]
[JsonSerializable(typeof(PageModel<MessageVersionModel>))]
internal sealed partial class ChatJson : JsonSerializerContext
{
    /// <summary>How <typeparamref name="T"/> is read or written; every type a chat endpoint reads or answers with is listed above.</summary>
    public static JsonTypeInfo<T> Of<T>() =>
        Default.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
        ?? throw new InvalidOperationException($"{typeof(T)} is not one of the chat's JSON types; add it to {nameof(ChatJson)}.");
}

/// <summary>A 200 answer whose body is written as <see cref="ChatJson"/> says.</summary>
/// <typeparam name="T">The body's type.</typeparam>
internal sealed class ChatOk<T>(T value) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IEndpointMetadataProvider
{
    public T Value => value;

    object? IValueHttpResult.Value => value;

    int? IStatusCodeHttpResult.StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext) => ChatJsonBody.WriteAsync(httpContext, StatusCodes.Status200OK, value);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}

/// <summary>A 201 answer with the new resource's <c>Location</c>, its body written as <see cref="ChatJson"/> says.</summary>
/// <typeparam name="T">The body's type.</typeparam>
internal sealed class ChatCreated<T>(string location, T value) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IEndpointMetadataProvider
{
    public T Value => value;

    object? IValueHttpResult.Value => value;

    int? IStatusCodeHttpResult.StatusCode => StatusCodes.Status201Created;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.Location = location;
        return ChatJsonBody.WriteAsync(httpContext, StatusCodes.Status201Created, value);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status201Created, typeof(T), ["application/json"]));
}

/// <summary>Writes an answer's status and its body as <see cref="ChatJson"/> says.</summary>
/// <remarks>
/// The body is written in one go through the source generator's fast path, straight into the response's
/// buffer, then flushed. <c>WriteAsJsonAsync</c> would stream it instead, and System.Text.Json gives up
/// the fast path for good on a type once one of its answers passes 8 KB (a page of messages does): it
/// then writes through the generic converters, measured at about twice the cost. An answer is bounded by
/// the page size, so buffering it whole is fine.
/// </remarks>
internal static class ChatJsonBody
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = ChatJson.Default.Options.Encoder,
        Indented = ChatJson.Default.Options.WriteIndented,
        MaxDepth = ChatJson.Default.Options.MaxDepth,
        SkipValidation = true,
    };

    public static async Task WriteAsync<T>(HttpContext httpContext, int statusCode, T value)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
            JsonSerializer.Serialize(writer, value, ChatJson.Of<T>());
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }
}
