using DfChat.Entities;
using DfChat.Models;
using DfChat.Options;
using DfChat.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DfChat;

/// <summary>
/// The chat's reads over one DbContext (the request's, or a write batch's): the tables, room access,
/// paging, and the batch builders of the wire models, so that a page costs a fixed number of queries
/// whatever its size. Writes go through <see cref="Writes.RoomWrites{TUser, TKey}"/>.
/// </summary>
internal sealed class ChatStore<TUser, TKey>(
    IChatDbContextProvider contextProvider,
    IOptionsMonitor<DfChatOptions> options,
    ChatUserDirectory<TUser, TKey> users,
    IChatLinkGenerator links)
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public DbContext Db => contextProvider.Context;

    public DbSet<ChatRoom<TKey>> Rooms => Db.Set<ChatRoom<TKey>>();

    public DbSet<ChatRoomUser<TKey>> Members => Db.Set<ChatRoomUser<TKey>>();

    public DbSet<ChatMessage<TKey>> Messages => Db.Set<ChatMessage<TKey>>();

    public DbSet<ChatMedia<TKey>> Media => Db.Set<ChatMedia<TKey>>();

    public DbSet<ChatMessageMedia> MessageMedia => Db.Set<ChatMessageMedia>();

    public DbSet<ChatMessageReaction<TKey>> Reactions => Db.Set<ChatMessageReaction<TKey>>();

    public ChatUserDirectory<TUser, TKey> Users => users;

    public DfChatOptions Options => options.CurrentValue;

    public static DateTime Truncate(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
        return new DateTime(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);
    }

    public static string Id(long id) => EntityId.Format(id);

    public static string Id(TKey key) => UserKey<TKey>.Format(key);

    /// <summary>Uploads attached to no message and used as no room's avatar: what the unattached quota counts and the sweep removes once expired.</summary>
    public IQueryable<ChatMedia<TKey>> Unattached() =>
        Media.Where(m => !MessageMedia.Any(l => l.MediaId == m.Id) && !Rooms.Any(r => r.AvatarMediaId == m.Id));

    /// <summary>The room and the caller's membership, or null when the room does not exist or the caller may not read it.</summary>
    public async Task<RoomAccess<TKey>?> FindReadableAsync(string? roomId, TKey caller, CancellationToken cancellationToken)
    {
        if (!EntityId.TryParse(roomId, out var id))
            return null;
        var row = await (
            from r in Rooms
            where r.Id == id
            from m in Members.Where(m => m.RoomId == r.Id && m.UserId.Equals(caller)).DefaultIfEmpty()
            select new { Room = r, Member = m }).AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        return row is not null && RoomRules.CanRead(row.Room, row.Member) ? new RoomAccess<TKey>(row.Room, row.Member) : null;
    }

    public ChatError? ValidatePage(PageRequest page, string scope, out int limit, out Cursor? cursor)
    {
        limit = page.Limit ?? Options.DefaultPageSize;
        cursor = null;
        if (limit < 1 || limit > Options.MaxPageSize)
            return ChatError.Invalid("limit", $"limit must be between 1 and {Options.MaxPageSize}.");
        if (page.Cursor is null)
            return null;
        if (!Cursor.TryDecode(page.Cursor, scope, out var decoded))
            return ChatError.Invalid("cursor", "The cursor is not one this list returned.");
        cursor = decoded;
        return null;
    }

    /// <summary>Takes <paramref name="limit"/> of <paramref name="rows"/> (fetched as limit + 1) and the cursor after the last.</summary>
    public static (List<T> Page, string? Next) Paginate<T>(List<T> rows, int limit, string scope, Func<T, (long Ticks, long Id)> position)
    {
        if (rows.Count <= limit)
            return (rows, null);
        rows.RemoveRange(limit, rows.Count - limit);
        var (ticks, id) = position(rows[^1]);
        return (rows, Cursor.Encode(scope, ticks, id));
    }

    public MediaModel ToModel(ChatMedia<TKey> media) => new()
    {
        Id = Id(media.Id),
        ContentType = media.ContentType,
        FileName = media.FileName,
        Size = media.Size,
        Url = links.MediaContent(Id(media.Id)),
        CreatedAt = media.CreatedAt,
    };

    public static ReactionModel ToModel(ChatMessageReaction<TKey> reaction) => new()
    {
        Id = Id(reaction.Id),
        RoomId = Id(reaction.RoomId),
        MessageId = Id(reaction.MessageId),
        UserId = Id(reaction.UserId),
        Reaction = reaction.Reaction,
        CreatedAt = reaction.CreatedAt,
    };

    public static MembershipModel ToMembership(ChatRoom<TKey> room, ChatRoomUser<TKey> member) => new()
    {
        IsOwner = member.IsOwner,
        Permissions = ChatPermissionNames.ToNames(RoomRules.PermissionsOf(member)),
        Muted = member.Muted,
        LastSeenAt = member.LastSeenAt,
        UnreadCount = UnreadCounts.Of(room, member),
    };

    public async Task<List<MemberModel>> BuildMembersAsync(IReadOnlyList<ChatRoomUser<TKey>> members, CancellationToken cancellationToken)
    {
        var names = await users.DisplayNamesAsync(members.Select(m => m.UserId), cancellationToken);
        return members.Select(m => new MemberModel
        {
            RoomId = Id(m.RoomId),
            UserId = Id(m.UserId),
            DisplayName = names.GetValueOrDefault(m.UserId) ?? Id(m.UserId),
            IsOwner = m.IsOwner,
            Permissions = ChatPermissionNames.ToNames(RoomRules.PermissionsOf(m)),
            Muted = m.Muted,
            LastSeenAt = m.LastSeenAt,
            CreatedBy = Id(m.CreatedBy),
            CreatedAt = m.CreatedAt,
        }).ToList();
    }

    public async Task<MemberModel> BuildMemberAsync(ChatRoomUser<TKey> member, CancellationToken cancellationToken) =>
        (await BuildMembersAsync([member], cancellationToken))[0];

    /// <summary>Builds messages with their media and reaction counts in two queries, whatever their number.</summary>
    public async Task<List<MessageModel>> BuildMessagesAsync(IReadOnlyList<ChatMessage<TKey>> messages, TKey caller, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
            return [];
        var ids = messages.Select(m => m.Id).ToArray();
        var roomId = messages[0].RoomId;
        var sameRoom = messages.All(m => m.RoomId == roomId);

        var attached = await (
            from link in MessageMedia
            where (!sameRoom || link.RoomId == roomId) && ids.Contains(link.MessageId)
            join media in Media on link.MediaId equals media.Id
            orderby link.MessageId, link.Sequence
            select new { link.MessageId, Media = media }).ToListAsync(cancellationToken);
        var mediaByMessage = attached.ToLookup(a => a.MessageId, a => ToModel(a.Media));

        var counts = await Reactions
            .Where(r => (!sameRoom || r.RoomId == roomId) && ids.Contains(r.MessageId))
            .GroupBy(r => new { r.MessageId, r.Reaction })
            .Select(g => new
            {
                g.Key.MessageId,
                g.Key.Reaction,
                Count = g.Count(),
                Mine = g.Sum(r => r.UserId.Equals(caller) ? 1 : 0),
                First = g.Min(r => r.Id),
            })
            .ToListAsync(cancellationToken);
        var reactionsByMessage = counts.OrderBy(c => c.First).ToLookup(
            c => c.MessageId,
            c => new ReactionCountModel { Reaction = c.Reaction, Count = c.Count, Me = c.Mine > 0 });
        var authors = await users.DisplayNamesAsync(messages.Select(m => m.UserId), cancellationToken);

        return messages.Select(m => new MessageModel
        {
            Id = Id(m.Id),
            RoomId = Id(m.RoomId),
            UserId = Id(m.UserId),
            User = new UserModel { Id = Id(m.UserId), DisplayName = authors.GetValueOrDefault(m.UserId) ?? Id(m.UserId) },
            Text = m.Text,
            Media = mediaByMessage[m.Id].ToArray(),
            Reactions = reactionsByMessage[m.Id].ToArray(),
            ReplyToId = m.ReplyToId is { } reply ? Id(reply) : null,
            CreatedAt = m.CreatedAt,
            EditedAt = m.EditedAt,
        }).ToList();
    }

    public async Task<MessageModel> BuildMessageAsync(ChatMessage<TKey> message, TKey caller, CancellationToken cancellationToken) =>
        (await BuildMessagesAsync([message], caller, cancellationToken))[0];

    /// <summary>Builds rooms with their last message, avatar and the caller's membership in a fixed number of queries.</summary>
    public async Task<List<RoomModel>> BuildRoomsAsync(IReadOnlyList<(ChatRoom<TKey> Room, ChatRoomUser<TKey>? Member)> rooms, TKey caller, CancellationToken cancellationToken)
    {
        if (rooms.Count == 0)
            return [];
        var lastIds = rooms.Where(r => r.Room.LastMessageId is not null).Select(r => r.Room.LastMessageId!.Value).ToArray();
        var lastMessages = lastIds.Length == 0 ? [] : await Messages.Where(m => lastIds.Contains(m.Id)).ToListAsync(cancellationToken);
        var lastModels = (await BuildMessagesAsync(lastMessages, caller, cancellationToken)).ToDictionary(m => m.Id);

        var avatarIds = rooms.Where(r => r.Room.AvatarMediaId is not null).Select(r => r.Room.AvatarMediaId!.Value).Distinct().ToArray();
        var avatars = avatarIds.Length == 0 ? [] : await Media.Where(m => avatarIds.Contains(m.Id)).ToListAsync(cancellationToken);
        var avatarUrls = avatars.ToDictionary(a => a.Id, a => links.MediaContent(Id(a.Id)));

        return rooms.Select(r => new RoomModel
        {
            Id = Id(r.Room.Id),
            Type = ChatPermissionNames.ToName(r.Room.Type),
            Name = r.Room.Name,
            Description = r.Room.Description,
            IsPublic = r.Room.IsPublic,
            AvatarUrl = r.Room.AvatarMediaId is { } avatar ? avatarUrls.GetValueOrDefault(avatar) : null,
            CreatedAt = r.Room.CreatedAt,
            CreatedBy = Id(r.Room.CreatedBy),
            MemberCount = r.Room.MemberCount,
            LastMessage = r.Room.LastMessageId is { } last ? lastModels.GetValueOrDefault(Id(last)) : null,
            LastActivityAt = r.Room.LastActivityAt,
            LastSeq = r.Room.LastSeq,
            Membership = r.Member is null ? null : ToMembership(r.Room, r.Member),
        }).ToList();
    }

    public async Task<RoomModel> BuildRoomAsync(ChatRoom<TKey> room, ChatRoomUser<TKey>? member, TKey caller, CancellationToken cancellationToken) =>
        (await BuildRoomsAsync([(room, member)], caller, cancellationToken))[0];
}
