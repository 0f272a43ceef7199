using DfChat.Models;
using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.Services;

public abstract class PrivateRoomTests(ServiceDatabase database) : ServiceTestBase(database)
{
    [SkippableFact]
    public async Task CreateAsync_PairAlreadySharesRoom_ReturnsSameRoomNotCreated()
    {
        // Arrange
        var first = (await Alice.CreatePrivateAsync(Bob)).Created();

        // Act
        var second = (await Alice.CreatePrivateAsync(Bob)).Existing();

        // Assert
        Assert.Equal(first.Id, second.Id);
        Assert.Single((await Alice.ListRoomsAsync("private_messages")).Ok().Items);
    }

    [SkippableFact]
    public async Task CreateAsync_OtherUserCreatesPairRoom_ReturnsSameRoomWithOwnMembership()
    {
        // Arrange
        var first = (await Alice.CreatePrivateAsync(Bob)).Created();

        // Act
        var second = (await Bob.CreatePrivateAsync(Alice)).Existing();

        // Assert
        Assert.Equal(first.Id, second.Id);
        Assert.NotNull(second.Membership);
        Assert.Single((await Bob.ListRoomsAsync()).Ok().Items);
    }

    [SkippableFact]
    public async Task CreateAsync_DifferentPairs_DifferentRooms()
    {
        // Act
        var withBob = (await Alice.CreatePrivateAsync(Bob)).Created();
        var withCarol = (await Alice.CreatePrivateAsync(Carol)).Created();

        // Assert
        Assert.NotEqual(withBob.Id, withCarol.Id);
    }

    [SkippableFact]
    public async Task CreateAsync_BothUsersAtOnce_OneRoom()
    {
        // Act
        var results = await Task.WhenAll(Alice.CreatePrivateAsync(Bob), Bob.CreatePrivateAsync(Alice));

        // Assert
        Assert.All(results, r => r.Ok());
        Assert.Equal(results[0].Value!.Id, results[1].Value!.Id);
        Assert.Single(results, r => r.Created);
    }

    [SkippableFact]
    public async Task AddAsync_PrivateRoom_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreatePrivateAsync(Bob)).Created();

        // Act
        var result = await Alice.AddMemberWithDefaultsAsync(room.Id, Carol.Id);

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
        Assert.Equal(2, (await Alice.GetRoomAsync(room.Id)).Ok().MemberCount);
    }

    [SkippableFact]
    public async Task RemoveAsync_OtherMemberOfPrivateRoom_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreatePrivateAsync(Bob)).Created();

        // Act
        var result = await Alice.RemoveMemberAsync(room.Id, Bob.Id);

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
    }

    [SkippableFact]
    public async Task RemoveAsync_LeavePrivateRoom_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreatePrivateAsync(Bob)).Created();

        // Act
        var result = await Bob.RemoveMemberAsync(room.Id, "me");

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
        (await Bob.GetRoomAsync(room.Id)).Ok();
    }

    [SkippableFact]
    public async Task UpdateAsync_MakePrivateRoomPublic_RefusedAndStaysPrivate()
    {
        // Arrange
        var room = (await Alice.CreatePrivateAsync(Bob)).Created();

        // Act
        var result = await Alice.UpdateRoomAsync(room.Id, new UpdateRoomRequest { IsPublic = true });

        // Assert: members of a private room lack can_edit_room, so the permission check answers first.
        result.Fails(ChatErrorKind.Forbidden);
        Assert.False((await Alice.GetRoomAsync(room.Id)).Ok().IsPublic);
        (await Carol.GetRoomAsync(room.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DeleteAsync_EitherMemberOfPrivateRoom_Deletes(bool byCreator)
    {
        // Arrange
        var room = (await Alice.CreatePrivateAsync(Bob)).Created();

        // Act
        var result = await (byCreator ? Alice : Bob).DeleteRoomAsync(room.Id);

        // Assert
        result.Ok();
        (await Alice.GetRoomAsync(room.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task CreateAsync_AfterPrivateRoomDeleted_CreatesNewRoom()
    {
        // Arrange
        var first = (await Alice.CreatePrivateAsync(Bob)).Created();
        (await Bob.DeleteRoomAsync(first.Id)).Ok();

        // Act
        var second = (await Alice.CreatePrivateAsync(Bob)).Created();

        // Assert
        Assert.NotEqual(first.Id, second.Id);
    }

    [SkippableFact]
    public async Task UpdateMemberAsync_PermissionsInPrivateRoom_ForbiddenWithoutOwner()
    {
        // Arrange
        var room = (await Alice.CreatePrivateAsync(Bob)).Created();

        // Act
        var result = await Alice.UpdateMemberAsync(room.Id, Bob.Id, new UpdateMemberRequest { Permissions = [] });

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
    }
}

public sealed class SqlitePrivateRoomTests(SqliteServiceDatabase database) : PrivateRoomTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresPrivateRoomTests(PostgresServiceDatabase database) : PrivateRoomTests(database), IClassFixture<PostgresServiceDatabase>;
