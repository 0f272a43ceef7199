using DfChat.Models;
using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.Services;

public abstract class RoomListTests(ServiceDatabase database) : ServiceTestBase(database)
{
    [SkippableFact]
    public async Task ListMineAsync_Rooms_NewestActivityFirst()
    {
        // Arrange
        var a = (await Alice.CreateGroupAsync("A", Bob)).Created();
        var b = (await Alice.CreateGroupAsync("B", Bob)).Created();
        var c = (await Alice.CreateGroupAsync("C", Bob)).Created();
        (await Alice.SendAsync(a.Id, "bump")).Created();

        // Act
        var rooms = (await Bob.ListRoomsAsync()).Ok().Items;

        // Assert
        Assert.Equal([a.Id, c.Id, b.Id], rooms.Select(r => r.Id));
    }

    [SkippableFact]
    public async Task ListMineAsync_Paged_CursorFollowsActivityOrder()
    {
        // Arrange
        var a = (await Alice.CreateGroupAsync("A")).Created();
        var b = (await Alice.CreateGroupAsync("B")).Created();
        var c = (await Alice.CreateGroupAsync("C")).Created();

        // Act
        var first = (await Alice.ListRoomsAsync(page: new PageRequest(2))).Ok();
        var second = (await Alice.ListRoomsAsync(page: new PageRequest(2, first.NextCursor))).Ok();

        // Assert
        Assert.Equal([c.Id, b.Id], first.Items.Select(r => r.Id));
        Assert.Equal([a.Id], second.Items.Select(r => r.Id));
        Assert.Null(second.NextCursor);
    }

    [SkippableFact]
    public async Task ListMineAsync_OnlyCallersRooms()
    {
        (await Alice.CreateGroupAsync("Alice's")).Created();
        var bobs = (await Bob.CreateGroupAsync("Bob's")).Created();

        var rooms = (await Bob.ListRoomsAsync()).Ok().Items;

        Assert.Equal([bobs.Id], rooms.Select(r => r.Id));
    }

    [SkippableFact]
    public async Task ListMineAsync_TypeFilter_OnlyThatType()
    {
        // Arrange
        (await Alice.CreateGroupAsync("G")).Created();
        var channel = (await Alice.CreateChannelAsync("C")).Created();
        (await Alice.CreatePrivateAsync(Bob)).Created();

        // Act
        var rooms = (await Alice.ListRoomsAsync(type: "channel")).Ok().Items;

        // Assert
        Assert.Equal([channel.Id], rooms.Select(r => r.Id));
    }

    [SkippableFact]
    public async Task ListMineAsync_UnknownType_InvalidType()
    {
        (await Alice.ListRoomsAsync(type: "chatroom")).Fails(ChatErrorKind.Invalid, "type");
    }

    [SkippableFact]
    public async Task ListMineAsync_Search_CaseInsensitiveSubstringOfName()
    {
        // Arrange
        var team = (await Alice.CreateGroupAsync("The Dev Team")).Created();
        (await Alice.CreateGroupAsync("Family")).Created();

        // Act
        var rooms = (await Alice.ListRoomsAsync(search: "dEV t")).Ok().Items;

        // Assert
        Assert.Equal([team.Id], rooms.Select(r => r.Id));
    }

    [SkippableFact]
    public async Task ListMineAsync_SearchNonAscii_CaseInsensitive()
    {
        var room = (await Alice.CreateGroupAsync("Équipe Café")).Created();

        var rooms = (await Alice.ListRoomsAsync(search: "café")).Ok().Items;

        Assert.Equal([room.Id], rooms.Select(r => r.Id));
    }

    [SkippableFact]
    public async Task ListMineAsync_SearchNonAsciiOtherCase_CaseInsensitive()
    {
        var room = (await Alice.CreateGroupAsync("ÉQUIPE")).Created();

        var rooms = (await Alice.ListRoomsAsync(search: "équipe")).Ok().Items;

        Assert.Equal([room.Id], rooms.Select(r => r.Id));
    }

    [SkippableFact]
    public async Task ListMineAsync_Rooms_CarryMembershipAndLastMessage()
    {
        var room = (await Alice.CreateGroupAsync("G", Bob)).Created();
        var message = (await Alice.SendAsync(room.Id, "latest")).Created();

        var seen = Assert.Single((await Bob.ListRoomsAsync()).Ok().Items);

        Assert.Equal(message.Id, seen.LastMessage!.Id);
        Assert.Equal(message.CreatedAt, seen.LastActivityAt);
        Assert.NotNull(seen.Membership);
    }

    [SkippableFact]
    public async Task ListPublicAsync_PublicRoomsMemberOrNot_NewestActivityFirst()
    {
        // Arrange
        var older = (await Alice.CreateChannelAsync("Older", isPublic: true)).Created();
        (await Alice.CreateGroupAsync("Hidden")).Created();
        var newer = (await Bob.CreateChannelAsync("Newer", isPublic: true)).Created();

        // Act
        var rooms = (await Carol.ListPublicRoomsAsync()).Ok().Items;

        // Assert
        Assert.Equal([newer.Id, older.Id], rooms.Select(r => r.Id));
        Assert.All(rooms, r => Assert.Null(r.Membership));
    }

    [SkippableFact]
    public async Task ListPublicAsync_Member_SeesOwnMembership()
    {
        var room = (await Alice.CreateChannelAsync("Square", isPublic: true)).Created();

        var seen = Assert.Single((await Alice.ListPublicRoomsAsync()).Ok().Items);

        Assert.Equal(room.Id, seen.Id);
        Assert.True(seen.Membership!.IsOwner);
    }

    [SkippableFact]
    public async Task ListPublicAsync_Search_CaseInsensitive()
    {
        var cooking = (await Alice.CreateChannelAsync("Cooking Tips", isPublic: true)).Created();
        (await Alice.CreateChannelAsync("Sports", isPublic: true)).Created();

        var rooms = (await Carol.ListPublicRoomsAsync(search: "COOK")).Ok().Items;

        Assert.Equal([cooking.Id], rooms.Select(r => r.Id));
    }

    [SkippableFact]
    public async Task ListPublicAsync_Paged_CursorContinues()
    {
        // Arrange
        var a = (await Alice.CreateChannelAsync("A", isPublic: true)).Created();
        var b = (await Alice.CreateChannelAsync("B", isPublic: true)).Created();
        var c = (await Alice.CreateChannelAsync("C", isPublic: true)).Created();

        // Act
        var first = (await Carol.ListPublicRoomsAsync(page: new PageRequest(2))).Ok();
        var second = (await Carol.ListPublicRoomsAsync(page: new PageRequest(2, first.NextCursor))).Ok();

        // Assert
        Assert.Equal([c.Id, b.Id], first.Items.Select(r => r.Id));
        Assert.Equal([a.Id], second.Items.Select(r => r.Id));
    }

    [SkippableFact]
    public async Task ListPublicAsync_RoomMadePrivate_Disappears()
    {
        var room = (await Alice.CreateChannelAsync("Square", isPublic: true)).Created();
        (await Alice.UpdateRoomAsync(room.Id, new UpdateRoomRequest { IsPublic = false })).Ok();

        Assert.Empty((await Carol.ListPublicRoomsAsync()).Ok().Items);
    }
}

public sealed class SqliteRoomListTests(SqliteServiceDatabase database) : RoomListTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresRoomListTests(PostgresServiceDatabase database) : RoomListTests(database), IClassFixture<PostgresServiceDatabase>;
