using DfChat.Models;
using DfChat.Services;

namespace DfChat;

/// <summary>The host's users as the chat shows them.</summary>
internal sealed class UserService<TUser, TKey>(ChatStore<TUser, TKey> store) : IChatUserService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public async Task<ChatResult<UserModel>> GetMeAsync(string callerId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        var names = await store.Users.DisplayNamesAsync([caller], cancellationToken);
        if ((await store.Users.ExistingAsync([caller], cancellationToken)).Count == 0)
            return ChatError.UserNotFound;
        return ChatResult<UserModel>.Ok(new UserModel { Id = callerId, DisplayName = names.GetValueOrDefault(caller) ?? callerId });
    }

    public async Task<ChatResult<PageModel<UserModel>>> SearchAsync(string callerId, string? search, int? limit, CancellationToken cancellationToken)
    {
        if (store.ValidatePage(new PageRequest(limit), "users", out var take, out _) is { } invalid)
            return invalid;
        var users = await store.Users.SearchAsync(search, take, cancellationToken);
        return ChatResult<PageModel<UserModel>>.Ok(new PageModel<UserModel> { Items = users, NextCursor = null });
    }
}
