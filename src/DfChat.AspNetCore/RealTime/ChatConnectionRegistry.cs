using DfChat.Events;
using DfChat.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DfChat.AspNetCore.RealTime;

/// <summary>
/// This node's map of who should get which room's events: user → its connections here, room → the
/// users here who are its members, room → the connections here that watch it.
/// </summary>
/// <remarks>
/// <para>
/// A user's rooms are loaded with one query when its first connection on this node opens, and from
/// then on follow the membership events that every node receives (<see cref="Route"/>), so that an
/// added or removed member takes effect at once on every node without asking the database per event.
/// </para>
/// <para>
/// The connection is registered before the load starts, and the membership events that arrive while it
/// runs are recorded and replayed over its result: an event committed before the query is in the
/// result (an event reaches a node only after its commit), one committed after it is replayed, so
/// neither a <c>memberAdded</c> nor a <c>memberRemoved</c> racing the load is lost.
/// <see cref="ReloadAllAsync"/> does the same for every local user after the bus missed events.
/// </para>
/// One lock guards the maps; no I/O happens under it.
/// </remarks>
internal sealed partial class ChatConnectionRegistry(IServiceScopeFactory scopes, ILogger<ChatConnectionRegistry> logger) : IDisposable
{
    private const int ReloadBatchSize = 500;

    /// <summary>Beyond this many rooms, the last <c>seq</c> seen of each is forgotten and learnt again.</summary>
    private const int MaxTrackedRooms = 100_000;

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private readonly Dictionary<string, LocalUser> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LocalConnection> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _watchers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastSeq = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers a connection of <paramref name="userId"/> (canonical, as events write it) and returns once
    /// the user's rooms are known on this node; throws when they could not be loaded.
    /// </summary>
    public async Task AddConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken)
    {
        LocalUser user;
        TaskCompletionSource? load = null;
        lock (_gate)
        {
            if (!_users.TryGetValue(userId, out user!))
            {
                user = new LocalUser { ChangesWhileLoading = [], BlockChangesWhileLoading = [] };
                load = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                user.Loaded = load.Task;
                _users[userId] = user;
            }

            user.Connections.Add(connectionId);
            _connections[connectionId] = new LocalConnection(userId);
        }

        if (load is not null)
            _ = LoadAsync(userId, user, load);
        await user.Loaded.WaitAsync(cancellationToken);
    }

    /// <summary>Forgets a closed connection, its watches, and its user once it has no connection left here.</summary>
    public void RemoveConnection(string connectionId)
    {
        lock (_gate)
        {
            if (!_connections.Remove(connectionId, out var connection))
                return;
            foreach (var roomId in connection.Watching)
                RemoveFrom(_watchers, roomId, connectionId);
            if (!_users.TryGetValue(connection.UserId, out var user))
                return;
            user.Connections.Remove(connectionId);
            if (user.Connections.Count == 0)
                ForgetUser(connection.UserId, user);
        }
    }

    /// <summary>Sends the events of <paramref name="roomId"/> (canonical) to the connection while the room is public.</summary>
    public void Watch(string connectionId, string roomId)
    {
        lock (_gate)
        {
            if (!_connections.TryGetValue(connectionId, out var connection) || !connection.Watching.Add(roomId))
                return;
            AddTo(_watchers, roomId, connectionId);
        }
    }

    /// <summary>Stops sending the events of <paramref name="roomId"/> (canonical) to a connection that watched it.</summary>
    public void Unwatch(string connectionId, string roomId)
    {
        lock (_gate)
        {
            if (_connections.TryGetValue(connectionId, out var connection) && connection.Watching.Remove(roomId))
                RemoveFrom(_watchers, roomId, connectionId);
        }
    }

    /// <summary>
    /// The connections of this node that get <paramref name="chatEvent"/>: its room's members, the users it
    /// concerns, and the room's watchers while it is public. Then applies the event's membership change,
    /// so that a removed member gets its own <c>memberRemoved</c> and nothing after it.
    /// </summary>
    public IReadOnlyCollection<string> Route(ChatBusEvent chatEvent)
    {
        lock (_gate)
        {
            if (chatEvent.Name is ChatBusEvent.Blocked or ChatBusEvent.Unblocked)
            {
                SetBlocked(chatEvent.UserIds[0], chatEvent.UserIds[1], chatEvent.Name == ChatBusEvent.Blocked);
                return [];
            }

            var targets = new HashSet<string>(StringComparer.Ordinal);
            var members = _members.GetValueOrDefault(chatEvent.RoomId);
            if (members is not null)
            {
                foreach (var userId in members)
                {
                    // Moderation (API.md §9): a blocker gets nothing new from the user it blocked.
                    var user = _users[userId];
                    if (!user.HasBlocked(chatEvent.ActorId) || chatEvent.Name == ChatEventNames.RoomDeleted)
                        targets.UnionWith(user.Connections);
                }
            }

            foreach (var userId in chatEvent.UserIds)
            {
                if (_users.TryGetValue(userId, out var user))
                    targets.UnionWith(user.Connections);
            }

            if (chatEvent.RoomIsPublic && _watchers.TryGetValue(chatEvent.RoomId, out var watchers))
            {
                foreach (var connectionId in watchers)
                {
                    if (!_users.TryGetValue(_connections[connectionId].UserId, out var watcher) || !watcher.HasBlocked(chatEvent.ActorId))
                        targets.Add(connectionId);
                }
            }

            Apply(chatEvent, members);
            return targets;
        }
    }

    /// <summary>
    /// The connections of this node whose users are members of any of <paramref name="roomIds"/>, except
    /// <paramref name="aboutUserId"/>'s own and those of users who blocked them (API.md §9: a blocker gets
    /// nothing new about the user it blocked).
    /// </summary>
    public IReadOnlyCollection<string> ConnectionsOfMembers(IEnumerable<string> roomIds, string aboutUserId)
    {
        lock (_gate)
        {
            var targets = new HashSet<string>(StringComparer.Ordinal);
            foreach (var roomId in roomIds)
            {
                if (!_members.TryGetValue(roomId, out var members))
                    continue;
                foreach (var userId in members)
                {
                    var user = _users[userId];
                    if (userId != aboutUserId && !user.HasBlocked(aboutUserId))
                        targets.UnionWith(user.Connections);
                }
            }

            return targets;
        }
    }

    /// <summary>
    /// Reloads the rooms of every user connected here, a few hundred users per query: after the bus lost
    /// events (a Redis outage), the membership events among them are lost too.
    /// </summary>
    public Task ReloadAllAsync(CancellationToken cancellationToken) => ReloadAsync(roomId: null, cancellationToken);

    /// <summary>
    /// Reloads the rooms of the users here who are members of <paramref name="roomId"/> (canonical), after
    /// an event of that room was lost on its way here: if it was their <c>memberRemoved</c>, the database
    /// says so, and they get nothing more of the room.
    /// </summary>
    public Task ReloadRoomAsync(string roomId, CancellationToken cancellationToken) => ReloadAsync(roomId, cancellationToken);

    /// <summary>
    /// Notes the <c>seq</c> of <paramref name="chatEvent"/> and tells whether an earlier event of its room
    /// never reached this node (a number was skipped) while the room has members here.
    /// </summary>
    /// <remarks>
    /// A node learns a room's numbers from the first event of it that it sees, so a loss before that goes
    /// unnoticed here; the users connected since then loaded their rooms from the database anyway. Events
    /// of one room committed on two nodes may also cross on the backplane: that costs one needless reload.
    /// </remarks>
    public bool MissedBefore(ChatBusEvent chatEvent)
    {
        if (chatEvent.Seq <= 0)
            return false;
        lock (_gate)
        {
            var known = _lastSeq.TryGetValue(chatEvent.RoomId, out var last);
            if (!known && _lastSeq.Count >= MaxTrackedRooms)
                _lastSeq.Clear();
            if (!known || chatEvent.Seq > last)
                _lastSeq[chatEvent.RoomId] = chatEvent.Seq;
            return known && chatEvent.Seq > last + 1 && _members.ContainsKey(chatEvent.RoomId);
        }
    }

    /// <summary>The connections here of the room's members.</summary>
    public IReadOnlyCollection<string> LocalConnectionsOfRoom(string roomId)
    {
        lock (_gate)
        {
            var targets = new HashSet<string>(StringComparer.Ordinal);
            foreach (var userId in _members.GetValueOrDefault(roomId) ?? [])
                targets.UnionWith(_users[userId].Connections);
            return targets;
        }
    }

    private async Task ReloadAsync(string? roomId, CancellationToken cancellationToken)
    {
        await _reloading.WaitAsync(cancellationToken);
        try
        {
            List<(string Id, LocalUser User)> users = [];
            lock (_gate)
            {
                var candidates = roomId is null ? _users.Keys : (IEnumerable<string>?)_members.GetValueOrDefault(roomId) ?? [];
                foreach (var userId in candidates)
                {
                    var user = _users[userId];

                    // A user still in its first load gets fresh rooms from it.
                    if (user.ChangesWhileLoading is not null)
                        continue;
                    user.ChangesWhileLoading = [];
                    user.BlockChangesWhileLoading = [];
                    users.Add((userId, user));
                }
            }

            var done = 0;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var queries = scope.ServiceProvider.GetRequiredService<IChatMembershipQueries>();
                for (; done < users.Count; done += ReloadBatchSize)
                {
                    var batch = users.GetRange(done, Math.Min(ReloadBatchSize, users.Count - done));
                    var rooms = await queries.RoomIdsOfUsersAsync(batch.ConvertAll(u => u.Id), cancellationToken);
                    var blocked = await queries.BlockedByUsersAsync(batch.ConvertAll(u => u.Id), cancellationToken);
                    lock (_gate)
                    {
                        foreach (var (userId, user) in batch)
                            CompleteLoad(userId, user, rooms.GetValueOrDefault(userId) ?? [], blocked.GetValueOrDefault(userId));
                    }
                }

                if (roomId is null)
                    LogReloaded(logger, users.Count);
            }
            finally
            {
                // Users not reached keep the rooms they had and follow events again.
                lock (_gate)
                {
                    for (var i = done; i < users.Count; i++)
                    {
                        users[i].User.ChangesWhileLoading = null;
                        users[i].User.BlockChangesWhileLoading = null;
                    }
                }
            }
        }
        finally
        {
            _reloading.Release();
        }
    }

    public void Dispose() => _reloading.Dispose();

    private async Task LoadAsync(string userId, LocalUser user, TaskCompletionSource load)
    {
        try
        {
            IReadOnlyList<string> rooms;
            IReadOnlyDictionary<string, List<string>> blocked;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var queries = scope.ServiceProvider.GetRequiredService<IChatMembershipQueries>();
                rooms = await queries.RoomIdsOfUserAsync(userId, CancellationToken.None);
                blocked = await queries.BlockedByUsersAsync([userId], CancellationToken.None);
            }

            lock (_gate)
                CompleteLoad(userId, user, rooms, blocked.GetValueOrDefault(userId));
            load.SetResult();
        }
        catch (Exception e)
        {
            LogLoadFailed(logger, e, userId);
            lock (_gate)
            {
                // The waiting connections fail and close; the next connection of the user loads afresh.
                if (_users.TryGetValue(userId, out var current) && current == user)
                    ForgetUser(userId, user);
            }

            load.SetException(e);
        }
    }

    /// <summary>Sets the user's rooms to <paramref name="loaded"/> plus the membership changes that arrived meanwhile.</summary>
    private void CompleteLoad(string userId, LocalUser user, IEnumerable<string> loaded, IEnumerable<string>? blocked = null)
    {
        var changes = user.ChangesWhileLoading;
        user.ChangesWhileLoading = null;
        var blockChanges = user.BlockChangesWhileLoading;
        user.BlockChangesWhileLoading = null;
        if (!_users.TryGetValue(userId, out var current) || current != user)
            return;

        var blocks = new HashSet<string>(blocked ?? [], StringComparer.Ordinal);
        foreach (var (other, isBlocked) in blockChanges ?? [])
        {
            if (isBlocked)
                blocks.Add(other);
            else
                blocks.Remove(other);
        }

        user.Blocked = blocks;

        var rooms = new HashSet<string>(loaded, StringComparer.Ordinal);
        foreach (var (roomId, isMember) in changes ?? [])
        {
            if (isMember)
                rooms.Add(roomId);
            else
                rooms.Remove(roomId);
        }

        foreach (var roomId in user.Rooms)
        {
            if (!rooms.Contains(roomId))
                RemoveFrom(_members, roomId, userId);
        }

        foreach (var roomId in rooms)
            AddTo(_members, roomId, userId);
        user.Rooms = rooms;
    }

    private void Apply(ChatBusEvent chatEvent, HashSet<string>? members)
    {
        switch (chatEvent.Name)
        {
            case ChatEventNames.MemberAdded:
                foreach (var userId in chatEvent.UserIds)
                    SetMember(userId, chatEvent.RoomId, true);
                break;
            case ChatEventNames.MemberRemoved:
                foreach (var userId in chatEvent.UserIds)
                    SetMember(userId, chatEvent.RoomId, false);
                break;
            case ChatEventNames.RoomDeleted:
                foreach (var userId in chatEvent.UserIds.Concat(members?.ToArray() ?? []))
                    SetMember(userId, chatEvent.RoomId, false);
                _lastSeq.Remove(chatEvent.RoomId);
                if (_watchers.Remove(chatEvent.RoomId, out var watchers))
                {
                    foreach (var connectionId in watchers)
                        _connections[connectionId].Watching.Remove(chatEvent.RoomId);
                }

                break;
        }
    }

    private void SetMember(string userId, string roomId, bool isMember)
    {
        if (!_users.TryGetValue(userId, out var user))
            return;
        user.ChangesWhileLoading?.Add((roomId, isMember));
        if (isMember && user.Rooms.Add(roomId))
            AddTo(_members, roomId, userId);
        else if (!isMember && user.Rooms.Remove(roomId))
            RemoveFrom(_members, roomId, userId);
    }

    private void SetBlocked(string blockerId, string blockedUserId, bool blocked)
    {
        if (!_users.TryGetValue(blockerId, out var user))
            return;
        user.BlockChangesWhileLoading?.Add((blockedUserId, blocked));
        if (blocked)
            user.Blocked.Add(blockedUserId);
        else
            user.Blocked.Remove(blockedUserId);
    }

    private void ForgetUser(string userId, LocalUser user)
    {
        _users.Remove(userId);
        foreach (var roomId in user.Rooms)
            RemoveFrom(_members, roomId, userId);
    }

    private static void AddTo(Dictionary<string, HashSet<string>> map, string key, string value)
    {
        if (!map.TryGetValue(key, out var set))
            map[key] = set = new HashSet<string>(StringComparer.Ordinal);
        set.Add(value);
    }

    private static void RemoveFrom(Dictionary<string, HashSet<string>> map, string key, string value)
    {
        if (map.TryGetValue(key, out var set) && set.Remove(value) && set.Count == 0)
            map.Remove(key);
    }

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Could not load the rooms of user {UserId}: its new connection is closed.")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string userId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Reloaded the rooms of the {Count} users connected to this node.")]
    private static partial void LogReloaded(ILogger logger, int count);

    private sealed class LocalUser
    {
        public HashSet<string> Connections { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Rooms { get; set; } = new(StringComparer.Ordinal);

        /// <summary>While the rooms are being loaded, the membership changes that arrived meanwhile, in order; null otherwise.</summary>
        public List<(string RoomId, bool IsMember)>? ChangesWhileLoading { get; set; }

        /// <summary>The users this one blocked: their events are not delivered to it.</summary>
        public HashSet<string> Blocked { get; set; } = new(StringComparer.Ordinal);

        /// <summary>While the blocks are being loaded, the block changes that arrived meanwhile, in order; null otherwise.</summary>
        public List<(string UserId, bool IsBlocked)>? BlockChangesWhileLoading { get; set; }

        public bool HasBlocked(string? actorId) => actorId is not null && Blocked.Count > 0 && Blocked.Contains(actorId);

        public Task Loaded { get; set; } = Task.CompletedTask;
    }

    private sealed class LocalConnection(string userId)
    {
        public string UserId { get; } = userId;

        public HashSet<string> Watching { get; } = new(StringComparer.Ordinal);
    }
}
