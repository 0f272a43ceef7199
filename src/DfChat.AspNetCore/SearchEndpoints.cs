using DfChat.Models;
using DfChat.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DfChat.AspNetCore;

/// <summary>Routes of message search.</summary>
internal static class SearchEndpoints
{
    public static void Map(ChatRouteMapper map) =>
        map.Get("/search/messages", SearchMessages, "DfChatSearchMessages",
            "Messages of the caller's rooms (or of one readable room with ?roomId=) whose text holds every word of q, newest first; case and diacritics ignored, the last word also as a prefix.",
            "Search");

    private static async Task<Results<ChatOk<PageModel<MessageModel>>, ProblemHttpResult>> SearchMessages(
        HttpContext http, IChatSearchService search, string? q, string? roomId, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await search.SearchMessagesAsync(ChatHttp.Caller(http), q, roomId, new PageRequest(take, cursor), cancellationToken));
    }
}
