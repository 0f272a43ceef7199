using DfChat.Entities;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Services;

/// <summary>Which rooms users are members of, read for the real-time layer's registry of local connections.</summary>
/// <remarks>
/// Reads only, no rules: the hub loads a user's rooms once when the user's first connection opens on
/// a node, and afterwards follows the membership events; it reloads them after missing events.
/// </remarks>
internal interface IChatMembershipQueries
{
    /// <summary>The user id as the chat writes it in events and payloads, or null when it is not a key of the host's user type.</summary>
    string? CanonicalUserId(string userId);

    /// <summary>The ids of the rooms <paramref name="userId"/> is a member of, in one query.</summary>
    Task<IReadOnlyList<string>> RoomIdsOfUserAsync(string userId, CancellationToken cancellationToken);

    /// <summary>The ids of the rooms each of <paramref name="userIds"/> is a member of, in one query; users in no room are absent.</summary>
    Task<IReadOnlyDictionary<string, List<string>>> RoomIdsOfUsersAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken);

    /// <summary>The users each of <paramref name="userIds"/> blocked, in one query; users who blocked nobody are absent.</summary>
    Task<IReadOnlyDictionary<string, List<string>>> BlockedByUsersAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, List<string>>>(new Dictionary<string, List<string>>());
}

/// <summary>Reads memberships from the host's DbContext, through the (user, activity, room) index of the member table.</summary>
internal sealed class ChatMembershipQueries<TUser, TKey>(IChatDbContextProvider contextProvider) : IChatMembershipQueries
    where TUser : class
    where TKey : IEquatable<TKey>
{
    private DbSet<ChatRoomUser<TKey>> Members => contextProvider.Context.Set<ChatRoomUser<TKey>>();

    private DbSet<ChatUserBlock<TKey>> Blocks => contextProvider.Context.Set<ChatUserBlock<TKey>>();

    public async Task<IReadOnlyDictionary<string, List<string>>> BlockedByUsersAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        var keys = Keys(userIds);
        var rows = await Blocks.AsNoTracking().Where(b => keys.Contains(b.UserId))
            .Select(b => new { b.UserId, b.BlockedUserId }).ToListAsync(cancellationToken);
        var blocked = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var user = UserKey<TKey>.Format(row.UserId);
            if (!blocked.TryGetValue(user, out var list))
                blocked[user] = list = [];
            list.Add(UserKey<TKey>.Format(row.BlockedUserId));
        }

        return blocked;
    }

    private static List<TKey> Keys(IReadOnlyCollection<string> userIds)
    {
        var keys = new List<TKey>(userIds.Count);
        foreach (var userId in userIds)
        {
            if (UserKey<TKey>.TryParse(userId, out var key))
                keys.Add(key);
        }

        return keys;
    }

    public string? CanonicalUserId(string userId) =>
        UserKey<TKey>.TryParse(userId, out var key) ? UserKey<TKey>.Format(key) : null;

    public async Task<IReadOnlyList<string>> RoomIdsOfUserAsync(string userId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(userId, out var key))
            return [];
        var rooms = await Members.AsNoTracking().Where(m => m.UserId.Equals(key)).Select(m => m.RoomId).ToListAsync(cancellationToken);
        return rooms.ConvertAll(EntityId.Format);
    }

    public async Task<IReadOnlyDictionary<string, List<string>>> RoomIdsOfUsersAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        var keys = new List<TKey>(userIds.Count);
        foreach (var userId in userIds)
        {
            if (UserKey<TKey>.TryParse(userId, out var key))
                keys.Add(key);
        }

        var rows = await Members.AsNoTracking().Where(m => keys.Contains(m.UserId))
            .Select(m => new { m.UserId, m.RoomId }).ToListAsync(cancellationToken);
        var rooms = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var user = UserKey<TKey>.Format(row.UserId);
            if (!rooms.TryGetValue(user, out var list))
                rooms[user] = list = [];
            list.Add(EntityId.Format(row.RoomId));
        }

        return rooms;
    }
}
