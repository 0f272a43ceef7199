using DfChat.Entities;
using DfChat.Models;
using DfChat.Options;
using DfChat.Rules;
using DfChat.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DfChat.Services;

/// <summary>
/// The chat's reads over one DbContext (the request's, or a write batch's): the tables, room access,
/// paging, and the batch builders of the wire models, so that a page costs a fixed number of queries
/// whatever its size. Writes go through <see cref="Writes.RoomWrites{TUser, TKey}"/>.
/// </summary>
internal sealed class ChatStore<TUser, TKey>(
    IChatDbContextProvider contextProvider,
    IOptionsMonitor<DfChatOptions> options,
    ChatUserDirectory<TUser, TKey> users,
    ChatReadQueries<TUser, TKey> queries,
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

    public DbSet<ChatRoomBan<TKey>> Bans => Db.Set<ChatRoomBan<TKey>>();

    public DbSet<ChatUserBlock<TKey>> Blocks => Db.Set<ChatUserBlock<TKey>>();

    public DbSet<ChatRoomInvite<TKey>> Invites => Db.Set<ChatRoomInvite<TKey>>();

    public DbSet<ChatMessageReport<TKey>> Reports => Db.Set<ChatMessageReport<TKey>>();

    public DbSet<ChatMessagePin<TKey>> Pins => Db.Set<ChatMessagePin<TKey>>();

    public DbSet<ChatMessageEdit> Edits => Db.Set<ChatMessageEdit>();

    public ChatUserDirectory<TUser, TKey> Users => users;

    /// <summary>Whether <paramref name="userId"/> is banned from the room at <paramref name="now"/> (<see cref="RoomRules.IsInForce"/>, in SQL).</summary>
    public Task<bool> IsBannedAsync(long roomId, TKey userId, DateTime now) =>
        Bans.AnyAsync(b => b.RoomId == roomId && b.UserId.Equals(userId) && (b.ExpiresAt == null || b.ExpiresAt > now), CancellationToken.None);

    /// <summary>Whether any of <paramref name="users"/> blocked <paramref name="caller"/>.</summary>
    public Task<bool> IsBlockedByAnyAsync(IReadOnlyCollection<TKey> users, TKey caller) =>
        users.Count == 0
            ? Task.FromResult(false)
            : Blocks.AnyAsync(b => b.BlockedUserId.Equals(caller) && users.Contains(b.UserId), CancellationToken.None);

    /// <summary>Whether another member of the room blocked <paramref name="caller"/>.</summary>
    public Task<bool> IsBlockedInRoomAsync(long roomId, TKey caller) =>
        Blocks.AnyAsync(b => b.BlockedUserId.Equals(caller) && Members.Any(m => m.RoomId == roomId && m.UserId.Equals(b.UserId)), CancellationToken.None);

    public DfChatOptions Options => options.CurrentValue;

    public static DateTime Truncate(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
        return new DateTime(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);
    }

    public static string Id(long id) => EntityId.Format(id);

    public static string Id(TKey key) => UserKey<TKey>.Format(key);

    /// <summary>A user reference that erasing may have set to null (string keys only).</summary>
    public static string? IdOrNull(TKey? key) => key is null ? null : UserKey<TKey>.Format(key);

    /// <summary>Uploads attached to no message and used as no room's avatar: what the unattached quota counts and the sweep removes once expired.</summary>
    public IQueryable<ChatMedia<TKey>> Unattached() =>
        Media.Where(m => !MessageMedia.Any(l => l.MediaId == m.Id) && !Rooms.Any(r => r.AvatarMediaId == m.Id));

    /// <summary>The room and the caller's membership, or null when the room does not exist or the caller may not read it.</summary>
    public async Task<RoomAccess<TKey>?> FindReadableAsync(string? roomId, TKey caller, CancellationToken cancellationToken)
    {
        if (!EntityId.TryParse(roomId, out var id))
            return null;
        var access = await queries.RoomAsync(Db, id, caller, cancellationToken);
        return access is not null && RoomRules.CanRead(access.Room, access.Member) ? access : null;
    }

    /// <summary>
    /// A page of the room's messages older than <paramref name="before"/>, newest first (or newer than
    /// <paramref name="after"/>, oldest first), with each author's display name and whether each message has
    /// media or reactions, in one statement compiled once (<see cref="ChatReadQueries{TUser, TKey}"/>). The
    /// statement returns nothing unless <paramref name="caller"/> may read the room (<see cref="RoomRules.CanRead"/>).
    /// <see cref="BuildPageAsync"/> then queries media and reactions only when there are some.
    /// </summary>
    public async Task<List<MessageRow<TKey>>> ReadablePageAsync(long roomId, TKey caller, long? before, long? after, int take, CancellationToken cancellationToken)
    {
        var rows = after is { } newer
            ? queries.After(Db, roomId, caller, newer, take)
            : queries.Before(Db, roomId, caller, before ?? long.MaxValue, take);
        var page = new List<MessageRow<TKey>>(take);
        await foreach (var row in rows.WithCancellation(cancellationToken))
            page.Add(row);
        return page;
    }

    /// <summary>
    /// Opens the context's connection until the result is disposed, so that a request's statements share it:
    /// EF Core otherwise opens and closes it around each one. A connection the host already opened stays open.
    /// </summary>
    public async Task<IAsyncDisposable> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        await Db.Database.OpenConnectionAsync(cancellationToken);
        return new ConnectionLease(Db);
    }

    private sealed class ConnectionLease(DbContext db) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await db.Database.CloseConnectionAsync();
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
        MentionCount = UnreadCounts.MentionsOf(member),
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
            CreatedBy = IdOrNull(m.CreatedBy),
            CreatedAt = m.CreatedAt,
        }).ToList();
    }

    public async Task<MemberModel> BuildMemberAsync(ChatRoomUser<TKey> member, CancellationToken cancellationToken) =>
        (await BuildMembersAsync([member], cancellationToken))[0];

    /// <summary>
    /// Builds messages of any rooms with their media, reaction counts and authors' names in at most three
    /// queries, whatever their number: media and reactions are read only when one of the messages may have some.
    /// </summary>
    public Task<List<MessageModel>> BuildMessagesAsync(IReadOnlyList<ChatMessage<TKey>> messages, TKey caller, CancellationToken cancellationToken)
    {
        var ids = messages.Select(m => m.Id).ToArray();
        return BuildAsync(
            messages,
            MessageMedia.Where(l => ids.Contains(l.MessageId)),
            Reactions.Where(r => ids.Contains(r.MessageId)),
            caller,
            cancellationToken);
    }

    /// <summary>
    /// Builds a page of one room's messages read by <see cref="ReadablePageAsync"/>. The page holds every
    /// message of the room between its first and last id, so media and reactions, when it has some, are read
    /// by that id range on the room's indexes: one statement each, whose SQL EF Core generates once (a list
    /// of ids is expanded into one parameter each, and its SQL generated again on every call).
    /// </summary>
    public async Task<List<MessageModel>> BuildPageAsync(long roomId, IReadOnlyList<MessageRow<TKey>> page, TKey caller, CancellationToken cancellationToken)
    {
        if (page.Count == 0)
            return [];
        var first = page.Min(r => r.Message.Id);
        var last = page.Max(r => r.Message.Id);
        var media = page.Any(r => MessageDetails.MayHaveMedia(r.Message))
            ? await MediaOfAsync(Messages.Where(m => m.RoomId == roomId && m.Id >= first && m.Id <= last)
                .Join(MessageMedia, m => m.Id, link => link.MessageId, (m, link) => link), cancellationToken)
            : EmptyMedia;
        var reactions = page.Any(r => MessageDetails.MayHaveReactions(r.Message))
            ? await ReactionCountsAsync(Reactions.Where(r => r.RoomId == roomId && r.MessageId >= first && r.MessageId <= last), caller, cancellationToken)
            : EmptyReactions;
        var pins = page.Any(r => r.Message.PinnedAt is not null)
            ? await PinsOfAsync(Pins.Where(p => p.RoomId == roomId && p.MessageId >= first && p.MessageId <= last), cancellationToken)
            : EmptyPins;
        var room = Id(roomId);
        return page.Select(r => ToModel(r.Message, room, r.AuthorName, media, reactions, pins)).ToList();
    }

    private async Task<List<MessageModel>> BuildAsync(
        IReadOnlyList<ChatMessage<TKey>> messages,
        IQueryable<ChatMessageMedia> links,
        IQueryable<ChatMessageReaction<TKey>> reactions,
        TKey caller,
        CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
            return [];
        var media = messages.Any(MessageDetails.MayHaveMedia) ? await MediaOfAsync(links, cancellationToken) : EmptyMedia;
        var counts = messages.Any(MessageDetails.MayHaveReactions) ? await ReactionCountsAsync(reactions, caller, cancellationToken) : EmptyReactions;
        var pinned = messages.Where(m => m.PinnedAt is not null).Select(m => m.Id).ToArray();
        var pins = pinned.Length > 0 ? await PinsOfAsync(Pins.Where(p => pinned.Contains(p.MessageId)), cancellationToken) : EmptyPins;
        var names = await users.DisplayNamesAsync(messages.Where(m => m.UserId is not null).Select(m => m.UserId!), cancellationToken);
        return messages.Select(m => ToModel(m, Id(m.RoomId), m.UserId is { } author ? names.GetValueOrDefault(author) : null, media, counts, pins)).ToList();
    }

    private static readonly Dictionary<long, ChatMessagePin<TKey>> EmptyPins = [];

    /// <summary>The pins of <paramref name="pins"/> by message.</summary>
    private static async Task<Dictionary<long, ChatMessagePin<TKey>>> PinsOfAsync(IQueryable<ChatMessagePin<TKey>> pins, CancellationToken cancellationToken) =>
        await pins.AsNoTracking().ToDictionaryAsync(p => p.MessageId, cancellationToken);

    private static readonly ILookup<long, MediaModel> EmptyMedia = Array.Empty<MediaModel>().ToLookup(m => 0L);

    private static readonly ILookup<long, ReactionCountModel> EmptyReactions = Array.Empty<ReactionCountModel>().ToLookup(r => 0L);

    /// <summary>The media of <paramref name="links"/> by message, in their order on the message.</summary>
    private async Task<ILookup<long, MediaModel>> MediaOfAsync(IQueryable<ChatMessageMedia> links, CancellationToken cancellationToken)
    {
        var attached = await (
            from link in links
            join media in Media on link.MediaId equals media.Id
            orderby link.MessageId, link.Sequence
            select new { link.MessageId, Media = media }).ToListAsync(cancellationToken);
        return attached.ToLookup(a => a.MessageId, a => ToModel(a.Media));
    }

    /// <summary>The reaction counts of <paramref name="reactions"/> by message, each reaction in the order it was first given.</summary>
    private static async Task<ILookup<long, ReactionCountModel>> ReactionCountsAsync(IQueryable<ChatMessageReaction<TKey>> reactions, TKey caller, CancellationToken cancellationToken)
    {
        var counts = await reactions
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
        return counts.OrderBy(c => c.First).ToLookup(
            c => c.MessageId,
            c => new ReactionCountModel { Reaction = c.Reaction, Count = c.Count, Me = c.Mine > 0 });
    }

    private static MessageModel ToModel(
        ChatMessage<TKey> m, string roomId, string? authorName, ILookup<long, MediaModel> media, ILookup<long, ReactionCountModel> reactions, Dictionary<long, ChatMessagePin<TKey>> pins) => new()
        {
            Id = Id(m.Id),
            RoomId = roomId,
            UserId = IdOrNull(m.UserId),
            User = m.UserId is { } author ? new UserModel { Id = Id(author), DisplayName = authorName ?? Id(author) } : null,
            Text = m.Text,
            Media = media[m.Id].ToArray(),
            Reactions = reactions[m.Id].ToArray(),
            ReplyToId = m.ReplyToId is { } reply ? Id(reply) : null,
            CreatedAt = m.CreatedAt,
            EditedAt = m.EditedAt,
            ThreadId = m.ThreadId is { } thread ? Id(thread) : null,
            ThreadReplyCount = m.ThreadReplyCount,
            ThreadLastReplyAt = m.ThreadLastReplyAt,
            Mentions = MessageDetails.MentionsOf(m),

            // A pin whose row is gone (its pinner's user was deleted) is no pin.
            PinnedAt = pins.GetValueOrDefault(m.Id)?.PinnedAt,
            PinnedBy = pins.GetValueOrDefault(m.Id) is { } pin ? Id(pin.PinnedBy) : null,
        };

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
            CreatedBy = IdOrNull(r.Room.CreatedBy),
            MemberCount = r.Room.MemberCount,
            LastMessage = r.Room.LastMessageId is { } last ? lastModels.GetValueOrDefault(Id(last)) : null,
            LastActivityAt = r.Room.LastActivityAt,
            LastSeq = r.Room.LastSeq,
            SlowModeSeconds = r.Room.SlowModeSeconds,
            Frozen = r.Room.Frozen,
            Membership = r.Member is null ? null : ToMembership(r.Room, r.Member),
        }).ToList();
    }

    public async Task<RoomModel> BuildRoomAsync(ChatRoom<TKey> room, ChatRoomUser<TKey>? member, TKey caller, CancellationToken cancellationToken) =>
        (await BuildRoomsAsync([(room, member)], caller, cancellationToken))[0];
}

/// <summary>A message read for a page (the columns its wire model shows), with its author's display name and whether it has media or reactions.</summary>
/// <typeparam name="TKey">The host's user key.</typeparam>
internal sealed class MessageRow<TKey>
    where TKey : IEquatable<TKey>
{
    public required ChatMessage<TKey> Message { get; init; }

    /// <summary>Null when the author has no display name (or no longer exists): the page shows the id.</summary>
    public string? AuthorName { get; init; }
}

/// <summary>What a message's row says about reading its media and reactions.</summary>
internal static class MessageDetails
{
    /// <summary>Its media must be read: it has some, or was stored before <see cref="ChatMessage{TUserKey}.HasMedia"/> existed (null).</summary>
    public static bool MayHaveMedia<TKey>(ChatMessage<TKey> message)
        where TKey : IEquatable<TKey> => message.HasMedia != false;

    /// <summary>Its reactions must be read: it has some, or was stored before <see cref="ChatMessage{TUserKey}.ReactionCount"/> existed (null).</summary>
    public static bool MayHaveReactions<TKey>(ChatMessage<TKey> message)
        where TKey : IEquatable<TKey> => message.ReactionCount != 0;

    /// <summary>The ids the message mentions, as stored with it.</summary>
    public static IReadOnlyList<string> MentionsOf<TKey>(ChatMessage<TKey> message)
        where TKey : IEquatable<TKey> =>
        message.Mentions is { } json ? System.Text.Json.JsonSerializer.Deserialize<string[]>(json) ?? [] : [];

    /// <summary>How <paramref name="mentions"/> are stored with a message: null for none.</summary>
    public static string? StoreMentions(IReadOnlyCollection<string> mentions) =>
        mentions.Count == 0 ? null : System.Text.Json.JsonSerializer.Serialize(mentions);
}
