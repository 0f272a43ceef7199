using DfChat.Models;
using DfChat.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DfChat.AspNetCore;

/// <summary>Routes of the caller's blocks (API.md §9).</summary>
internal static class BlockEndpoints
{
    private const string Tag = "Moderation";

    public static void Map(ChatRouteMapper map)
    {
        map.Post("/users/me/blocks", Block, "DfChatBlockUser", "Blocks a user: they can no longer reach the caller.", Tag)
            .WithMetadata(new DfChatRequestBody(typeof(UserIdRequest), "application/json"));
        map.Get("/users/me/blocks", List, "DfChatListBlocks", "The users the caller blocked.", Tag);
        map.Delete("/users/me/blocks/{userId}", Unblock, "DfChatUnblockUser", "Lifts a block.", Tag);
    }

    private static async Task<Results<ChatCreated<BlockModel>, ChatOk<BlockModel>, ProblemHttpResult>> Block(
        HttpContext http, IChatBlockService blocks, CancellationToken cancellationToken)
    {
        var (body, problem) = await ChatHttp.ReadBodyAsync<UserIdRequest>(http.Request, cancellationToken);
        if (problem is not null)
            return problem;
        return ChatResults.CreatedOrOk(await blocks.BlockAsync(ChatHttp.Caller(http), body!, cancellationToken), http.Request, b => b.UserId);
    }

    private static async Task<Results<ChatOk<PageModel<BlockModel>>, ProblemHttpResult>> List(
        HttpContext http, IChatBlockService blocks, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await blocks.ListAsync(ChatHttp.Caller(http), new PageRequest(take, cursor), cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Unblock(
        HttpContext http, IChatBlockService blocks, string userId, CancellationToken cancellationToken) =>
        ChatResults.NoContent(await blocks.UnblockAsync(ChatHttp.Caller(http), userId, cancellationToken));
}
