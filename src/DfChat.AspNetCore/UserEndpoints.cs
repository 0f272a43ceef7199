using DfChat.Models;
using DfChat.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DfChat.AspNetCore;

/// <summary>Routes of the host's users: <c>/users/me</c> and user search.</summary>
internal static class UserEndpoints
{
    public static void Map(ChatRouteMapper map)
    {
        map.Get("/users/me", GetMe, "DfChatGetMe", "The caller.", "Users");
        map.Get("/users/{userId}", GetUser, "DfChatGetUser", "A user who shares a room with the caller, with its presence (online, lastActiveAt).", "Users");
        map.Get("/users", SearchUsers, "DfChatSearchUsers", "Users whose display name or user name contains the search, case-insensitive.", "Users");
    }

    /// <summary>The literal route wins over <c>/users/{userId}</c> and keeps its v1 answer <c>{ id, displayName }</c>.</summary>
    private static async Task<Results<ChatOk<UserModel>, ProblemHttpResult>> GetMe(HttpContext http, IChatUserService users, CancellationToken cancellationToken) =>
        ChatResults.Ok(await users.GetMeAsync(ChatHttp.Caller(http), cancellationToken));

    private static async Task<Results<ChatOk<UserPresenceModel>, ProblemHttpResult>> GetUser(HttpContext http, IChatUserService users, string userId, CancellationToken cancellationToken) =>
        ChatResults.Ok(await users.GetAsync(ChatHttp.Caller(http), userId, cancellationToken));

    private static async Task<Results<ChatOk<PageModel<UserModel>>, ProblemHttpResult>> SearchUsers(
        HttpContext http, IChatUserService users, string? search, string? limit, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await users.SearchAsync(ChatHttp.Caller(http), search, take, cancellationToken));
    }
}
