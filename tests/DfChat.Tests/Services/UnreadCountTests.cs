using DfChat.Models;
using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.Services;

public abstract class UnreadCountTests(ServiceDatabase database) : ServiceTestBase(database)
{
    private async Task<int> UnreadAsync(ChatCaller who, string roomId) =>
        (await who.GetRoomAsync(roomId)).Ok().Membership!.UnreadCount;

    [SkippableFact]
    public async Task Unread_OthersMessages_Counted()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob, Carol)).Created();

        // Act
        (await Alice.SendAsync(room.Id, "one")).Created();
        (await Carol.SendAsync(room.Id, "two")).Created();

        // Assert
        Assert.Equal(2, await UnreadAsync(Bob, room.Id));
    }

    [SkippableFact]
    public async Task Unread_OwnMessages_NotCounted()
    {
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        (await Bob.SendAsync(room.Id, "mine")).Created();
        (await Alice.SendAsync(room.Id, "theirs")).Created();

        Assert.Equal(1, await UnreadAsync(Bob, room.Id));
    }

    [SkippableFact]
    public async Task Unread_DeletedMessage_NotCounted()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var message = (await Alice.SendAsync(room.Id, "oops")).Created();
        (await Alice.SendAsync(room.Id, "kept")).Created();

        // Act
        (await Alice.DeleteMessageAsync(room.Id, message.Id)).Ok();

        // Assert
        Assert.Equal(1, await UnreadAsync(Bob, room.Id));
    }

    [SkippableFact]
    public async Task Unread_DeletedMessageAlreadyRead_CountUnchanged()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var old = (await Alice.SendAsync(room.Id, "old")).Created();
        (await Bob.MarkReadAsync(room.Id)).Ok();
        (await Alice.SendAsync(room.Id, "new")).Created();

        // Act
        (await Alice.DeleteMessageAsync(room.Id, old.Id)).Ok();

        // Assert
        Assert.Equal(1, await UnreadAsync(Bob, room.Id));
    }

    [SkippableFact]
    public async Task Unread_NewMember_StartsAtZeroDespiteHistory()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        (await Alice.SendAsync(room.Id, "before you came")).Created();
        (await Alice.SendAsync(room.Id, "still before")).Created();

        // Act
        var member = (await Alice.AddMemberWithDefaultsAsync(room.Id, Bob.Id)).Created();

        // Assert
        Assert.Equal(0, await UnreadAsync(Bob, room.Id));
        Assert.Equal(member.CreatedAt, member.LastSeenAt);
    }

    [SkippableFact]
    public async Task Unread_JoinedPublicRoom_StartsAtZero()
    {
        var room = (await Alice.CreateChannelAsync("Square", isPublic: true)).Created();
        (await Alice.SendAsync(room.Id, "history")).Created();

        var joined = (await Bob.JoinAsync(room.Id)).Ok();

        Assert.Equal(0, joined.Membership!.UnreadCount);
    }

    [SkippableFact]
    public async Task Unread_Muted_StillCounted()
    {
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        (await Bob.UpdateMemberAsync(room.Id, "me", new UpdateMemberRequest { Muted = true })).Ok();

        (await Alice.SendAsync(room.Id, "psst")).Created();

        Assert.Equal(1, await UnreadAsync(Bob, room.Id));
    }

    [SkippableFact]
    public async Task MarkReadAsync_Now_ZeroAndLastSeenAtNow()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        (await Alice.SendAsync(room.Id, "one")).Created();
        (await Alice.SendAsync(room.Id, "two")).Created();

        // Act
        var membership = (await Bob.MarkReadAsync(room.Id)).Ok();

        // Assert
        Assert.Equal(0, membership.UnreadCount);
        Assert.Equal(Host.Now, membership.LastSeenAt);
        Assert.Equal(0, await UnreadAsync(Bob, room.Id));
    }

    [SkippableFact]
    public async Task MarkReadAsync_MessageId_LastSeenAtIsMessageTimeAndLaterStayUnread()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var first = (await Alice.SendAsync(room.Id, "one")).Created();
        (await Alice.SendAsync(room.Id, "two")).Created();
        (await Alice.SendAsync(room.Id, "three")).Created();

        // Act
        var membership = (await Bob.MarkReadAsync(room.Id, first.Id)).Ok();

        // Assert
        Assert.Equal(first.CreatedAt, membership.LastSeenAt);
        Assert.Equal(2, membership.UnreadCount);
        Assert.Equal(2, await UnreadAsync(Bob, room.Id));
    }

    [SkippableFact]
    public async Task MarkReadAsync_MessageOfAnotherRoom_InvalidMessageId()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var other = (await Alice.CreateGroupAsync("Other", Bob)).Created();
        var elsewhere = (await Alice.SendAsync(other.Id, "there")).Created();

        // Act
        var result = await Bob.MarkReadAsync(room.Id, elsewhere.Id);

        // Assert
        result.Fails(ChatErrorKind.Invalid, "messageId");
    }

    [SkippableTheory]
    [InlineData("abc")]
    [InlineData("999999")]
    public async Task MarkReadAsync_UnknownMessageId_InvalidMessageId(string messageId)
    {
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        (await Bob.MarkReadAsync(room.Id, messageId)).Fails(ChatErrorKind.Invalid, "messageId");
    }

    [SkippableFact]
    public async Task MarkReadAsync_NonMemberOfPublicRoom_Forbidden()
    {
        var room = (await Alice.CreateChannelAsync("Square", isPublic: true)).Created();

        (await Bob.MarkReadAsync(room.Id)).Fails(ChatErrorKind.Forbidden);
    }

    [SkippableFact]
    public async Task UpdateMemberAsync_LastSeenAtBack_Recounts()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var first = (await Alice.SendAsync(room.Id, "one")).Created();
        (await Alice.SendAsync(room.Id, "two")).Created();
        (await Bob.MarkReadAsync(room.Id)).Ok();

        // Act
        var member = (await Bob.UpdateMemberAsync(room.Id, "me", new UpdateMemberRequest { LastSeenAt = first.CreatedAt })).Ok();

        // Assert
        Assert.Equal(first.CreatedAt, member.LastSeenAt);
        Assert.Equal(1, await UnreadAsync(Bob, room.Id));
    }

    [SkippableFact]
    public async Task UpdateMemberAsync_LastSeenAtBeforeEverything_CountsAllOthersMessages()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        (await Alice.SendAsync(room.Id, "one")).Created();
        (await Bob.SendAsync(room.Id, "mine")).Created();
        (await Alice.SendAsync(room.Id, "two")).Created();
        (await Bob.MarkReadAsync(room.Id)).Ok();

        // Act
        (await Bob.UpdateMemberAsync(room.Id, "me", new UpdateMemberRequest { LastSeenAt = room.CreatedAt.AddDays(-1) })).Ok();

        // Assert
        Assert.Equal(2, await UnreadAsync(Bob, room.Id));
    }

    [SkippableFact]
    public async Task MentionCount_ReadPositionMovedBack_RecountsTheMentionsAfterIt()
    {
        // Arrange: Bob is mentioned twice, by a top-level message each (a thread reply's mention never counts), then reads everything.
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var first = (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "one", Mentions = [Bob.Id] })).Created();
        (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "in thread", ThreadId = first.Id, Mentions = [Bob.Id] })).Created();
        (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "two", Mentions = [Bob.Id] })).Created();
        Assert.Equal(0, (await Bob.MarkReadAsync(room.Id)).Ok().MentionCount);

        // Act
        (await Bob.UpdateMemberAsync(room.Id, "me", new UpdateMemberRequest { LastSeenAt = room.CreatedAt.AddDays(-1) })).Ok();

        // Assert
        Assert.Equal(2, (await Bob.GetRoomAsync(room.Id)).Ok().Membership!.MentionCount);
    }

    [SkippableFact]
    public async Task UpdateMemberAsync_LastSeenAt_RoundTripsExactly()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var at = new DateTime(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc).AddTicks(1234560);

        // Act
        (await Bob.UpdateMemberAsync(room.Id, "me", new UpdateMemberRequest { LastSeenAt = at })).Ok();

        // Assert
        var membership = (await Bob.GetRoomAsync(room.Id)).Ok().Membership!;
        Assert.Equal(at, membership.LastSeenAt);
        Assert.Equal(DateTimeKind.Utc, membership.LastSeenAt.Kind);
    }

    [SkippableFact]
    public async Task Unread_ListRooms_ShowsEachRoomCount()
    {
        // Arrange
        var one = (await Alice.CreateGroupAsync("One", Bob)).Created();
        var two = (await Alice.CreateGroupAsync("Two", Bob)).Created();
        (await Alice.SendAsync(one.Id, "a")).Created();
        (await Alice.SendAsync(two.Id, "b")).Created();
        (await Alice.SendAsync(two.Id, "c")).Created();

        // Act
        var rooms = (await Bob.ListRoomsAsync()).Ok().Items;

        // Assert
        Assert.Equal(2, rooms.Single(r => r.Id == two.Id).Membership!.UnreadCount);
        Assert.Equal(1, rooms.Single(r => r.Id == one.Id).Membership!.UnreadCount);
    }
}

public sealed class SqliteUnreadCountTests(SqliteServiceDatabase database) : UnreadCountTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresUnreadCountTests(PostgresServiceDatabase database) : UnreadCountTests(database), IClassFixture<PostgresServiceDatabase>;
