using System.Net;
using System.Text.Json;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary>The room routes: list, public list, create, get, change, delete, join, read.</summary>
public abstract class RoomRouteTests(ChatApiFactory api) : HttpTestBase(api)
{
    public static readonly string[] AllPermissions =
    [
        "can_add_users", "can_remove_users", "can_create_messages", "can_delete_messages", "can_delete_own_messages",
        "can_edit_messages", "can_edit_own_messages", "can_edit_room", "can_delete_room",
    ];

    public static readonly string[] RoomFields =
        ["avatarUrl", "createdAt", "createdBy", "description", "frozen", "id", "isPublic", "lastActivityAt", "lastMessage", "lastSeq", "memberCount", "membership", "name", "slowModeSeconds", "type"];

    public static readonly string[] MembershipFields = ["isOwner", "lastSeenAt", "mentionCount", "muted", "permissions", "unreadCount"];

    [SkippableFact]
    public async Task CreateRoom_Group_Returns201WithLocation()
    {
        var alice = await UserAsync();

        var response = await alice.PostAsync("rooms", new { type = "group", name = "Team" });

        var room = await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
        Assert.Equal($"/api/chat/rooms/{room.Str("id")}", response.Headers.Location?.OriginalString);
    }

    [SkippableFact]
    public async Task CreateRoom_Group_ReturnsEveryRoomField()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();

        var room = await HttpAssert.JsonAsync(
            await alice.PostAsync("rooms", new { type = "group", name = "Team", description = "About", isPublic = true, userIds = new[] { bob.Id } }),
            HttpStatusCode.Created);

        Assert.Equal(RoomFields, room.Names());
        Assert.Equal("group", room.Str("type"));
        Assert.Equal("Team", room.Str("name"));
        Assert.Equal("About", room.Str("description"));
        Assert.True(room.Prop("isPublic").GetBoolean());
        Assert.Equal(JsonValueKind.Null, room.Prop("avatarUrl").ValueKind);
        Assert.Equal(alice.Id, room.Str("createdBy"));
        Assert.Equal(2, room.Prop("memberCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, room.Prop("lastMessage").ValueKind);
        Assert.Equal(HttpAssert.Timestamp(room.Prop("createdAt")), HttpAssert.Timestamp(room.Prop("lastActivityAt")));
    }

    [SkippableFact]
    public async Task CreateRoom_Group_CreatorIsOwnerWithEveryPermission()
    {
        var alice = await UserAsync();

        var membership = (await alice.CreateRoomAsync("group")).Prop("membership");

        Assert.Equal(MembershipFields, membership.Names());
        Assert.True(membership.Prop("isOwner").GetBoolean());
        Assert.Equal(AllPermissions.Order(), membership.Strings("permissions").Order());
        Assert.False(membership.Prop("muted").GetBoolean());
        Assert.Equal(0, membership.Prop("unreadCount").GetInt32());
        HttpAssert.Timestamp(membership.Prop("lastSeenAt"));
    }

    [SkippableFact]
    public async Task CreateRoom_WithUserIds_MembersAreCreatedByCallerWithTypeDefaults()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();

        var roomId = await alice.CreateRoomIdAsync("channel", members: bob);

        var member = await bob.GetJsonAsync($"rooms/{roomId}/users/me");
        Assert.Equal(alice.Id, member.Str("createdBy"));
        Assert.False(member.Prop("isOwner").GetBoolean());
        Assert.Equal(["can_add_users"], member.Strings("permissions"));
    }

    [SkippableTheory]
    [InlineData("private_messages", new[] { "can_create_messages", "can_delete_own_messages", "can_delete_room", "can_edit_own_messages" })]
    [InlineData("group", new[] { "can_add_users", "can_create_messages", "can_delete_own_messages", "can_edit_own_messages" })]
    [InlineData("channel", new[] { "can_add_users" })]
    public async Task CreateRoom_Type_OtherMemberGetsTypeDefaults(string type, string[] expected)
    {
        var alice = await UserAsync();
        var bob = await UserAsync();

        var roomId = await alice.CreateRoomIdAsync(type, members: bob);

        var room = await bob.GetJsonAsync($"rooms/{roomId}");
        Assert.Equal(expected, room.Prop("membership").Strings("permissions").Order());
    }

    [SkippableFact]
    public async Task CreateRoom_MissingType_Returns400Type()
    {
        var alice = await UserAsync();

        var response = await alice.PostAsync("rooms", new { name = "x" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "type");
    }

    [SkippableFact]
    public async Task CreateRoom_UnknownType_Returns400Type()
    {
        var alice = await UserAsync();

        var response = await alice.PostAsync("rooms", new { type = "forum", name = "x" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "type");
    }

    [SkippableTheory]
    [InlineData("group")]
    [InlineData("channel")]
    public async Task CreateRoom_NoName_Returns400Name(string type)
    {
        var alice = await UserAsync();

        var response = await alice.PostAsync("rooms", new { type });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "name");
    }

    [SkippableFact]
    public async Task CreateRoom_Name256Chars_Returns400Name()
    {
        var alice = await UserAsync();

        var response = await alice.PostAsync("rooms", new { type = "group", name = new string('n', 256) });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "name");
    }

    [SkippableFact]
    public async Task CreateRoom_Name255Chars_Returns201()
    {
        var alice = await UserAsync();

        var response = await alice.PostAsync("rooms", new { type = "group", name = new string('n', 255) });

        await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
    }

    [SkippableFact]
    public async Task CreateRoom_Description2001Chars_Returns400Description()
    {
        var alice = await UserAsync();

        var response = await alice.PostAsync("rooms", new { type = "group", name = "x", description = new string('d', 2001) });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "description");
    }

    [SkippableFact]
    public async Task CreateRoom_UnknownUserId_Returns400UserIds()
    {
        var alice = await UserAsync();

        var response = await alice.PostAsync("rooms", new { type = "group", name = "x", userIds = new[] { "no-such-user" } });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "userIds");
    }

    [SkippableFact]
    public async Task CreateRoom_PublicPrivateMessages_Returns400IsPublic()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();

        var response = await alice.PostAsync("rooms", new { type = "private_messages", isPublic = true, userIds = new[] { bob.Id } });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "isPublic");
    }

    [SkippableFact]
    public async Task CreateRoom_PrivateMessagesWithTwoOthers_Returns400UserIds()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var carol = await UserAsync();

        var response = await alice.PostAsync("rooms", new { type = "private_messages", userIds = new[] { bob.Id, carol.Id } });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "userIds");
    }

    [SkippableFact]
    public async Task CreateRoom_PrivateMessagesOfExistingPairByOther_Returns200SameRoom()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var first = await alice.CreateRoomIdAsync("private_messages", members: bob);

        var response = await bob.PostAsync("rooms", new { type = "private_messages", userIds = new[] { alice.Id } });

        var again = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(first, again.Str("id"));
    }

    [SkippableFact]
    public async Task CreateRoom_PrivateMessages_HasNoOwnerAndTwoMembers()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();

        var room = await alice.CreateRoomAsync("private_messages", members: bob);

        Assert.Equal(2, room.Prop("memberCount").GetInt32());
        Assert.False(room.Prop("membership").Prop("isOwner").GetBoolean());
    }

    [SkippableFact]
    public async Task CreateRoom_AvatarOwnImage_AvatarUrlDownloads()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var avatar = await alice.UploadPngAsync();

        var room = await HttpAssert.JsonAsync(
            await alice.PostAsync("rooms", new { type = "group", name = "x", avatarMediaId = avatar, userIds = new[] { bob.Id } }),
            HttpStatusCode.Created);

        var url = room.Str("avatarUrl");
        Assert.Equal($"/api/chat/media/{avatar}/content", url);
        var content = await bob.Client.GetAsync(url);
        await HttpAssert.StatusAsync(content, HttpStatusCode.OK);
        Assert.Equal(HttpFiles.Png(), await content.Content.ReadAsByteArrayAsync());
    }

    [SkippableFact]
    public async Task CreateRoom_AvatarOfAnotherUser_Returns400AvatarMediaId()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var bobs = await bob.UploadPngAsync();

        var response = await alice.PostAsync("rooms", new { type = "group", name = "x", avatarMediaId = bobs });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "avatarMediaId");
    }

    [SkippableFact]
    public async Task CreateRoom_AvatarNotAnImage_Returns400AvatarMediaId()
    {
        var alice = await UserAsync();
        var pdf = (await alice.UploadOkAsync(HttpFiles.Pdf(), "application/pdf", "a.pdf")).Str("id");

        var response = await alice.PostAsync("rooms", new { type = "group", name = "x", avatarMediaId = pdf });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "avatarMediaId");
    }

    [SkippableFact]
    public async Task GetRoom_Member_Returns200WithMembership()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        var room = await bob.GetJsonAsync($"rooms/{roomId}");

        Assert.Equal(roomId, room.Str("id"));
        Assert.False(room.Prop("membership").Prop("isOwner").GetBoolean());
    }

    [SkippableFact]
    public async Task GetRoom_OutsiderOfPrivateGroup_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await eve.GetAsync($"rooms/{roomId}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task GetRoom_OutsiderOfPublicRoom_Returns200WithNullMembership()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("channel", isPublic: true);

        var room = await eve.GetJsonAsync($"rooms/{roomId}");

        Assert.Equal(JsonValueKind.Null, room.Prop("membership").ValueKind);
    }

    [SkippableFact]
    public async Task GetRoom_UnknownId_Returns404()
    {
        var alice = await UserAsync();

        var response = await alice.GetAsync("rooms/987654321");

        await HttpAssert.NotFoundAsync(response, "room_not_found");
    }

    [SkippableFact]
    public async Task GetRoom_AfterMessage_HasLastMessageAndItsActivity()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var message = await alice.SendAsync(roomId, "latest");

        var room = await alice.GetJsonAsync($"rooms/{roomId}");

        Assert.Equal(message.Str("id"), room.Prop("lastMessage").Str("id"));
        Assert.Equal("latest", room.Prop("lastMessage").Str("text"));
        Assert.Equal(message.Str("createdAt"), room.Str("lastActivityAt"));
    }

    [SkippableFact]
    public async Task ListRooms_Caller_ReturnsOnlyOwnRoomsNewestActivityFirst()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var older = await alice.CreateGroupAsync();
        var newer = await alice.CreateGroupAsync();
        await bob.CreateGroupAsync();
        await alice.SendAsync(older, "bump");

        var page = await alice.GetJsonAsync("rooms");

        Assert.Equal([older, newer], HttpAssert.Ids(page));
        Assert.Null(page.Cursor());
    }

    [SkippableFact]
    public async Task ListRooms_TypeFilter_ReturnsOnlyThatType()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        await alice.CreateGroupAsync();
        var channel = await alice.CreateRoomIdAsync("channel");
        await alice.CreateRoomIdAsync("private_messages", members: bob);

        var page = await alice.GetJsonAsync("rooms?type=channel");

        Assert.Equal([channel], HttpAssert.Ids(page));
    }

    [SkippableFact]
    public async Task ListRooms_UnknownType_Returns400Type()
    {
        var alice = await UserAsync();

        var response = await alice.GetAsync("rooms?type=forum");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "type");
    }

    [SkippableFact]
    public async Task ListRooms_Search_MatchesNameCaseInsensitively()
    {
        var alice = await UserAsync();
        var match = await alice.CreateRoomIdAsync("group", "Weekly PLANNING");
        await alice.CreateRoomIdAsync("group", "Lunch");

        var page = await alice.GetJsonAsync("rooms?search=planning");

        Assert.Equal([match], HttpAssert.Ids(page));
    }

    [SkippableFact]
    public async Task ListRooms_LimitAndCursor_PagesThroughEveryRoomOnce()
    {
        var alice = await UserAsync();
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
            created.Add(await alice.CreateGroupAsync());

        var first = await alice.GetJsonAsync("rooms?limit=2");
        var second = await alice.GetJsonAsync($"rooms?limit=2&cursor={Uri.EscapeDataString(first.Cursor()!)}");
        var third = await alice.GetJsonAsync($"rooms?limit=2&cursor={Uri.EscapeDataString(second.Cursor()!)}");

        created.Reverse();
        Assert.Equal(created, [.. HttpAssert.Ids(first), .. HttpAssert.Ids(second), .. HttpAssert.Ids(third)]);
        Assert.Null(third.Cursor());
    }

    [SkippableTheory]
    [InlineData("rooms?limit=0")]
    [InlineData("rooms?limit=101")]
    [InlineData("rooms?limit=x")]
    [InlineData("rooms/public?limit=0")]
    [InlineData("rooms/public?limit=101")]
    [InlineData("rooms/public?limit=1.5")]
    public async Task ListRooms_LimitOutOfRange_Returns400Limit(string path)
    {
        var alice = await UserAsync();

        var response = await alice.GetAsync(path);

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "limit");
    }

    [SkippableTheory]
    [InlineData("rooms?cursor=garbage")]
    [InlineData("rooms/public?cursor=garbage")]
    public async Task ListRooms_GarbledCursor_Returns400Cursor(string path)
    {
        var alice = await UserAsync();

        var response = await alice.GetAsync(path);

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "cursor");
    }

    [SkippableFact]
    public async Task ListRooms_CursorOfPublicList_Returns400Cursor()
    {
        var alice = await UserAsync();
        await alice.CreateRoomIdAsync("group", isPublic: true);
        await alice.CreateRoomIdAsync("group", isPublic: true);
        var publicPage = await alice.GetJsonAsync("rooms/public?limit=1");

        var response = await alice.GetAsync($"rooms?cursor={Uri.EscapeDataString(publicPage.Cursor()!)}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "cursor");
    }

    [SkippableFact]
    public async Task ListPublicRooms_Outsider_SeesPublicRoomsOnlyWithNullMembership()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var tag = Guid.NewGuid().ToString("N");
        var open = await alice.CreateRoomIdAsync("channel", "open " + tag, isPublic: true);
        await alice.CreateRoomIdAsync("group", "closed " + tag);

        var page = await eve.GetJsonAsync($"rooms/public?search={tag.ToUpperInvariant()}");

        var room = Assert.Single(page.Items());
        Assert.Equal(open, room.Str("id"));
        Assert.Equal(JsonValueKind.Null, room.Prop("membership").ValueKind);
    }

    [SkippableFact]
    public async Task ListPublicRooms_Member_SeesOwnMembership()
    {
        var alice = await UserAsync();
        var tag = Guid.NewGuid().ToString("N");
        await alice.CreateRoomIdAsync("group", "open " + tag, isPublic: true);

        var page = await alice.GetJsonAsync($"rooms/public?search={tag}");

        Assert.True(Assert.Single(page.Items()).Prop("membership").Prop("isOwner").GetBoolean());
    }

    [SkippableFact]
    public async Task UpdateRoom_Owner_Returns200WithChanges()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var room = await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}", new { name = "Renamed", description = "New", isPublic = true }));

        Assert.Equal("Renamed", room.Str("name"));
        Assert.Equal("New", room.Str("description"));
        Assert.True(room.Prop("isPublic").GetBoolean());
    }

    [SkippableFact]
    public async Task UpdateRoom_OmittedFields_AreUnchanged()
    {
        var alice = await UserAsync();
        var created = await HttpAssert.JsonAsync(await alice.PostAsync("rooms", new { type = "group", name = "Keep", description = "Kept" }), HttpStatusCode.Created);

        var room = await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{created.Str("id")}", new { isPublic = true }));

        Assert.Equal("Keep", room.Str("name"));
        Assert.Equal("Kept", room.Str("description"));
    }

    [SkippableFact]
    public async Task UpdateRoom_MemberWithoutCanEditRoom_Returns403()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        var response = await bob.PatchAsync($"rooms/{roomId}", new { name = "Mine" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task UpdateRoom_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await eve.PatchAsync($"rooms/{roomId}", new { name = "Mine" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task UpdateRoom_EmptyNameOfGroup_Returns400Name()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.PatchAsync($"rooms/{roomId}", new { name = "" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "name");
    }

    [SkippableFact]
    public async Task UpdateRoom_DescriptionTooLong_Returns400Description()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.PatchAsync($"rooms/{roomId}", new { description = new string('d', 2001) });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "description");
    }

    [SkippableFact]
    public async Task UpdateRoom_PrivateMessagesMemberMakesItPublic_Returns403()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("private_messages", members: bob);

        var response = await alice.PatchAsync($"rooms/{roomId}", new { isPublic = true });

        // Members of a private room hold no can_edit_room, so the permission check answers first.
        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task UpdateRoom_AvatarOfAnotherUser_Returns400AvatarMediaId()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var bobs = await bob.UploadPngAsync();

        var response = await alice.PatchAsync($"rooms/{roomId}", new { avatarMediaId = bobs });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "avatarMediaId");
    }

    [SkippableFact]
    public async Task DeleteRoom_Owner_Returns204AndRoomIs404()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.DeleteAsync($"rooms/{roomId}");

        await HttpAssert.StatusAsync(response, HttpStatusCode.NoContent);
        await HttpAssert.ProblemAsync(await alice.GetAsync($"rooms/{roomId}"), HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task DeleteRoom_GroupMember_Returns403()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        var response = await bob.DeleteAsync($"rooms/{roomId}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task DeleteRoom_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await eve.DeleteAsync($"rooms/{roomId}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task DeleteRoom_WithMessagesAndMedia_TakesThemAlong()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var mediaId = await alice.UploadPngAsync();
        var message = await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages", new { mediaIds = new[] { mediaId } }), HttpStatusCode.Created);
        var reaction = await alice.ReactAsync(roomId, message.Str("id"));

        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}"), HttpStatusCode.NoContent);

        await HttpAssert.ProblemAsync(await alice.GetAsync($"rooms/{roomId}/messages/{message.Str("id")}"), HttpStatusCode.NotFound);
        await HttpAssert.ProblemAsync(await alice.GetAsync($"reactions/{reaction.Str("id")}"), HttpStatusCode.NotFound);
        await HttpAssert.ProblemAsync(await alice.GetAsync($"media/{mediaId}"), HttpStatusCode.NotFound);
        Assert.Empty((await alice.GetJsonAsync("rooms")).Items());
    }

    [SkippableFact]
    public async Task JoinRoom_PublicRoom_Returns200WithDefaultMembership()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("group", isPublic: true);

        var room = await HttpAssert.JsonAsync(await bob.PostAsync($"rooms/{roomId}/join"));

        Assert.Equal(2, room.Prop("memberCount").GetInt32());
        var membership = room.Prop("membership");
        Assert.False(membership.Prop("isOwner").GetBoolean());
        Assert.Equal(["can_add_users", "can_create_messages", "can_delete_own_messages", "can_edit_own_messages"], membership.Strings("permissions").Order());
    }

    [SkippableFact]
    public async Task JoinRoom_AlreadyMember_Returns200WithoutChange()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("group", isPublic: true);
        await HttpAssert.JsonAsync(await bob.PostAsync($"rooms/{roomId}/join"));

        var again = await HttpAssert.JsonAsync(await bob.PostAsync($"rooms/{roomId}/join"));

        Assert.Equal(2, again.Prop("memberCount").GetInt32());
    }

    [SkippableFact]
    public async Task JoinRoom_NotPublic_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await eve.PostAsync($"rooms/{roomId}/join");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task MarkRead_NoMessageId_ResetsUnreadCount()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        await alice.SendAsync(roomId);
        await alice.SendAsync(roomId);

        var membership = await HttpAssert.JsonAsync(await bob.PostAsync($"rooms/{roomId}/read", new { }));

        Assert.Equal(MembershipFields, membership.Names());
        Assert.Equal(0, membership.Prop("unreadCount").GetInt32());
    }

    [SkippableFact]
    public async Task MarkRead_MessageId_SetsLastSeenAtToThatMessage()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var first = await alice.SendAsync(roomId, "one");
        await alice.SendAsync(roomId, "two");

        var membership = await HttpAssert.JsonAsync(await bob.PostAsync($"rooms/{roomId}/read", new { messageId = first.Str("id") }));

        Assert.Equal(first.Str("createdAt"), membership.Str("lastSeenAt"));
        Assert.Equal(1, membership.Prop("unreadCount").GetInt32());
    }

    [SkippableFact]
    public async Task MarkRead_MessageOfAnotherRoom_Returns400MessageId()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var otherRoom = await alice.CreateGroupAsync();
        var foreign = await alice.SendIdAsync(otherRoom);

        var response = await alice.PostAsync($"rooms/{roomId}/read", new { messageId = foreign });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "messageId");
    }

    [SkippableFact]
    public async Task MarkRead_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await eve.PostAsync($"rooms/{roomId}/read", new { });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task MarkRead_NonMemberOfPublicRoom_Returns403()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("group", isPublic: true);

        var response = await eve.PostAsync($"rooms/{roomId}/read", new { });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableTheory]
    [InlineData("%")]
    [InlineData("_")]
    public async Task ListRooms_SearchLikeWildcard_MatchesLiterally(string wildcard)
    {
        var alice = await UserAsync();
        await alice.CreateRoomIdAsync("group", "plain name");

        var page = await alice.GetJsonAsync($"rooms?search={Uri.EscapeDataString(wildcard)}");

        Assert.Empty(page.Items());
    }

    [SkippableFact]
    public async Task UpdateRoom_AvatarAttachedToAMessageOfAnotherRoom_Returns400_AndDeletingTheRoomKeepsThePicture()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var chat = await alice.CreateGroupAsync(bob);
        var picture = await alice.UploadPngAsync();
        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{chat}/messages", new { mediaIds = new[] { picture } }), HttpStatusCode.Created);
        var other = await alice.CreateGroupAsync();

        var response = await alice.PatchAsync($"rooms/{other}", new { avatarMediaId = picture });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "avatarMediaId");
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{other}"), HttpStatusCode.NoContent);
        await HttpAssert.StatusAsync(await bob.GetAsync($"media/{picture}/content"), HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task CreateRoom_AvatarOfAnotherRoom_Returns400AvatarMediaId()
    {
        var alice = await UserAsync();
        var picture = await alice.UploadPngAsync();
        await HttpAssert.JsonAsync(await alice.PostAsync("rooms", new { type = "group", name = "first", avatarMediaId = picture }), HttpStatusCode.Created);

        var response = await alice.PostAsync("rooms", new { type = "group", name = "second", avatarMediaId = picture });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "avatarMediaId");
    }

    [SkippableFact]
    public async Task UpdateRoom_AvatarOwnImage_SetsAvatarUrl()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var avatar = await alice.UploadPngAsync();

        var room = await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}", new { avatarMediaId = avatar }));

        Assert.Equal($"/api/chat/media/{avatar}/content", room.Str("avatarUrl"));
    }

    [SkippableFact]
    public async Task AddMember_AfterMessages_NewMemberStartsWithNoUnread()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        await alice.SendAsync(roomId);
        await alice.SendAsync(roomId);

        await alice.AddMemberAsync(roomId, bob);

        Assert.Equal(0, (await bob.GetJsonAsync($"rooms/{roomId}")).Prop("membership").Prop("unreadCount").GetInt32());
    }

    [SkippableFact]
    public async Task GetRoom_MutedMember_StillCountsUnread()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        await HttpAssert.JsonAsync(await bob.PatchAsync($"rooms/{roomId}/users/me", new { muted = true }));

        await alice.SendAsync(roomId);

        Assert.Equal(1, (await bob.GetJsonAsync($"rooms/{roomId}")).Prop("membership").Prop("unreadCount").GetInt32());
    }
}

public sealed class SqliteRoomRouteTests(SqliteChatApi api) : RoomRouteTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresRoomRouteTests(PostgresChatApi api) : RoomRouteTests(api), IClassFixture<PostgresChatApi>;
