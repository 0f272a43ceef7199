using DfChat.Models;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Services;

/// <summary>The host's users as the chat shows them.</summary>
internal sealed class UserService<TUser, TKey>(ChatStore<TUser, TKey> store, IChatPresence presence) : IChatUserService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public async Task<ChatResult<UserModel>> GetMeAsync(string callerId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await store.Users.FindAsync(caller, cancellationToken) is { } me
            ? ChatResult<UserModel>.Ok(me)
            : ChatError.UserNotFound;
    }

    public async Task<ChatResult<PageModel<UserModel>>> SearchAsync(string callerId, string? search, int? limit, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (store.ValidatePage(new PageRequest(limit), "users", out var take, out _) is { } invalid)
            return invalid;
        var users = await store.Users.SearchAsync(caller, search, take, cancellationToken);
        return ChatResult<PageModel<UserModel>>.Ok(new PageModel<UserModel> { Items = users, NextCursor = null });
    }

    /// <summary>
    /// Presence is shown only to users who share a room: anyone else gets 404, as for a user that does not
    /// exist, so that neither existence nor activity leaks to strangers.
    /// </summary>
    public async Task<ChatResult<UserPresenceModel>> GetAsync(string callerId, string userId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        var target = caller;
        if (userId != "me" && !UserKey<TKey>.TryParse(userId, out target))
            return ChatError.NotFound("user");
        if (!target.Equals(caller))
        {
            var members = store.Members;
            var shares = await members.AnyAsync(
                mine => mine.UserId.Equals(caller) && members.Any(theirs => theirs.RoomId == mine.RoomId && theirs.UserId.Equals(target)),
                cancellationToken);
            if (!shares)
                return ChatError.NotFound("user");
        }

        if (await store.Users.FindAsync(target, cancellationToken) is not { } user)
            return target.Equals(caller) ? ChatError.UserNotFound : ChatError.NotFound("user");
        var (online, lastActiveAt) = await presence.GetAsync(user.Id, cancellationToken);
        return ChatResult<UserPresenceModel>.Ok(new UserPresenceModel
        {
            Id = user.Id,
            DisplayName = user.DisplayName,
            Online = online,
            LastActiveAt = lastActiveAt,
        });
    }
}
