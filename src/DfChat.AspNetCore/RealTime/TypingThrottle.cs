using System.Collections.Concurrent;

namespace DfChat.AspNetCore.RealTime;

/// <summary>Lets one typing event per user and room through every two seconds.</summary>
internal sealed class TypingThrottle(TimeProvider clock)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<(string User, string Room), DateTimeOffset> _last = new();

    public bool TryEnter(string userId, string roomId)
    {
        var now = clock.GetUtcNow();
        var key = (userId, roomId);
        while (true)
        {
            if (!_last.TryGetValue(key, out var last))
            {
                if (_last.TryAdd(key, now))
                {
                    Prune(now);
                    return true;
                }

                continue;
            }

            if (now - last < Interval)
                return false;
            if (_last.TryUpdate(key, now, last))
                return true;
        }
    }

    /// <summary>Forgets stale entries now and then, so the map holds only recent typists.</summary>
    private void Prune(DateTimeOffset now)
    {
        if (_last.Count < 10_000)
            return;
        foreach (var entry in _last)
        {
            if (now - entry.Value >= Interval)
                _last.TryRemove(entry);
        }
    }
}
