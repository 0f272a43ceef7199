using DfChat.AspNetCore.Contracts;
using DfChat.Models;
using DfChat.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.AspNetCore;

/// <summary>Routes of reactions.</summary>
internal static class ReactionEndpoints
{
    private const string Tag = "Reactions";

    public static void Map(ChatRouteMapper map)
    {
        map.Get("/rooms/{roomId}/messages/{messageId}/reactions", ListForMessage, "DfChatListMessageReactions", "The reactions to a message.", Tag);
        map.Post("/rooms/{roomId}/messages/{messageId}/reactions", Add, "DfChatAddReaction", "Reacts to a message (members); the same value again returns the existing reaction.", Tag)
            .WithMetadata(new DfChatRequestBody(typeof(AddReactionBody), "application/json"));
        map.Get("/reactions", ListMine, "DfChatListMyReactions", "The caller's own reactions, newest first.", Tag);
        map.Get("/reactions/{reactionId}", Get, "DfChatGetReaction", "One reaction.", Tag);
        map.Delete("/reactions/{reactionId}", Delete, "DfChatDeleteReaction", "Deletes a reaction: its author, or a member with can_delete_messages.", Tag);
    }

    private static async Task<Results<ChatOk<PageModel<ReactionModel>>, ProblemHttpResult>> ListForMessage(
        HttpContext http, IChatReactionService reactions, string roomId, string messageId, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await reactions.ListForMessageAsync(ChatHttp.Caller(http), roomId, messageId, new PageRequest(take, cursor), cancellationToken));
    }

    private static async Task<Results<ChatCreated<ReactionModel>, ChatOk<ReactionModel>, ProblemHttpResult>> Add(
        HttpContext http, IChatReactionService reactions, string roomId, string messageId, CancellationToken cancellationToken)
    {
        var (body, problem) = await ChatHttp.ReadBodyAsync<AddReactionBody>(http.Request, cancellationToken);
        if (problem is not null)
            return problem;
        var result = await reactions.AddAsync(ChatHttp.Caller(http), roomId, messageId, body!.Reaction, cancellationToken);
        if (!result.Succeeded)
            return ChatHttp.ToProblem(result.Error!);
        var mount = http.RequestServices.GetRequiredService<ChatMountPoint>();
        return result.Created
            ? new ChatCreated<ReactionModel>($"{mount.Prefix}/reactions/{result.Value!.Id}", result.Value!)
            : new ChatOk<ReactionModel>(result.Value!);
    }

    private static async Task<Results<ChatOk<PageModel<ReactionModel>>, ProblemHttpResult>> ListMine(
        HttpContext http, IChatReactionService reactions, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await reactions.ListMineAsync(ChatHttp.Caller(http), new PageRequest(take, cursor), cancellationToken));
    }

    private static async Task<Results<ChatOk<ReactionModel>, ProblemHttpResult>> Get(
        HttpContext http, IChatReactionService reactions, string reactionId, CancellationToken cancellationToken) =>
        ChatResults.Ok(await reactions.GetAsync(ChatHttp.Caller(http), reactionId, cancellationToken));

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        HttpContext http, IChatReactionService reactions, string reactionId, CancellationToken cancellationToken) =>
        ChatResults.NoContent(await reactions.DeleteAsync(ChatHttp.Caller(http), reactionId, cancellationToken));
}
