using DfChat.Models;
using DfChat.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DfChat.AspNetCore;

/// <summary>Routes of invitations (API.md §9).</summary>
internal static class InviteEndpoints
{
    private const string Tag = "Moderation";

    public static void Map(ChatRouteMapper map)
    {
        map.Post("/rooms/{roomId}/invites", Create, "DfChatCreateInvite", "Creates an invitation; its token is in this answer only (can_add_users).", Tag)
            .WithMetadata(new DfChatRequestBody(typeof(CreateInviteRequest), "application/json"));
        map.Get("/rooms/{roomId}/invites", List, "DfChatListInvites", "The room's invitations, without their tokens (can_add_users).", Tag);
        map.Delete("/rooms/{roomId}/invites/{token}", Revoke, "DfChatRevokeInvite", "Revokes an invitation, named by its token or its id (can_add_users).", Tag);
        map.Post("/invites/{token}/accept", Accept, "DfChatAcceptInvite", "Joins the room of an invitation.", Tag);
    }

    private static async Task<Results<ChatCreated<InviteModel>, ProblemHttpResult>> Create(
        HttpContext http, IChatInviteService invites, string roomId, CancellationToken cancellationToken)
    {
        var (body, problem) = await ChatHttp.ReadBodyAsync<CreateInviteRequest>(http.Request, cancellationToken);
        if (problem is not null)
            return problem;
        return ChatResults.Created(await invites.CreateAsync(ChatHttp.Caller(http), roomId, body!, cancellationToken), http.Request, i => i.Id);
    }

    private static async Task<Results<ChatOk<PageModel<InviteModel>>, ProblemHttpResult>> List(
        HttpContext http, IChatInviteService invites, string roomId, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await invites.ListAsync(ChatHttp.Caller(http), roomId, new PageRequest(take, cursor), cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        HttpContext http, IChatInviteService invites, string roomId, string token, CancellationToken cancellationToken) =>
        ChatResults.NoContent(await invites.RevokeAsync(ChatHttp.Caller(http), roomId, token, cancellationToken));

    private static async Task<Results<ChatOk<RoomModel>, ProblemHttpResult>> Accept(
        HttpContext http, IChatInviteService invites, string token, CancellationToken cancellationToken) =>
        ChatResults.Ok(await invites.AcceptAsync(ChatHttp.Caller(http), token, cancellationToken));
}
