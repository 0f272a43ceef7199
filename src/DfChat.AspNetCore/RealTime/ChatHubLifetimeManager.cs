using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace DfChat.AspNetCore.RealTime;

/// <summary>
/// The chat hub's lifetime manager: SignalR's in-memory one, which also lets
/// <see cref="ChatEventDelivery"/> write to a connection of this node by its id and tells the
/// <see cref="ChatConnectionRegistry"/> when a connection is gone.
/// </summary>
/// <remarks>
/// Registered for <see cref="ChatHub"/> alone, so it stays in force when a host adds SignalR's Redis
/// backplane for its own hubs: under <c>RedisHubLifetimeManager</c>, <c>Clients(ids)</c> publishes one
/// Redis message per connection, local ones included, which is what the chat's bus replaces.
/// SignalR calls <see cref="OnDisconnectedAsync"/> for every connection that got as far as
/// <see cref="OnConnectedAsync"/>, also when the hub's own <c>OnConnectedAsync</c> failed.
/// </remarks>
internal sealed class ChatHubLifetimeManager(ChatConnectionRegistry registry, ILogger<DefaultHubLifetimeManager<ChatHub>> logger)
    : DefaultHubLifetimeManager<ChatHub>(logger)
{
    private readonly ConcurrentDictionary<string, HubConnectionContext> _connections = new(StringComparer.Ordinal);

    /// <summary>The open connection of this node with that id, or null.</summary>
    public HubConnectionContext? Find(string connectionId) => _connections.GetValueOrDefault(connectionId);

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections[connection.ConnectionId] = connection;
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.TryRemove(connection.ConnectionId, out _);
        registry.RemoveConnection(connection.ConnectionId);
        return base.OnDisconnectedAsync(connection);
    }
}
