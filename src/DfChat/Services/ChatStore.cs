using DfChat.Entities;
using DfChat.Models;
using DfChat.Options;
using DfChat.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DfChat.Services;

/// <summary>
/// The chat's reads over one DbContext (the request's, or a write batch's). This file holds its tables and
/// the helpers every part uses; who may read what is in <c>ChatStore.Access.cs</c>, keyset paging in
/// <c>ChatStore.Paging.cs</c>, and the batch builders of the wire models (a page costs a fixed number of
/// queries whatever its size) in <c>ChatStore.Models.cs</c>. Writes go through <see cref="Writes.RoomWrites{TUser, TKey}"/>.
/// </summary>
internal sealed partial class ChatStore<TUser, TKey>(
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
}
