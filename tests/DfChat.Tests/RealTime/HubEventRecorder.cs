using System.Text.Json;
using System.Threading.Channels;
using DfChat.Events;
using Microsoft.AspNetCore.SignalR.Client;

namespace DfChat.Tests.RealTime;

/// <summary>One event a hub connection received.</summary>
public sealed record HubEvent(string Name, JsonElement Payload)
{
    /// <summary>The event's room: <c>roomId</c> of its payload, or <c>id</c> for <c>roomUpdated</c>, whose payload is the Room.</summary>
    public string? RoomId =>
        Payload.ValueKind != JsonValueKind.Object ? null
        : Name == ChatEventNames.RoomUpdated && Payload.TryGetProperty("id", out var id) ? id.GetString()
        : Payload.TryGetProperty("roomId", out var roomId) ? roomId.GetString()
        : null;

    /// <summary>The event's <c>seq</c> (API.md §5, v1.1), or null when its payload has none.</summary>
    public long? Seq => Payload.ValueKind == JsonValueKind.Object && Payload.TryGetProperty("seq", out var seq) && seq.ValueKind == JsonValueKind.Number ? seq.GetInt64() : null;

    public override string ToString() => $"{Name} {Payload}";
}

/// <summary>
/// Records every event of a <see cref="HubConnection"/> in arrival order, of every name, so that tests
/// can check the order of a room's events and prove the absence of one. It adds its own handlers beside
/// those of <see cref="HubClient"/> (SignalR calls every handler of a method name).
/// </summary>
public sealed class HubEventRecorder
{
    private static readonly string[] EventNames =
    [
        ChatEventNames.MessageCreated, ChatEventNames.MessageUpdated, ChatEventNames.MessageDeleted,
        ChatEventNames.ReactionAdded, ChatEventNames.ReactionRemoved, ChatEventNames.MemberAdded,
        ChatEventNames.MemberUpdated, ChatEventNames.MemberRemoved, ChatEventNames.RoomUpdated,
        ChatEventNames.RoomDeleted, ChatEventNames.Read, ChatEventNames.Typing,
    ];

    private readonly List<HubEvent> _events = [];
    private readonly Channel<HubEvent> _arrived = Channel.CreateUnbounded<HubEvent>();

    private HubEventRecorder(HubConnection connection)
    {
        foreach (var name in EventNames)
        {
            connection.On<JsonElement>(name, payload =>
            {
                var received = new HubEvent(name, payload.Clone());
                lock (_events)
                    _events.Add(received);
                _arrived.Writer.TryWrite(received);
            });
        }
    }

    /// <summary>Starts recording the events of <paramref name="client"/> from now on.</summary>
    public static HubEventRecorder Attach(HubClient client) => new(client.Connection);

    /// <summary>Every event received so far, in arrival order.</summary>
    public IReadOnlyList<HubEvent> Events
    {
        get
        {
            lock (_events)
                return _events.ToList();
        }
    }

    /// <summary>The first event received so far, or later within <paramref name="seconds"/>, that matches; fails after that.</summary>
    public async Task<HubEvent> WaitForAsync(Func<HubEvent, bool> match, string what, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (Events.FirstOrDefault(match) is { } found)
                return found;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await ArrivalAsync(left))
            {
                if (Events.FirstOrDefault(match) is { } late)
                    return late;
                throw new Xunit.Sdk.XunitException($"No {what} within {seconds} s. Received: {Describe(Events)}");
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds of the events received, within <paramref name="seconds"/>; fails after that.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<HubEvent>, bool> condition, string what, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition(Events))
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || (!await ArrivalAsync(left) && !condition(Events)))
                throw new Xunit.Sdk.XunitException($"Not {what} within {seconds} s. Received {Events.Count} events: {Describe(Events)}");
        }
    }

    /// <summary>The events of <paramref name="roomId"/> received so far, in arrival order.</summary>
    public List<HubEvent> OfRoom(string roomId) => Events.Where(e => e.RoomId == roomId).ToList();

    /// <summary>
    /// The events of <paramref name="roomId"/> as a client that drops repeats sees them (delivery is at
    /// least once): each event whose seq is above every seq before it. Asserts that these come in seq
    /// order without a gap, from <paramref name="firstSeq"/> on, and that every one carries a seq.
    /// </summary>
    public List<HubEvent> InSeqOrder(string roomId, long firstSeq = 1)
    {
        var kept = new List<HubEvent>();
        var last = firstSeq - 1;
        foreach (var e in OfRoom(roomId).Where(e => e.Name != ChatEventNames.Typing))
        {
            Assert.True(e.Seq is not null, $"A {e.Name} event without seq: {e.Payload}");
            if (e.Seq <= last)
                continue;
            Assert.True(e.Seq == last + 1, $"Room {roomId}: event seq {e.Seq} came after seq {last} (a gap or out of order). Received: {Describe(OfRoom(roomId))}");
            kept.Add(e);
            last = e.Seq.Value;
        }

        return kept;
    }

    /// <summary>Waits for the next event to arrive, at most <paramref name="timeout"/>; false when none did.</summary>
    private async Task<bool> ArrivalAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _arrived.Reader.ReadAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static string Describe(IReadOnlyList<HubEvent> events) =>
        events.Count == 0 ? "nothing" : string.Join("; ", events.TakeLast(30).Select(e => $"{e.Name}(room {e.RoomId}, seq {e.Seq?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"})"));
}
