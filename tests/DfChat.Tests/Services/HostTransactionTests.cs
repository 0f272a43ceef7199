using System.Text.Json;
using System.Threading.Channels;
using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Services;
using DfChat.Tests.Http.Infrastructure;
using DfChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DfChat.Tests.Services;

/// <summary>
/// A host calling the chat services inside its own work (issue 9, API.md §5 "Ordering and catch-up"):
/// inside the host's transaction the chat's writes join it and their events go out only if the host
/// commits, never for a rolled-back change; and the chat never touches the host's own tracked entities.
/// </summary>
public abstract class HostTransactionTests(ServiceDatabase database) : ServiceTestBase(database)
{
    private readonly RecordingListener _listener = new();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IChatEventListener>(_listener);

    /// <summary>The payload of an event as JSON, whatever type the services hand it over as.</summary>
    private static JsonElement Payload(ChatEvent chatEvent) =>
        chatEvent.Payload as JsonElement? ?? JsonSerializer.SerializeToElement(chatEvent.Payload, chatEvent.Payload.GetType(), JsonSerializerOptions.Web);

    private static bool IsMessage(ChatEvent chatEvent, Func<JsonElement, bool> match) =>
        chatEvent.Name == ChatEventNames.MessageCreated && match(Payload(chatEvent));

    /// <summary>
    /// Starts the hosted services the chat registered, as a host's generic host would, so that a
    /// dispatcher running in the background (if the write path has one) delivers events in these tests.
    /// </summary>
    private async Task<IAsyncDisposable> RunHostedServicesAsync()
    {
        var started = new HostedServices(Host.Services.GetServices<IHostedService>().ToList());
        foreach (var service in started.Services)
            await service.StartAsync(CancellationToken.None);
        return started;
    }

    [SkippableFact]
    public async Task SendAsync_InHostTransactionRolledBack_NothingStoredAndNoEventEver()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Team", Bob)).Created();
        await using var hosted = await RunHostedServicesAsync();

        // Act: the host opens a transaction, the chat sends in it, the host rolls back.
        await using (var scope = Host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            var messages = scope.ServiceProvider.GetRequiredService<IChatMessageService>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            (await messages.SendAsync(Alice.Id, room.Id, new SendMessageRequest { Text = "rolled back" }, CancellationToken.None)).Created();
            await transaction.RollbackAsync();
        }

        var followUp = (await Alice.SendAsync(room.Id, "follow-up")).Created();

        // Assert: the follow-up's event arrives; the rolled-back message is neither stored nor announced.
        await _listener.WaitForAsync(e => IsMessage(e, p => p.Str("id") == followUp.Id), "the follow-up's messageCreated");
        Assert.False(await Host.QueryAsync(db => db.Set<ChatMessage<string>>().AnyAsync(m => m.Text == "rolled back")));
        Assert.DoesNotContain(_listener.Events, e => IsMessage(e, p => p.Str("text") == "rolled back"));
        Assert.Equal(["follow-up"], (await Bob.ListMessagesAsync(room.Id)).Ok().Items.Select(m => m.Text));
    }

    [SkippableFact]
    public async Task SendAsync_InHostTransaction_EventOnlyOnceTheHostCommits()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Team", Bob)).Created();
        await using var hosted = await RunHostedServicesAsync();
        await using var scope = Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
        var messages = scope.ServiceProvider.GetRequiredService<IChatMessageService>();
        await using var transaction = await db.Database.BeginTransactionAsync();

        // Act
        var message = (await messages.SendAsync(Alice.Id, room.Id, new SendMessageRequest { Text = "committed by the host" }, CancellationToken.None)).Created();
        var heardBeforeCommit = _listener.Events.Any(e => IsMessage(e, p => p.Str("id") == message.Id));
        await transaction.CommitAsync();

        // Assert: nothing could be announced while the host's transaction was open; after its commit, the event comes.
        Assert.False(heardBeforeCommit, "messageCreated went out before the host committed its transaction");
        await _listener.WaitForAsync(e => IsMessage(e, p => p.Str("id") == message.Id), "messageCreated after the host's commit");
    }

    public static TheoryData<string> FailingCalls => ["send to an unknown room", "send someone else's upload", "edit an unknown message", "delete a room without permission"];

    [SkippableTheory]
    [MemberData(nameof(FailingCalls))]
    public async Task ChatCallFails_HostsUnsavedChangesStayTrackedAndCanBeSaved(string call)
    {
        // Arrange: a room, an upload of Bob's, and the host's own unsaved change in the request's DbContext.
        var room = (await Alice.CreateGroupAsync("Team", Bob)).Created();
        var bobsUpload = (await Bob.UploadAsync(TestFiles.Png())).Created();
        await using var scope = Host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<TestDbContext>();
        var pending = new TestUser { UserName = "host's unsaved user" };
        db.Add(pending);

        // Act
        var result = call switch
        {
            "send to an unknown room" => (await services.GetRequiredService<IChatMessageService>().SendAsync(Alice.Id, "987654", new SendMessageRequest { Text = "x" }, CancellationToken.None)).Error,
            "send someone else's upload" => (await services.GetRequiredService<IChatMessageService>().SendAsync(Alice.Id, room.Id, new SendMessageRequest { MediaIds = [bobsUpload.Id] }, CancellationToken.None)).Error,
            "edit an unknown message" => (await services.GetRequiredService<IChatMessageService>().EditAsync(Alice.Id, room.Id, "987654", "x", CancellationToken.None)).Error,
            _ => (await services.GetRequiredService<IChatRoomService>().DeleteAsync(Bob.Id, room.Id, CancellationToken.None)).Error,
        };

        // Assert: the chat refused, and the host's entry is still there, still to be inserted.
        Assert.NotNull(result);
        var entry = Assert.Single(db.ChangeTracker.Entries<TestUser>(), e => ReferenceEquals(e.Entity, pending));
        Assert.Equal(EntityState.Added, entry.State);
        await db.SaveChangesAsync();
        Assert.True(await Host.QueryAsync(d => d.Users.AnyAsync(u => u.Id == pending.Id)));
    }

    [SkippableFact]
    public async Task SendAsync_Succeeds_HostsUnsavedChangesAreNotSavedByTheChat()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Team", Bob)).Created();
        await using var scope = Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
        var pending = new TestUser { UserName = "host's unsaved user" };
        db.Add(pending);

        // Act
        (await scope.ServiceProvider.GetRequiredService<IChatMessageService>().SendAsync(Alice.Id, room.Id, new SendMessageRequest { Text = "hello" }, CancellationToken.None)).Created();

        // Assert: the host decides when its own change is saved.
        Assert.Equal(EntityState.Added, db.Entry(pending).State);
        Assert.False(await Host.QueryAsync(d => d.Users.AnyAsync(u => u.Id == pending.Id)));
    }

    /// <summary>Records every event handed to listeners, from any thread, and waits for one.</summary>
    private sealed class RecordingListener : IChatEventListener
    {
        private readonly List<ChatEvent> _events = [];
        private readonly Channel<ChatEvent> _arrivals = Channel.CreateUnbounded<ChatEvent>();

        public IReadOnlyList<ChatEvent> Events
        {
            get
            {
                lock (_events)
                    return _events.ToList();
            }
        }

        public Task HandleAsync(ChatEvent chatEvent, CancellationToken cancellationToken)
        {
            lock (_events)
                _events.Add(chatEvent);
            _arrivals.Writer.TryWrite(chatEvent);
            return Task.CompletedTask;
        }

        public async Task WaitForAsync(Func<ChatEvent, bool> match, string what, double seconds = 10)
        {
            if (Events.Any(match))
                return;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            try
            {
                while (!match(await _arrivals.Reader.ReadAsync(timeout.Token)))
                {
                }
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"No {what} within {seconds} s; heard: {string.Join(", ", Events.Select(e => e.Name))}");
            }
        }
    }

    private sealed class HostedServices(List<IHostedService> services) : IAsyncDisposable
    {
        public List<IHostedService> Services { get; } = services;

        public async ValueTask DisposeAsync()
        {
            foreach (var service in Enumerable.Reverse(Services))
                await service.StopAsync(CancellationToken.None);
        }
    }
}

public sealed class SqliteHostTransactionTests(SqliteServiceDatabase database) : HostTransactionTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresHostTransactionTests(PostgresServiceDatabase database) : HostTransactionTests(database), IClassFixture<PostgresServiceDatabase>;
