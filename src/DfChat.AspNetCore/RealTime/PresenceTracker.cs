using DfChat.Models;
using DfChat.Options;
using DfChat.Services;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DfChat.AspNetCore.RealTime;

/// <summary>
/// Presence (API.md §8): a user is online while one of its hub connections is open on any node. The hub
/// sends <c>presence</c> to the members of the user's rooms when its first connection opens and when its
/// last one closes, counted across nodes by the <see cref="IPresenceStore"/> (Redis with
/// <c>UseRedisBackplane</c>, this node's memory otherwise).
/// </summary>
/// <remarks>
/// <para>
/// When a user's last connection on this node closes, the node keeps it online for
/// <see cref="PresenceOptions.GracePeriod"/>: a page reload, which closes and opens a connection, is then
/// no offline/online flap, whichever node the new connection reaches.
/// </para>
/// <para>
/// Each node beats every <see cref="PresenceOptions.HeartbeatInterval"/>; a node silent for
/// <see cref="PresenceOptions.NodeTimeout"/> (it died without shutting down) is counted dead by the
/// first other node that notices, which takes its users offline, so nobody stays online forever. A
/// stopping node leaves its users to that same expiry, so that clients reconnecting to other nodes
/// during a deployment do not flap.
/// </para>
/// </remarks>
internal sealed partial class PresenceTracker(
    IPresenceStore store,
    ChatConnectionRegistry registry,
    ChatHubLifetimeManager connections,
    IServiceScopeFactory scopes,
    IOptionsMonitor<DfChatOptions> options,
    TimeProvider time,
    ILogger<PresenceTracker> logger) : BackgroundService, IChatPresence
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _userOfConnection = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _connectionsOfUser = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CancellationTokenSource> _leaving = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim[] _userLocks = [.. Enumerable.Range(0, 32).Select(_ => new SemaphoreSlim(1, 1))];

    private PresenceOptions Options => options.CurrentValue.Presence;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>A connection of <paramref name="userId"/> (canonical) opened; never throws (presence must not refuse a connection).</summary>
    public async Task ConnectedAsync(string userId, string connectionId)
    {
        bool first;
        lock (_gate)
        {
            _userOfConnection[connectionId] = userId;
            var count = _connectionsOfUser.GetValueOrDefault(userId) + 1;
            _connectionsOfUser[userId] = count;
            first = count == 1;

            // Back within the grace period: the user never went offline.
            if (first && _leaving.Remove(userId, out var leaving))
            {
                leaving.Cancel();
                leaving.Dispose();
                first = false;
            }
        }

        if (first)
            await ChangeAsync(userId, online: true, Now);
    }

    /// <summary>A connection closed; its user goes offline after the grace period unless it connects again.</summary>
    public void Disconnected(string connectionId)
    {
        string? userId;
        CancellationTokenSource leaving;
        DateTime at;
        lock (_gate)
        {
            if (!_userOfConnection.Remove(connectionId, out userId))
                return;
            var count = _connectionsOfUser[userId] - 1;
            if (count > 0)
            {
                _connectionsOfUser[userId] = count;
                return;
            }

            _connectionsOfUser.Remove(userId);
            leaving = new CancellationTokenSource();
            _leaving[userId] = leaving;
            at = Now;
        }

        _ = LeaveAfterGraceAsync(userId, leaving, at);
    }

    public async Task<(bool Online, DateTime? LastActiveAt)> GetAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_connectionsOfUser.ContainsKey(userId) || _leaving.ContainsKey(userId))
                return (true, Now);
        }

        try
        {
            var (online, last) = await store.GetAsync(userId, cancellationToken);
            return online ? (true, Now) : (false, last);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStoreFailed(logger, e);
            return (false, null);
        }
    }

    private async Task LeaveAfterGraceAsync(string userId, CancellationTokenSource leaving, DateTime at)
    {
        try
        {
            await Task.Delay(Options.GracePeriod, time, leaving.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_gate)
        {
            if (!_leaving.TryGetValue(userId, out var current) || current != leaving)
                return;
            _leaving.Remove(userId);
        }

        leaving.Dispose();
        await ChangeAsync(userId, online: false, at);
    }

    /// <summary>Records this node's part of the change in the store, and tells everyone if the user's state across nodes changed.</summary>
    private async Task ChangeAsync(string userId, bool online, DateTime at)
    {
        var userLock = _userLocks[(int)((uint)StringComparer.Ordinal.GetHashCode(userId) % (uint)_userLocks.Length)];
        await userLock.WaitAsync();
        try
        {
            // A connect and a leave of one user may reach here in either order: the later one acts only
            // if it still tells the truth, so the store ends as this node's connections are.
            lock (_gate)
            {
                if (_connectionsOfUser.ContainsKey(userId) != online)
                    return;
            }

            var changed = online
                ? await store.ConnectAsync(userId, CancellationToken.None)
                : await store.DisconnectAsync(userId, at, CancellationToken.None);
            if (changed)
                await PublishAsync(userId, online, at, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogStoreFailed(logger, e);
        }
        finally
        {
            userLock.Release();
        }
    }

    private async Task PublishAsync(string userId, bool online, DateTime at, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> rooms;
        await using (var scope = scopes.CreateAsyncScope())
            rooms = await scope.ServiceProvider.GetRequiredService<IChatMembershipQueries>().RoomIdsOfUserAsync(userId, cancellationToken);
        if (rooms.Count > 0)
            await store.PublishAsync(new PresenceChange(userId, online, at, rooms), cancellationToken);
    }

    /// <summary>Sends a change (of this node or another) to this node's connections of members of the user's rooms.</summary>
    /// <remarks>Through each connection's own outgoing queue, like every event: a client that stopped reading delays nobody.</remarks>
    private Task DeliverAsync(PresenceChange change)
    {
        var targets = registry.ConnectionsOfMembers(change.RoomIds, change.UserId);
        if (targets.Count == 0)
            return Task.CompletedTask;
        var payload = new PresenceModel { UserId = change.UserId, Online = change.Online, LastActiveAt = change.At };
        var message = new SerializedHubMessage(new InvocationMessage(PresenceChange.EventName, [payload]));
        foreach (var connectionId in targets)
            connections.Find(connectionId)?.Enqueue(message);
        return Task.CompletedTask;
    }

    /// <summary>Beats, and takes offline the users of nodes that stopped beating.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await store.StartAsync(DeliverAsync, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStoreFailed(logger, e);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                string[] local;
                lock (_gate)
                    local = [.. _connectionsOfUser.Keys, .. _leaving.Keys];
                var (cameOnline, wentOffline) = await store.HeartbeatAsync(local, Options.NodeTimeout, stoppingToken);
                foreach (var userId in cameOnline)
                    await PublishAsync(userId, online: true, Now, stoppingToken);
                foreach (var (userId, at) in wentOffline)
                    await PublishAsync(userId, online: false, at, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogStoreFailed(logger, e);
            }

            try
            {
                await Task.Delay(Options.HeartbeatInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        foreach (var userLock in _userLocks)
            userLock.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "Presence could not be read or recorded; users may show offline until it can.")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);
}

/// <summary>A user came online or went offline across all nodes; <paramref name="RoomIds"/> are its rooms, whose members are told.</summary>
internal sealed record PresenceChange(string UserId, bool Online, DateTime At, IReadOnlyList<string> RoomIds)
{
    /// <summary>The hub event's name.</summary>
    public const string EventName = DfChat.Events.ChatEventNames.Presence;
}
