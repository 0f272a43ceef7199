using System.Net;
using System.Text.Json;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary>The member routes: list, add, get, change, remove or leave.</summary>
public abstract class MemberRouteTests(ChatApiFactory api) : HttpTestBase(api)
{
    private static readonly string[] MemberFields = ["createdAt", "createdBy", "displayName", "isOwner", "lastSeenAt", "muted", "permissions", "roomId", "userId"];

    [SkippableFact]
    public async Task ListMembers_Member_ReturnsEveryMemberWithFields()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        var page = await bob.GetJsonAsync($"rooms/{roomId}/users");

        var members = page.Items();
        Assert.Null(page.Cursor());
        Assert.Equal(new[] { alice.Id, bob.Id }.Order(), members.Select(m => m.Str("userId")).Order());
        Assert.All(members, m => Assert.Equal(MemberFields, m.Names()));
        var owner = members.Single(m => m.Str("userId") == alice.Id);
        Assert.Equal(roomId, owner.Str("roomId"));
        Assert.Equal(alice.Email, owner.Str("displayName"));
        Assert.True(owner.Prop("isOwner").GetBoolean());
        HttpAssert.Timestamp(owner.Prop("createdAt"));
        HttpAssert.Timestamp(owner.Prop("lastSeenAt"));
    }

    [SkippableFact]
    public async Task ListMembers_LimitAndCursor_PagesThroughEveryMemberOnce()
    {
        var alice = await UserAsync();
        var others = new[] { await UserAsync(), await UserAsync(), await UserAsync() };
        var roomId = await alice.CreateGroupAsync(others);

        var first = await alice.GetJsonAsync($"rooms/{roomId}/users?limit=3");
        var second = await alice.GetJsonAsync($"rooms/{roomId}/users?limit=3&cursor={Uri.EscapeDataString(first.Cursor()!)}");

        var all = first.Items().Concat(second.Items()).Select(m => m.Str("userId")).ToList();
        Assert.Equal(new[] { alice.Id }.Concat(others.Select(o => o.Id)).Order(), all.Order());
        Assert.Null(second.Cursor());
    }

    [SkippableFact]
    public async Task ListMembers_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await eve.GetAsync($"rooms/{roomId}/users");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task ListMembers_OutsiderOfPublicRoom_Returns200()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("group", isPublic: true);

        var page = await eve.GetJsonAsync($"rooms/{roomId}/users");

        Assert.Equal(alice.Id, Assert.Single(page.Items()).Str("userId"));
    }

    [SkippableFact]
    public async Task ListMembers_CursorOfAnotherRoom_Returns400Cursor()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var other = await alice.CreateGroupAsync(bob);
        var otherPage = await alice.GetJsonAsync($"rooms/{other}/users?limit=1");

        var response = await alice.GetAsync($"rooms/{roomId}/users?cursor={Uri.EscapeDataString(otherPage.Cursor()!)}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "cursor");
    }

    [SkippableFact]
    public async Task AddMember_Group_Returns201WithLocationAndMember()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.PostAsync($"rooms/{roomId}/users", new { userId = bob.Id });

        var member = await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
        Assert.Equal($"/api/chat/rooms/{roomId}/users/{Uri.EscapeDataString(bob.Id)}", response.Headers.Location?.OriginalString);
        Assert.Equal(MemberFields, member.Names());
        Assert.Equal(bob.Id, member.Str("userId"));
        Assert.Equal(alice.Id, member.Str("createdBy"));
        Assert.False(member.Prop("muted").GetBoolean());
        Assert.Equal(["can_add_users", "can_create_messages", "can_delete_own_messages", "can_edit_own_messages"], member.Strings("permissions").Order());
    }

    [SkippableFact]
    public async Task AddMember_ExplicitEmptyPermissions_HasNoPermissions()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("channel");

        var member = await alice.AddMemberAsync(roomId, bob, []);

        Assert.Empty(member.Strings("permissions"));
    }

    [SkippableFact]
    public async Task AddMember_AlreadyMember_Returns409()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        var response = await alice.PostAsync($"rooms/{roomId}/users", new { userId = bob.Id });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Conflict);
    }

    [SkippableFact]
    public async Task AddMember_UnknownUser_Returns400UserId()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.PostAsync($"rooms/{roomId}/users", new { userId = "no-such-user" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "userId");
    }

    [SkippableFact]
    public async Task AddMember_UnknownPermission_Returns400Permissions()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.PostAsync($"rooms/{roomId}/users", new { userId = bob.Id, permissions = new[] { "can_fly" } });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "permissions");
    }

    [SkippableFact]
    public async Task AddMember_PrivateMessages_Returns403()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var carol = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("private_messages", members: bob);

        var response = await alice.PostAsync($"rooms/{roomId}/users", new { userId = carol.Id });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task AddMember_WithoutCanAddUsers_Returns403()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var carol = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("channel");
        await alice.AddMemberAsync(roomId, bob, []);

        var response = await bob.PostAsync($"rooms/{roomId}/users", new { userId = carol.Id });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task AddMember_GrantingPermissionNotHeld_Returns403()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var carol = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        var response = await bob.PostAsync($"rooms/{roomId}/users", new { userId = carol.Id, permissions = new[] { "can_delete_room" } });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task AddMember_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await eve.PostAsync($"rooms/{roomId}/users", new { userId = eve.Id });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task GetMember_Me_ReturnsCallerMembership()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        var member = await bob.GetJsonAsync($"rooms/{roomId}/users/me");

        Assert.Equal(bob.Id, member.Str("userId"));
    }

    [SkippableFact]
    public async Task GetMember_OtherMemberById_Returns200()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        var member = await bob.GetJsonAsync($"rooms/{roomId}/users/{alice.Id}");

        Assert.True(member.Prop("isOwner").GetBoolean());
    }

    [SkippableFact]
    public async Task GetMember_UserNotInRoom_Returns404()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.GetAsync($"rooms/{roomId}/users/{bob.Id}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task GetMember_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await eve.GetAsync($"rooms/{roomId}/users/{alice.Id}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task UpdateMember_SelfMuted_Returns200Muted()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        var member = await HttpAssert.JsonAsync(await bob.PatchAsync($"rooms/{roomId}/users/me", new { muted = true }));

        Assert.True(member.Prop("muted").GetBoolean());
        Assert.True((await bob.GetJsonAsync($"rooms/{roomId}")).Prop("membership").Prop("muted").GetBoolean());
    }

    [SkippableFact]
    public async Task UpdateMember_OwnerMutesOther_Returns403()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        var response = await alice.PatchAsync($"rooms/{roomId}/users/{bob.Id}", new { muted = true });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task UpdateMember_OwnerMovesOthersReadPosition_Returns403()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        var response = await alice.PatchAsync($"rooms/{roomId}/users/{bob.Id}", new { lastSeenAt = DateTime.UtcNow });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task UpdateMember_LastSeenAtFromApi_RoundTripsExactly()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var first = await alice.SendAsync(roomId, "one");
        await alice.SendAsync(roomId, "two");
        var stamp = first.Str("createdAt");

        var member = await HttpAssert.JsonAsync(await bob.PatchAsync($"rooms/{roomId}/users/me", new { lastSeenAt = stamp }));

        Assert.Equal(stamp, member.Str("lastSeenAt"));
        Assert.Equal(stamp, (await bob.GetJsonAsync($"rooms/{roomId}/users/me")).Str("lastSeenAt"));
        Assert.Equal(1, (await bob.GetJsonAsync($"rooms/{roomId}")).Prop("membership").Prop("unreadCount").GetInt32());
    }

    [SkippableFact]
    public async Task UpdateMember_LastSeenAtNotATimestamp_Returns400LastSeenAt()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.PatchAsync($"rooms/{roomId}/users/me", new { lastSeenAt = "yesterday" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "lastSeenAt");
    }

    [SkippableFact]
    public async Task UpdateMember_OwnerChangesPermissions_Returns200()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("channel", members: bob);

        var member = await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}/users/{bob.Id}", new { permissions = new[] { "can_create_messages" } }));

        Assert.Equal(["can_create_messages"], member.Strings("permissions"));
    }

    [SkippableFact]
    public async Task UpdateMember_NonOwnerChangesPermissions_Returns403()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var carol = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob, carol);

        var response = await bob.PatchAsync($"rooms/{roomId}/users/{carol.Id}", new { permissions = Array.Empty<string>() });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task UpdateMember_ReduceOwnerPermissions_Returns409()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.PatchAsync($"rooms/{roomId}/users/me", new { permissions = new[] { "can_create_messages" } });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Conflict);
    }

    [SkippableFact]
    public async Task UpdateMember_UnknownPermission_Returns400Permissions()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        var response = await alice.PatchAsync($"rooms/{roomId}/users/{bob.Id}", new { permissions = new[] { "can_fly" } });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "permissions");
    }

    [SkippableFact]
    public async Task UpdateMember_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await eve.PatchAsync($"rooms/{roomId}/users/me", new { muted = true });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task RemoveMember_SelfLeaves_Returns204AndRoomIsGone()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        await HttpAssert.StatusAsync(await bob.DeleteAsync($"rooms/{roomId}/users/me"), HttpStatusCode.NoContent);

        await HttpAssert.ProblemAsync(await bob.GetAsync($"rooms/{roomId}"), HttpStatusCode.NotFound);
        Assert.Equal(1, (await alice.GetJsonAsync($"rooms/{roomId}")).Prop("memberCount").GetInt32());
    }

    [SkippableFact]
    public async Task RemoveMember_OwnerLeaves_Returns409()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.DeleteAsync($"rooms/{roomId}/users/me");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Conflict);
    }

    [SkippableFact]
    public async Task RemoveMember_OwnerRemovesMember_Returns204()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        var response = await alice.DeleteAsync($"rooms/{roomId}/users/{bob.Id}");

        await HttpAssert.StatusAsync(response, HttpStatusCode.NoContent);
        await HttpAssert.NotFoundAsync(await alice.GetAsync($"rooms/{roomId}/users/{bob.Id}"), "member_not_found");
        await HttpAssert.NotFoundAsync(await bob.GetAsync($"rooms/{roomId}"), "room_not_found");
        Assert.Equal([alice.Id], (await alice.GetJsonAsync($"rooms/{roomId}/users")).Items().Select(m => m.Str("userId")));
    }

    [SkippableFact]
    public async Task RemoveMember_WithoutCanRemoveUsers_Returns403()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var carol = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob, carol);

        var response = await bob.DeleteAsync($"rooms/{roomId}/users/{carol.Id}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task RemoveMember_MemberWithCanRemoveUsersRemovesOwner_Returns409()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}/users/{bob.Id}", new { permissions = new[] { "can_remove_users" } }));

        var response = await bob.DeleteAsync($"rooms/{roomId}/users/{alice.Id}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Conflict);
    }

    [SkippableFact]
    public async Task RemoveMember_PrivateMessagesLeave_Returns403()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("private_messages", members: bob);

        var response = await bob.DeleteAsync($"rooms/{roomId}/users/me");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task RemoveMember_Outsider_Returns404()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        var response = await eve.DeleteAsync($"rooms/{roomId}/users/{bob.Id}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task RemoveMember_UserNotInRoom_Returns404()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var response = await alice.DeleteAsync($"rooms/{roomId}/users/{bob.Id}");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task UpdateMember_LastSeenAtWithOffset_ReadsBackSameInstantInUtc()
    {
        var alice = await UserAsync();
        var roomId = await alice.CreateGroupAsync();

        var member = await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}/users/me", new { lastSeenAt = "2026-11-25T12:00:00.123456+02:00" }));

        Assert.Equal("2026-11-25T10:00:00.123456Z", member.Str("lastSeenAt"));
    }
}

public sealed class SqliteMemberRouteTests(SqliteChatApi api) : MemberRouteTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresMemberRouteTests(PostgresChatApi api) : MemberRouteTests(api), IClassFixture<PostgresChatApi>;
