using DfChat.Events;
using DfChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Services;

/// <summary>
/// Events of a room leave the outbox in seq order even when delivery fails part-way: an event the
/// built-in delivery could not carry holds back the room's later events, and recovery publishes them
/// all, in order, once delivery works again.
/// </summary>
public abstract class OutboxOrderTests(ServiceDatabase database) : ServiceTestBase(database)
{
    private readonly FlakyDelivery _delivery = new();

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<IChatEventListener>(_delivery);

    [SkippableFact]
    public async Task Recover_DeliveryFailsOnTheRoomsFirstEventOnly_LaterEventsWaitThenAllArriveInSeqOrder()
    {
        // Arrange: delivery is down while the room is created and three messages are sent.
        var outbox = Host.Services.GetRequiredService<ChatOutbox>();
        _delivery.Down = true;
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        for (var i = 0; i < 3; i++)
            (await Alice.SendAsync(room.Id, $"m{i}")).Created();
        await outbox.WhenIdleAsync();
        Assert.Empty(_delivery.Delivered);

        // Act: delivery comes back right after failing once more (on the room's first event).
        _delivery.Down = false;
        _delivery.FailNext = 1;
        await outbox.RecoverAsync(TimeSpan.Zero, CancellationToken.None);
        var afterFirstPass = _delivery.Delivered.ToList();
        await outbox.RecoverAsync(TimeSpan.Zero, CancellationToken.None);

        // Assert: nothing of the room left before its first event; then every event, in seq order.
        Assert.Empty(afterFirstPass);
        var seqs = _delivery.Delivered.Where(e => e.RoomId == room.Id).Select(e => e.Seq).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(n => (long)n), seqs);
        Assert.Equal(3, _delivery.Delivered.Count(e => e.Name == ChatEventNames.MessageCreated));
    }

    /// <summary>A built-in style delivery (routed by room) that can be down, or fail its next few events.</summary>
    private sealed class FlakyDelivery : IChatEventListener, IRoutesByRoom
    {
        private readonly List<ChatEvent> _delivered = [];

        public bool Down { get; set; }

        public int FailNext { get; set; }

        public IReadOnlyList<ChatEvent> Delivered
        {
            get
            {
                lock (_delivered)
                    return [.. _delivered];
            }
        }

        public Task HandleAsync(ChatEvent chatEvent, CancellationToken cancellationToken)
        {
            if (Down)
                throw new InvalidOperationException("delivery is down");
            if (FailNext > 0)
            {
                FailNext--;
                throw new InvalidOperationException("delivery failed once more");
            }

            lock (_delivered)
                _delivered.Add(chatEvent);
            return Task.CompletedTask;
        }
    }
}

public sealed class SqliteOutboxOrderTests(SqliteServiceDatabase database) : OutboxOrderTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresOutboxOrderTests(PostgresServiceDatabase database) : OutboxOrderTests(database), IClassFixture<PostgresServiceDatabase>;
