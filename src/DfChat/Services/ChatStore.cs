using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DfChat;

/// <summary>A room as one caller sees it: the room and the caller's membership, if any.</summary>
internal sealed record RoomAccess<TKey>(ChatRoom<TKey> Room, ChatRoomUser<TKey>? Member)
    where TKey : IEquatable<TKey>
{
    public ChatPermissions Permissions => Member is null ? ChatPermissions.None
        : Member.IsOwner ? ChatPermissions.All : Member.Permissions;

    public bool Has(ChatPermissions permission) => (Permissions & permission) == permission;
}

/// <summary>
/// What every chat service shares: the host's DbContext, the clock, the write path (single writer
/// on SQLite, one transaction, events after commit), room access, and the batch builders of the
/// wire models, so that a page costs a fixed number of queries whatever its size.
/// </summary>
internal sealed class ChatStore<TUser, TKey>(
    IChatDbContextProvider contextProvider,
    ChatWriteGate writeGate,
    TimeProvider clock,
    IOptionsMonitor<DfChatOptions> options,
    ChatUserDirectory<TUser, TKey> users,
    IChatLinkGenerator links,
    ChatEventPublisher events)
    where TUser : class
    where TKey : IEquatable<TKey>
{
    private readonly List<ChatEvent> _pendingEvents = [];

    public DbContext Db => contextProvider.Context;

    public DbSet<ChatRoom<TKey>> Rooms => Db.Set<ChatRoom<TKey>>();

    public DbSet<ChatRoomUser<TKey>> Members => Db.Set<ChatRoomUser<TKey>>();

    public DbSet<ChatMessage<TKey>> Messages => Db.Set<ChatMessage<TKey>>();

    public DbSet<ChatMedia<TKey>> Media => Db.Set<ChatMedia<TKey>>();

    public DbSet<ChatMessageMedia> MessageMedia => Db.Set<ChatMessageMedia>();

    public DbSet<ChatMessageReaction<TKey>> Reactions => Db.Set<ChatMessageReaction<TKey>>();

    public ChatUserDirectory<TUser, TKey> Users => users;

    public DfChatOptions Options => options.CurrentValue;

    /// <summary>Now, truncated to microseconds: what PostgreSQL stores, so an instant reads back exactly as it was written.</summary>
    public DateTime Now() => Truncate(clock.GetUtcNow().UtcDateTime);

    public static DateTime Truncate(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
        return new DateTime(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);
    }

    public static string Id(long id) => EntityId.Format(id);

    public static string Id(TKey key) => UserKey<TKey>.Format(key);

    /// <summary>The room and the caller's membership, or null when the room does not exist or the caller may not read it.</summary>
    public async Task<RoomAccess<TKey>?> FindReadableAsync(string? roomId, TKey caller, CancellationToken cancellationToken)
    {
        if (!EntityId.TryParse(roomId, out var id))
            return null;
        var row = await (
            from r in Rooms
            where r.Id == id
            from m in Members.Where(m => m.RoomId == r.Id && m.UserId.Equals(caller)).DefaultIfEmpty()
            select new { Room = r, Member = m }).FirstOrDefaultAsync(cancellationToken);
        if (row is null || (row.Member is null && !row.Room.IsPublic))
            return null;
        return new RoomAccess<TKey>(row.Room, row.Member);
    }

    /// <summary>403 unless the caller is a member holding <paramref name="permission"/>.</summary>
    public static ChatError? Require(RoomAccess<TKey> access, ChatPermissions permission, string action)
    {
        if (access.Member is null)
            return ChatError.Forbidden($"Join the room to {action}.");
        return access.Has(permission)
            ? null
            : ChatError.Forbidden($"You need {string.Join(", ", ChatPermissionNames.ToNames(permission))} to {action}.");
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

    /// <summary>Queues an event to publish once the current write commits.</summary>
    public void Raise(string name, long roomId, object payload, TKey actor, IReadOnlyList<string>? userIds = null) =>
        _pendingEvents.Add(Event(name, roomId, payload, actor) with { UserIds = userIds ?? [] });

    /// <summary>
    /// Runs <paramref name="work"/> as one transaction (inside the host's, when it has one open), under
    /// the single-writer gate on SQLite; commits only on success, then publishes the queued events.
    /// </summary>
    public async Task<ChatResult<T>> WriteAsync<T>(Func<Task<ChatResult<T>>> work, CancellationToken cancellationToken)
    {
        ChatResult<T> result;
        using (await writeGate.EnterAsync(Db, cancellationToken))
        {
            if (Db.Database.CurrentTransaction is not null)
            {
                result = await work();
            }
            else
            {
                try
                {
                    result = await Db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
                    {
                        _pendingEvents.Clear();
                        await using var transaction = await Db.Database.BeginTransactionAsync(ct);
                        var outcome = await work();
                        if (outcome.Succeeded)
                            await transaction.CommitAsync(ct);
                        return outcome;
                    }, cancellationToken);
                }
                catch
                {
                    _pendingEvents.Clear();
                    Db.ChangeTracker.Clear();
                    throw;
                }
            }
        }

        var raised = _pendingEvents.ToArray();
        _pendingEvents.Clear();
        if (!result.Succeeded)
        {
            Db.ChangeTracker.Clear();
            return result;
        }

        await PublishAsync(raised, cancellationToken);
        return result;
    }

    /// <summary>Publishes events with the recipients of their rooms as committed, one query per room.</summary>
    public async Task PublishAsync(IReadOnlyList<ChatEvent> raised, CancellationToken cancellationToken)
    {
        var audiences = new Dictionary<string, (ChatRecipient[] Recipients, bool IsPublic)>();
        foreach (var chatEvent in raised)
        {
            if (!audiences.TryGetValue(chatEvent.RoomId, out var audience))
            {
                var roomId = long.Parse(chatEvent.RoomId, System.Globalization.CultureInfo.InvariantCulture);
                var members = await Members.AsNoTracking().Where(m => m.RoomId == roomId)
                    .Select(m => new { m.UserId, m.Muted }).ToListAsync(cancellationToken);
                var isPublic = await Rooms.AnyAsync(r => r.Id == roomId && r.IsPublic, cancellationToken);
                audience = (members.Select(m => new ChatRecipient(Id(m.UserId), m.Muted)).ToArray(), isPublic);
                audiences[chatEvent.RoomId] = audience;
            }

            await events.PublishAsync(chatEvent with { Recipients = audience.Recipients, RoomIsPublic = audience.IsPublic }, cancellationToken);
        }
    }

    /// <summary>Builds an event outside a write (typing).</summary>
    public static ChatEvent Event(string name, long roomId, object payload, TKey actor) =>
        new() { Name = name, RoomId = Id(roomId), Payload = payload, ActorId = Id(actor) };

    /// <summary>
    /// Adds <paramref name="delta"/> to the room's member count in one <c>UPDATE</c>, so that joins, adds
    /// and leaves of different users racing on PostgreSQL all count (a read-modify-write of the tracked
    /// room loses all but one), then reloads <paramref name="room"/> with the new count.
    /// </summary>
    public async Task AddToMemberCountAsync(ChatRoom<TKey> room, int delta, CancellationToken cancellationToken)
    {
        await Rooms.Where(r => r.Id == room.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.MemberCount, r => r.MemberCount + delta), cancellationToken);
        await Db.Entry(room).ReloadAsync(cancellationToken);
    }

    /// <summary>Locks the room's row until the transaction ends, so that sends, deletes and reads of one room apply in one order (PostgreSQL; SQLite has one writer anyway).</summary>
    public Task LockRoomAsync(long roomId, CancellationToken cancellationToken) =>
        Rooms.Where(r => r.Id == roomId).ExecuteUpdateAsync(s => s.SetProperty(r => r.MemberCount, r => r.MemberCount), cancellationToken);

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

    public static MembershipModel ToMembership(ChatRoomUser<TKey> member) => new()
    {
        IsOwner = member.IsOwner,
        Permissions = ChatPermissionNames.ToNames(member.IsOwner ? ChatPermissions.All : member.Permissions),
        Muted = member.Muted,
        LastSeenAt = member.LastSeenAt,
        UnreadCount = member.UnreadCount,
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
            Permissions = ChatPermissionNames.ToNames(m.IsOwner ? ChatPermissions.All : m.Permissions),
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

        return messages.Select(m => new MessageModel
        {
            Id = Id(m.Id),
            RoomId = Id(m.RoomId),
            UserId = Id(m.UserId),
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
            Membership = r.Member is null ? null : ToMembership(r.Member),
        }).ToList();
    }

    public async Task<RoomModel> BuildRoomAsync(ChatRoom<TKey> room, ChatRoomUser<TKey>? member, TKey caller, CancellationToken cancellationToken) =>
        (await BuildRoomsAsync([(room, member)], caller, cancellationToken))[0];

    /// <summary>Counts the messages a member has not read: by others, after its read position (deleted ones are gone from the table).</summary>
    public Task<int> CountUnreadAsync(long roomId, TKey userId, DateTime lastSeenAt, CancellationToken cancellationToken) =>
        Messages.CountAsync(m => m.RoomId == roomId && m.CreatedAt > lastSeenAt && !m.UserId.Equals(userId), cancellationToken);

    /// <summary>A new membership with the type's defaults, read position now.</summary>
    public static ChatRoomUser<TKey> NewMember(ChatRoom<TKey> room, TKey userId, TKey createdBy, ChatPermissions? permissions, bool isOwner, DateTime now) => new()
    {
        RoomId = room.Id,
        UserId = userId,
        IsOwner = isOwner,
        Permissions = isOwner ? ChatPermissions.All : permissions ?? DefaultPermissions(room.Type),
        LastSeenAt = now,
        RoomLastActivityAt = room.LastActivityAt,
        CreatedBy = createdBy,
        CreatedAt = now,
    };

    public static ChatPermissions DefaultPermissions(ChatRoomType type) => type switch
    {
        ChatRoomType.PrivateMessages => ChatPermissions.CreateMessages | ChatPermissions.EditOwnMessages
            | ChatPermissions.DeleteOwnMessages | ChatPermissions.DeleteRoom,
        ChatRoomType.Group => ChatPermissions.CreateMessages | ChatPermissions.AddUsers
            | ChatPermissions.EditOwnMessages | ChatPermissions.DeleteOwnMessages,
        _ => ChatPermissions.AddUsers,
    };
}
