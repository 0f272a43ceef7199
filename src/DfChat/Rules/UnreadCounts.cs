using System.Linq.Expressions;
using DfChat.Entities;
using DfChat.Services;
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
/// <para>
/// Thread replies (API.md §8) are not in the room's list nor its unread count: they take no number and
/// change no count. Mention counts follow the same rule (unread messages that mention the member) and live
/// here too: each membership keeps its own <see cref="ChatRoomUser{TUserKey}.MentionCount"/>, which a send,
/// an edit or a delete of a message mentioning it moves by one when the message is unread for it, and a
/// read recounts from the unread messages' own <see cref="ChatMessage{TUserKey}.Mentions"/>, in the scan that
/// recounts them: a mention costs a send no row of its own.
/// </para>
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
        member.MentionCount = 0;
        Saw(room, now);
    }

    /// <summary>The member's mention count.</summary>
    public static int MentionsOf<TKey>(ChatRoomUser<TKey> member)
        where TKey : IEquatable<TKey> => Math.Max(member.MentionCount, 0);

    /// <summary>
    /// The mentions of <paramref name="mentioned"/> that count for them: only a top-level message's, and never
    /// its author's own (its own message is never unread for it).
    /// </summary>
    public static List<TKey> CountingMentions<TKey>(ChatMessage<TKey> message, IEnumerable<TKey> mentioned)
        where TKey : IEquatable<TKey> =>
        message.ThreadId is null ? mentioned.Where(u => !u.Equals(message.UserId)).Distinct().ToList() : [];

    /// <summary>
    /// A top-level message mentions <paramref name="added"/> from now on (a send, before it is saved, or an edit):
    /// the count of each of them for whom the message is unread grows by one. They are memberships read under the
    /// room's lock and tracked, so the change is saved with the write's other rows (a batch of sends moves each
    /// membership once, in its one save).
    /// </summary>
    public static void Mentioned<TKey>(ChatMessage<TKey> message, IEnumerable<ChatRoomUser<TKey>> added)
        where TKey : IEquatable<TKey>
    {
        foreach (var member in added)
        {
            if (member.RoomId == message.RoomId && member.LastSeenAt < message.CreatedAt)
                member.MentionCount++;
        }
    }

    /// <summary>
    /// A top-level message no longer mentions <paramref name="dropped"/> (an edit, or its delete): the count of each
    /// of them for whom the message was unread shrinks by one.
    /// </summary>
    public static async Task UnmentionedAsync<TKey>(DbContext db, ChatMessage<TKey> message, IReadOnlyCollection<TKey> dropped, CancellationToken cancellationToken)
        where TKey : IEquatable<TKey>
    {
        if (dropped.Count == 0)
            return;
        await CountMentionAsync(db, message.RoomId, dropped, message.CreatedAt, -1, cancellationToken);
    }

    /// <summary>Moves the mention count of the members of <paramref name="users"/> whose read position is before <paramref name="at"/>.</summary>
    private static async Task CountMentionAsync<TKey>(DbContext db, long roomId, IReadOnlyCollection<TKey> users, DateTime at, int delta, CancellationToken cancellationToken)
        where TKey : IEquatable<TKey>
    {
        var ids = users.ToArray();
        await db.Set<ChatRoomUser<TKey>>().Where(m => m.RoomId == roomId && ids.Contains(m.UserId) && m.LastSeenAt < at)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.MentionCount, m => m.MentionCount + delta), cancellationToken);

        // As in ExcludeAsync: a membership this transaction tracks must see the statement's change.
        foreach (var entry in db.ChangeTracker.Entries<ChatRoomUser<TKey>>())
        {
            var member = entry.Entity;
            if (entry.State is EntityState.Unchanged or EntityState.Modified && member.RoomId == roomId && member.LastSeenAt < at && users.Contains(member.UserId))
            {
                entry.Property(m => m.MentionCount).OriginalValue += delta;
                member.MentionCount += delta;
            }
        }
    }

    /// <summary>
    /// Numbers a new top-level message and keeps every count exact: the sender's own message never counts for it,
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

    /// <summary>A deleted top-level message stops counting for every member it counted for (its mentions go with <see cref="UnmentionedAsync"/>).</summary>
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

        // The unread messages are read for their thread and author already; counting those that mention the member
        // in the same scan costs the read little, and spares every send a row per mention.
        var (first, later) = MessageDetails.MentionPatterns(UserKey<TKey>.Format(user));
        var counts = await messages.Where(m => m.CreatedAt > seenAt && m.ThreadId == null && !m.UserId!.Equals(user))
            .GroupBy(m => 1)
            .Select(g => new
            {
                Unread = g.Count(),
                Mentions = g.Count(m => m.Mentions != null && (m.Mentions.Contains(first) || m.Mentions.Contains(later))),
            })
            .FirstOrDefaultAsync(cancellationToken);
        member.LastSeenAt = seenAt;
        member.ReadNumber = readNumber;
        member.ReadExclusions = room.LastMessageNumber - readNumber - (counts?.Unread ?? 0);
        member.MentionCount = counts?.Mentions ?? 0;
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
