using DfChat.Models;
using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.Services;

public abstract class MemberTests(ServiceDatabase database) : ServiceTestBase(database)
{
    [SkippableFact]
    public async Task AddAsync_WithoutPermissions_GetsRoomTypeDefaults()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        // Act
        var member = (await Alice.AddMemberWithDefaultsAsync(room.Id, Bob.Id)).Created();

        // Assert
        Assert.Equal(["can_add_users", "can_create_messages", "can_delete_own_messages", "can_edit_own_messages"], member.Permissions);
        Assert.False(member.IsOwner);
        Assert.Equal(Alice.Id, member.CreatedBy);
        Assert.Equal(Host.Now, member.CreatedAt);
        Assert.Equal(Host.Now, member.LastSeenAt);
        Assert.Equal("Bob", member.DisplayName);
    }

    [SkippableFact]
    public async Task AddAsync_ExplicitEmptyList_NoPermissions()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        // Act
        var member = (await Alice.AddMemberAsync(room.Id, Bob.Id)).Created();

        // Assert
        Assert.Empty(member.Permissions);
        (await Bob.SendAsync(room.Id, "hi")).Fails(ChatErrorKind.Forbidden);
    }

    [SkippableFact]
    public async Task AddAsync_ExplicitPermissionsHeldByCaller_Granted()
    {
        // Arrange
        var room = (await Alice.CreateChannelAsync("News")).Created();

        // Act
        var member = (await Alice.AddMemberAsync(room.Id, Bob.Id, "can_create_messages", "can_delete_messages")).Created();

        // Assert
        Assert.Equal(["can_create_messages", "can_delete_messages"], member.Permissions);
    }

    [SkippableFact]
    public async Task AddAsync_GrantingPermissionCallerLacks_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        // Act
        var result = await Bob.AddMemberAsync(room.Id, Carol.Id, "can_create_messages", "can_delete_room");

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
        (await Carol.GetRoomAsync(room.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task AddAsync_GrantingOnlyHeldPermissions_Granted()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        // Act
        var member = (await Bob.AddMemberAsync(room.Id, Carol.Id, "can_create_messages")).Created();

        // Assert
        Assert.Equal(["can_create_messages"], member.Permissions);
        Assert.Equal(Bob.Id, member.CreatedBy);
    }

    [SkippableFact]
    public async Task AddAsync_MemberWithoutAddUsers_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        (await Alice.AddMemberAsync(room.Id, Bob.Id, "can_create_messages")).Created();

        // Act
        var result = await Bob.AddMemberWithDefaultsAsync(room.Id, Carol.Id);

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
    }

    [SkippableFact]
    public async Task AddAsync_AlreadyMember_Conflict()
    {
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        (await Alice.AddMemberWithDefaultsAsync(room.Id, Bob.Id)).Fails(ChatErrorKind.Conflict);
    }

    [SkippableFact]
    public async Task AddAsync_UnknownUser_InvalidUserId()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        (await Alice.AddMemberWithDefaultsAsync(room.Id, "nobody")).Fails(ChatErrorKind.Invalid, "userId");
    }

    [SkippableFact]
    public async Task AddAsync_UnknownPermissionName_InvalidPermissions()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        (await Alice.AddMemberAsync(room.Id, Bob.Id, "can_fly")).Fails(ChatErrorKind.Invalid, "permissions");
    }

    [SkippableFact]
    public async Task AddAsync_Member_CountsAndListsInJoiningOrder()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        // Act
        (await Alice.AddMemberWithDefaultsAsync(room.Id, Carol.Id)).Created();
        (await Alice.AddMemberWithDefaultsAsync(room.Id, Bob.Id)).Created();

        // Assert
        Assert.Equal(3, (await Alice.GetRoomAsync(room.Id)).Ok().MemberCount);
        Assert.Equal([Alice.Id, Carol.Id, Bob.Id], (await Alice.ListMembersAsync(room.Id)).Ok().Items.Select(m => m.UserId));
    }

    [SkippableFact]
    public async Task UpdateAsync_OwnerChangesPermissions_Replaced()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        // Act
        var member = (await Alice.UpdateMemberAsync(room.Id, Bob.Id, new UpdateMemberRequest { Permissions = ["can_edit_room"] })).Ok();

        // Assert
        Assert.Equal(["can_edit_room"], member.Permissions);
        (await Bob.SendAsync(room.Id, "hi")).Fails(ChatErrorKind.Forbidden);
    }

    [SkippableFact]
    public async Task UpdateAsync_NonOwnerChangesPermissions_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob, Carol)).Created();

        // Act
        var result = await Bob.UpdateMemberAsync(room.Id, Carol.Id, new UpdateMemberRequest { Permissions = [] });

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
    }

    [SkippableFact]
    public async Task UpdateAsync_NonOwnerChangesOwnPermissions_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        // Act
        var result = await Bob.UpdateMemberAsync(room.Id, "me", new UpdateMemberRequest { Permissions = ["can_delete_room"] });

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
        Assert.DoesNotContain("can_delete_room", (await Bob.GetMemberAsync(room.Id, "me")).Ok().Permissions);
    }

    [SkippableFact]
    public async Task UpdateAsync_ReduceOwnerPermissions_Conflict()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        // Act
        var result = await Alice.UpdateMemberAsync(room.Id, Alice.Id, new UpdateMemberRequest { Permissions = ["can_create_messages"] });

        // Assert
        result.Fails(ChatErrorKind.Conflict);
        Assert.Equal(9, (await Alice.GetMemberAsync(room.Id, "me")).Ok().Permissions.Count);
    }

    [SkippableFact]
    public async Task RemoveAsync_Owner_Conflict()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        (await Alice.AddMemberAsync(room.Id, Bob.Id, "can_remove_users")).Created();

        // Act
        var result = await Bob.RemoveMemberAsync(room.Id, Alice.Id);

        // Assert
        result.Fails(ChatErrorKind.Conflict);
    }

    [SkippableFact]
    public async Task RemoveAsync_OwnerLeaves_Conflict()
    {
        var room = (await Alice.CreateChannelAsync("News")).Created();

        (await Alice.RemoveMemberAsync(room.Id, "me")).Fails(ChatErrorKind.Conflict);
    }

    [SkippableFact]
    public async Task RemoveAsync_MemberLeaves_NoLongerMember()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        // Act
        (await Bob.RemoveMemberAsync(room.Id, "me")).Ok();

        // Assert
        (await Bob.GetRoomAsync(room.Id)).Fails(ChatErrorKind.NotFound);
        Assert.Equal(1, (await Alice.GetRoomAsync(room.Id)).Ok().MemberCount);
    }

    [SkippableFact]
    public async Task RemoveAsync_OtherMemberWithoutRemoveUsers_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob, Carol)).Created();

        // Act
        var result = await Bob.RemoveMemberAsync(room.Id, Carol.Id);

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
        (await Carol.GetRoomAsync(room.Id)).Ok();
    }

    [SkippableFact]
    public async Task RemoveAsync_OwnerRemovesMember_Removed()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        // Act
        (await Alice.RemoveMemberAsync(room.Id, Bob.Id)).Ok();

        // Assert
        (await Alice.GetMemberAsync(room.Id, Bob.Id)).Fails(ChatErrorKind.NotFound);
        (await Bob.SendAsync(room.Id, "still here?")).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task RemoveAsync_NotAMember_NotFound()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        (await Alice.RemoveMemberAsync(room.Id, Bob.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task UpdateAsync_MuteSelf_Muted()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        // Act
        var member = (await Bob.UpdateMemberAsync(room.Id, "me", new UpdateMemberRequest { Muted = true })).Ok();

        // Assert
        Assert.True(member.Muted);
        Assert.True((await Bob.GetRoomAsync(room.Id)).Ok().Membership!.Muted);
    }

    [SkippableFact]
    public async Task UpdateAsync_MuteSomeoneElseEvenAsOwner_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        // Act
        var result = await Alice.UpdateMemberAsync(room.Id, Bob.Id, new UpdateMemberRequest { Muted = true });

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
        Assert.False((await Bob.GetMemberAsync(room.Id, "me")).Ok().Muted);
    }

    [SkippableFact]
    public async Task UpdateAsync_LastSeenAtOfSomeoneElse_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        // Act
        var result = await Alice.UpdateMemberAsync(room.Id, Bob.Id, new UpdateMemberRequest { LastSeenAt = Host.Now });

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
    }

    [SkippableFact]
    public async Task UpdateAsync_OwnerPermissionsAndMuteOfOther_ForbiddenAndNothingChanges()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        // Act
        var result = await Alice.UpdateMemberAsync(room.Id, Bob.Id, new UpdateMemberRequest { Muted = true, Permissions = [] });

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
        Assert.NotEmpty((await Bob.GetMemberAsync(room.Id, "me")).Ok().Permissions);
    }

    [SkippableFact]
    public async Task GetAsync_Me_ReturnsCallerMembership()
    {
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        Assert.Equal(Bob.Id, (await Bob.GetMemberAsync(room.Id, "me")).Ok().UserId);
    }

    [SkippableFact]
    public async Task GetAsync_NonMemberOfReadableRoom_NotFound()
    {
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        (await Bob.GetMemberAsync(room.Id, Carol.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task ListAsync_PagedByLimit_CursorContinues()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob, Carol, Dave)).Created();

        // Act
        var first = (await Alice.ListMembersAsync(room.Id, new PageRequest(3))).Ok();
        var second = (await Alice.ListMembersAsync(room.Id, new PageRequest(3, first.NextCursor))).Ok();

        // Assert
        Assert.Equal([Alice.Id, Bob.Id, Carol.Id], first.Items.Select(m => m.UserId));
        Assert.NotNull(first.NextCursor);
        Assert.Equal([Dave.Id], second.Items.Select(m => m.UserId));
        Assert.Null(second.NextCursor);
    }
}

public sealed class SqliteMemberTests(SqliteServiceDatabase database) : MemberTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresMemberTests(PostgresServiceDatabase database) : MemberTests(database), IClassFixture<PostgresServiceDatabase>;
