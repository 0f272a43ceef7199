using System.Globalization;
using DfChat.Entities;
using DfChat.Models;
using DfChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Tests.Services;

public abstract class RoomUpdateDeleteTests(ServiceDatabase database) : ServiceTestBase(database)
{
    [SkippableFact]
    public async Task UpdateAsync_Owner_ChangesNameDescriptionAndPublic()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Old")).Created();

        // Act
        var updated = (await Alice.UpdateRoomAsync(room.Id, new UpdateRoomRequest { Name = "New", Description = "About", IsPublic = true })).Ok();

        // Assert
        Assert.Equal("New", updated.Name);
        Assert.Equal("About", updated.Description);
        Assert.True(updated.IsPublic);
    }

    [SkippableFact]
    public async Task UpdateAsync_NoField_InvalidAndNothingChanged()
    {
        // Arrange
        var room = (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "Name", Description = "Desc" })).Created();

        // Act
        var result = await Alice.UpdateRoomAsync(room.Id, new UpdateRoomRequest());

        // Assert
        result.Fails(ChatErrorKind.Invalid);
        var unchanged = (await Alice.GetRoomAsync(room.Id)).Ok();
        Assert.Equal("Name", unchanged.Name);
        Assert.Equal("Desc", unchanged.Description);
    }

    [SkippableFact]
    public async Task UpdateAsync_OneField_OthersLeftAsTheyAre()
    {
        // Arrange
        var room = (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "Name", Description = "Desc" })).Created();

        // Act
        var updated = (await Alice.UpdateRoomAsync(room.Id, new UpdateRoomRequest { Description = "New" })).Ok();

        // Assert
        Assert.Equal("Name", updated.Name);
        Assert.Equal("New", updated.Description);
    }

    [SkippableFact]
    public async Task UpdateAsync_MemberWithoutEditRoom_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        // Act
        var result = await Bob.UpdateRoomAsync(room.Id, new UpdateRoomRequest { Name = "Bob's" });

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
        Assert.Equal("Group", (await Alice.GetRoomAsync(room.Id)).Ok().Name);
    }

    [SkippableFact]
    public async Task UpdateAsync_MemberGrantedEditRoom_Changes()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        (await Alice.AddMemberAsync(room.Id, Bob.Id, "can_edit_room")).Created();

        // Act
        var updated = await Bob.UpdateRoomAsync(room.Id, new UpdateRoomRequest { Name = "Bob's" });

        // Assert
        Assert.Equal("Bob's", updated.Ok().Name);
    }

    [SkippableFact]
    public async Task UpdateAsync_EmptyNameOfGroup_InvalidName()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        (await Alice.UpdateRoomAsync(room.Id, new UpdateRoomRequest { Name = "" })).Fails(ChatErrorKind.Invalid, "name");
    }

    [SkippableFact]
    public async Task UpdateAsync_NameTooLong_InvalidName()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        (await Alice.UpdateRoomAsync(room.Id, new UpdateRoomRequest { Name = new string('x', 256) })).Fails(ChatErrorKind.Invalid, "name");
    }

    [SkippableFact]
    public async Task UpdateAsync_DescriptionTooLong_InvalidDescription()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        (await Alice.UpdateRoomAsync(room.Id, new UpdateRoomRequest { Description = new string('x', 2001) })).Fails(ChatErrorKind.Invalid, "description");
    }

    [SkippableFact]
    public async Task UpdateAsync_AvatarOfSomeoneElse_InvalidAvatarMediaId()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        var media = (await Bob.UploadAsync(TestFiles.Png())).Created();

        (await Alice.UpdateRoomAsync(room.Id, new UpdateRoomRequest { AvatarMediaId = media.Id })).Fails(ChatErrorKind.Invalid, "avatarMediaId");
    }

    [SkippableTheory]
    [InlineData("group")]
    [InlineData("channel")]
    public async Task DeleteAsync_NonOwnerMember_Forbidden(string type)
    {
        // Arrange
        var room = (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = type, Name = "Room", UserIds = [Bob.Id] })).Created();

        // Act
        var result = await Bob.DeleteRoomAsync(room.Id);

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
        (await Bob.GetRoomAsync(room.Id)).Ok();
    }

    [SkippableTheory]
    [InlineData("group")]
    [InlineData("channel")]
    public async Task DeleteAsync_Owner_Deletes(string type)
    {
        // Arrange
        var room = (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = type, Name = "Room", UserIds = [Bob.Id] })).Created();

        // Act
        var result = await Alice.DeleteRoomAsync(room.Id);

        // Assert
        result.Ok();
        (await Bob.GetRoomAsync(room.Id)).Fails(ChatErrorKind.NotFound);
        Assert.Empty((await Bob.ListRoomsAsync()).Ok().Items);
    }

    [SkippableFact]
    public async Task DeleteAsync_Room_RemovesMembersMessagesReactionsAndMedia()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Room", Bob)).Created();
        var media = (await Alice.UploadAsync(TestFiles.Png())).Created();
        var message = (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "pic", MediaIds = [media.Id] })).Created();
        (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();

        // Act
        (await Alice.DeleteRoomAsync(room.Id)).Ok();

        // Assert
        await Host.DbAsync(async db =>
        {
            Assert.Equal(0, await db.Set<ChatRoom<string>>().CountAsync());
            Assert.Equal(0, await db.Set<ChatRoomUser<string>>().CountAsync());
            Assert.Equal(0, await db.Set<ChatMessage<string>>().CountAsync());
            Assert.Equal(0, await db.Set<ChatMessageReaction<string>>().CountAsync());
            Assert.Equal(0, await db.Set<ChatMessageMedia>().CountAsync());
            Assert.Equal(0, await db.Set<ChatMedia<string>>().CountAsync());
        });
        await Host.OutboxIdleAsync();
        Assert.Empty(Host.MediaStore.Keys);
        Assert.Empty((await Bob.ListMyReactionsAsync()).Ok().Items);
    }

    [SkippableFact]
    public async Task DeleteAsync_Room_LeavesOtherRoomsAlone()
    {
        // Arrange
        var doomed = (await Alice.CreateGroupAsync("Doomed", Bob)).Created();
        var kept = (await Alice.CreateGroupAsync("Kept", Bob)).Created();
        (await Alice.SendAsync(doomed.Id, "bye")).Created();
        var keptMessage = (await Alice.SendAsync(kept.Id, "stay")).Created();

        // Act
        (await Alice.DeleteRoomAsync(doomed.Id)).Ok();

        // Assert
        Assert.Equal(keptMessage.Id, Assert.Single((await Bob.ListMessagesAsync(kept.Id)).Ok().Items).Id);
        Assert.Equal(2, (await Bob.GetRoomAsync(kept.Id)).Ok().MemberCount);
    }

    [SkippableFact]
    public async Task CreateAsync_AvatarAttachedToAMessage_InvalidAvatarMediaId()
    {
        // Arrange
        var other = (await Alice.CreateGroupAsync("Other")).Created();
        var picture = (await Alice.UploadAsync(TestFiles.Png())).Created();
        (await Alice.SendAsync(other.Id, new SendMessageRequest { MediaIds = [picture.Id] })).Created();

        // Act
        var result = await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "n", AvatarMediaId = picture.Id });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "avatarMediaId");
    }

    [SkippableFact]
    public async Task UpdateAsync_AvatarOfAnotherRoom_InvalidAvatarMediaId()
    {
        // Arrange
        var picture = (await Alice.UploadAsync(TestFiles.Png())).Created();
        (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "first", AvatarMediaId = picture.Id })).Created();
        var second = (await Alice.CreateGroupAsync("second")).Created();

        // Act
        var result = await Alice.UpdateRoomAsync(second.Id, new UpdateRoomRequest { AvatarMediaId = picture.Id });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "avatarMediaId");
        Assert.Null((await Alice.GetRoomAsync(second.Id)).Ok().AvatarUrl);
    }

    [SkippableFact]
    public async Task UpdateAsync_TheRoomsOwnAvatarAgain_Accepted()
    {
        // Arrange
        var picture = (await Alice.UploadAsync(TestFiles.Png())).Created();
        var room = (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "n", AvatarMediaId = picture.Id })).Created();

        // Act
        var updated = (await Alice.UpdateRoomAsync(room.Id, new UpdateRoomRequest { AvatarMediaId = picture.Id, Name = "renamed" })).Ok();

        // Assert
        Assert.Equal(picture.Url, updated.AvatarUrl);
    }

    [SkippableFact]
    public async Task SendAsync_MediaThatIsARoomsAvatar_InvalidMediaIds()
    {
        // Arrange
        var picture = (await Alice.UploadAsync(TestFiles.Png())).Created();
        (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "n", AvatarMediaId = picture.Id })).Created();
        var other = (await Alice.CreateGroupAsync("Other")).Created();

        // Act
        var result = await Alice.SendAsync(other.Id, new SendMessageRequest { MediaIds = [picture.Id] });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "mediaIds");
    }

    [SkippableFact]
    public async Task DeleteAsync_Room_TakesItsAvatarAndFileAlong()
    {
        // Arrange
        var picture = (await Alice.UploadAsync(TestFiles.Png())).Created();
        var room = (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "n", AvatarMediaId = picture.Id })).Created();

        // Act
        (await Alice.DeleteRoomAsync(room.Id)).Ok();
        await Host.OutboxIdleAsync();

        // Assert
        (await Alice.GetMediaAsync(picture.Id)).Fails(ChatErrorKind.NotFound);
        Assert.Empty(Host.MediaStore.Keys);
    }

    [SkippableFact]
    public async Task DeleteAsync_AvatarSharedWithAnotherRoomBeforeTheRule_KeptForTheOtherRoom()
    {
        // Arrange: a row made before the avatar rule: one picture is the avatar of two rooms.
        var shared = (await Alice.UploadAsync(TestFiles.Png())).Created();
        var doomed = (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "doomed", AvatarMediaId = shared.Id })).Created();
        var keeper = (await Alice.CreateGroupAsync("keeper", Bob)).Created();
        await SetAvatarAsync(keeper.Id, shared.Id);

        // Act
        (await Alice.DeleteRoomAsync(doomed.Id)).Ok();
        await Host.OutboxIdleAsync();

        // Assert: the other room still shows it, file included.
        Assert.Equal(shared.Url, (await Bob.GetRoomAsync(keeper.Id)).Ok().AvatarUrl);
        (await Bob.GetMediaAsync(shared.Id)).Ok();
        Assert.Single(Host.MediaStore.Keys);
    }

    [SkippableFact]
    public async Task DeleteAsync_AvatarAttachedToAMessageOfAnotherRoomBeforeTheRule_KeptForThatMessage()
    {
        // Arrange: a row made before the avatar rule: the avatar of one room is a picture of a message in another.
        var other = (await Alice.CreateGroupAsync("other", Bob)).Created();
        var picture = (await Alice.UploadAsync(TestFiles.Png())).Created();
        var message = (await Alice.SendAsync(other.Id, new SendMessageRequest { MediaIds = [picture.Id] })).Created();
        var doomed = (await Alice.CreateGroupAsync("doomed")).Created();
        await SetAvatarAsync(doomed.Id, picture.Id);

        // Act
        (await Alice.DeleteRoomAsync(doomed.Id)).Ok();
        await Host.OutboxIdleAsync();

        // Assert: the message of the other room keeps its picture, file included.
        Assert.Equal(picture.Id, (await Bob.GetMessageAsync(other.Id, message.Id)).Ok().Media.Single().Id);
        (await Bob.GetMediaAsync(picture.Id)).Ok();
        Assert.Single(Host.MediaStore.Keys);
    }

    /// <summary>Sets a room's avatar in the database, past the service's rule, as rows made before it may be.</summary>
    private Task SetAvatarAsync(string roomId, string mediaId) =>
        Host.DbAsync(db => db.Set<ChatRoom<string>>().Where(r => r.Id == long.Parse(roomId, CultureInfo.InvariantCulture))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.AvatarMediaId, long.Parse(mediaId, CultureInfo.InvariantCulture))));
}

public sealed class SqliteRoomUpdateDeleteTests(SqliteServiceDatabase database) : RoomUpdateDeleteTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresRoomUpdateDeleteTests(PostgresServiceDatabase database) : RoomUpdateDeleteTests(database), IClassFixture<PostgresServiceDatabase>;
