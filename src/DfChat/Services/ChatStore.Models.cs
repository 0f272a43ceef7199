using DfChat.Entities;
using DfChat.Models;
using DfChat.Options;
using DfChat.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DfChat.Services;

/// <summary>The part of <see cref="ChatStore{TUser, TKey}"/> that builds the wire models, for many rows at once in a fixed number of queries.</summary>
internal sealed partial class ChatStore<TUser, TKey>
    where TUser : class
    where TKey : IEquatable<TKey>
{
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
            ? await PinsOfPageAsync(roomId, first, last, cancellationToken)
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

    /// <summary>
    /// The pins of a page by message, by its id range, in a statement compiled once: as an ordinary LINQ query it
    /// cost more than the page's own statement to prepare on every call (its expression tree rebuilt, its
    /// parameters extracted, its SQL looked up; docs/BENCHMARKS.md, issue 22's page at one connection).
    /// </summary>
    private async Task<Dictionary<long, ChatMessagePin<TKey>>> PinsOfPageAsync(long roomId, long first, long last, CancellationToken cancellationToken)
    {
        var pins = new Dictionary<long, ChatMessagePin<TKey>>();
        await foreach (var pin in queries.Pins(Db, roomId, first, last).WithCancellation(cancellationToken))
            pins.Add(pin.MessageId, pin);
        return pins;
    }

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
