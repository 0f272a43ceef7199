using System.Threading.Channels;
using DfChat.Events;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DfChat.AspNetCore.RealTime;

/// <summary>
/// Queues committed chat events for delivery by <see cref="ChatEventDelivery"/>: a request never
/// waits for the hub, so a slow or unreachable Redis backplane cannot slow down or fail a send.
/// </summary>
internal sealed class SignalRChatEventListener(ChatEventQueue queue) : IChatEventListener
{
    public Task HandleAsync(ChatEvent chatEvent, CancellationToken cancellationToken)
    {
        queue.Enqueue(chatEvent);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The events waiting for delivery, in commit order. Bounded: during a long backplane outage the
/// oldest events are dropped (clients catch up with <c>?after=</c>) rather than memory growing without end.
/// </summary>
internal sealed partial class ChatEventQueue(ILogger<ChatEventQueue> logger)
{
    private const int Capacity = 10_000;

    private readonly Channel<ChatEvent> _events = Channel.CreateBounded<ChatEvent>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public ChannelReader<ChatEvent> Reader => _events.Reader;

    public void Enqueue(ChatEvent chatEvent)
    {
        if (_events.Reader.Count >= Capacity)
            LogFull(logger, Capacity);
        _events.Writer.TryWrite(chatEvent);
    }

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "{Capacity} chat events wait for delivery: the oldest are dropped. Is the SignalR backplane reachable?")]
    private static partial void LogFull(ILogger logger, int capacity);
}

/// <summary>
/// Delivers queued events to the hub's clients: to every member's connections, to the users the
/// event concerns (an added or removed member, former members of a deleted room), and to watchers
/// of public rooms. With a Redis backplane, groups span every node.
/// </summary>
internal sealed partial class ChatEventDelivery(ChatEventQueue queue, IHubContext<ChatHub> hub, ILogger<ChatEventDelivery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var chatEvent in queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await hub.Clients.Groups(Audience(chatEvent)).SendAsync(chatEvent.Name, chatEvent.Payload, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogDeliveryFailed(logger, e, chatEvent.Name, chatEvent.RoomId);
            }
        }
    }

    private static List<string> Audience(ChatEvent chatEvent)
    {
        var groups = chatEvent.Recipients.Select(r => r.UserId)
            .Concat(chatEvent.UserIds)
            .Distinct(StringComparer.Ordinal)
            .Select(ChatHub.UserGroup)
            .ToList();
        if (chatEvent.RoomIsPublic)
            groups.Add(ChatHub.WatchGroup(chatEvent.RoomId));
        return groups;
    }

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Could not deliver chat event {EventName} of room {RoomId}; the change itself is stored.")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string eventName, string roomId);
}
