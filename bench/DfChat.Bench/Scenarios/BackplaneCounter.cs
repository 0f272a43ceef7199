using StackExchange.Redis;

namespace DfChat.Bench.Scenarios;

/// <summary>
/// Counts the messages published on a Redis backplane's channels (every channel under a prefix), as a
/// subscriber of its own sees them. Other servers sharing the Redis and the prefix would be counted too:
/// measure on a Redis of your own for an exact count.
/// </summary>
internal sealed class BackplaneCounter : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;
    private long _count;

    private BackplaneCounter(ConnectionMultiplexer redis) => _redis = redis;

    public long Count => Interlocked.Read(ref _count);

    public static async Task<BackplaneCounter> StartAsync(string configuration, string channelPrefix)
    {
        var counter = new BackplaneCounter(await ConnectionMultiplexer.ConnectAsync(configuration));
        await counter._redis.GetSubscriber().SubscribeAsync(RedisChannel.Pattern(channelPrefix + "*"), (_, _) => Interlocked.Increment(ref counter._count));
        return counter;
    }

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();
}
