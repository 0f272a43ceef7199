using DfChat.Entities;
using DfChat.Rules;
using DfChat.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Writes;

/// <summary>
/// The chat's one write path, as the services use it: a write in a room runs in that room's lane, in a
/// transaction that has locked the room first and read the caller's membership inside it, so that every
/// rule is checked against the state the write will change.
/// </summary>
/// <example>
/// <code>
/// return await writes.InRoomAsync(caller, roomId, async w =>
/// {
///     if (RoomRules.Require(w.Access, ChatPermissions.CreateMessages, "post") is { } refused)
///         return refused;
///     // apply, then w.Record(ChatEventNames.MessageCreated, model);
/// }, cancellationToken);
/// </code>
/// </example>
internal sealed class RoomWrites<TUser, TKey>(IChatDbContextProvider request, ChatWriteQueue queue, IChatWritePartition partition, TimeProvider clock)
    where TUser : class
    where TKey : IEquatable<TKey>
{
    /// <summary>
    /// Runs <paramref name="work"/> on the room <paramref name="roomId"/>, locked and re-read; 404 when it
    /// does not exist or the caller may not read it (never 403: existence does not leak). The memberships of
    /// <c>mentioned</c>, users the write will look up (<see cref="RoomWrite{TUser, TKey}.MembersAsync"/>), are read
    /// with the batch's other members.
    /// </summary>
    public Task<ChatResult<T>> InRoomAsync<T>(TKey caller, string? roomId, Func<RoomWrite<TUser, TKey>, Task<ChatResult<T>>> work, CancellationToken cancellationToken, IReadOnlyList<TKey>? mentioned = null)
    {
        if (!EntityId.TryParse(roomId, out var id))
            return Task.FromResult<ChatResult<T>>(ChatError.RoomNotFound);
        return RunAsync(WriteLanes.Room(request.Context, id), new WriteHint(id, caller, mentioned), async batch =>
            await EnterAsync(batch, id, caller) is { } write ? await work(write) : ChatError.RoomNotFound, cancellationToken);
    }

    /// <summary>
    /// Like <see cref="InRoomAsync"/>, for a caller who may not read the room yet and is let in by
    /// <paramref name="work"/> itself (one accepting an invitation); 404 only when the room does not exist.
    /// </summary>
    public Task<ChatResult<T>> InRoomAsInviteeAsync<T>(TKey caller, long roomId, Func<RoomWrite<TUser, TKey>, Task<ChatResult<T>>> work, CancellationToken cancellationToken) =>
        RunAsync(WriteLanes.Room(request.Context, roomId), new WriteHint(roomId, caller), async batch =>
            await EnterAsync(batch, roomId, caller, invitee: true) is { } write ? await work(write) : ChatError.RoomNotFound, cancellationToken);

    /// <summary>
    /// Like <see cref="InRoomAsync"/>, for a write that only adds rows (a send): <paramref name="prepare"/>
    /// checks and adds without saving, and returns what to do once the batch has saved the rows of all
    /// its prepared writes together (see <see cref="ChatWriteQueue.RunPreparedAsync"/>).
    /// </summary>
    public Task<ChatResult<T>> PrepareInRoomAsync<T>(TKey caller, string? roomId, Func<RoomWrite<TUser, TKey>, Task<ChatResult<AfterSave<T>>>> prepare, CancellationToken cancellationToken, IReadOnlyList<TKey>? mentioned = null)
    {
        if (!EntityId.TryParse(roomId, out var id))
            return Task.FromResult<ChatResult<T>>(ChatError.RoomNotFound);
        async Task<ChatResult<AfterSave<T>>> PrepareAsync(WriteBatch batch) =>
            await EnterAsync(batch, id, caller) is { } write ? await prepare(write) : ChatError.RoomNotFound;

        if (request.Context.Database.CurrentTransaction is not null)
        {
            return queue.RunInHostTransactionAsync(request.Context, async batch =>
            {
                var prepared = await PrepareAsync(batch);
                if (!prepared.Succeeded)
                    return prepared.Error!;
                await batch.Db.SaveChangesAsync(CancellationToken.None);
                return prepared.Value!();
            }, cancellationToken);
        }

        return queue.RunPreparedAsync(Lane(WriteLanes.Room(request.Context, id)), new WriteHint(id, caller, mentioned), PrepareAsync);
    }

    /// <summary>
    /// Locks and reads the room, then the caller's membership (read once for every writer of the batch in
    /// this room, with the members they mention); null when the room does not exist or the caller may not read it.
    /// </summary>
    private async Task<RoomWrite<TUser, TKey>?> EnterAsync(WriteBatch batch, long roomId, TKey caller, bool invitee = false)
    {
        var room = await batch.LockRoomAsync<TKey>(roomId, CancellationToken.None);
        if (room is null)
            return null;
        var store = batch.Services.GetRequiredService<ChatStore<TUser, TKey>>();
        var members = await BatchMembers<TKey>.ReadAsync(batch, roomId, RoomWrite<TUser, TKey>.UsersOf(batch, roomId, caller), store);
        var member = members.Found.GetValueOrDefault(caller);
        if (!invitee && !RoomRules.CanRead(room, member?.Member))
            return null;
        return new RoomWrite<TUser, TKey>(batch, store, room, member?.Member, caller, member?.DisplayName, Now(room));
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the room <paramref name="roomId"/>, locked and re-read, on the chat's own
    /// behalf (erasing a user): no caller, so no access check and no membership; its events carry an empty
    /// actor. <see cref="ChatError.RoomNotFound"/> when the room is gone.
    /// </summary>
    public Task<ChatResult<T>> InRoomAsChatAsync<T>(long roomId, Func<RoomWrite<TUser, TKey>, Task<ChatResult<T>>> work, CancellationToken cancellationToken) =>
        RunAsync(WriteLanes.Room(request.Context, roomId), null, async batch =>
        {
            if (await batch.LockRoomAsync<TKey>(roomId, CancellationToken.None) is not { } room)
                return ChatError.RoomNotFound;
            var store = batch.Services.GetRequiredService<ChatStore<TUser, TKey>>();
            var write = new RoomWrite<TUser, TKey>(batch, store, room, null, default!, null, Now(room), actorId: "");
            var result = await work(write);

            // Memberships read for the batch's other writes may have changed.
            batch.ForgetReads();
            return result;
        }, cancellationToken);

    /// <summary>Runs <paramref name="work"/>, which creates a room: nothing to lock yet.</summary>
    public Task<ChatResult<T>> NewRoomAsync<T>(Func<NewRoomWrite<TUser, TKey>, Task<ChatResult<T>>> work, CancellationToken cancellationToken) =>
        RunAsync(WriteLanes.NewRooms(request.Context), null, batch =>
            work(new NewRoomWrite<TUser, TKey>(batch, batch.Services.GetRequiredService<ChatStore<TUser, TKey>>(), Now(null))), cancellationToken);

    /// <summary>Runs <paramref name="work"/>, which writes outside any room (an upload).</summary>
    public Task<ChatResult<T>> OutsideRoomsAsync<T>(Func<ChatStore<TUser, TKey>, Task<ChatResult<T>>> work, CancellationToken cancellationToken) =>
        RunAsync(WriteLanes.Media(request.Context), null, batch => work(batch.Services.GetRequiredService<ChatStore<TUser, TKey>>()), cancellationToken);

    /// <summary>Inside a transaction the host opened, the chat's writes join it; otherwise they queue in their lane.</summary>
    private Task<ChatResult<T>> RunAsync<T>(string lane, WriteHint? hint, Func<WriteBatch, Task<ChatResult<T>>> work, CancellationToken cancellationToken) =>
        request.Context.Database.CurrentTransaction is not null
            ? queue.RunInHostTransactionAsync(request.Context, work, cancellationToken)
            : queue.RunAsync(Lane(lane), work, hint);

    /// <summary><paramref name="lane"/> of the request's write partition, read in the request's own scope before the write is queued.</summary>
    private string Lane(string lane) => WriteLanes.InPartition(lane, partition.Current);

    /// <summary>
    /// Now, truncated to microseconds (what PostgreSQL stores, so that an instant reads back exactly),
    /// and never before the room's newest message: a room's messages are numbered in time order.
    /// </summary>
    private DateTime Now(ChatRoom<TKey>? room)
    {
        var now = ChatStore<TUser, TKey>.Truncate(clock.GetUtcNow().UtcDateTime);
        return room is not null && room.LastActivityAt > now ? room.LastActivityAt : now;
    }
}

/// <summary>What a write in a room sees: the room (locked), the caller's membership (read under the lock), the time, and the outbox.</summary>
internal sealed class RoomWrite<TUser, TKey>(WriteBatch batch, ChatStore<TUser, TKey> store, ChatRoom<TKey> room, ChatRoomUser<TKey>? member, TKey caller, string? callerName, DateTime now, string? actorId = null)
    where TUser : class
    where TKey : IEquatable<TKey>
{
    /// <summary>Queries and models over this write's own DbContext.</summary>
    public ChatStore<TUser, TKey> Store => store;

    public DbContext Db => store.Db;

    public ChatRoom<TKey> Room => room;

    public ChatRoomUser<TKey>? Member => member;

    public RoomAccess<TKey> Access { get; } = new(room, member);

    public TKey Caller => caller;

    public DateTime Now => now;

    /// <summary>Records an event of the room with its next <c>seq</c>, in this transaction.</summary>
    public void Record(string type, object payload, IReadOnlyCollection<string>? userIds = null, IReadOnlyCollection<string>? filesToDelete = null) =>
        batch.Record(room, type, _ => payload, actorId ?? UserKey<TKey>.Format(caller), now, userIds, filesToDelete);

    /// <summary>
    /// Records an event whose payload carries <paramref name="messageId"/>'s content (its text): deleting
    /// that message redacts it (<see cref="MessageRedaction"/>). <paramref name="payload"/> gets the event's seq.
    /// </summary>
    public long Record(string type, long? messageId, Func<long, object> payload, IReadOnlyCollection<string>? filesToDelete = null) =>
        batch.Record(room, type, payload, actorId ?? UserKey<TKey>.Format(caller), now, filesToDelete: filesToDelete, messageId: messageId);

    /// <summary>
    /// Redacts the stored events that carry the content of <paramref name="messageIds"/>, messages of this
    /// room being deleted in this transaction (see <see cref="MessageRedaction"/>).
    /// </summary>
    public Task RedactAsync(IReadOnlyCollection<long> messageIds) =>
        MessageRedaction.RedactAsync(batch, room.Id, messageIds, CancellationToken.None);

    /// <summary>Saves the tracked changes, when the next step needs the ids they generate.</summary>
    public Task SaveAsync() => store.Db.SaveChangesAsync(CancellationToken.None);

    /// <summary>The caller's display name, read with its membership (a caller who is no member has no name here: it shows its id).</summary>
    public string CallerName => callerName ?? UserKey<TKey>.Format(caller);

    /// <summary>
    /// The memberships of <paramref name="users"/> in the room (those who are members), from what the batch read for
    /// all its writes when the write named them in advance, else read now; tracked, so that changing one saves it.
    /// </summary>
    public async Task<IReadOnlyList<ChatRoomUser<TKey>>> MembersAsync(IReadOnlyCollection<TKey> users)
    {
        if (users.Count == 0)
            return [];
        var batchMembers = await BatchMembers<TKey>.ReadAsync(batch, room.Id, UsersOf(batch, room.Id, caller), store);
        if (users.All(batchMembers.Asked.Contains))
            return users.Select(u => batchMembers.Found.GetValueOrDefault(u)?.Member).OfType<ChatRoomUser<TKey>>().ToList();
        var roomId = room.Id;
        return await store.Members.Where(m => m.RoomId == roomId && users.Contains(m.UserId)).ToListAsync(CancellationToken.None);
    }

    /// <summary>
    /// The users whose memberships the batch's writes in <paramref name="roomId"/> will look up: their callers,
    /// <paramref name="caller"/> first, and the users they mention.
    /// </summary>
    internal static List<TKey> UsersOf(WriteBatch batch, long roomId, TKey caller)
    {
        var users = new List<TKey> { caller };
        var known = new HashSet<TKey> { caller };
        foreach (var item in batch.Items)
        {
            if (item.Hint is not { } hint || hint.RoomId != roomId)
                continue;
            if (hint.Caller is TKey other && known.Add(other))
                users.Add(other);
            foreach (var mentioned in hint.Mentioned?.OfType<TKey>() ?? [])
            {
                if (known.Add(mentioned))
                    users.Add(mentioned);
            }
        }

        return users;
    }
}

/// <summary>What a write that creates a room sees.</summary>
internal sealed class NewRoomWrite<TUser, TKey>(WriteBatch batch, ChatStore<TUser, TKey> store, DateTime now)
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public ChatStore<TUser, TKey> Store => store;

    public DateTime Now => now;

    /// <summary>Saves the new room (to learn its id); it counts as locked by this transaction.</summary>
    public async Task SaveRoomAsync(ChatRoom<TKey> room)
    {
        store.Rooms.Add(room);
        await store.Db.SaveChangesAsync(CancellationToken.None);
        batch.Created(room);
    }

    public void Record(ChatRoom<TKey> room, TKey actor, string type, object payload, IReadOnlyCollection<string>? userIds = null) =>
        batch.Record(room, type, _ => payload, UserKey<TKey>.Format(actor), now, userIds);
}

/// <summary>The memberships a write batch read once for its writes in a room: whom it asked for, and those who are members.</summary>
/// <typeparam name="TKey">The host's user key.</typeparam>
internal sealed class BatchMembers<TKey>
    where TKey : IEquatable<TKey>
{
    private BatchMembers(HashSet<TKey> asked, Dictionary<TKey, BatchMember<TKey>> found) => (Asked, Found) = (asked, found);

    /// <summary>The users whose memberships were read.</summary>
    public HashSet<TKey> Asked { get; }

    /// <summary>Those of them who are members, with their display names.</summary>
    public Dictionary<TKey, BatchMember<TKey>> Found { get; }

    /// <summary>The memberships of <paramref name="users"/> in <paramref name="roomId"/>, read once for the batch (until it forgets its reads).</summary>
    public static Task<BatchMembers<TKey>> ReadAsync<TUser>(WriteBatch batch, long roomId, List<TKey> users, ChatStore<TUser, TKey> store)
        where TUser : class =>
        batch.ReadOnceAsync("members:" + roomId, async () =>
        {
            var inRoom = store.Members.Where(m => m.RoomId == roomId);

            // One user (a plain write alone): an equality. A list goes as one parameter (EF.Parameter), so that its
            // SQL is the same whatever its length and EF Core generates it once, not once per length.
            var one = users[0];
            var rows = await (users.Count == 1 ? inRoom.Where(m => m.UserId.Equals(one)) : inRoom.Where(m => EF.Parameter(users).Contains(m.UserId)))
                .Select(store.Users.WithDisplayName((ChatRoomUser<TKey> m, string? name) => new BatchMember<TKey> { Member = m, DisplayName = name }, m => m.UserId))
                .ToListAsync(CancellationToken.None);
            return new BatchMembers<TKey>([.. users], rows.ToDictionary(r => r.Member.UserId));
        });
}

/// <summary>A membership read by a write batch, with its user's display name.</summary>
/// <typeparam name="TKey">The host's user key.</typeparam>
internal sealed class BatchMember<TKey>
    where TKey : IEquatable<TKey>
{
    public required ChatRoomUser<TKey> Member { get; init; }

    public string? DisplayName { get; init; }
}
