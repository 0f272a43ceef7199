using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Options;
using DfChat.Services;
using DfChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Services;

/// <summary>Erasing a user (API.md §4): through the write path, then the host's delete succeeds.</summary>
public abstract class UserErasureTests(ServiceDatabase database) : ServiceTestBase(database)
{
    internal static async Task EraseAsync<TUser, TContext>(ChatTestHost<TUser, TContext> host, ChatCaller user)
        where TUser : class
        where TContext : DbContext
    {
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IChatUserData>().EraseAsync(user.Id, CancellationToken.None);
    }

    private static Task DeleteHostUserAsync(ChatTestHost<TestUser, TestDbContext> host, ChatCaller user) =>
        host.DbAsync(async db =>
        {
            db.Users.Remove(await db.Users.SingleAsync(u => u.Id == user.Id));
            await db.SaveChangesAsync();
        });

    /// <summary>Every user column of every chat table, with the rows naming <paramref name="userId"/>.</summary>
    private static Task<int> RowsNamingAsync(ChatTestHost<TestUser, TestDbContext> host, string userId) =>
        host.QueryAsync(async db =>
            await db.Set<ChatRoom<string>>().CountAsync(r => r.CreatedBy == userId)
            + await db.Set<ChatRoomUser<string>>().CountAsync(m => m.UserId == userId || m.CreatedBy == userId)
            + await db.Set<ChatMessage<string>>().CountAsync(m => m.UserId == userId)
            + await db.Set<ChatMessageReaction<string>>().CountAsync(r => r.UserId == userId)
            + await db.Set<ChatMedia<string>>().CountAsync(m => m.UploadedBy == userId));

    internal static Task<List<ChatRoomEvent>> EventsAsync<TUser, TContext>(ChatTestHost<TUser, TContext> host, string roomId)
        where TUser : class
        where TContext : DbContext
    {
        var id = long.Parse(roomId, System.Globalization.CultureInfo.InvariantCulture);
        return host.QueryAsync(db => db.Set<ChatRoomEvent>().AsNoTracking().Where(e => e.RoomId == id).OrderBy(e => e.Seq).ToListAsync());
    }

    [SkippableFact]
    public async Task DeleteHostUser_MemberNotErased_FailsAndKeepsChatRows()
    {
        // Arrange: Bob only was added and posted (a cascade used to take his rows behind the write path's back).
        var room = (await Alice.CreateGroupAsync("Team", Bob)).Created();
        (await Bob.SendAsync(room.Id, "hi")).Created();

        // Act
        var failure = await Record.ExceptionAsync(() => DeleteHostUserAsync(Host, Bob));

        // Assert
        Assert.IsType<DbUpdateException>(failure);
        var after = (await Alice.GetRoomAsync(room.Id)).Ok();
        Assert.Equal(2, after.MemberCount);
        Assert.Equal(Bob.Id, after.LastMessage!.UserId);
    }

    [SkippableFact]
    public async Task EraseAsync_CreatorOwnerReactorUploader_NoRowNamesThemAndHostDeleteSucceeds()
    {
        // Arrange: Alice owns a group she made with Bob and Carol (she added them), with her avatar; posts
        // with an attachment, is replied to, reacts; has a private room with Dave, a room of her own, an upload.
        var avatar = (await Alice.UploadAsync(TestFiles.Png())).Created();
        var group = (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "Team", AvatarMediaId = avatar.Id, UserIds = [Bob.Id, Carol.Id] })).Created();
        var attachment = (await Alice.UploadAsync(TestFiles.Png(), "image/png", "kept.png")).Created();
        var hers = (await Alice.SendAsync(group.Id, new SendMessageRequest { Text = "hello", MediaIds = [attachment.Id] })).Created();
        var reply = (await Bob.SendAsync(group.Id, new SendMessageRequest { Text = "hi Alice", ReplyToId = hers.Id })).Created();
        (await Alice.ReactAsync(group.Id, reply.Id, "like")).Created();
        (await Bob.ReactAsync(group.Id, hers.Id, "like")).Created();
        var pair = (await Alice.CreatePrivateAsync(Dave)).Created();
        (await Alice.SendAsync(pair.Id, "just us")).Created();
        var alone = (await Alice.CreateGroupAsync("Alone")).Created();
        var loose = (await Alice.UploadAsync(TestFiles.Png(), "image/png", "loose.png")).Created();
        await Host.OutboxIdleAsync();
        var seqBefore = (await Bob.GetRoomAsync(group.Id)).Ok().LastSeq;

        // Act
        await EraseAsync(Host, Alice);
        await Host.OutboxIdleAsync();
        await DeleteHostUserAsync(Host, Alice);

        // Assert: nothing names her, and the host's delete went through.
        Assert.Equal(0, await RowsNamingAsync(Host, Alice.Id));
        Assert.False(await Host.QueryAsync(db => db.Users.AnyAsync(u => u.Id == Alice.Id)));

        // The group passed to Bob, who joined earliest after her, with every permission.
        var room = (await Bob.GetRoomAsync(group.Id)).Ok();
        Assert.Equal(2, room.MemberCount);
        Assert.Null(room.CreatedBy);
        Assert.Null(room.AvatarUrl);
        Assert.True(room.Membership!.IsOwner);
        Assert.Equal(ChatPermissionNames.All.Order(), room.Membership.Permissions.Order());
        var members = (await Bob.ListMembersAsync(group.Id)).Ok().Items;
        Assert.Equal(new[] { Bob.Id, Carol.Id }.Order(), members.Select(m => m.UserId).Order());
        Assert.All(members, m => Assert.Null(m.CreatedBy));

        // Her message stays, anonymized, with its attachment; her reaction is gone and counted out.
        var kept = (await Carol.GetMessageAsync(group.Id, hers.Id)).Ok();
        Assert.Null(kept.UserId);
        Assert.Null(kept.User);
        Assert.Equal("kept.png", Assert.Single(kept.Media).FileName);
        Assert.Equal(1, Assert.Single(kept.Reactions).Count);
        Assert.Empty((await Carol.GetMessageAsync(group.Id, reply.Id)).Ok().Reactions);
        Assert.Equal(hers.Id, (await Carol.GetMessageAsync(group.Id, reply.Id)).Ok().ReplyToId);

        // The private room keeps Dave; her own room is gone; her avatar and loose upload are gone with their files.
        var privateRoom = (await Dave.GetRoomAsync(pair.Id)).Ok();
        Assert.Equal(1, privateRoom.MemberCount);
        Assert.Null((await Dave.GetRoomAsync(pair.Id)).Ok().LastMessage!.UserId);
        Assert.Equal(ChatErrorKind.NotFound, (await Bob.GetRoomAsync(alone.Id)).Error!.Kind);
        Assert.False(await Host.QueryAsync(db => db.Set<ChatMedia<string>>().AnyAsync(m => m.Id == long.Parse(avatar.Id, System.Globalization.CultureInfo.InvariantCulture) || m.Id == long.Parse(loose.Id, System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Single(Host.MediaStore.Keys);

        // Members heard every change, each with the room's next seq.
        var events = (await EventsAsync(Host, group.Id)).Where(e => e.Seq > seqBefore).ToList();
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => seqBefore + i), events.Select(e => e.Seq));
        Assert.All(events, e => Assert.NotNull(e.PublishedAt));
        var types = events.Select(e => e.Type).ToList();
        Assert.Contains(ChatEventNames.ReactionRemoved, types);
        Assert.Contains(ChatEventNames.MessageUpdated, types);
        Assert.Contains(ChatEventNames.RoomUpdated, types);
        Assert.Equal(ChatEventNames.MemberRemoved, types[^1]);
        Assert.Equal(ChatEventNames.MemberUpdated, types[^2]);
        Assert.Contains(Alice.Id, events[^1].Payload, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task EraseAsync_MentionedInRoomsKeptAndLeft_MentionsOfThemGoOthersStay()
    {
        // Arrange: Bob is mentioned beside Carol in a room he is in, and alone in a room he has left.
        var team = (await Alice.CreateGroupAsync("Team", Bob, Carol)).Created();
        var both = (await Alice.SendAsync(team.Id, new SendMessageRequest { Text = "hi both", Mentions = [Bob.Id, Carol.Id] })).Created();
        var left = (await Alice.CreateGroupAsync("Left", Bob)).Created();
        var alone = (await Alice.SendAsync(left.Id, new SendMessageRequest { Text = "Bob?", Mentions = [Bob.Id] })).Created();
        (await Bob.RemoveMemberAsync(left.Id, "me")).Ok();
        await Host.OutboxIdleAsync();
        var seqBefore = (await EventsAsync(Host, left.Id)).Max(e => e.Seq);

        // Act
        await EraseAsync(Host, Bob);

        // Assert: the messages stay and name Carol only; Carol's count is as it was.
        Assert.Equal([Carol.Id], (await Alice.GetMessageAsync(team.Id, both.Id)).Ok().Mentions);
        Assert.Empty((await Alice.GetMessageAsync(left.Id, alone.Id)).Ok().Mentions);
        Assert.Equal(1, (await Carol.GetRoomAsync(team.Id)).Ok().Membership!.MentionCount);
        Assert.Equal(0, await Host.QueryAsync(db => db.Set<ChatMessage<string>>().CountAsync(m => m.Mentions != null && m.Mentions.Contains(Bob.Id))));

        // The room Bob had left heard the change.
        var events = (await EventsAsync(Host, left.Id)).Where(e => e.Seq > seqBefore).ToList();
        var updated = Assert.Single(events);
        Assert.Equal(ChatEventNames.MessageUpdated, updated.Type);
        Assert.DoesNotContain(Bob.Id, updated.Payload, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task EraseAsync_PinsTheyMade_LiftedWithMessageUpdatedOthersPinsStay()
    {
        // Arrange: in their private room Bob pins Alice's message and Alice pins one of her own.
        var room = (await Alice.CreatePrivateAsync(Bob)).Created();
        var byBob = (await Alice.SendAsync(room.Id, "pinned by Bob")).Created();
        var byAlice = (await Alice.SendAsync(room.Id, "pinned by Alice")).Created();
        (await Bob.PinAsync(room.Id, byBob.Id)).Ok();
        (await Alice.PinAsync(room.Id, byAlice.Id)).Ok();
        await Host.OutboxIdleAsync();
        var seqBefore = (await EventsAsync(Host, room.Id)).Max(e => e.Seq);

        // Act
        await EraseAsync(Host, Bob);
        await Host.OutboxIdleAsync();

        // Assert: Bob's pin is lifted and the room heard it as an unpin; Alice's pin stays.
        var lifted = (await Alice.GetMessageAsync(room.Id, byBob.Id)).Ok();
        Assert.Null(lifted.PinnedAt);
        Assert.Null(lifted.PinnedBy);
        Assert.Equal(Alice.Id, (await Alice.GetMessageAsync(room.Id, byAlice.Id)).Ok().PinnedBy);
        Assert.Equal(0, await Host.QueryAsync(db => db.Set<ChatMessagePin<string>>().CountAsync(p => p.PinnedBy == Bob.Id)));
        var updated = (await EventsAsync(Host, room.Id)).Where(e => e.Seq > seqBefore && e.Type == ChatEventNames.MessageUpdated)
            .Select(e => System.Text.Json.JsonDocument.Parse(e.Payload).RootElement)
            .Where(p => p.GetProperty("id").GetString() == byBob.Id)
            .ToList();
        var unpinned = Assert.Single(updated);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, unpinned.GetProperty("pinnedAt").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, unpinned.GetProperty("pinnedBy").ValueKind);
    }

    [SkippableFact]
    public async Task EraseAsync_WhileOthersPost_EveryCountAndSeqRight()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Team", Bob, Carol)).Created();
        for (var i = 0; i < 30; i++)
            (await Alice.SendAsync(room.Id, "from Alice " + i)).Created();

        // Act: Bob and Carol post while Alice is erased.
        async Task PostAsync(ChatCaller who)
        {
            for (var i = 0; i < 15; i++)
                (await who.SendAsync(room.Id, who.Id + " " + i)).Created();
        }

        await Task.WhenAll(EraseAsync(Host, Alice), PostAsync(Bob), PostAsync(Carol));
        await Host.OutboxIdleAsync();
        await DeleteHostUserAsync(Host, Alice);

        // Assert
        var bobs = (await Bob.GetRoomAsync(room.Id)).Ok();
        Assert.Equal(2, bobs.MemberCount);
        Assert.True(bobs.Membership!.IsOwner);
        Assert.Equal(30 + 15, bobs.Membership.UnreadCount);
        Assert.Equal(30 + 15, (await Carol.GetRoomAsync(room.Id)).Ok().Membership!.UnreadCount);
        var messages = await Host.QueryAsync(db => db.Set<ChatMessage<string>>().CountAsync());
        Assert.Equal(60, messages);
        var events = await EventsAsync(Host, room.Id);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.Equal(bobs.LastSeq, events[^1].Seq);
    }

    [SkippableFact]
    public async Task ExportAsync_UserWithRowsPastOnePage_EveryMembershipMessageReactionAndUpload()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Team", Bob)).Created();
        var other = (await Bob.CreateGroupAsync("Other", Alice)).Created();
        for (var i = 0; i < 105; i++)
            (await Alice.SendAsync(room.Id, "m" + i)).Created();
        var bobs = (await Bob.SendAsync(other.Id, "from Bob")).Created();
        (await Alice.ReactAsync(other.Id, bobs.Id, "like")).Created();
        (await Alice.UploadAsync(TestFiles.Png())).Created();
        (await Bob.UploadAsync(TestFiles.Png())).Created();

        // Act
        await using var scope = Host.Services.CreateAsyncScope();
        var export = (await scope.ServiceProvider.GetRequiredService<IChatUserData>().ExportAsync(Alice.Id, CancellationToken.None)).Ok();
        var memberships = await export.Memberships.ToListAsync();
        var messages = await export.Messages.ToListAsync();
        var reactions = await export.Reactions.ToListAsync();
        var media = await export.Media.ToListAsync();

        // Assert
        Assert.Equal(Alice.Id, export.User.Id);
        Assert.Equal(new[] { room.Id, other.Id }.Order(), memberships.Select(m => m.RoomId).Order());
        Assert.Equal(105, messages.Count);
        Assert.All(messages, m => Assert.Equal((room.Id, Alice.Id), (m.RoomId, m.UserId)));
        Assert.Equal(Enumerable.Range(0, 105).Select(i => "m" + i), messages.Select(m => m.Text));
        Assert.Equal(bobs.Id, Assert.Single(reactions).MessageId);
        Assert.Single(media);
    }
}

/// <summary>Erasing a user with other options or user keys than <see cref="UserErasureTests"/>' host.</summary>
public abstract class UserErasureOptionTests(ServiceDatabase database) : DatabaseTestBase(database)
{
    [SkippableFact]
    public async Task EraseAsync_DeleteModeInSmallBatches_MessagesDeletedAndCountsRight()
    {
        // Arrange
        await using var host = ChatTestHost.Create(Database, o =>
        {
            o.ErasedUserMessages = ErasedUserMessages.Delete;
            o.ErasureBatchSize = 2;
        });
        var alice = await host.CreateUserAsync("Alice");
        var bob = await host.CreateUserAsync("Bob");
        var room = (await bob.CreateGroupAsync("Team", alice)).Created();
        var hers = new List<MessageModel>();
        for (var i = 0; i < 5; i++)
            hers.Add((await alice.SendAsync(room.Id, "secret " + i)).Created());
        var mine = (await bob.SendAsync(room.Id, new SendMessageRequest { Text = "answer", ReplyToId = hers[0].Id })).Created();
        (await alice.ReactAsync(room.Id, mine.Id, "like")).Created();
        (await alice.ReactAsync(room.Id, mine.Id, "dislike")).Created();
        (await alice.ReactAsync(room.Id, hers[1].Id, "like")).Created();
        Assert.Equal(5, (await bob.GetRoomAsync(room.Id)).Ok().Membership!.UnreadCount);

        // Act
        await UserErasureTests.EraseAsync(host, alice);
        await host.OutboxIdleAsync();
        await host.DbAsync(async db =>
        {
            db.Users.Remove(await db.Users.SingleAsync(u => u.Id == alice.Id));
            await db.SaveChangesAsync();
        });

        // Assert
        var after = (await bob.GetRoomAsync(room.Id)).Ok();
        Assert.Equal(0, after.Membership!.UnreadCount);
        Assert.Equal(1, after.MemberCount);
        Assert.Equal(mine.Id, after.LastMessage!.Id);
        Assert.Empty(after.LastMessage.Reactions);
        Assert.Null(after.LastMessage.ReplyToId);
        Assert.Equal([mine.Id], (await bob.ListMessagesAsync(room.Id)).Ok().Items.Select(m => m.Id));
        var events = await UserErasureTests.EventsAsync(host, room.Id);
        Assert.Equal(5, events.Count(e => e.Type == ChatEventNames.MessageDeleted));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
    }

    [SkippableFact]
    public async Task EraseAsync_GuidKeys_RowsGivenToOthersAndHostDeleteSucceeds()
    {
        // Arrange
        await using var host = ChatTestHost.CreateWithGuidKeys(Database);
        var alice = await host.CreateUserAsync("Alice");
        var bob = await host.CreateUserAsync("Bob");
        var carol = await host.CreateUserAsync("Carol");
        var room = (await alice.CreateGroupAsync("Team", bob, carol)).Created();
        var message = (await alice.SendAsync(room.Id, "hello")).Created();
        (await bob.ReactAsync(room.Id, message.Id, "like")).Created();

        // Act
        await UserErasureTests.EraseAsync(host, alice);
        await host.OutboxIdleAsync();
        await host.DbAsync(async db =>
        {
            db.Users.Remove(await db.Users.SingleAsync(u => u.Id == Guid.Parse(alice.Id)));
            await db.SaveChangesAsync();
        });

        // Assert: a Guid column cannot be null, so the room counts as Bob's creation and the message is deleted.
        var after = (await bob.GetRoomAsync(room.Id)).Ok();
        Assert.Equal(bob.Id, after.CreatedBy);
        Assert.True(after.Membership!.IsOwner);
        Assert.Null(after.LastMessage);
        Assert.All((await bob.ListMembersAsync(room.Id)).Ok().Items, m => Assert.Equal(m.UserId, m.CreatedBy));
    }
}

public sealed class SqliteUserErasureTests(SqliteServiceDatabase database) : UserErasureTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresUserErasureTests(PostgresServiceDatabase database) : UserErasureTests(database), IClassFixture<PostgresServiceDatabase>;

public sealed class SqliteUserErasureOptionTests(SqliteServiceDatabase database) : UserErasureOptionTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresUserErasureOptionTests(PostgresServiceDatabase database) : UserErasureOptionTests(database), IClassFixture<PostgresServiceDatabase>;
