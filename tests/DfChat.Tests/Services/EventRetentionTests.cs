using DfChat.Events;
using DfChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Services;

/// <summary>
/// The event log keeps published events for <c>Events.Retention</c> (7 days by default): asking for a seq
/// whose next events were removed is 410 (the client reloads the room), and what is kept still lists.
/// </summary>
public abstract class EventRetentionTests(ServiceDatabase database) : ServiceTestBase(database)
{
    private ChatOutbox Outbox => Host.Services.GetRequiredService<ChatOutbox>();

    /// <summary>Publishes what was committed and marks it published, as the host's background service does.</summary>
    private async Task PublishAsync()
    {
        await Outbox.WhenIdleAsync();
        await Outbox.CheckpointAsync(CancellationToken.None);
    }

    [SkippableFact]
    public async Task ListEventsAsync_AfterSeqPastRetention_Gone()
    {
        // Arrange: seq 1 and 2 (the creation's memberAdded), 3 (old), then 4 (new) eight days later.
        var room = (await Alice.CreateGroupAsync("Team", Bob)).Created();
        (await Alice.SendAsync(room.Id, "old")).Created();
        await PublishAsync();
        Host.Clock.Advance(TimeSpan.FromDays(8));
        (await Alice.SendAsync(room.Id, "new")).Created();
        await PublishAsync();

        // Act
        var pruned = await Outbox.PruneAsync(CancellationToken.None);

        // Assert
        Assert.Equal(3, pruned);
        (await Bob.ListEventsAsync(room.Id, "0")).Fails(ChatErrorKind.Gone);
        (await Bob.ListEventsAsync(room.Id, "2")).Fails(ChatErrorKind.Gone);
        var kept = (await Bob.ListEventsAsync(room.Id, "3")).Ok();
        Assert.Equal([4L], kept.Items.Select(e => e.Seq));
        Assert.Equal("new", kept.Items[0].Payload.GetProperty("text").GetString());
        Assert.Equal(4, (await Bob.GetRoomAsync(room.Id)).Ok().LastSeq);
    }

    [SkippableFact]
    public async Task PruneAsync_WithinRetention_KeepsEverything()
    {
        var room = (await Alice.CreateGroupAsync("Team", Bob)).Created();
        (await Alice.SendAsync(room.Id, "recent")).Created();
        await PublishAsync();
        Host.Clock.Advance(TimeSpan.FromDays(6));

        Assert.Equal(0, await Outbox.PruneAsync(CancellationToken.None));
        Assert.Equal([1L, 2L, 3L], (await Bob.ListEventsAsync(room.Id, "0")).Ok().Items.Select(e => e.Seq));
    }
}

public sealed class SqliteEventRetentionTests(SqliteServiceDatabase database) : EventRetentionTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresEventRetentionTests(PostgresServiceDatabase database) : EventRetentionTests(database), IClassFixture<PostgresServiceDatabase>;
