using DfChat.Models;
using DfChat.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DfChat.AspNetCore;

/// <summary>Routes of API.md §8 around messages: threads, pins, edit history, read receipts.</summary>
internal static class ConversationEndpoints
{
    private const string Tag = "Conversation";

    public static void Map(ChatRouteMapper map)
    {
        map.Get("/rooms/{roomId}/messages/{messageId}/thread", Thread, "DfChatListThread", "The replies in a message's thread, oldest first.", Tag);
        map.Post("/rooms/{roomId}/messages/{messageId}/pin", Pin, "DfChatPinMessage", "Pins a message (can_edit_room; in private rooms either member); at most 50 a room.", Tag);
        map.Delete("/rooms/{roomId}/messages/{messageId}/pin", Unpin, "DfChatUnpinMessage", "Unpins a message (can_edit_room; in private rooms either member).", Tag);
        map.Get("/rooms/{roomId}/pins", Pins, "DfChatListPins", "The room's pinned messages, newest pin first.", Tag);
        map.Get("/rooms/{roomId}/messages/{messageId}/history", History, "DfChatListMessageHistory", "A message's earlier versions, newest first.", Tag);
        map.Get("/rooms/{roomId}/messages/{messageId}/readers", Readers, "DfChatListMessageReaders", "Members other than the author whose lastSeenAt is at or after the message.", Tag);
    }

    private static async Task<Results<ChatOk<PageModel<MessageModel>>, ProblemHttpResult>> Thread(
        HttpContext http, IChatConversationService conversation, string roomId, string messageId, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await conversation.ListThreadAsync(ChatHttp.Caller(http), roomId, messageId, new PageRequest(take, cursor), cancellationToken));
    }

    private static async Task<Results<ChatOk<MessageModel>, ProblemHttpResult>> Pin(
        HttpContext http, IChatConversationService conversation, string roomId, string messageId, CancellationToken cancellationToken) =>
        ChatResults.Ok(await conversation.PinAsync(ChatHttp.Caller(http), roomId, messageId, cancellationToken));

    private static async Task<Results<ChatOk<MessageModel>, ProblemHttpResult>> Unpin(
        HttpContext http, IChatConversationService conversation, string roomId, string messageId, CancellationToken cancellationToken) =>
        ChatResults.Ok(await conversation.UnpinAsync(ChatHttp.Caller(http), roomId, messageId, cancellationToken));

    private static async Task<Results<ChatOk<PageModel<MessageModel>>, ProblemHttpResult>> Pins(
        HttpContext http, IChatConversationService conversation, string roomId, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await conversation.ListPinsAsync(ChatHttp.Caller(http), roomId, new PageRequest(take, cursor), cancellationToken));
    }

    private static async Task<Results<ChatOk<PageModel<MessageVersionModel>>, ProblemHttpResult>> History(
        HttpContext http, IChatConversationService conversation, string roomId, string messageId, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await conversation.ListHistoryAsync(ChatHttp.Caller(http), roomId, messageId, new PageRequest(take, cursor), cancellationToken));
    }

    private static async Task<Results<ChatOk<PageModel<MemberModel>>, ProblemHttpResult>> Readers(
        HttpContext http, IChatConversationService conversation, string roomId, string messageId, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await conversation.ListReadersAsync(ChatHttp.Caller(http), roomId, messageId, new PageRequest(take, cursor), cancellationToken));
    }
}
