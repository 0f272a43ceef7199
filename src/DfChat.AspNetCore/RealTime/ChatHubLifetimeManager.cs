using System.Collections.Concurrent;
using DfChat.Options;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DfChat.AspNetCore.RealTime;

/// <summary>
/// The chat hub's lifetime manager: SignalR's in-memory one, which also gives each connection of this
/// node its own <see cref="ChatConnectionSender"/>, for <see cref="ChatEventDelivery"/> to queue events
/// to by connection id, and tells the <see cref="ChatConnectionRegistry"/> when a connection is gone.
/// </summary>
/// <remarks>
/// Registered for <see cref="ChatHub"/> alone, so it stays in force when a host adds SignalR's Redis
/// backplane for its own hubs: under <c>RedisHubLifetimeManager</c>, <c>Clients(ids)</c> publishes one
/// Redis message per connection, local ones included, which is what the chat's bus replaces.
/// SignalR calls <see cref="OnDisconnectedAsync"/> for every connection that got as far as
/// <see cref="OnConnectedAsync"/>, also when the hub's own <c>OnConnectedAsync</c> failed.
/// </remarks>
internal sealed class ChatHubLifetimeManager(
    ChatConnectionRegistry registry,
    IOptionsMonitor<DfChatOptions> options,
    TimeProvider clock,
    ILoggerFactory loggers,
    ILogger<DefaultHubLifetimeManager<ChatHub>> logger)
    : DefaultHubLifetimeManager<ChatHub>(logger)
{
    private readonly ConcurrentDictionary<string, ChatConnectionSender> _senders = new(StringComparer.Ordinal);
    private readonly ILogger _senderLogger = loggers.CreateLogger<ChatConnectionSender>();

    /// <summary>The outgoing queue of this node's open connection with that id, or null.</summary>
    public ChatConnectionSender? Find(string connectionId) => _senders.GetValueOrDefault(connectionId);

    /// <summary>The outgoing queues of this node's open connections.</summary>
    public ICollection<ChatConnectionSender> Senders => _senders.Values;

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        var realTime = options.CurrentValue.RealTime;
        _senders[connection.ConnectionId] = new ChatConnectionSender(
            connection, realTime.ConnectionQueueCapacity, realTime.ConnectionStallTimeout, clock, _senderLogger);
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        if (_senders.TryRemove(connection.ConnectionId, out var sender))
            sender.Complete();
        registry.RemoveConnection(connection.ConnectionId);
        return base.OnDisconnectedAsync(connection);
    }
}
