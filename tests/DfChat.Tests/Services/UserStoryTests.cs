using DfChat.Models;
using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.Services;

/// <summary>The use cases and flows of API.md §7, at service level.</summary>
public abstract class UserStoryTests(ServiceDatabase database) : ServiceTestBase(database)
{
    [SkippableFact]
    public async Task PrivateMessages_TwoUsers_NobodyAddsAndEitherDeletes()
    {
        // Arrange
        var room = (await Alice.CreatePrivateAsync(Bob)).Created();
        (await Alice.SendAsync(room.Id, "hi Bob")).Created();
        (await Bob.SendAsync(room.Id, "hi Alice")).Created();

        // Act
        var add = await Bob.AddMemberWithDefaultsAsync(room.Id, Carol.Id);
        var delete = await Bob.DeleteRoomAsync(room.Id);

        // Assert
        add.Fails(ChatErrorKind.Forbidden);
        delete.Ok();
        Assert.Empty((await Alice.ListRoomsAsync()).Ok().Items);
    }

    [SkippableFact]
    public async Task Group_EverybodyWritesAndAdds_OnlyOwnerDeletes()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Friends", Bob)).Created();

        // Act
        var bobWrites = await Bob.SendAsync(room.Id, "hello");
        var bobAdds = await Bob.AddMemberWithDefaultsAsync(room.Id, Carol.Id);
        var carolWrites = await Carol.SendAsync(room.Id, "thanks for adding me");
        var carolAdds = await Carol.AddMemberWithDefaultsAsync(room.Id, Dave.Id);
        var bobDeletes = await Bob.DeleteRoomAsync(room.Id);
        var aliceDeletes = await Alice.DeleteRoomAsync(room.Id);

        // Assert
        bobWrites.Created();
        bobAdds.Created();
        carolWrites.Created();
        carolAdds.Created();
        bobDeletes.Fails(ChatErrorKind.Forbidden);
        aliceDeletes.Ok();
    }

    [SkippableFact]
    public async Task Channel_OnlyGrantedWrite_EverybodyAdds_OnlyOwnerDeletes()
    {
        // Arrange
        var room = (await Alice.CreateChannelAsync("News", false, Bob)).Created();

        // Act
        var ownerWrites = await Alice.SendAsync(room.Id, "first news");
        var readerWrites = await Bob.SendAsync(room.Id, "me too");
        var readerAdds = await Bob.AddMemberWithDefaultsAsync(room.Id, Carol.Id);
        var readerDeletes = await Bob.DeleteRoomAsync(room.Id);

        // Assert
        ownerWrites.Created();
        readerWrites.Fails(ChatErrorKind.Forbidden);
        readerAdds.Created();
        readerDeletes.Fails(ChatErrorKind.Forbidden);
        (await Alice.DeleteRoomAsync(room.Id)).Ok();
    }

    [SkippableFact]
    public async Task SendPicture_UploadThenSendWithIds_OthersSeeMediaInOrder()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Photos", Bob)).Created();
        var first = (await Alice.UploadAsync(TestFiles.Jpeg(), "image/jpeg", "beach.jpg")).Created();
        var second = (await Alice.UploadAsync(TestFiles.Png(), "image/png", "sunset.png")).Created();

        // Act
        var sent = (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "holiday", MediaIds = [first.Id, second.Id] })).Created();

        // Assert
        var seen = Assert.Single((await Bob.ListMessagesAsync(room.Id)).Ok().Items);
        Assert.Equal(sent.Id, seen.Id);
        Assert.Equal(["beach.jpg", "sunset.png"], seen.Media.Select(m => m.FileName));
        (await Bob.GetMediaAsync(first.Id)).Ok();
        (await Bob.OpenMediaAsync(second.Id)).Ok().Content.Dispose();
    }

    [SkippableFact]
    public async Task ChatOfThree_CreateWithUserIdsAndFirstMessage_OthersSeeOneUnread()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Weekend", Bob, Carol)).Created();

        // Act
        (await Alice.SendAsync(room.Id, "Alice created a chat")).Created();

        // Assert
        foreach (var other in new[] { Bob, Carol })
        {
            var seen = Assert.Single((await other.ListRoomsAsync()).Ok().Items);
            Assert.Equal(room.Id, seen.Id);
            Assert.Equal(1, seen.Membership!.UnreadCount);
            Assert.Equal("Alice created a chat", seen.LastMessage!.Text);
        }

        Assert.Equal(0, (await Alice.GetRoomAsync(room.Id)).Ok().Membership!.UnreadCount);
    }

    [SkippableFact]
    public async Task ChatOfThree_AddOneByOneThenFirstMessage_OthersSeeOneUnread()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Weekend")).Created();
        (await Alice.AddMemberWithDefaultsAsync(room.Id, Bob.Id)).Created();
        (await Alice.AddMemberWithDefaultsAsync(room.Id, Carol.Id)).Created();

        // Act
        (await Alice.SendAsync(room.Id, "Alice created a chat")).Created();

        // Assert
        Assert.Equal(1, Assert.Single((await Bob.ListRoomsAsync()).Ok().Items).Membership!.UnreadCount);
        Assert.Equal(1, Assert.Single((await Carol.ListRoomsAsync()).Ok().Items).Membership!.UnreadCount);
    }

    [SkippableFact]
    public async Task NewsChannel_EditorPostsReadersReadAndReactButCannotPost()
    {
        // Arrange
        var channel = (await Alice.CreateChannelAsync("Daily News")).Created();
        (await Alice.AddMemberAsync(channel.Id, Bob.Id, "can_add_users", "can_create_messages", "can_edit_own_messages")).Created();
        (await Alice.AddMemberAsync(channel.Id, Carol.Id)).Created();
        (await Bob.AddMemberAsync(channel.Id, Dave.Id)).Created();

        // Act
        var news = (await Bob.SendAsync(channel.Id, "Breaking news")).Created();
        var readersRead = await Carol.ListMessagesAsync(channel.Id);
        var readerReacts = await Dave.ReactAsync(channel.Id, news.Id, "like");
        var readerPosts = await Carol.SendAsync(channel.Id, "me too");

        // Assert
        Assert.Equal(news.Id, Assert.Single(readersRead.Ok().Items).Id);
        readerReacts.Created();
        readerPosts.Fails(ChatErrorKind.Forbidden);
        Assert.Equal(1, (await Carol.GetRoomAsync(channel.Id)).Ok().Membership!.UnreadCount);
    }

    [SkippableFact]
    public async Task NewsChannel_EditorCannotGrantWhatItLacks()
    {
        // Arrange
        var channel = (await Alice.CreateChannelAsync("Daily News")).Created();
        (await Alice.AddMemberAsync(channel.Id, Bob.Id, "can_add_users", "can_create_messages")).Created();

        // Act
        var result = await Bob.AddMemberAsync(channel.Id, Carol.Id, "can_create_messages", "can_delete_messages");

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
    }
}

public sealed class SqliteUserStoryTests(SqliteServiceDatabase database) : UserStoryTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresUserStoryTests(PostgresServiceDatabase database) : UserStoryTests(database), IClassFixture<PostgresServiceDatabase>;
