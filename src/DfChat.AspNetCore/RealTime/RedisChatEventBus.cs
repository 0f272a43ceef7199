using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DfChat.AspNetCore.RealTime;

/// <summary>What <c>UseRedisBackplane</c> configured.</summary>
internal sealed class ChatRedisBusOptions
{
    /// <summary>The channel every node publishes to and subscribes to (Redis adds the configuration's <c>ChannelPrefix</c>).</summary>
    public const string Channel = "dfchat:events";

    public ConfigurationOptions? Configuration { get; set; }
}

/// <summary>
/// The bus of a multi-node deployment: one Redis <c>PUBLISH</c> per event on one channel, to which every
/// node subscribes; each node then delivers the event to its own connections.
/// </summary>
/// <remarks>
/// <para>
/// An event of this node goes into this node's queue at once and to Redis from a background loop, so
/// that neither a request nor this node's own clients ever wait for Redis; a node skips its own
/// messages when they come back. While Redis is unreachable, events leave no node (they are dropped,
/// clients catch up with the events log), and the membership events among them are lost to the
/// other nodes: when the subscription is restored, the node reloads its users' rooms
/// (<see cref="ChatConnectionRegistry.ReloadAllAsync"/>). The connection itself is re-established by
/// StackExchange.Redis (<c>AbortOnConnectFail</c> is off), and so is the subscription.
/// </para>
/// <para>
/// The payload is written with the hub's JSON options, so that clients of every node get the same JSON
/// (with a MessagePack hub protocol, events from other nodes would reach clients as JSON elements).
/// </para>
/// </remarks>
internal sealed partial class RedisChatEventBus(
    ChatEventQueue queue,
    ChatConnectionRegistry registry,
    IOptions<ChatRedisBusOptions> options,
    IOptions<JsonHubProtocolOptions> hubJson,
    ILogger<RedisChatEventBus> logger) : BackgroundService, IChatEventBus
{
    private const int Capacity = 10_000;
    private static readonly RedisChannel Channel = RedisChannel.Literal(ChatRedisBusOptions.Channel);

    private readonly string _node = Guid.NewGuid().ToString("N");
    private readonly Channel<ChatBusEvent> _outgoing = System.Threading.Channels.Channel.CreateBounded<ChatBusEvent>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    private ConnectionMultiplexer? _redis;
    private bool _dropping;

    public bool Publish(ChatBusEvent chatEvent)
    {
        queue.Enqueue(chatEvent);
        // An event that finds the outgoing queue full is not dropped: the outbox keeps it for recovery.
        return _redis is { IsConnected: true } && _outgoing.Writer.TryWrite(chatEvent);
    }

    public override void Dispose()
    {
        _redis?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var configuration = options.Value.Configuration ?? throw new InvalidOperationException("UseRedisBackplane was not given a Redis configuration.");
        ConnectionMultiplexer redis;
        try
        {
            redis = _redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        }
        catch (Exception e) when (e is RedisException or ArgumentException)
        {
            LogConnectFailed(logger, e);
            return;
        }

        redis.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
                _ = ReloadAsync(stoppingToken);
        };
        await Task.WhenAll(SubscribeAsync(redis, stoppingToken), PublishAllAsync(redis, stoppingToken));
    }

    private async Task PublishAllAsync(ConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        var subscriber = redis.GetSubscriber();
        await foreach (var chatEvent in _outgoing.Reader.ReadAllAsync(cancellationToken))
            Send(redis, subscriber, chatEvent);
    }

    private void Send(ConnectionMultiplexer redis, ISubscriber subscriber, ChatBusEvent chatEvent)
    {
        if (!redis.IsConnected)
        {
            if (!_dropping)
                LogDropping(logger);
            _dropping = true;
            return;
        }

        try
        {
            subscriber.Publish(Channel, ChatBusEventJson.Write(chatEvent, _node, hubJson.Value.PayloadSerializerOptions), CommandFlags.FireAndForget);
            if (_dropping)
                LogResumed(logger);
            _dropping = false;
        }
        catch (Exception e) when (e is RedisException or JsonException or NotSupportedException)
        {
            LogPublishFailed(logger, e, chatEvent.Name, chatEvent.RoomId);
        }
    }

    /// <summary>Subscribes once Redis is reachable; StackExchange.Redis renews the subscription after each reconnect.</summary>
    private async Task SubscribeAsync(ConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        var subscriber = redis.GetSubscriber();
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!redis.IsConnected)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                continue;
            }

            try
            {
                var messages = await subscriber.SubscribeAsync(Channel);
                messages.OnMessage(Receive);
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                LogSubscribeFailed(logger, e);
                await subscriber.UnsubscribeAsync(Channel, handler: null, CommandFlags.FireAndForget);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    /// <summary>Runs for each message of the channel, one at a time in the order Redis sent them.</summary>
    private void Receive(ChannelMessage message)
    {
        try
        {
            var chatEvent = ChatBusEventJson.Read((byte[])message.Message!, out var node);
            if (node != _node)
                queue.Enqueue(chatEvent);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            LogUnreadable(logger, e);
        }
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await registry.ReloadAllAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogReloadFailed(logger, e);
        }
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Error, Message = "Could not set up the connection to Redis: chat events reach only this node's clients.")]
    private static partial void LogConnectFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Redis is unreachable: chat events reach only this node's clients until it returns.")]
    private static partial void LogDropping(ILogger logger);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "Redis is reachable again: chat events reach every node.")]
    private static partial void LogResumed(ILogger logger);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Could not publish chat event {EventName} of room {RoomId} to Redis.")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string eventName, string roomId);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "Could not subscribe to the chat's Redis channel; trying again.")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning, Message = "Skipped a message of the chat's Redis channel that is not a chat event.")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Error, Message = "Could not reload the rooms of this node's users after Redis returned; membership changes made meanwhile on other nodes reach them when they reconnect.")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}

/// <summary>
/// An event on the Redis channel, as compact JSON: <c>{"o":node,"n":name,"r":roomId,"s":seq,"u":[userIds],"p":roomIsPublic,"d":payload}</c>.
/// </summary>
internal static class ChatBusEventJson
{
    public static byte[] Write(ChatBusEvent chatEvent, string node, JsonSerializerOptions payloadOptions)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("o", node);
            json.WriteString("n", chatEvent.Name);
            json.WriteString("r", chatEvent.RoomId);
            json.WriteNumber("s", chatEvent.Seq);
            json.WriteStartArray("u");
            foreach (var userId in chatEvent.UserIds)
                json.WriteStringValue(userId);
            json.WriteEndArray();
            json.WriteBoolean("p", chatEvent.RoomIsPublic);
            if (chatEvent.ActorId is not null)
                json.WriteString("a", chatEvent.ActorId);
            json.WritePropertyName("d");
            JsonSerializer.Serialize(json, chatEvent.Payload, chatEvent.Payload.GetType(), payloadOptions);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static ChatBusEvent Read(byte[] message, out string node)
    {
        using var document = JsonDocument.Parse(message);
        var root = document.RootElement;
        node = root.GetProperty("o").GetString()!;
        var userIds = root.GetProperty("u").EnumerateArray().Select(u => u.GetString()!).ToArray();
        return new ChatBusEvent(
            root.GetProperty("n").GetString()!,
            root.GetProperty("r").GetString()!,
            root.GetProperty("s").GetInt64(),
            userIds,
            root.GetProperty("p").GetBoolean(),
            root.GetProperty("d").Clone(),
            root.TryGetProperty("a", out var actor) ? actor.GetString() : null);
    }
}
