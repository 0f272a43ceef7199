using DfChat.Models;
using DfChat.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DfChat.AspNetCore;

/// <summary>Routes of room members.</summary>
internal static class MemberEndpoints
{
    private const string Tag = "Members";

    public static void Map(ChatRouteMapper map)
    {
        map.Get("/rooms/{roomId}/users", List, "DfChatListMembers", "The members of a room, in joining order.", Tag);
        map.Post("/rooms/{roomId}/users", Add, "DfChatAddMember", "Adds a member (can_add_users).", Tag)
            .WithMetadata(new DfChatRequestBody(typeof(AddMemberRequest), "application/json"));
        map.Get("/rooms/{roomId}/users/{userId}", Get, "DfChatGetMember", "One member; the user id may be 'me'.", Tag);
        map.Patch("/rooms/{roomId}/users/{userId}", Update, "DfChatUpdateMember", "Changes a membership: muted and lastSeenAt by the member itself, permissions by the owner.", Tag)
            .WithMetadata(new DfChatRequestBody(typeof(UpdateMemberRequest), "application/json"));
        map.Delete("/rooms/{roomId}/users/{userId}", Remove, "DfChatRemoveMember", "Removes a member (can_remove_users), or leaves.", Tag);
    }

    private static async Task<Results<ChatOk<PageModel<MemberModel>>, ProblemHttpResult>> List(
        HttpContext http, IChatMemberService members, string roomId, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await members.ListAsync(ChatHttp.Caller(http), roomId, new PageRequest(take, cursor), cancellationToken));
    }

    private static async Task<Results<ChatCreated<MemberModel>, ProblemHttpResult>> Add(
        HttpContext http, IChatMemberService members, string roomId, CancellationToken cancellationToken)
    {
        var (body, problem) = await ChatHttp.ReadBodyAsync<AddMemberRequest>(http.Request, cancellationToken);
        if (problem is not null)
            return problem;
        return ChatResults.Created(await members.AddAsync(ChatHttp.Caller(http), roomId, body!, cancellationToken), http.Request, m => m.UserId);
    }

    private static async Task<Results<ChatOk<MemberModel>, ProblemHttpResult>> Get(
        HttpContext http, IChatMemberService members, string roomId, string userId, CancellationToken cancellationToken) =>
        ChatResults.Ok(await members.GetAsync(ChatHttp.Caller(http), roomId, userId, cancellationToken));

    private static async Task<Results<ChatOk<MemberModel>, ProblemHttpResult>> Update(
        HttpContext http, IChatMemberService members, string roomId, string userId, CancellationToken cancellationToken)
    {
        var (body, problem) = await ChatHttp.ReadBodyAsync<UpdateMemberRequest>(http.Request, cancellationToken);
        if (problem is not null)
            return problem;
        return ChatResults.Ok(await members.UpdateAsync(ChatHttp.Caller(http), roomId, userId, body!, cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Remove(
        HttpContext http, IChatMemberService members, string roomId, string userId, CancellationToken cancellationToken) =>
        ChatResults.NoContent(await members.RemoveAsync(ChatHttp.Caller(http), roomId, userId, cancellationToken));
}
