using DfChat.Entities;
using DfChat.Models;
using DfChat.Services;
using DfChat.Writes;
using Microsoft.EntityFrameworkCore;

namespace DfChat;

/// <summary>
/// A user's blocks. What a block forbids is checked where the blocked user acts (<c>RoomRules.CanReach</c>:
/// creating a private room, adding to a room, posting in a shared private room); what the blocker
/// receives is filtered by the real-time layer, told of each change through <see cref="IChatBlockObserver"/>.
/// </summary>
internal sealed class BlockService<TUser, TKey>(ChatStore<TUser, TKey> store, RoomWrites<TUser, TKey> writes, IEnumerable<IChatBlockObserver> observers, TimeProvider clock) : IChatBlockService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public async Task<ChatResult<BlockModel>> BlockAsync(string callerId, UserIdRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (!UserKey<TKey>.TryParse(request.UserId, out var userId))
            return ChatError.Invalid("userId", "userId must be a user.");
        if (userId.Equals(caller))
            return ChatError.Invalid("userId", "You cannot block yourself.");
        if (await store.Users.FindAsync(userId, cancellationToken) is not { } user)
            return ChatError.Invalid("userId", "userId must be a user.");

        var result = await writes.OutsideRoomsAsync(async store =>
        {
            var block = await store.Blocks.FirstOrDefaultAsync(b => b.UserId.Equals(caller) && b.BlockedUserId.Equals(userId), CancellationToken.None);
            if (block is not null)
                return ChatResult<BlockModel>.Ok(ToModel(block, user.DisplayName));
            block = new ChatUserBlock<TKey> { UserId = caller, BlockedUserId = userId, CreatedAt = ChatStore<TUser, TKey>.Truncate(clock.GetUtcNow().UtcDateTime) };
            store.Blocks.Add(block);
            await store.Db.SaveChangesAsync(CancellationToken.None);
            return ChatResult<BlockModel>.New(ToModel(block, user.DisplayName));
        }, cancellationToken);
        if (result.Created)
            Notify(caller, userId, blocked: true);
        return result;
    }

    public async Task<ChatResult<PageModel<BlockModel>>> ListAsync(string callerId, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (store.ValidatePage(page, "blocks", out var limit, out var cursor) is { } invalid)
            return invalid;
        var query = store.Blocks.AsNoTracking().Where(b => b.UserId.Equals(caller));
        if (cursor is { } c)
            query = query.Where(b => b.Id > c.Id);
        var rows = await query.OrderBy(b => b.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, "blocks", b => (0, b.Id));
        var names = await store.Users.DisplayNamesAsync(items.Select(b => b.BlockedUserId), cancellationToken);
        return ChatResult<PageModel<BlockModel>>.Ok(new PageModel<BlockModel>
        {
            Items = items.ConvertAll(b => ToModel(b, names.GetValueOrDefault(b.BlockedUserId))),
            NextCursor = next,
        });
    }

    public async Task<ChatResult> UnblockAsync(string callerId, string userId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (!UserKey<TKey>.TryParse(userId, out var blocked))
            return ChatError.NotFound("block");
        var result = await writes.OutsideRoomsAsync(async store =>
        {
            var removed = await store.Blocks.Where(b => b.UserId.Equals(caller) && b.BlockedUserId.Equals(blocked)).ExecuteDeleteAsync(CancellationToken.None);
            return removed == 0 ? ChatError.NotFound("block") : ChatResult<bool>.Ok(true);
        }, cancellationToken);
        if (!result.Succeeded)
            return result.Error!;
        Notify(caller, blocked, blocked: false);
        return ChatResult.Ok;
    }

    private void Notify(TKey blocker, TKey blockedUser, bool blocked)
    {
        foreach (var observer in observers)
            observer.Changed(UserKey<TKey>.Format(blocker), UserKey<TKey>.Format(blockedUser), blocked);
    }

    private static BlockModel ToModel(ChatUserBlock<TKey> block, string? displayName) => new()
    {
        UserId = UserKey<TKey>.Format(block.BlockedUserId),
        DisplayName = displayName ?? UserKey<TKey>.Format(block.BlockedUserId),
        CreatedAt = block.CreatedAt,
    };
}

/// <summary>Told of every block and unblock once it is committed: the real-time layer stops or resumes delivering the blocked user's events to the blocker.</summary>
internal interface IChatBlockObserver
{
    /// <summary>
    /// <paramref name="blockerId"/> blocked (<paramref name="blocked"/> true) or unblocked
    /// <paramref name="blockedUserId"/>; ids as the chat writes them. Must return at once and never throw.
    /// </summary>
    void Changed(string blockerId, string blockedUserId, bool blocked);
}
