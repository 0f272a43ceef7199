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
    public async Task Services_GuidKeys_MentionRowsStoredAsTheirQueriesReadThem()
    {
        // Arrange: mention rows are stored by a statement of the chat's own on SQLite (SqliteMentionRows); the
        // recount of a read and the erasure find them by key and time only if stored as EF Core stores them.
        await using var host = ChatTestHost.CreateWithGuidKeys(Database);
        var alice = await host.CreateUserAsync("Alice");
        var bob = await host.CreateUserAsync("Bob");
        var room = (await alice.CreateGroupAsync("Group", bob)).Created();
        var first = (await alice.SendAsync(room.Id, new Models.SendMessageRequest { Text = "one", Mentions = [bob.Id] })).Created();
        (await alice.SendAsync(room.Id, new Models.SendMessageRequest { Text = "two", Mentions = [bob.Id] })).Created();
        (await alice.SendAsync(room.Id, new Models.SendMessageRequest { Text = "three", Mentions = [bob.Id] })).Created();

        // Act
        var read = (await bob.MarkReadAsync(room.Id, first.Id)).Ok();

        // Assert: the recount found the two rows after the read position.
        Assert.Equal(2, read.MentionCount);
        Assert.Equal(3, await host.QueryAsync(db => db.Set<ChatMessageMention<Guid>>().CountAsync(m => m.UserId == Guid.Parse(bob.Id))));
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
