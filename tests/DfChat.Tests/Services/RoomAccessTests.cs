using DfChat.Models;
using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.Services;

/// <summary>Who may see what: outsiders of non-public rooms get NotFound for everything in them; public rooms are readable by all.</summary>
public abstract class RoomAccessTests(ServiceDatabase database) : ServiceTestBase(database)
{
    private async Task<(RoomModel Room, MessageModel Message, ReactionModel Reaction, MediaModel Media)> PrivateGroupWithContentAsync()
    {
        var room = (await Alice.CreateGroupAsync("Secret", Bob)).Created();
        var media = (await Alice.UploadAsync(TestFiles.Png())).Created();
        var message = (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "hi", MediaIds = [media.Id] })).Created();
        var reaction = (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();
        return (room, message, reaction, media);
    }

    [SkippableFact]
    public async Task GetAsync_OutsiderOfNonPublicRoom_NotFound()
    {
        // Arrange
        var (room, _, _, _) = await PrivateGroupWithContentAsync();

        // Act
        var result = await Carol.GetRoomAsync(room.Id);

        // Assert
        result.Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task ListMembersAsync_OutsiderOfNonPublicRoom_NotFound()
    {
        var (room, _, _, _) = await PrivateGroupWithContentAsync();

        (await Carol.ListMembersAsync(room.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task GetMemberAsync_OutsiderOfNonPublicRoom_NotFound()
    {
        var (room, _, _, _) = await PrivateGroupWithContentAsync();

        (await Carol.GetMemberAsync(room.Id, Alice.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task ListMessagesAsync_OutsiderOfNonPublicRoom_NotFound()
    {
        var (room, _, _, _) = await PrivateGroupWithContentAsync();

        (await Carol.ListMessagesAsync(room.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task ListMessagesAfterAsync_OutsiderOfNonPublicRoom_NotFound()
    {
        var (room, message, _, _) = await PrivateGroupWithContentAsync();

        (await Carol.ListMessagesAfterAsync(room.Id, message.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task GetMessageAsync_OutsiderOfNonPublicRoom_NotFound()
    {
        var (room, message, _, _) = await PrivateGroupWithContentAsync();

        (await Carol.GetMessageAsync(room.Id, message.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task ListReactionsAsync_OutsiderOfNonPublicRoom_NotFound()
    {
        var (room, message, _, _) = await PrivateGroupWithContentAsync();

        (await Carol.ListReactionsAsync(room.Id, message.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task GetReactionAsync_OutsiderOfNonPublicRoom_NotFound()
    {
        var (_, _, reaction, _) = await PrivateGroupWithContentAsync();

        (await Carol.GetReactionAsync(reaction.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task DeleteReactionAsync_OutsiderOfNonPublicRoom_NotFound()
    {
        var (_, _, reaction, _) = await PrivateGroupWithContentAsync();

        (await Carol.DeleteReactionAsync(reaction.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task GetMediaAsync_OutsiderOfNonPublicRoom_NotFound()
    {
        var (_, _, _, media) = await PrivateGroupWithContentAsync();

        (await Carol.GetMediaAsync(media.Id)).Fails(ChatErrorKind.NotFound);
        (await Carol.OpenMediaAsync(media.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task GetMediaAsync_MemberOfRoomWhereAttached_Visible()
    {
        var (_, _, _, media) = await PrivateGroupWithContentAsync();

        Assert.Equal(media.Id, (await Bob.GetMediaAsync(media.Id)).Ok().Id);
    }

    [SkippableFact]
    public async Task SendAsync_OutsiderOfNonPublicRoom_NotFound()
    {
        var (room, _, _, _) = await PrivateGroupWithContentAsync();

        (await Carol.SendAsync(room.Id, "hello?")).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task ReactAsync_OutsiderOfNonPublicRoom_NotFound()
    {
        var (room, message, _, _) = await PrivateGroupWithContentAsync();

        (await Carol.ReactAsync(room.Id, message.Id, "like")).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task EditAndDeleteMessage_OutsiderOfNonPublicRoom_NotFound()
    {
        var (room, message, _, _) = await PrivateGroupWithContentAsync();

        (await Carol.EditMessageAsync(room.Id, message.Id, "x")).Fails(ChatErrorKind.NotFound);
        (await Carol.DeleteMessageAsync(room.Id, message.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task RoomWrites_OutsiderOfNonPublicRoom_NotFound()
    {
        var (room, _, _, _) = await PrivateGroupWithContentAsync();

        (await Carol.UpdateRoomAsync(room.Id, new UpdateRoomRequest { Name = "mine" })).Fails(ChatErrorKind.NotFound);
        (await Carol.DeleteRoomAsync(room.Id)).Fails(ChatErrorKind.NotFound);
        (await Carol.AddMemberWithDefaultsAsync(room.Id, Dave.Id)).Fails(ChatErrorKind.NotFound);
        (await Carol.RemoveMemberAsync(room.Id, Bob.Id)).Fails(ChatErrorKind.NotFound);
        (await Carol.MarkReadAsync(room.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task JoinAsync_NonPublicRoom_NotFound()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Secret")).Created();

        // Act
        var result = await Carol.JoinAsync(room.Id);

        // Assert
        result.Fails(ChatErrorKind.NotFound);
        (await Carol.GetRoomAsync(room.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableTheory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("999999")]
    [InlineData("99999999999999999999999")]
    public async Task GetAsync_GarbledOrUnknownRoomId_NotFound(string roomId)
    {
        (await Alice.GetRoomAsync(roomId)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task GetAsync_OutsiderOfPublicRoom_ReadsRoomWithoutMembership()
    {
        // Arrange
        var room = (await Alice.CreateChannelAsync("Town square", isPublic: true)).Created();

        // Act
        var seen = (await Carol.GetRoomAsync(room.Id)).Ok();

        // Assert
        Assert.Equal(room.Id, seen.Id);
        Assert.Null(seen.Membership);
    }

    [SkippableFact]
    public async Task ReadLists_OutsiderOfPublicRoom_ReadsMessagesMembersAndReactions()
    {
        // Arrange
        var room = (await Alice.CreateChannelAsync("Town square", isPublic: true)).Created();
        var message = (await Alice.SendAsync(room.Id, "welcome")).Created();
        (await Alice.ReactAsync(room.Id, message.Id, "like")).Created();

        // Act
        var messages = (await Carol.ListMessagesAsync(room.Id)).Ok();
        var members = (await Carol.ListMembersAsync(room.Id)).Ok();
        var reactions = (await Carol.ListReactionsAsync(room.Id, message.Id)).Ok();

        // Assert
        Assert.Equal(message.Id, Assert.Single(messages.Items).Id);
        Assert.Equal(Alice.Id, Assert.Single(members.Items).UserId);
        Assert.Equal("like", Assert.Single(reactions.Items).Reaction);
    }

    [SkippableFact]
    public async Task SendAsync_OutsiderOfPublicRoom_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Open")).Created();
        (await Alice.UpdateRoomAsync(room.Id, new UpdateRoomRequest { IsPublic = true })).Ok();

        // Act
        var result = await Carol.SendAsync(room.Id, "hi");

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
    }

    [SkippableFact]
    public async Task ReactAsync_OutsiderOfPublicRoom_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreateChannelAsync("Town square", isPublic: true)).Created();
        var message = (await Alice.SendAsync(room.Id, "welcome")).Created();

        // Act
        var result = await Carol.ReactAsync(room.Id, message.Id, "like");

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
    }

    [SkippableFact]
    public async Task JoinAsync_PublicRoom_BecomesMemberWithDefaults()
    {
        // Arrange
        var room = (await Alice.CreateChannelAsync("Town square", isPublic: true)).Created();

        // Act
        var joined = (await Carol.JoinAsync(room.Id)).Ok();

        // Assert
        Assert.Equal(2, joined.MemberCount);
        Assert.NotNull(joined.Membership);
        Assert.False(joined.Membership.IsOwner);
        Assert.Equal(["can_add_users"], joined.Membership.Permissions);
        Assert.Equal(Host.Now, joined.Membership.LastSeenAt);
        var member = (await Carol.GetMemberAsync(room.Id, "me")).Ok();
        Assert.Equal(Carol.Id, member.CreatedBy);
    }

    [SkippableFact]
    public async Task JoinAsync_AlreadyMember_NoChange()
    {
        // Arrange
        var room = (await Alice.CreateChannelAsync("Town square", isPublic: true)).Created();
        var first = (await Carol.JoinAsync(room.Id)).Ok();

        // Act
        var second = (await Carol.JoinAsync(room.Id)).Ok();

        // Assert
        Assert.Equal(2, second.MemberCount);
        Assert.Equal(first.Membership!.LastSeenAt, second.Membership!.LastSeenAt);
        Assert.Equal(2, (await Carol.ListMembersAsync(room.Id)).Ok().Items.Count);
    }

    [SkippableFact]
    public async Task JoinAsync_OwnerOfPublicRoom_StaysOwner()
    {
        // Arrange
        var room = (await Alice.CreateChannelAsync("Town square", isPublic: true)).Created();

        // Act
        var result = (await Alice.JoinAsync(room.Id)).Ok();

        // Assert
        Assert.True(result.Membership!.IsOwner);
        Assert.Equal(1, result.MemberCount);
    }

    [SkippableFact]
    public async Task GetMediaAsync_OutsiderOfPublicRoom_SeesAttachedMedia()
    {
        // Arrange
        var room = (await Alice.CreateChannelAsync("Town square", isPublic: true)).Created();
        var media = (await Alice.UploadAsync(TestFiles.Png())).Created();
        (await Alice.SendAsync(room.Id, new SendMessageRequest { MediaIds = [media.Id] })).Created();

        // Act
        var seen = await Carol.GetMediaAsync(media.Id);

        // Assert
        Assert.Equal(media.Id, seen.Ok().Id);
    }

    [SkippableFact]
    public async Task GetMediaAsync_UnattachedMediaOfSomeoneElse_NotFound()
    {
        // Arrange
        var media = (await Alice.UploadAsync(TestFiles.Png())).Created();

        // Act
        var result = await Bob.GetMediaAsync(media.Id);

        // Assert
        result.Fails(ChatErrorKind.NotFound);
        Assert.Equal(media.Id, (await Alice.GetMediaAsync(media.Id)).Ok().Id);
    }

    [SkippableFact]
    public async Task GetMediaAsync_AvatarOfReadableRoom_Visible()
    {
        // Arrange
        var avatar = (await Alice.UploadAsync(TestFiles.Png())).Created();
        (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "g", AvatarMediaId = avatar.Id, UserIds = [Bob.Id] })).Created();

        // Act
        var byMember = await Bob.GetMediaAsync(avatar.Id);
        var byOutsider = await Carol.GetMediaAsync(avatar.Id);

        // Assert
        byMember.Ok();
        byOutsider.Fails(ChatErrorKind.NotFound);
    }
}

public sealed class SqliteRoomAccessTests(SqliteServiceDatabase database) : RoomAccessTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresRoomAccessTests(PostgresServiceDatabase database) : RoomAccessTests(database), IClassFixture<PostgresServiceDatabase>;
