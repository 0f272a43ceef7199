using System.Threading.Channels;
using DfChat.Events;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DfChat.AspNetCore.RealTime;

/// <summary>
/// Hands committed chat events to the <see cref="IChatEventBus"/>, which returns at once: the outbox's
/// dispatcher never waits for delivery, so a slow or unreachable Redis cannot hold events back. It
/// routes by room (no recipient list needed); an event the bus could not carry to the other nodes
/// fails here, so that the outbox keeps it unpublished and recovery delivers it once Redis is back.
/// </summary>
internal sealed class SignalRChatEventListener(IChatEventBus bus) : IChatEventListener, IRoutesByRoom
{
    public Task HandleAsync(ChatEvent chatEvent, CancellationToken cancellationToken) =>
        bus.Publish(ChatBusEvent.From(chatEvent)) || chatEvent.Seq == 0
            ? Task.CompletedTask
            : throw new InvalidOperationException("The chat's backplane is unreachable: the event stays in the outbox for recovery.");
}

/// <summary>
/// The events this node has to deliver to its own connections, from this node and from the others, in
/// the order they arrived. Bounded: if delivery falls far behind, the oldest are dropped (clients catch
/// up with the events log) rather than memory growing without end.
/// </summary>
internal sealed partial class ChatEventQueue(ILogger<ChatEventQueue> logger)
{
    private const int Capacity = 10_000;

    private readonly Channel<ChatBusEvent> _events = Channel.CreateBounded<ChatBusEvent>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public ChannelReader<ChatBusEvent> Reader => _events.Reader;

    public void Enqueue(ChatBusEvent chatEvent)
    {
        if (_events.Reader.Count >= Capacity)
            LogFull(logger, Capacity);
        _events.Writer.TryWrite(chatEvent);
    }

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "{Capacity} chat events wait for delivery to this node's connections: the oldest are dropped.")]
    private static partial void LogFull(ILogger logger, int capacity);
}

/// <summary>
/// Delivers each event of the queue to this node's connections that should get it, as
/// <see cref="ChatConnectionRegistry.Route"/> picks them (members of the room, users the event
/// concerns, watchers of a public room), with one write per connection of a message serialized once.
/// </summary>
/// <remarks>
/// Writes go straight to the connections of <see cref="ChatHubLifetimeManager"/>, never through a
/// SignalR backplane: the bus already brought the event to every node. Events are delivered one at a
/// time, so each connection gets them in the order this node received them.
/// </remarks>
internal sealed partial class ChatEventDelivery(
    ChatEventQueue queue, ChatConnectionRegistry registry, ChatHubLifetimeManager connections, ILogger<ChatEventDelivery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var chatEvent in queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await DeliverAsync(chatEvent, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogDeliveryFailed(logger, e, chatEvent.Name, chatEvent.RoomId);
            }
        }
    }

    private Task DeliverAsync(ChatBusEvent chatEvent, CancellationToken cancellationToken)
    {
        var targets = registry.Route(chatEvent);
        if (targets.Count == 0)
            return Task.CompletedTask;

        var message = new SerializedHubMessage(new InvocationMessage(chatEvent.Name, [chatEvent.Payload]));
        List<Task>? pending = null;
        foreach (var connectionId in targets)
        {
            if (connections.Find(connectionId) is not { } connection)
                continue;
            var write = connection.WriteAsync(message, cancellationToken);
            if (write.IsCompletedSuccessfully)
                write.GetAwaiter().GetResult();
            else
                (pending ??= []).Add(write.AsTask());
        }

        return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
    }

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Could not deliver chat event {EventName} of room {RoomId} to this node's connections; the change itself is stored.")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string eventName, string roomId);
}
