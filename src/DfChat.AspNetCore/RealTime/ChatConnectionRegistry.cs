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

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private readonly Dictionary<string, LocalUser> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LocalConnection> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _watchers = new(StringComparer.Ordinal);

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
                user = new LocalUser { ChangesWhileLoading = [] };
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
            var targets = new HashSet<string>(StringComparer.Ordinal);
            var members = _members.GetValueOrDefault(chatEvent.RoomId);
            if (members is not null)
            {
                foreach (var userId in members)
                    targets.UnionWith(_users[userId].Connections);
            }

            foreach (var userId in chatEvent.UserIds)
            {
                if (_users.TryGetValue(userId, out var user))
                    targets.UnionWith(user.Connections);
            }

            if (chatEvent.RoomIsPublic && _watchers.TryGetValue(chatEvent.RoomId, out var watchers))
                targets.UnionWith(watchers);

            Apply(chatEvent, members);
            return targets;
        }
    }

    /// <summary>The connections of this node whose users are members of any of <paramref name="roomIds"/>, except <paramref name="exceptUserId"/>'s.</summary>
    public IReadOnlyCollection<string> ConnectionsOfMembers(IEnumerable<string> roomIds, string exceptUserId)
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
                    if (userId != exceptUserId)
                        targets.UnionWith(_users[userId].Connections);
                }
            }

            return targets;
        }
    }

    /// <summary>
    /// Reloads the rooms of every user connected here, a few hundred users per query: after the bus lost
    /// events (a Redis outage), the membership events among them are lost too.
    /// </summary>
    public async Task ReloadAllAsync(CancellationToken cancellationToken)
    {
        await _reloading.WaitAsync(cancellationToken);
        try
        {
            List<(string Id, LocalUser User)> users = [];
            lock (_gate)
            {
                foreach (var (userId, user) in _users)
                {
                    // A user still in its first load gets fresh rooms from it.
                    if (user.ChangesWhileLoading is not null)
                        continue;
                    user.ChangesWhileLoading = [];
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
                    lock (_gate)
                    {
                        foreach (var (userId, user) in batch)
                            CompleteLoad(userId, user, rooms.GetValueOrDefault(userId) ?? []);
                    }
                }

                LogReloaded(logger, users.Count);
            }
            finally
            {
                // Users not reached keep the rooms they had and follow events again.
                lock (_gate)
                {
                    for (var i = done; i < users.Count; i++)
                        users[i].User.ChangesWhileLoading = null;
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
            await using (var scope = scopes.CreateAsyncScope())
                rooms = await scope.ServiceProvider.GetRequiredService<IChatMembershipQueries>().RoomIdsOfUserAsync(userId, CancellationToken.None);
            lock (_gate)
                CompleteLoad(userId, user, rooms);
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
    private void CompleteLoad(string userId, LocalUser user, IEnumerable<string> loaded)
    {
        var changes = user.ChangesWhileLoading;
        user.ChangesWhileLoading = null;
        if (!_users.TryGetValue(userId, out var current) || current != user)
            return;

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

        public Task Loaded { get; set; } = Task.CompletedTask;
    }

    private sealed class LocalConnection(string userId)
    {
        public string UserId { get; } = userId;

        public HashSet<string> Watching { get; } = new(StringComparer.Ordinal);
    }
}
