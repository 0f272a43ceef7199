using DfChat.Models;
using DfChat.Services;

namespace DfChat.Services;

/// <summary>The host's users as the chat shows them.</summary>
internal sealed class UserService<TUser, TKey>(ChatStore<TUser, TKey> store) : IChatUserService
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
}
