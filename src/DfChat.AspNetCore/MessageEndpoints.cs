using DfChat.AspNetCore.Contracts;
using DfChat.Models;
using DfChat.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DfChat.AspNetCore;

/// <summary>Routes of messages.</summary>
internal static class MessageEndpoints
{
    private const string Tag = "Messages";

    public static void Map(ChatRouteMapper map)
    {
        map.Get("/rooms/{roomId}/messages", List, "DfChatListMessages", "Messages newest first; with ?after= the messages newer than that one, oldest first.", Tag);
        map.Post("/rooms/{roomId}/messages", Send, "DfChatSendMessage", "Sends a message (can_create_messages); a repeated clientMessageId returns the first.", Tag)
            .WithMetadata(new DfChatRequestBody(typeof(SendMessageRequest), "application/json"))
            .AddEndpointFilterFactory((_, next) => ChatRateLimiter.Filter(ChatRateLimitKind.Messages, next))
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        map.Get("/rooms/{roomId}/messages/{messageId}", Get, "DfChatGetMessage", "One message.", Tag);
        map.Patch("/rooms/{roomId}/messages/{messageId}", Edit, "DfChatEditMessage", "Replaces a message's text, its mentions, or both.", Tag)
            .WithMetadata(new DfChatRequestBody(typeof(EditMessageBody), "application/json"));
        map.Delete("/rooms/{roomId}/messages/{messageId}", Delete, "DfChatDeleteMessage", "Deletes a message with its reactions and media.", Tag);
    }

    private static async Task<Results<ChatOk<PageModel<MessageModel>>, ProblemHttpResult>> List(
        HttpContext http, IChatMessageService messages, string roomId, string? after, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        var page = new PageRequest(take, cursor);
        var caller = ChatHttp.Caller(http);
        return ChatResults.Ok(after is null
            ? await messages.ListAsync(caller, roomId, page, cancellationToken)
            : await messages.ListAfterAsync(caller, roomId, after, page, cancellationToken));
    }

    private static async Task<Results<ChatCreated<MessageModel>, ChatOk<MessageModel>, ProblemHttpResult>> Send(
        HttpContext http, IChatMessageService messages, string roomId, CancellationToken cancellationToken)
    {
        var (body, problem) = await ChatHttp.ReadBodyAsync<SendMessageRequest>(http.Request, cancellationToken);
        if (problem is not null)
            return problem;
        return ChatResults.CreatedOrOk(await messages.SendAsync(ChatHttp.Caller(http), roomId, body!, cancellationToken), http.Request, m => m.Id);
    }

    private static async Task<Results<ChatOk<MessageModel>, ProblemHttpResult>> Get(
        HttpContext http, IChatMessageService messages, string roomId, string messageId, CancellationToken cancellationToken) =>
        ChatResults.Ok(await messages.GetAsync(ChatHttp.Caller(http), roomId, messageId, cancellationToken));

    private static async Task<Results<ChatOk<MessageModel>, ProblemHttpResult>> Edit(
        HttpContext http, IChatMessageService messages, string roomId, string messageId, CancellationToken cancellationToken)
    {
        var (body, problem) = await ChatHttp.ReadBodyAsync<EditMessageBody>(http.Request, cancellationToken);
        if (problem is not null)
            return problem;
        var request = new EditMessageRequest { Text = body!.Text, Mentions = body.Mentions };
        return ChatResults.Ok(await messages.EditAsync(ChatHttp.Caller(http), roomId, messageId, request, cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        HttpContext http, IChatMessageService messages, string roomId, string messageId, CancellationToken cancellationToken) =>
        ChatResults.NoContent(await messages.DeleteAsync(ChatHttp.Caller(http), roomId, messageId, cancellationToken));
}
