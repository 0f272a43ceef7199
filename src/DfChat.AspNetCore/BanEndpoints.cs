using DfChat.Models;
using DfChat.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DfChat.AspNetCore;

/// <summary>Routes of a room's bans (API.md §9).</summary>
internal static class BanEndpoints
{
    private const string Tag = "Moderation";

    public static void Map(ChatRouteMapper map)
    {
        map.Post("/rooms/{roomId}/bans", Ban, "DfChatBanUser", "Bans a user from a room, removing them if a member (can_remove_users).", Tag)
            .WithMetadata(new DfChatRequestBody(typeof(BanRequest), "application/json"));
        map.Get("/rooms/{roomId}/bans", List, "DfChatListBans", "The bans in force in a room (can_remove_users).", Tag);
        map.Delete("/rooms/{roomId}/bans/{userId}", Unban, "DfChatUnbanUser", "Lifts a ban (can_remove_users).", Tag);
    }

    private static async Task<Results<ChatCreated<BanModel>, ChatOk<BanModel>, ProblemHttpResult>> Ban(
        HttpContext http, IChatModerationService moderation, string roomId, CancellationToken cancellationToken)
    {
        var (body, problem) = await ChatHttp.ReadBodyAsync<BanRequest>(http.Request, cancellationToken);
        if (problem is not null)
            return problem;
        return ChatResults.CreatedOrOk(await moderation.BanAsync(ChatHttp.Caller(http), roomId, body!, cancellationToken), http.Request, b => b.UserId);
    }

    private static async Task<Results<ChatOk<PageModel<BanModel>>, ProblemHttpResult>> List(
        HttpContext http, IChatModerationService moderation, string roomId, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await moderation.ListBansAsync(ChatHttp.Caller(http), roomId, new PageRequest(take, cursor), cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Unban(
        HttpContext http, IChatModerationService moderation, string roomId, string userId, CancellationToken cancellationToken) =>
        ChatResults.NoContent(await moderation.UnbanAsync(ChatHttp.Caller(http), roomId, userId, cancellationToken));
}
