using DfChat.Entities;
using DfChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Tests.Services;

/// <summary>The unique indexes hold even when rows are written behind the services' back.</summary>
public abstract class DatabaseConstraintTests(ServiceDatabase database) : ServiceTestBase(database)
{
    private static long Key(string id) => long.Parse(id, System.Globalization.CultureInfo.InvariantCulture);

    private Task<Exception?> InsertAsync(object entity) =>
        Record.ExceptionAsync(() => Host.DbAsync(async db =>
        {
            db.Add(entity);
            await db.SaveChangesAsync();
        }));

    [SkippableFact]
    public async Task Insert_DuplicateMembership_Rejected()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        // Act
        var exception = await InsertAsync(new ChatRoomUser<string>
        {
            RoomId = Key(room.Id),
            UserId = Bob.Id,
            CreatedBy = Alice.Id,
            LastSeenAt = Host.Now,
            CreatedAt = Host.Now,
        });

        // Assert
        Assert.IsType<DbUpdateException>(exception);
    }

    [SkippableFact]
    public async Task Insert_DuplicateReaction_Rejected()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var message = (await Alice.SendAsync(room.Id, "hi")).Created();
        (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();

        // Act
        var exception = await InsertAsync(new ChatMessageReaction<string>
        {
            RoomId = Key(room.Id),
            MessageId = Key(message.Id),
            UserId = Bob.Id,
            Reaction = "like",
            CreatedAt = Host.Now,
        });

        // Assert
        Assert.IsType<DbUpdateException>(exception);
    }

    [SkippableFact]
    public async Task Insert_SameReactionOfAnotherUser_Accepted()
    {
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var message = (await Alice.SendAsync(room.Id, "hi")).Created();
        (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();

        var exception = await InsertAsync(new ChatMessageReaction<string>
        {
            RoomId = Key(room.Id),
            MessageId = Key(message.Id),
            UserId = Alice.Id,
            Reaction = "like",
            CreatedAt = Host.Now,
        });

        Assert.Null(exception);
    }

    [SkippableFact]
    public async Task Insert_DuplicatePrivatePairKey_Rejected()
    {
        // Arrange
        var room = (await Alice.CreatePrivateAsync(Bob)).Created();
        var pairKey = await Host.QueryAsync(db => db.Set<ChatRoom<string>>().Where(r => r.Id == Key(room.Id)).Select(r => r.PrivatePairKey).SingleAsync());
        Assert.NotNull(pairKey);

        // Act
        var exception = await InsertAsync(new ChatRoom<string>
        {
            Type = ChatRoomType.PrivateMessages,
            CreatedBy = Bob.Id,
            CreatedAt = Host.Now,
            LastActivityAt = Host.Now,
            PrivatePairKey = pairKey,
        });

        // Assert
        Assert.IsType<DbUpdateException>(exception);
    }

    [SkippableFact]
    public async Task Insert_DuplicateClientMessageId_Rejected()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        (await Alice.SendAsync(room.Id, new Models.SendMessageRequest { Text = "a", ClientMessageId = "k" })).Created();

        // Act
        var exception = await InsertAsync(new ChatMessage<string>
        {
            RoomId = Key(room.Id),
            UserId = Alice.Id,
            Text = "b",
            CreatedAt = Host.Now,
            ClientMessageId = "k",
        });

        // Assert
        Assert.IsType<DbUpdateException>(exception);
    }

    [SkippableFact]
    public async Task Insert_MessagesWithoutClientMessageId_AllAccepted()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        (await Alice.SendAsync(room.Id, "a")).Created();

        var exception = await InsertAsync(new ChatMessage<string> { RoomId = Key(room.Id), UserId = Alice.Id, Text = "b", CreatedAt = Host.Now });

        Assert.Null(exception);
    }

    [SkippableFact]
    public async Task Insert_MediaAttachedToTwoMessages_Rejected()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        var media = (await Alice.UploadAsync(TestFiles.Png())).Created();
        (await Alice.SendAsync(room.Id, new Models.SendMessageRequest { MediaIds = [media.Id] })).Created();
        var other = (await Alice.SendAsync(room.Id, "other")).Created();

        // Act
        var exception = await InsertAsync(new ChatMessageMedia { RoomId = Key(room.Id), MessageId = Key(other.Id), MediaId = Key(media.Id), Sequence = 0 });

        // Assert
        Assert.IsType<DbUpdateException>(exception);
    }
}

public sealed class SqliteDatabaseConstraintTests(SqliteServiceDatabase database) : DatabaseConstraintTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresDatabaseConstraintTests(PostgresServiceDatabase database) : DatabaseConstraintTests(database), IClassFixture<PostgresServiceDatabase>;
