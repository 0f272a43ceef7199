using DfChat.Events;
using DfChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Services;

/// <summary>
/// Deleted means gone for the events still in the outbox's memory: an event committed before its
/// message's deletion but not yet published goes out redacted, as the log stores it.
/// </summary>
public abstract class OutboxRedactionTests(ServiceDatabase database) : ServiceTestBase(database)
{
    private const string Secret = "SECRET-91c2";
    private readonly HeldDelivery _delivery = new();

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<IChatEventListener>(_delivery);

    [SkippableFact]
    public async Task Publish_MessageDeletedBeforeItsEventsWerePublished_PublishesThemRedacted()
    {
        // Arrange: the outbox is held on the room's first event, so what follows waits in memory.
        var outbox = Host.Services.GetRequiredService<ChatOutbox>();
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var message = (await Alice.SendAsync(room.Id, $"the code is {Secret}")).Created();
        (await Alice.EditMessageAsync(room.Id, message.Id, $"still {Secret}")).Ok();
        (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();

        // Act
        (await Alice.DeleteMessageAsync(room.Id, message.Id)).Ok();
        _delivery.Release();
        await outbox.WhenIdleAsync();

        // Assert: every event published, in seq order; the message's own without its text.
        var published = _delivery.Delivered.Where(e => e.RoomId == room.Id).ToList();
        Assert.Equal(
            [ChatEventNames.MemberAdded, ChatEventNames.MemberAdded, ChatEventNames.MessageCreated, ChatEventNames.MessageUpdated, ChatEventNames.ReactionAdded, ChatEventNames.MessageDeleted],
            published.Select(e => e.Name));
        Assert.All(published, e => Assert.DoesNotContain(Secret, e.Payload.ToString(), StringComparison.Ordinal));
        Assert.All(published.Skip(2).SkipLast(1), e => Assert.Contains("\"redacted\":true", e.Payload.ToString(), StringComparison.Ordinal));
    }

    /// <summary>A built-in style delivery that holds every event until released.</summary>
    private sealed class HeldDelivery : IChatEventListener, IRoutesByRoom
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<ChatEvent> _delivered = [];

        public IReadOnlyList<ChatEvent> Delivered
        {
            get
            {
                lock (_delivered)
                    return [.. _delivered];
            }
        }

        public void Release() => _released.TrySetResult();

        public async Task HandleAsync(ChatEvent chatEvent, CancellationToken cancellationToken)
        {
            await _released.Task.WaitAsync(cancellationToken);
            lock (_delivered)
                _delivered.Add(chatEvent);
        }
    }
}

public sealed class SqliteOutboxRedactionTests(SqliteServiceDatabase database) : OutboxRedactionTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresOutboxRedactionTests(PostgresServiceDatabase database) : OutboxRedactionTests(database), IClassFixture<PostgresServiceDatabase>;
