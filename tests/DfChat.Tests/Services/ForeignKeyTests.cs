using DfChat.Entities;
using DfChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Tests.Services;

/// <summary>Chat tables reference the host's user table through real foreign keys, whatever the key type.</summary>
public abstract class ForeignKeyTests(ServiceDatabase database) : DatabaseTestBase(database)
{
    public static TheoryData<string, string> UserColumns => new()
    {
        { nameof(ChatRoomUser<string>), nameof(ChatRoomUser<string>.UserId) },
        { nameof(ChatRoomUser<string>), nameof(ChatRoomUser<string>.CreatedBy) },
        { nameof(ChatRoom<string>), nameof(ChatRoom<string>.CreatedBy) },
        { nameof(ChatMessage<string>), nameof(ChatMessage<string>.UserId) },
        { nameof(ChatMessageReaction<string>), nameof(ChatMessageReaction<string>.UserId) },
        { nameof(ChatMedia<string>), nameof(ChatMedia<string>.UploadedBy) },
    };

    private static Type EntityOf(string name, Type key) => name switch
    {
        nameof(ChatRoomUser<string>) => typeof(ChatRoomUser<>).MakeGenericType(key),
        nameof(ChatRoom<string>) => typeof(ChatRoom<>).MakeGenericType(key),
        nameof(ChatMessage<string>) => typeof(ChatMessage<>).MakeGenericType(key),
        nameof(ChatMessageReaction<string>) => typeof(ChatMessageReaction<>).MakeGenericType(key),
        _ => typeof(ChatMedia<>).MakeGenericType(key),
    };

    private static async Task AssertUserForeignKeyAsync<TUser, TContext>(ChatTestHost<TUser, TContext> host, Type key, string entity, string column)
        where TUser : class
        where TContext : DbContext
    {
        await using (host)
        {
            await host.DbAsync(db =>
            {
                var type = db.Model.FindEntityType(EntityOf(entity, key));
                Assert.NotNull(type);
                var foreignKey = Assert.Single(type.GetForeignKeys(), fk => fk.Properties.Single().Name == column);
                Assert.Equal(typeof(TUser), foreignKey.PrincipalEntityType.ClrType);
                Assert.Equal(key, foreignKey.Properties.Single().ClrType);
                Assert.Equal(db.Model.FindEntityType(typeof(TUser))!.FindPrimaryKey(), foreignKey.PrincipalKey);
                return Task.CompletedTask;
            });
        }
    }

    [SkippableTheory]
    [MemberData(nameof(UserColumns))]
    public Task Model_StringKeys_UserColumnIsForeignKeyToUser(string entity, string column) =>
        AssertUserForeignKeyAsync(ChatTestHost.Create(Database), typeof(string), entity, column);

    [SkippableTheory]
    [MemberData(nameof(UserColumns))]
    public Task Model_GuidKeys_UserColumnIsForeignKeyToUser(string entity, string column) =>
        AssertUserForeignKeyAsync(ChatTestHost.CreateWithGuidKeys(Database), typeof(Guid), entity, column);

    [SkippableTheory]
    [MemberData(nameof(UserColumns))]
    public Task Model_IntKeys_UserColumnIsForeignKeyToUser(string entity, string column) =>
        AssertUserForeignKeyAsync(ChatTestHost.CreateWithIntKeys(Database), typeof(int), entity, column);

    /// <summary>Creates a room through the service, then inserts a membership of <paramref name="missing"/> directly.</summary>
    private static async Task AssertMembershipOfMissingUserRejectedAsync<TUser, TContext, TKey>(ChatTestHost<TUser, TContext> host, TKey missing)
        where TUser : class
        where TContext : DbContext
        where TKey : IEquatable<TKey>
    {
        await using (host)
        {
            // Arrange
            var owner = await host.CreateUserAsync("Owner");
            var room = (await owner.CreateGroupAsync("Room")).Created();
            var roomId = long.Parse(room.Id, System.Globalization.CultureInfo.InvariantCulture);

            // Act
            var exception = await Record.ExceptionAsync(() => host.DbAsync(async db =>
            {
                db.Set<ChatRoomUser<TKey>>().Add(new ChatRoomUser<TKey>
                {
                    RoomId = roomId,
                    UserId = missing,
                    CreatedBy = missing,
                    LastSeenAt = host.Now,
                    CreatedAt = host.Now,
                });
                await db.SaveChangesAsync();
            }));

            // Assert
            Assert.IsType<DbUpdateException>(exception);
        }
    }

    [SkippableFact]
    public Task Database_StringKeys_MembershipOfMissingUserRejected() =>
        AssertMembershipOfMissingUserRejectedAsync(ChatTestHost.Create(Database), "no-such-user");

    [SkippableFact]
    public Task Database_GuidKeys_MembershipOfMissingUserRejected() =>
        AssertMembershipOfMissingUserRejectedAsync(ChatTestHost.CreateWithGuidKeys(Database), Guid.NewGuid());

    [SkippableFact]
    public Task Database_IntKeys_MembershipOfMissingUserRejected() =>
        AssertMembershipOfMissingUserRejectedAsync(ChatTestHost.CreateWithIntKeys(Database), 987654);

    [SkippableFact]
    public async Task Services_GuidKeys_WorkEndToEnd()
    {
        // Arrange
        await using var host = ChatTestHost.CreateWithGuidKeys(Database);
        var alice = await host.CreateUserAsync("Alice");
        var bob = await host.CreateUserAsync("Bob");

        // Act
        var room = (await alice.CreateGroupAsync("Group", bob)).Created();
        (await alice.SendAsync(room.Id, "hi")).Created();

        // Assert
        Assert.Equal(1, (await bob.GetRoomAsync(room.Id)).Ok().Membership!.UnreadCount);
        Assert.Equal("Bob", (await bob.GetMeAsync()).Ok().DisplayName);
        Assert.Equal("Alice", Assert.Single((await bob.ListMessagesAsync(room.Id)).Ok().Items).User!.DisplayName);
        (await host.As("not-a-guid").GetRoomAsync(room.Id)).Fails(ChatErrorKind.NotAuthenticated);
    }

    [SkippableFact]
    public async Task Services_GuidKeys_ReadRecountsMentionsFromTheStoredIds()
    {
        // Arrange: a read recounts mentions by the ids as the messages store them (MessageDetails.MentionPatterns),
        // which for Guid keys must be the format the ids are written in.
        await using var host = ChatTestHost.CreateWithGuidKeys(Database);
        var alice = await host.CreateUserAsync("Alice");
        var bob = await host.CreateUserAsync("Bob");
        var room = (await alice.CreateGroupAsync("Group", bob)).Created();
        var first = (await alice.SendAsync(room.Id, new Models.SendMessageRequest { Text = "one", Mentions = [bob.Id] })).Created();
        (await alice.SendAsync(room.Id, new Models.SendMessageRequest { Text = "two", Mentions = [bob.Id] })).Created();
        (await alice.SendAsync(room.Id, new Models.SendMessageRequest { Text = "three", Mentions = [bob.Id] })).Created();

        // Act
        var read = (await bob.MarkReadAsync(room.Id, first.Id)).Ok();

        // Assert: the recount found the two messages after the read position.
        Assert.Equal(2, read.MentionCount);
        Assert.Equal(2, (await bob.GetRoomAsync(room.Id)).Ok().Membership!.MentionCount);
    }

    [SkippableFact]
    public async Task Services_StringKeysHoldingJson_ReadRecountsTheMessagesNamingTheMemberExactly()
    {
        // Arrange: string ids that are prefixes of one another or hold another's id as JSON, since a read recounts
        // mentions by finding the member's id in the messages' stored JSON.
        await using var host = new ChatTestHost<TestUser, TestDbContext>(Database, name => new TestUser { Id = name, UserName = name }, u => u.Id);
        var alice = await host.CreateUserAsync("alice");
        var five = await host.CreateUserAsync("5");
        var fiftyFive = await host.CreateUserAsync("55");
        var tricky = await host.CreateUserAsync("a\",\"5\"");
        var room = (await alice.CreateGroupAsync("Group", five, fiftyFive, tricky)).Created();
        var start = (await alice.SendAsync(room.Id, "start")).Created();
        string[][] mentions = [["55"], [tricky.Id], [tricky.Id, "55"], ["5"], ["55", "5"]];
        foreach (var ids in mentions)
            (await alice.SendAsync(room.Id, new Models.SendMessageRequest { Text = "hey", Mentions = ids })).Created();

        // Neither a thread reply nor a member's own message counts.
        (await alice.SendAsync(room.Id, new Models.SendMessageRequest { Text = "in thread", ThreadId = start.Id, Mentions = ["5"] })).Created();
        (await five.SendAsync(room.Id, new Models.SendMessageRequest { Text = "me", Mentions = ["5", "55"] })).Created();

        // Act: each reads up to the first message, so its count is recounted from the messages after it.
        var counts = new List<int>();
        foreach (var member in new[] { five, fiftyFive, tricky })
            counts.Add((await member.MarkReadAsync(room.Id, start.Id)).Ok().MentionCount);

        // Assert
        Assert.Equal([2, 4, 2], counts);
        Assert.Equal(4, (await fiftyFive.GetRoomAsync(room.Id)).Ok().Membership!.MentionCount);
    }

    [SkippableFact]
    public async Task Services_IntKeys_WorkEndToEnd()
    {
        // Arrange
        await using var host = ChatTestHost.CreateWithIntKeys(Database);
        var alice = await host.CreateUserAsync("Alice");
        var bob = await host.CreateUserAsync("Bob");

        // Act
        var room = (await alice.CreatePrivateAsync(bob)).Created();
        var again = (await bob.CreatePrivateAsync(alice)).Existing();

        // Assert
        Assert.Equal(room.Id, again.Id);
        (await bob.SendAsync(room.Id, "hi")).Created();
        Assert.Equal("Bob", Assert.Single((await alice.ListMessagesAsync(room.Id)).Ok().Items).User!.DisplayName);
        (await alice.CreateRoomAsync(new Models.CreateRoomRequest { Type = "group", Name = "g", UserIds = ["12x"] })).Fails(ChatErrorKind.Invalid, "userIds");
    }
}

public sealed class SqliteForeignKeyTests(SqliteServiceDatabase database) : ForeignKeyTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresForeignKeyTests(PostgresServiceDatabase database) : ForeignKeyTests(database), IClassFixture<PostgresServiceDatabase>;
