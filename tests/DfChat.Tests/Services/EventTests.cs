using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace DfChat.Tests.Services;

/// <summary>
/// Events leave the outbox once the change is committed, so that a host calling the services
/// directly gets the same events as the hub, as JSON with their seq; a listener sees the recipients
/// and their muted flag, and a failing listener never fails the change.
/// </summary>
public abstract class EventTests(ServiceDatabase database) : ServiceTestBase(database)
{
    private readonly List<ChatEvent> _events = [];
    private readonly IChatEventListener _listener = Substitute.For<IChatEventListener>();

    protected override void ConfigureServices(IServiceCollection services)
    {
        _listener.HandleAsync(Arg.Do<ChatEvent>(e => { lock (_events) _events.Add(e); }), Arg.Any<CancellationToken>()).Returns(Task.CompletedTask);
        services.AddSingleton(_listener);
    }

    private ChatEvent Single(string name) => Assert.Single(Heard(), e => e.Name == name);

    /// <summary>The events heard once the outbox has published everything committed so far.</summary>
    private List<ChatEvent> Heard()
    {
        Host.Services.GetRequiredService<ChatOutbox>().WhenIdleAsync().GetAwaiter().GetResult();
        lock (_events)
            return [.. _events];
    }

    private static string Str(ChatEvent chatEvent, string property) =>
        Assert.IsType<System.Text.Json.JsonElement>(chatEvent.Payload).GetProperty(property).GetString()!;

    [SkippableFact]
    public async Task SendAsync_Committed_RaisesMessageCreatedWithRecipientsAndTheirMutedFlag()
    {
        var room = (await Alice.CreateGroupAsync("Team", Bob)).Created();
        (await Bob.UpdateMemberAsync(room.Id, "me", new UpdateMemberRequest { Muted = true })).Ok();

        var message = (await Alice.SendAsync(room.Id, "hello")).Created();

        var created = Single(ChatEventNames.MessageCreated);
        Assert.Equal(room.Id, created.RoomId);
        Assert.Equal(Alice.Id, created.ActorId);
        Assert.Equal(message.Id, Str(created, "id"));
        Assert.True(created.Seq > 0);
        Assert.Equal(created.Seq, Assert.IsType<System.Text.Json.JsonElement>(created.Payload).GetProperty("seq").GetInt64());
        Assert.Equal(
            new[] { new ChatRecipient(Alice.Id, false), new ChatRecipient(Bob.Id, true) }.OrderBy(r => r.UserId),
            created.Recipients.OrderBy(r => r.UserId));
    }

    [SkippableFact]
    public async Task SendAsync_MentioningAMutedMember_RecipientFlaggedMentioned()
    {
        var room = (await Alice.CreateGroupAsync("Team", Bob)).Created();
        (await Bob.UpdateMemberAsync(room.Id, "me", new UpdateMemberRequest { Muted = true })).Ok();

        (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "@bob", Mentions = [Bob.Id] })).Created();

        var created = Single(ChatEventNames.MessageCreated);
        Assert.Equal(
            new[] { new ChatRecipient(Alice.Id, false), new ChatRecipient(Bob.Id, true) { Mentioned = true } }.OrderBy(r => r.UserId),
            created.Recipients.OrderBy(r => r.UserId));
    }

    [SkippableFact]
    public async Task SendAsync_ListenerRuns_AfterTheMessageIsCommitted()
    {
        var room = (await Alice.CreateGroupAsync("Team", Bob)).Created();
        var storedWhenHeard = false;
        _listener.HandleAsync(Arg.Is<ChatEvent>(e => e.Name == ChatEventNames.MessageCreated), Arg.Any<CancellationToken>())
            .Returns(async _ => storedWhenHeard = await Host.QueryAsync(db => db.Set<ChatMessage<string>>().AnyAsync(m => m.Text == "committed?")));

        (await Alice.SendAsync(room.Id, "committed?")).Created();
        Heard();

        Assert.True(storedWhenHeard);
    }

    [SkippableFact]
    public async Task SendAsync_Refused_RaisesNothing()
    {
        var room = (await Alice.CreateGroupAsync("Team")).Created();
        Heard();
        lock (_events)
            _events.Clear();

        (await Carol.SendAsync(room.Id, "let me in")).Fails(ChatErrorKind.NotFound);

        Assert.Empty(Heard());
    }

    [SkippableFact]
    public async Task SendAsync_ListenerThrows_MessageIsStillSentAndStored()
    {
        var room = (await Alice.CreateGroupAsync("Team", Bob)).Created();
        _listener.HandleAsync(Arg.Any<ChatEvent>(), Arg.Any<CancellationToken>()).ThrowsAsync(new InvalidOperationException("push service down"));

        var message = (await Alice.SendAsync(room.Id, "still here")).Created();

        Assert.Equal("still here", (await Bob.GetMessageAsync(room.Id, message.Id)).Ok().Text);
    }

    [SkippableFact]
    public async Task RemoveMemberAsync_RemovedUserNamedInUserIds_AndNoLongerARecipient()
    {
        var room = (await Alice.CreateGroupAsync("Team", Bob)).Created();

        (await Bob.RemoveMemberAsync(room.Id, "me")).Ok();

        var removed = Single(ChatEventNames.MemberRemoved);
        Assert.Equal([Bob.Id], removed.UserIds);
        Assert.Equal([Alice.Id], removed.Recipients.Select(r => r.UserId));
        Assert.Equal((room.Id, Bob.Id), (Str(removed, "roomId"), Str(removed, "userId")));
    }

    [SkippableFact]
    public async Task DeleteRoomAsync_EveryFormerMemberNamedInUserIds()
    {
        var room = (await Alice.CreateGroupAsync("Team", Bob, Carol)).Created();

        (await Alice.DeleteRoomAsync(room.Id)).Ok();

        var deleted = Single(ChatEventNames.RoomDeleted);
        Assert.Equal(new[] { Alice.Id, Bob.Id, Carol.Id }.Order(), deleted.UserIds.Order());
        Assert.Empty(deleted.Recipients);
    }

    [SkippableFact]
    public async Task CreateRoomAsync_MemberAddedForEveryMember_EachRecipientIncludingTheNewOne()
    {
        (await Alice.CreateGroupAsync("Team", Bob)).Created();

        var added = Heard().Where(e => e.Name == ChatEventNames.MemberAdded).ToList();
        Assert.Equal(new[] { Alice.Id, Bob.Id }.Order(), added.Select(e => Str(e, "userId")).Order());
        Assert.Equal([1L, 2L], added.Select(e => e.Seq));
        Assert.All(added, e => Assert.Equal(new[] { Alice.Id, Bob.Id }.Order(), e.Recipients.Select(r => r.UserId).Order()));
    }
}

public sealed class SqliteEventTests(SqliteServiceDatabase database) : EventTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresEventTests(PostgresServiceDatabase database) : EventTests(database), IClassFixture<PostgresServiceDatabase>;
