using System.Text;
using DfChat.Models;
using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.Services;

public abstract class PagingTests(ServiceDatabase database) : ServiceTestBase(database)
{
    private async Task<(RoomModel Room, List<MessageModel> Messages)> RoomWithMessagesAsync(int count)
    {
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var messages = new List<MessageModel>();
        for (var i = 0; i < count; i++)
            messages.Add((await Alice.SendAsync(room.Id, $"m{i}")).Created());
        return (room, messages);
    }

    [SkippableFact]
    public async Task ListAsync_Messages_NewestFirstWithCursorThroughHistory()
    {
        // Arrange
        var (room, messages) = await RoomWithMessagesAsync(5);

        // Act
        var first = (await Bob.ListMessagesAsync(room.Id, new PageRequest(2))).Ok();
        var second = (await Bob.ListMessagesAsync(room.Id, new PageRequest(2, first.NextCursor))).Ok();
        var third = (await Bob.ListMessagesAsync(room.Id, new PageRequest(2, second.NextCursor))).Ok();

        // Assert
        Assert.Equal(["m4", "m3"], first.Items.Select(m => m.Text));
        Assert.Equal(["m2", "m1"], second.Items.Select(m => m.Text));
        Assert.Equal(["m0"], third.Items.Select(m => m.Text));
        Assert.NotNull(first.NextCursor);
        Assert.Null(third.NextCursor);
        Assert.Equal(messages.Count, first.Items.Count + second.Items.Count + third.Items.Count);
    }

    [SkippableFact]
    public async Task ListAsync_ExactlyOnePage_NoNextCursor()
    {
        var (room, _) = await RoomWithMessagesAsync(3);

        var page = (await Bob.ListMessagesAsync(room.Id, new PageRequest(3))).Ok();

        Assert.Equal(3, page.Items.Count);
        Assert.Null(page.NextCursor);
    }

    [SkippableFact]
    public async Task ListAsync_NoLimit_DefaultPageSize()
    {
        var (room, _) = await RoomWithMessagesAsync(52);

        var page = (await Bob.ListMessagesAsync(room.Id)).Ok();

        Assert.Equal(50, page.Items.Count);
        Assert.NotNull(page.NextCursor);
    }

    [SkippableFact]
    public async Task ListAsync_CursorStable_WhenNewMessagesArrive()
    {
        // Arrange
        var (room, _) = await RoomWithMessagesAsync(4);
        var first = (await Bob.ListMessagesAsync(room.Id, new PageRequest(2))).Ok();
        (await Alice.SendAsync(room.Id, "late")).Created();

        // Act
        var second = (await Bob.ListMessagesAsync(room.Id, new PageRequest(2, first.NextCursor))).Ok();

        // Assert
        Assert.Equal(["m1", "m0"], second.Items.Select(m => m.Text));
    }

    [SkippableTheory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(101)]
    public async Task ListAsync_LimitOutOfRange_InvalidLimit(int limit)
    {
        var (room, _) = await RoomWithMessagesAsync(1);

        (await Bob.ListMessagesAsync(room.Id, new PageRequest(limit))).Fails(ChatErrorKind.Invalid, "limit");
    }

    [SkippableFact]
    public async Task ListAsync_LimitAtMaximum_Accepted()
    {
        var (room, _) = await RoomWithMessagesAsync(1);

        (await Bob.ListMessagesAsync(room.Id, new PageRequest(100))).Ok();
    }

    [SkippableTheory]
    [InlineData("garbage")]
    [InlineData("!!!")]
    [InlineData("YWJj")]
    [InlineData("0")]
    public async Task ListAsync_GarbledCursor_InvalidCursor(string cursor)
    {
        var (room, _) = await RoomWithMessagesAsync(1);

        (await Bob.ListMessagesAsync(room.Id, new PageRequest(10, cursor))).Fails(ChatErrorKind.Invalid, "cursor");
    }

    [SkippableFact]
    public async Task ListAsync_OverlongCursor_InvalidCursor()
    {
        var (room, _) = await RoomWithMessagesAsync(1);

        (await Bob.ListMessagesAsync(room.Id, new PageRequest(10, new string('A', 10_000)))).Fails(ChatErrorKind.Invalid, "cursor");
    }

    [SkippableFact]
    public async Task ListAsync_ForgedCursorOfOtherScope_InvalidCursor()
    {
        // Arrange: a well-formed cursor, but naming another list.
        var (room, _) = await RoomWithMessagesAsync(1);
        var forged = Convert.ToBase64String(Encoding.UTF8.GetBytes("c1|rooms|0|5")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        // Act
        var result = await Bob.ListMessagesAsync(room.Id, new PageRequest(10, forged));

        // Assert
        result.Fails(ChatErrorKind.Invalid, "cursor");
    }

    [SkippableFact]
    public async Task ListAsync_CursorOfAnotherRoomsMessages_InvalidCursor()
    {
        // Arrange
        var (room, _) = await RoomWithMessagesAsync(3);
        var other = (await Alice.CreateGroupAsync("Other", Bob)).Created();
        var cursor = (await Bob.ListMessagesAsync(room.Id, new PageRequest(1))).Ok().NextCursor;

        // Act
        var result = await Bob.ListMessagesAsync(other.Id, new PageRequest(1, cursor));

        // Assert
        result.Fails(ChatErrorKind.Invalid, "cursor");
    }

    [SkippableFact]
    public async Task ListRoomsAsync_CursorOfMessageList_InvalidCursor()
    {
        var (room, _) = await RoomWithMessagesAsync(3);
        var cursor = (await Bob.ListMessagesAsync(room.Id, new PageRequest(1))).Ok().NextCursor;

        (await Bob.ListRoomsAsync(page: new PageRequest(1, cursor))).Fails(ChatErrorKind.Invalid, "cursor");
    }

    [SkippableFact]
    public async Task ListAfterAsync_Message_NewerOnesOldestFirstThenCaughtUp()
    {
        // Arrange
        var (room, messages) = await RoomWithMessagesAsync(5);

        // Act
        var first = (await Bob.ListMessagesAfterAsync(room.Id, messages[1].Id, new PageRequest(2))).Ok();
        var second = (await Bob.ListMessagesAfterAsync(room.Id, messages[1].Id, new PageRequest(2, first.NextCursor))).Ok();

        // Assert
        Assert.Equal(["m2", "m3"], first.Items.Select(m => m.Text));
        Assert.NotNull(first.NextCursor);
        Assert.Equal(["m4"], second.Items.Select(m => m.Text));
        Assert.Null(second.NextCursor);
    }

    [SkippableFact]
    public async Task ListAfterAsync_NewestMessage_EmptyAndNullCursor()
    {
        var (room, messages) = await RoomWithMessagesAsync(2);

        var page = (await Bob.ListMessagesAfterAsync(room.Id, messages[^1].Id)).Ok();

        Assert.Empty(page.Items);
        Assert.Null(page.NextCursor);
    }

    [SkippableFact]
    public async Task ListAfterAsync_MessageOfAnotherRoom_NotFound()
    {
        // Arrange
        var (room, _) = await RoomWithMessagesAsync(1);
        var other = (await Alice.CreateGroupAsync("Other", Bob)).Created();
        var elsewhere = (await Alice.SendAsync(other.Id, "there")).Created();

        // Act
        var result = await Bob.ListMessagesAfterAsync(room.Id, elsewhere.Id);

        // Assert
        result.Fails(ChatErrorKind.NotFound);
    }

    [SkippableTheory]
    [InlineData("abc")]
    [InlineData("999999")]
    public async Task ListAfterAsync_UnknownMessage_NotFound(string messageId)
    {
        var (room, _) = await RoomWithMessagesAsync(1);

        (await Bob.ListMessagesAfterAsync(room.Id, messageId)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task ListAfterAsync_CursorOfNewestFirstList_InvalidCursor()
    {
        var (room, messages) = await RoomWithMessagesAsync(3);
        var cursor = (await Bob.ListMessagesAsync(room.Id, new PageRequest(1))).Ok().NextCursor;

        (await Bob.ListMessagesAfterAsync(room.Id, messages[0].Id, new PageRequest(1, cursor))).Fails(ChatErrorKind.Invalid, "cursor");
    }
}

public sealed class SqlitePagingTests(SqliteServiceDatabase database) : PagingTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresPagingTests(PostgresServiceDatabase database) : PagingTests(database), IClassFixture<PostgresServiceDatabase>;
