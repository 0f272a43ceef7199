using DfChat.Models;
using DfChat.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DfChat.AspNetCore;

/// <summary>The route that hands a room to another owner (API.md §9).</summary>
internal static class RoomOwnerEndpoints
{
    public static void Map(ChatRouteMapper map) =>
        map.Post("/rooms/{roomId}/owner", Transfer, "DfChatTransferOwnership", "Makes a member the owner (the owner only); the former owner may then leave.", "Moderation")
            .WithMetadata(new DfChatRequestBody(typeof(UserIdRequest), "application/json"));

    private static async Task<Results<ChatOk<RoomModel>, ProblemHttpResult>> Transfer(
        HttpContext http, IChatModerationService moderation, string roomId, CancellationToken cancellationToken)
    {
        var (body, problem) = await ChatHttp.ReadBodyAsync<UserIdRequest>(http.Request, cancellationToken);
        if (problem is not null)
            return problem;
        return ChatResults.Ok(await moderation.TransferOwnershipAsync(ChatHttp.Caller(http), roomId, body!, cancellationToken));
    }
}
