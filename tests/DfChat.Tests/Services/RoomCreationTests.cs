using DfChat.Models;
using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.Services;

public abstract class RoomCreationTests(ServiceDatabase database) : ServiceTestBase(database)
{
    [SkippableFact]
    public async Task CreateAsync_Group_CreatorIsOwnerWithEveryPermission()
    {
        // Act
        var room = (await Alice.CreateGroupAsync("Friends")).Created();

        // Assert
        Assert.Equal("group", room.Type);
        Assert.Equal(Alice.Id, room.CreatedBy);
        Assert.NotNull(room.Membership);
        Assert.True(room.Membership.IsOwner);
        Assert.Equal(
            ["can_add_users", "can_remove_users", "can_create_messages", "can_delete_messages", "can_delete_own_messages",
             "can_edit_messages", "can_edit_own_messages", "can_edit_room", "can_delete_room"],
            room.Membership.Permissions);
    }

    [SkippableFact]
    public async Task CreateAsync_Channel_CreatorIsOwner()
    {
        // Act
        var room = (await Alice.CreateChannelAsync("News")).Created();

        // Assert
        Assert.Equal("channel", room.Type);
        Assert.True(room.Membership!.IsOwner);
        Assert.Contains("can_delete_room", room.Membership.Permissions);
    }

    [SkippableFact]
    public async Task CreateAsync_Group_OtherUsersGetGroupDefaults()
    {
        // Act
        var room = (await Alice.CreateGroupAsync("Friends", Bob)).Created();

        // Assert
        var bob = (await Bob.GetMemberAsync(room.Id, "me")).Ok();
        Assert.False(bob.IsOwner);
        Assert.Equal(["can_add_users", "can_create_messages", "can_delete_own_messages", "can_edit_own_messages"], bob.Permissions);
    }

    [SkippableFact]
    public async Task CreateAsync_Channel_OtherUsersGetChannelDefaults()
    {
        // Act
        var room = (await Alice.CreateChannelAsync("News", false, Bob)).Created();

        // Assert
        var bob = (await Bob.GetMemberAsync(room.Id, "me")).Ok();
        Assert.False(bob.IsOwner);
        Assert.Equal(["can_add_users"], bob.Permissions);
    }

    [SkippableFact]
    public async Task CreateAsync_PrivateMessages_BothGetPrivateDefaultsAndNoOwner()
    {
        // Act
        var room = (await Alice.CreatePrivateAsync(Bob)).Created();

        // Assert
        var members = (await Alice.ListMembersAsync(room.Id)).Ok().Items;
        Assert.Equal(2, members.Count);
        Assert.All(members, m =>
        {
            Assert.False(m.IsOwner);
            Assert.Equal(["can_create_messages", "can_delete_own_messages", "can_edit_own_messages", "can_delete_room"], m.Permissions);
        });
    }

    [SkippableFact]
    public async Task CreateAsync_WithUserIds_MembersCreatedByCallerAndCounted()
    {
        // Act
        var room = (await Alice.CreateGroupAsync("Friends", Bob, Carol)).Created();

        // Assert
        Assert.Equal(3, room.MemberCount);
        var members = (await Alice.ListMembersAsync(room.Id)).Ok().Items;
        Assert.Equal([Alice.Id, Bob.Id, Carol.Id], members.Select(m => m.UserId));
        Assert.All(members, m => Assert.Equal(Alice.Id, m.CreatedBy));
    }

    [SkippableFact]
    public async Task CreateAsync_Room_TimesAreTheClockInUtc()
    {
        // Act
        var room = (await Alice.CreateGroupAsync("Friends")).Created();

        // Assert
        Assert.Equal(Host.Now, room.CreatedAt);
        Assert.Equal(DateTimeKind.Utc, room.CreatedAt.Kind);
        Assert.Equal(room.CreatedAt, room.LastActivityAt);
        Assert.Null(room.LastMessage);
    }

    [SkippableFact]
    public async Task CreateAsync_NewMember_LastSeenAtIsWhenItJoinedAndUnreadZero()
    {
        // Act
        var room = (await Alice.CreateGroupAsync("Friends", Bob)).Created();

        // Assert
        var membership = (await Bob.GetRoomAsync(room.Id)).Ok().Membership!;
        Assert.Equal(room.CreatedAt, membership.LastSeenAt);
        Assert.Equal(0, membership.UnreadCount);
    }

    [SkippableTheory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("room")]
    [InlineData("Group")]
    public async Task CreateAsync_MissingOrUnknownType_InvalidType(string? type)
    {
        // Act
        var result = await Alice.CreateRoomAsync(new CreateRoomRequest { Type = type, Name = "Friends" });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "type");
    }

    [SkippableTheory]
    [InlineData("group", null)]
    [InlineData("group", "")]
    [InlineData("group", "   ")]
    [InlineData("channel", null)]
    [InlineData("channel", "")]
    public async Task CreateAsync_GroupOrChannelWithoutName_InvalidName(string type, string? name)
    {
        // Act
        var result = await Alice.CreateRoomAsync(new CreateRoomRequest { Type = type, Name = name });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "name");
    }

    [SkippableFact]
    public async Task CreateAsync_NameOf255Chars_Accepted()
    {
        // Act
        var room = (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = new string('n', 255) })).Created();

        // Assert
        Assert.Equal(255, room.Name!.Length);
    }

    [SkippableFact]
    public async Task CreateAsync_NameOf256Chars_InvalidName()
    {
        // Act
        var result = await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = new string('n', 256) });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "name");
    }

    [SkippableFact]
    public async Task CreateAsync_DescriptionOf2000Chars_Accepted()
    {
        // Act
        var room = (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "n", Description = new string('d', 2000) })).Created();

        // Assert
        Assert.Equal(2000, room.Description!.Length);
    }

    [SkippableFact]
    public async Task CreateAsync_DescriptionOf2001Chars_InvalidDescription()
    {
        // Act
        var result = await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "n", Description = new string('d', 2001) });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "description");
    }

    [SkippableFact]
    public async Task CreateAsync_PublicPrivateMessages_InvalidIsPublic()
    {
        // Act
        var result = await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "private_messages", IsPublic = true, UserIds = [Bob.Id] });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "isPublic");
    }

    [SkippableFact]
    public async Task CreateAsync_PrivateMessagesWithoutName_Accepted()
    {
        // Act
        var room = (await Alice.CreatePrivateAsync(Bob)).Created();

        // Assert
        Assert.Null(room.Name);
        Assert.False(room.IsPublic);
    }

    [SkippableFact]
    public async Task CreateAsync_UnknownUserId_InvalidUserIds()
    {
        // Act
        var result = await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "n", UserIds = [Bob.Id, "no-such-user"] });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "userIds");
        Assert.Empty((await Bob.ListRoomsAsync()).Ok().Items);
    }

    [SkippableTheory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task CreateAsync_PrivateMessagesWithoutExactlyOneOther_InvalidUserIds(int others)
    {
        // Arrange
        string[] ids = others == 0 ? [] : [Bob.Id, Carol.Id];

        // Act
        var result = await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "private_messages", UserIds = ids });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "userIds");
    }

    [SkippableFact]
    public async Task CreateAsync_PrivateMessagesWithSelf_InvalidUserIds()
    {
        // Act
        var result = await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "private_messages", UserIds = [Alice.Id] });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "userIds");
    }

    [SkippableFact]
    public async Task CreateAsync_AvatarUploadedByCaller_RoomShowsAvatarUrl()
    {
        // Arrange
        var avatar = (await Alice.UploadAsync(TestFiles.Png())).Created();

        // Act
        var room = (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "n", AvatarMediaId = avatar.Id })).Created();

        // Assert
        Assert.Equal(avatar.Url, room.AvatarUrl);
    }

    [SkippableFact]
    public async Task CreateAsync_AvatarUploadedBySomeoneElse_InvalidAvatarMediaId()
    {
        // Arrange
        var avatar = (await Bob.UploadAsync(TestFiles.Png())).Created();

        // Act
        var result = await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "n", AvatarMediaId = avatar.Id });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "avatarMediaId");
    }

    [SkippableFact]
    public async Task CreateAsync_AvatarNotAnImage_InvalidAvatarMediaId()
    {
        // Arrange
        var pdf = (await Alice.UploadAsync(TestFiles.Pdf(), "application/pdf", "doc.pdf")).Created();

        // Act
        var result = await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "n", AvatarMediaId = pdf.Id });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "avatarMediaId");
    }
}

public sealed class SqliteRoomCreationTests(SqliteServiceDatabase database) : RoomCreationTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresRoomCreationTests(PostgresServiceDatabase database) : RoomCreationTests(database), IClassFixture<PostgresServiceDatabase>;
