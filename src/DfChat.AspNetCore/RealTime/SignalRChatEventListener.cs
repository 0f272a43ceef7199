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
/// the order they arrived. Bounded, and never silently lossy: an event that finds the queue full is not
/// queued, but its membership change is applied at once and the connections it was meant for are
/// closed (their clients catch up from the events log when they reconnect), so that no open connection
/// misses an event and no removed member stays subscribed.
/// </summary>
internal sealed partial class ChatEventQueue(ChatConnectionRegistry registry, ChatHubLifetimeManager connections, ILogger<ChatEventQueue> logger)
{
    private const int Capacity = 10_000;

    private readonly Channel<ChatBusEvent> _events = Channel.CreateBounded<ChatBusEvent>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    public ChannelReader<ChatBusEvent> Reader => _events.Reader;

    public void Enqueue(ChatBusEvent chatEvent)
    {
        if (_events.Writer.TryWrite(chatEvent))
            return;
        var targets = registry.Route(chatEvent);
        LogFull(logger, Capacity, chatEvent.Name, chatEvent.RoomId, targets.Count);
        foreach (var connectionId in targets)
            connections.Find(connectionId)?.Close("this node's event queue overflowed");
    }

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "{Capacity} chat events wait for delivery to this node's connections: {EventName} of room {RoomId} is not queued, and the {Count} connections it was for are closed.")]
    private static partial void LogFull(ILogger logger, int capacity, string eventName, string roomId, int count);
}

/// <summary>
/// Delivers each event of the queue to this node's connections that should get it, as
/// <see cref="ChatConnectionRegistry.Route"/> picks them (members of the room, users the event
/// concerns, watchers of a public room), by adding a message serialized once to each connection's own
/// queue (<see cref="ChatConnectionSender"/>): this loop never waits for a connection.
/// </summary>
/// <remarks>
/// Writes go straight to the connections of <see cref="ChatHubLifetimeManager"/>, never through a
/// SignalR backplane: the bus already brought the event to every node. Events are queued one at a
/// time, so each connection gets them in the order this node received them. When an event shows that
/// an earlier one of its room never reached this node (a <c>seq</c> skipped: a lost backplane message),
/// the room's local members are reloaded from the database before it is delivered, so that a lost
/// <c>memberRemoved</c> cannot leave a removed member subscribed.
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
                if (registry.MissedBefore(chatEvent))
                    await ReloadRoomAsync(chatEvent, stoppingToken);
                Deliver(chatEvent);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogDeliveryFailed(logger, e, chatEvent.Name, chatEvent.RoomId);
            }
        }
    }

    private async Task ReloadRoomAsync(ChatBusEvent chatEvent, CancellationToken cancellationToken)
    {
        LogGap(logger, chatEvent.RoomId, chatEvent.Seq);
        try
        {
            await registry.ReloadRoomAsync(chatEvent.RoomId, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The database is unreachable: the room's local members cannot be checked, so they are closed
            // and load their rooms afresh when they reconnect.
            var members = registry.LocalConnectionsOfRoom(chatEvent.RoomId);
            LogReloadFailed(logger, e, chatEvent.RoomId, members.Count);
            foreach (var connectionId in members)
                connections.Find(connectionId)?.Close("its rooms could not be checked after a lost event");
        }
    }

    private void Deliver(ChatBusEvent chatEvent)
    {
        var targets = registry.Route(chatEvent);
        if (targets.Count == 0)
            return;

        var message = new SerializedHubMessage(new InvocationMessage(chatEvent.Name, [chatEvent.Payload]));
        foreach (var connectionId in targets)
            connections.Find(connectionId)?.Enqueue(message);
    }

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Could not deliver chat event {EventName} of room {RoomId} to this node's connections; the change itself is stored.")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string eventName, string roomId);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Information, Message = "An event of room {RoomId} before seq {Seq} never reached this node: reloading the room's local members.")]
    private static partial void LogGap(ILogger logger, string roomId, long seq);

    [LoggerMessage(EventId = 2023, Level = LogLevel.Warning, Message = "Could not reload the members of room {RoomId} after a lost event: its {Count} local connections are closed.")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception, string roomId, int count);
}
