using System.Linq.Expressions;
using DfChat.Entities;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Rules;

/// <summary>
/// The upkeep of unread counts (API.md §3: messages of the room created after the member's
/// <c>lastSeenAt</c>, excluding its own and deleted ones), in one place.
/// </summary>
/// <remarks>
/// Messages are numbered per room. A membership keeps the number it has read up to and how many
/// messages after that number do not count (its own, deleted ones), so that
/// <c>unread = room.LastMessageNumber − ReadNumber − ReadExclusions</c>. A send then writes only its
/// sender's membership, whatever the size of the room; a delete and a read touch the memberships they
/// change. Every one of these runs under the room's lock (see the write pipeline), so they apply in one
/// order and the count stays exact under any concurrency.
/// </remarks>
internal static class UnreadCounts
{
    /// <summary>The member's unread count.</summary>
    public static int Of<TKey>(ChatRoom<TKey> room, ChatRoomUser<TKey> member)
        where TKey : IEquatable<TKey> =>
        (int)Math.Clamp(room.LastMessageNumber - member.ReadNumber - member.ReadExclusions, 0, int.MaxValue);

    /// <summary>A new member has read everything up to the moment it joined.</summary>
    public static void Joined<TKey>(ChatRoom<TKey> room, ChatRoomUser<TKey> member, DateTime now)
        where TKey : IEquatable<TKey>
    {
        member.LastSeenAt = now;
        member.ReadNumber = room.LastMessageNumber;
        member.ReadExclusions = 0;
        Saw(room, now);
    }

    /// <summary>
    /// Numbers a new message and keeps every count exact: the sender's own message never counts for it,
    /// nor for a member whose read position is already at or after the message's time.
    /// </summary>
    public static async Task MessageSentAsync<TKey>(DbContext db, ChatRoom<TKey> room, ChatRoomUser<TKey> sender, ChatMessage<TKey> message, CancellationToken cancellationToken)
        where TKey : IEquatable<TKey>
    {
        room.LastMessageNumber++;
        message.Number = room.LastMessageNumber;
        sender.ReadExclusions++;

        // Rare: a member who set its read position ahead of time has read this message already.
        var at = message.CreatedAt;
        if (room.LatestLastSeenAt < at)
            return;
        var author = message.UserId;
        await ExcludeAsync<TKey>(db, room.Id, m => m.LastSeenAt >= at && !m.UserId.Equals(author), cancellationToken);
    }

    /// <summary>A deleted message stops counting for every member it counted for.</summary>
    public static Task MessageDeletedAsync<TKey>(DbContext db, ChatMessage<TKey> message, CancellationToken cancellationToken)
        where TKey : IEquatable<TKey>
    {
        var (author, at) = (message.UserId, message.CreatedAt);
        return ExcludeAsync<TKey>(db, message.RoomId, m => m.LastSeenAt < at && !m.UserId.Equals(author), cancellationToken);
    }

    /// <summary>Moves the read position and recounts this member's unread messages, once, here.</summary>
    public static async Task ReadUntilAsync<TKey>(DbContext db, ChatRoom<TKey> room, ChatRoomUser<TKey> member, DateTime seenAt, CancellationToken cancellationToken)
        where TKey : IEquatable<TKey>
    {
        var messages = db.Set<ChatMessage<TKey>>().Where(m => m.RoomId == room.Id);
        var user = member.UserId;
        var readNumber = await messages.Where(m => m.CreatedAt <= seenAt).MaxAsync(m => (long?)m.Number, cancellationToken) ?? 0;
        var unread = await messages.CountAsync(m => m.CreatedAt > seenAt && !m.UserId!.Equals(user), cancellationToken);
        member.LastSeenAt = seenAt;
        member.ReadNumber = readNumber;
        member.ReadExclusions = room.LastMessageNumber - readNumber - unread;
        Saw(room, seenAt);
    }

    /// <summary>One more message stops counting for the members of the room that <paramref name="excluded"/> selects.</summary>
    private static async Task ExcludeAsync<TKey>(DbContext db, long roomId, Expression<Func<ChatRoomUser<TKey>, bool>> excluded, CancellationToken cancellationToken)
        where TKey : IEquatable<TKey>
    {
        await db.Set<ChatRoomUser<TKey>>().Where(m => m.RoomId == roomId).Where(excluded)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ReadExclusions, m => m.ReadExclusions + 1), cancellationToken);

        // The statement bypasses the change tracker: a membership this transaction has already read (a
        // sender of the same batch) must see it too, or saving its own change would write the old count back.
        var applies = excluded.Compile();
        foreach (var entry in db.ChangeTracker.Entries<ChatRoomUser<TKey>>())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Modified && entry.Entity.RoomId == roomId && applies(entry.Entity))
            {
                entry.Property(m => m.ReadExclusions).OriginalValue++;
                entry.Entity.ReadExclusions++;
            }
        }
    }

    private static void Saw<TKey>(ChatRoom<TKey> room, DateTime seenAt)
        where TKey : IEquatable<TKey>
    {
        if (seenAt > room.LatestLastSeenAt)
            room.LatestLastSeenAt = seenAt;
    }
}
