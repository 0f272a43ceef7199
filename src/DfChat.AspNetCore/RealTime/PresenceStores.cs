using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DfChat.AspNetCore.RealTime;

/// <summary>Where nodes count their users' connections, so that presence changes once across all nodes.</summary>
internal interface IPresenceStore
{
    /// <summary>Subscribes <paramref name="deliver"/> to the changes of every node, this one included.</summary>
    Task StartAsync(Func<PresenceChange, Task> deliver, CancellationToken cancellationToken);

    /// <summary>This node has the user now; true when no node had it (the user came online).</summary>
    Task<bool> ConnectAsync(string userId, CancellationToken cancellationToken);

    /// <summary>This node no longer has the user; true when no node has it any more (the user went offline at <paramref name="at"/>).</summary>
    Task<bool> DisconnectAsync(string userId, DateTime at, CancellationToken cancellationToken);

    /// <summary>Whether some node has the user, and when it went offline last.</summary>
    Task<(bool Online, DateTime? LastActiveAt)> GetAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Tells every node, this one included.</summary>
    Task PublishAsync(PresenceChange change, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the other nodes this one is alive (re-registering <paramref name="localUsers"/> if it had been
    /// counted dead), and takes offline the users of nodes silent for <paramref name="nodeTimeout"/>.
    /// </summary>
    Task<(IReadOnlyList<string> CameOnline, IReadOnlyList<(string UserId, DateTime At)> WentOffline)> HeartbeatAsync(
        IReadOnlyCollection<string> localUsers, TimeSpan nodeTimeout, CancellationToken cancellationToken);
}

/// <summary>A single node: this node's tracker is the whole count.</summary>
internal sealed class InMemoryPresenceStore : IPresenceStore
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _online = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _last = new(StringComparer.Ordinal);
    private Func<PresenceChange, Task>? _deliver;

    public Task StartAsync(Func<PresenceChange, Task> deliver, CancellationToken cancellationToken)
    {
        _deliver = deliver;
        return Task.CompletedTask;
    }

    public Task<bool> ConnectAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult(_online.Add(userId));
    }

    public Task<bool> DisconnectAsync(string userId, DateTime at, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_online.Remove(userId))
                return Task.FromResult(false);
            _last[userId] = at;
            return Task.FromResult(true);
        }
    }

    public Task<(bool Online, DateTime? LastActiveAt)> GetAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<(bool, DateTime?)>((_online.Contains(userId), _last.TryGetValue(userId, out var at) ? at : null));
    }

    public Task PublishAsync(PresenceChange change, CancellationToken cancellationToken) =>
        _deliver?.Invoke(change) ?? Task.CompletedTask;

    public Task<(IReadOnlyList<string> CameOnline, IReadOnlyList<(string UserId, DateTime At)> WentOffline)> HeartbeatAsync(
        IReadOnlyCollection<string> localUsers, TimeSpan nodeTimeout, CancellationToken cancellationToken) =>
        Task.FromResult<(IReadOnlyList<string>, IReadOnlyList<(string, DateTime)>)>(([], []));
}

/// <summary>
/// Presence across nodes in Redis: per user a hash of the nodes that have it, per node a set of its
/// users, a sorted set of the nodes by their last heartbeat, and a channel for the changes.
/// </summary>
/// <remarks>
/// Each change of a user's hash runs as one script, so two nodes never both see themselves as the first
/// or the last; taking a dead node's users offline runs the same script for each, so two nodes reaping
/// the same dead node at once still report each user once.
/// </remarks>
internal sealed class RedisPresenceStore(IOptions<ChatRedisBusOptions> options, TimeProvider time) : IPresenceStore, IDisposable
{
    private RedisKey NodesKey => Prefix + "nodes";

    /// <summary>The configuration's <c>channelPrefix</c> separates deployments sharing a Redis server, for keys as for channels.</summary>
    private string Prefix => (options.Value.Configuration?.ChannelPrefix.ToString() ?? "") + "dfchat:presence:";
    private static readonly RedisChannel Channel = RedisChannel.Literal("dfchat:presence");
    private static readonly TimeSpan LastActiveLifetime = TimeSpan.FromDays(30);

    private const string ConnectScript = """
        local added = redis.call('HSET', KEYS[1], ARGV[1], '1')
        redis.call('SADD', KEYS[2], ARGV[2])
        if added == 1 and redis.call('HLEN', KEYS[1]) == 1 then return 1 end
        return 0
        """;

    private const string DisconnectScript = """
        local removed = redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('SREM', KEYS[2], ARGV[2])
        if removed == 1 and redis.call('HLEN', KEYS[1]) == 0 then
            redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4])
            return 1
        end
        return 0
        """;

    private readonly string _node = Guid.NewGuid().ToString("N");
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _redis;

    private RedisKey UserKey(string userId) => Prefix + "user:" + userId;

    private RedisKey NodeKey(string node) => Prefix + "node:" + node;

    private RedisKey LastKey(string userId) => Prefix + "last:" + userId;

    private async Task<IDatabase> DatabaseAsync()
    {
        if (_redis is { } ready)
            return ready.GetDatabase();
        await _connecting.WaitAsync();
        try
        {
            _redis ??= await ConnectionMultiplexer.ConnectAsync(options.Value.Configuration
                ?? throw new InvalidOperationException("UseRedisBackplane was not given a Redis configuration."));
            return _redis.GetDatabase();
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async Task StartAsync(Func<PresenceChange, Task> deliver, CancellationToken cancellationToken)
    {
        await DatabaseAsync();
        var messages = await _redis!.GetSubscriber().SubscribeAsync(Channel);
        messages.OnMessage(async message =>
        {
            try
            {
                if (Read((byte[])message.Message!) is { } change)
                    await deliver(change);
            }
            catch (JsonException)
            {
                // Not a presence change: skipped.
            }
        });
    }

    public async Task<bool> ConnectAsync(string userId, CancellationToken cancellationToken) =>
        (int)await (await DatabaseAsync()).ScriptEvaluateAsync(ConnectScript, [UserKey(userId), NodeKey(_node)], [_node, userId]) == 1;

    public Task<bool> DisconnectAsync(string userId, DateTime at, CancellationToken cancellationToken) =>
        DisconnectAsync(_node, userId, at);

    private async Task<bool> DisconnectAsync(string node, string userId, DateTime at) =>
        (int)await (await DatabaseAsync()).ScriptEvaluateAsync(
            DisconnectScript,
            [UserKey(userId), NodeKey(node), LastKey(userId)],
            [node, userId, at.Ticks, (long)LastActiveLifetime.TotalSeconds]) == 1;

    public async Task<(bool Online, DateTime? LastActiveAt)> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var db = await DatabaseAsync();
        var nodes = db.HashLengthAsync(UserKey(userId));
        var last = db.StringGetAsync(LastKey(userId));
        return (await nodes > 0, (long?)await last is { } ticks ? new DateTime(ticks, DateTimeKind.Utc) : null);
    }

    public async Task PublishAsync(PresenceChange change, CancellationToken cancellationToken) =>
        await (await DatabaseAsync()).PublishAsync(Channel, JsonSerializer.SerializeToUtf8Bytes(
            new WireChange(change.UserId, change.Online, change.At.Ticks, change.RoomIds)));

    public async Task<(IReadOnlyList<string> CameOnline, IReadOnlyList<(string UserId, DateTime At)> WentOffline)> HeartbeatAsync(
        IReadOnlyCollection<string> localUsers, TimeSpan nodeTimeout, CancellationToken cancellationToken)
    {
        var db = await DatabaseAsync();
        var now = time.GetUtcNow().UtcDateTime;
        var cameOnline = new List<string>();

        // Not in the set: this node just started, or was counted dead (a long pause): its users come back.
        if (await db.SortedSetAddAsync(NodesKey, _node, now.Ticks))
        {
            foreach (var userId in localUsers)
            {
                if (await ConnectAsync(userId, cancellationToken))
                    cameOnline.Add(userId);
            }
        }

        var wentOffline = new List<(string, DateTime)>();
        var dead = await db.SortedSetRangeByScoreWithScoresAsync(NodesKey, double.NegativeInfinity, (now - nodeTimeout).Ticks, Exclude.Stop);
        foreach (var node in dead)
        {
            var name = node.Element.ToString();
            var at = new DateTime((long)node.Score, DateTimeKind.Utc);
            foreach (var user in await db.SetMembersAsync(NodeKey(name)))
            {
                if (await DisconnectAsync(name, user.ToString(), at))
                    wentOffline.Add((user.ToString(), at));
            }

            await db.KeyDeleteAsync(NodeKey(name));
            await db.SortedSetRemoveAsync(NodesKey, name);
        }

        return (cameOnline, wentOffline);
    }

    public void Dispose()
    {
        _redis?.Dispose();
        _connecting.Dispose();
    }

    private static PresenceChange? Read(byte[] message) =>
        JsonSerializer.Deserialize<WireChange>(message) is { UserId: not null, RoomIds: not null } wire
            ? new PresenceChange(wire.UserId, wire.Online, new DateTime(wire.At, DateTimeKind.Utc), wire.RoomIds)
            : null;

    private sealed record WireChange(string UserId, bool Online, long At, IReadOnlyList<string> RoomIds);
}
