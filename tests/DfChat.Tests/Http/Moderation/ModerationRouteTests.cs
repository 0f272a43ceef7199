using System.Net;
using System.Security.Cryptography;
using System.Text;
using DfChat.Entities;
using DfChat.Tests.Http.Infrastructure;
using HostApp.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using AccessRules = DfChat.Tests.Http.Authorization.Rules;

namespace DfChat.Tests.Http.Moderation;

/// <summary>API.md §9: bans, blocks, slow mode, freeze, ownership transfer, invitations and reports, over HTTP.</summary>
public abstract class ModerationRouteTests(ModerationApi api) : HttpTestBase(api)
{
    private new ModerationApi Api => (ModerationApi)base.Api;

    private static async Task<string> CodeAsync(HttpResponseMessage response, HttpStatusCode status) =>
        (await HttpAssert.ProblemAsync(response, status)).Str("code");

    // Bans.

    [SkippableFact]
    public async Task Ban_Member_RemovesThemAndJoiningIs403Banned()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateRoomIdAsync("group", isPublic: true, members: bob);

        var ban = await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/bans", new { userId = bob.Id, reason = "spam" }), HttpStatusCode.Created);

        Assert.Equal((bob.Id, "spam", alice.Id), (ban.Str("userId"), ban.Str("reason"), ban.Str("createdBy")));
        Assert.Equal(JsonValueKindNull, ban.Prop("expiresAt").ValueKind);
        Assert.Equal(1, (await alice.GetJsonAsync($"rooms/{room}")).Prop("memberCount").GetInt32());
        Assert.Equal("banned", await CodeAsync(await bob.PostAsync($"rooms/{room}/join"), HttpStatusCode.Forbidden));
    }

    [SkippableFact]
    public async Task Ban_SendsMemberRemovedWithSeq()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateGroupAsync(bob);

        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/bans", new { userId = bob.Id }), HttpStatusCode.Created);

        var last = (await alice.GetJsonAsync($"rooms/{room}/events?after=0")).Items()[^1];
        Assert.Equal("memberRemoved", last.Str("type"));
        Assert.Equal(bob.Id, last.Prop("payload").Str("userId"));
        Assert.Equal(last.Prop("seq").GetInt64(), last.Prop("payload").Prop("seq").GetInt64());
    }

    [SkippableFact]
    public async Task AddMember_BannedUser_Returns409Banned()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateGroupAsync();
        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/bans", new { userId = bob.Id }), HttpStatusCode.Created);

        Assert.Equal("banned", await CodeAsync(await alice.PostAsync($"rooms/{room}/users", new { userId = bob.Id }), HttpStatusCode.Conflict));
    }

    [SkippableFact]
    public async Task Ban_Owner_Returns409()
    {
        var (alice, mod) = (await UserAsync("alice"), await UserAsync("mod"));
        var room = await alice.CreateGroupAsync();
        await alice.AddMemberAsync(room, mod, ["can_remove_users"]);

        await HttpAssert.ProblemAsync(await mod.PostAsync($"rooms/{room}/bans", new { userId = alice.Id }), HttpStatusCode.Conflict);
    }

    [SkippableFact]
    public async Task Ban_WithoutRemoveUsers_Returns403()
    {
        var (alice, bob, carol) = (await UserAsync("alice"), await UserAsync("bob"), await UserAsync("carol"));
        var room = await alice.CreateGroupAsync(bob, carol);

        await HttpAssert.ProblemAsync(await bob.PostAsync($"rooms/{room}/bans", new { userId = carol.Id }), HttpStatusCode.Forbidden);
        await HttpAssert.ProblemAsync(await bob.GetAsync($"rooms/{room}/bans"), HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task Ban_PrivateRoom_Returns403()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateRoomIdAsync("private_messages", members: bob);

        await HttpAssert.ProblemAsync(await alice.PostAsync($"rooms/{room}/bans", new { userId = bob.Id }), HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task ListBans_Outsider_Returns404AndModeratorSeesBan()
    {
        var (alice, bob, eve) = (await UserAsync("alice"), await UserAsync("bob"), await UserAsync("eve"));
        var room = await alice.CreateGroupAsync();
        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/bans", new { userId = bob.Id }), HttpStatusCode.Created);

        await HttpAssert.NotFoundAsync(await eve.GetAsync($"rooms/{room}/bans"), "room_not_found");
        Assert.Equal([bob.Id], (await alice.GetJsonAsync($"rooms/{room}/bans")).Items().Select(b => b.Str("userId")));
    }

    [SkippableFact]
    public async Task Unban_ThenJoin_Returns200AndUnbanAgainIs404()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateRoomIdAsync("channel", isPublic: true);
        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/bans", new { userId = bob.Id }), HttpStatusCode.Created);

        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{room}/bans/{bob.Id}"), HttpStatusCode.NoContent);

        await HttpAssert.JsonAsync(await bob.PostAsync($"rooms/{room}/join"));
        await HttpAssert.NotFoundAsync(await alice.DeleteAsync($"rooms/{room}/bans/{bob.Id}"), "ban_not_found");
    }

    [SkippableFact]
    public async Task Ban_Expired_LetsTheUserJoinAgain()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateRoomIdAsync("group", isPublic: true);
        var until = Api.Clock.GetUtcNow().UtcDateTime.AddMinutes(10);
        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/bans", new { userId = bob.Id, expiresAt = until }), HttpStatusCode.Created);
        await HttpAssert.ProblemAsync(await bob.PostAsync($"rooms/{room}/join"), HttpStatusCode.Forbidden);

        Api.Clock.Advance(TimeSpan.FromMinutes(11));

        await HttpAssert.JsonAsync(await bob.PostAsync($"rooms/{room}/join"));
        Assert.Empty((await alice.GetJsonAsync($"rooms/{room}/bans")).Items());
    }

    [SkippableFact]
    public async Task Ban_ExpiresAtInThePast_Returns400()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateGroupAsync();

        var response = await alice.PostAsync($"rooms/{room}/bans", new { userId = bob.Id, expiresAt = Api.Clock.GetUtcNow().UtcDateTime.AddMinutes(-1) });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "expiresAt");
    }

    // Blocks.

    [SkippableFact]
    public async Task Block_BlockedCreatesPrivateRoomWithBlocker_Returns403()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        await HttpAssert.JsonAsync(await alice.PostAsync("users/me/blocks", new { userId = bob.Id }), HttpStatusCode.Created);

        var response = await bob.PostAsync("rooms", new { type = "private_messages", userIds = new[] { alice.Id } });

        Assert.Equal("blocked", await CodeAsync(response, HttpStatusCode.Forbidden));
        await HttpAssert.JsonAsync(await alice.PostAsync("rooms", new { type = "private_messages", userIds = new[] { bob.Id } }), HttpStatusCode.Created);
    }

    [SkippableFact]
    public async Task Block_BlockedAddsBlockerToRoom_Returns403()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        await HttpAssert.JsonAsync(await alice.PostAsync("users/me/blocks", new { userId = bob.Id }), HttpStatusCode.Created);
        var room = await bob.CreateGroupAsync();

        await HttpAssert.ProblemAsync(await bob.PostAsync($"rooms/{room}/users", new { userId = alice.Id }), HttpStatusCode.Forbidden);
        await HttpAssert.ProblemAsync(await bob.PostAsync("rooms", new { type = "group", name = "g", userIds = new[] { alice.Id } }), HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task Block_BlockedPostsInSharedPrivateRoom_Returns403UntilUnblocked()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateRoomIdAsync("private_messages", members: bob);
        await HttpAssert.JsonAsync(await alice.PostAsync("users/me/blocks", new { userId = bob.Id }), HttpStatusCode.Created);

        Assert.Equal("blocked", await CodeAsync(await bob.PostAsync($"rooms/{room}/messages", new { text = "hi" }), HttpStatusCode.Forbidden));
        await alice.SendAsync(room, "the blocker still writes");

        await HttpAssert.StatusAsync(await alice.DeleteAsync($"users/me/blocks/{bob.Id}"), HttpStatusCode.NoContent);
        await bob.SendAsync(room, "hi again");
    }

    [SkippableFact]
    public async Task Block_ListedToTheBlockerOnly_RepeatIs200_SelfIs400_UnknownUnblockIs404()
    {
        var (alice, bob, carol) = (await UserAsync("alice"), await UserAsync("bob"), await UserAsync("carol"));

        var block = await HttpAssert.JsonAsync(await alice.PostAsync("users/me/blocks", new { userId = bob.Id }), HttpStatusCode.Created);
        var again = await HttpAssert.JsonAsync(await alice.PostAsync("users/me/blocks", new { userId = bob.Id }));

        Assert.Equal((bob.Id, bob.Email), (block.Str("userId"), block.Str("displayName")));
        Assert.Equal(block.Str("createdAt"), again.Str("createdAt"));
        Assert.Equal([bob.Id], (await alice.GetJsonAsync("users/me/blocks")).Items().Select(b => b.Str("userId")));
        Assert.Empty((await bob.GetJsonAsync("users/me/blocks")).Items());
        await HttpAssert.ProblemAsync(await alice.PostAsync("users/me/blocks", new { userId = alice.Id }), HttpStatusCode.BadRequest, "userId");
        await HttpAssert.ProblemAsync(await alice.PostAsync("users/me/blocks", new { userId = "no-such-user" }), HttpStatusCode.BadRequest, "userId");
        await HttpAssert.NotFoundAsync(await alice.DeleteAsync($"users/me/blocks/{carol.Id}"), "block_not_found");
    }

    // Slow mode and freeze.

    [SkippableFact]
    public async Task PatchRoom_SlowModeAndFrozen_AreShownAndOutOfRangeIs400()
    {
        var alice = await UserAsync("alice");
        var room = await alice.CreateGroupAsync();

        var changed = await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{room}", new { slowModeSeconds = 30, frozen = true }));

        Assert.Equal((30, true), (changed.Prop("slowModeSeconds").GetInt32(), changed.Prop("frozen").GetBoolean()));
        var updated = (await alice.GetJsonAsync($"rooms/{room}/events?after=0")).Items()[^1];
        Assert.Equal("roomUpdated", updated.Str("type"));
        Assert.Equal(30, updated.Prop("payload").Prop("slowModeSeconds").GetInt32());
        await HttpAssert.ProblemAsync(await alice.PatchAsync($"rooms/{room}", new { slowModeSeconds = 3601 }), HttpStatusCode.BadRequest, "slowModeSeconds");
        await HttpAssert.ProblemAsync(await alice.PatchAsync($"rooms/{room}", new { slowModeSeconds = -1 }), HttpStatusCode.BadRequest, "slowModeSeconds");
    }

    [SkippableFact]
    public async Task PatchRoom_SlowModeWithoutEditRoom_Returns403()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateGroupAsync(bob);

        await HttpAssert.ProblemAsync(await bob.PatchAsync($"rooms/{room}", new { slowModeSeconds = 10 }), HttpStatusCode.Forbidden);
        await HttpAssert.ProblemAsync(await bob.PatchAsync($"rooms/{room}", new { frozen = true }), HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task Send_SlowMode_SecondSendIs429WithRetryAfterUntilTheClockMoves()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateGroupAsync(bob);
        await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{room}", new { slowModeSeconds = 60 }));
        await bob.SendAsync(room, "first");

        var tooSoon = await bob.PostAsync($"rooms/{room}/messages", new { text = "second" });
        await HttpAssert.ProblemAsync(tooSoon, HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromSeconds(60), tooSoon.Headers.RetryAfter?.Delta);

        Api.Clock.Advance(TimeSpan.FromSeconds(45));
        var stillSoon = await bob.PostAsync($"rooms/{room}/messages", new { text = "second" });
        await HttpAssert.ProblemAsync(stillSoon, HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromSeconds(15), stillSoon.Headers.RetryAfter?.Delta);

        Api.Clock.Advance(TimeSpan.FromSeconds(15));
        await bob.SendAsync(room, "second");
    }

    [SkippableFact]
    public async Task Send_SlowMode_EditRoomHolderAndOtherRoomsAreNotSlowed()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateGroupAsync(bob);
        var other = await alice.CreateGroupAsync(bob);
        await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{room}", new { slowModeSeconds = 60 }));

        await alice.SendAsync(room, "owner one");
        await alice.SendAsync(room, "owner two");
        await bob.SendAsync(room, "bob one");
        await bob.SendAsync(other, "bob elsewhere");
        await bob.SendAsync(other, "bob elsewhere again");
    }

    [SkippableFact]
    public async Task Send_SlowModeAcrossTwoNodes_SecondNodeAnswers429()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateGroupAsync(bob);
        await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{room}", new { slowModeSeconds = 30 }));
        await using var second = Api.SecondNode();
        var bobOnSecond = await ModerationApi.LoginAsync(second, bob);

        await bob.SendAsync(room, "on the first node");
        var response = await bobOnSecond.PostAsync($"rooms/{room}/messages", new { text = "on the second node" });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.TooManyRequests);
        Api.Clock.Advance(TimeSpan.FromSeconds(30));
        await bobOnSecond.SendAsync(room, "on the second node, later");
    }

    [SkippableFact]
    public async Task Frozen_MemberCannotSendEditOrReact_OwnerAndEditRoomHolderCan()
    {
        var (alice, bob, editor) = (await UserAsync("alice"), await UserAsync("bob"), await UserAsync("editor"));
        var room = await alice.CreateGroupAsync(bob);
        await alice.AddMemberAsync(room, editor, ["can_create_messages", "can_edit_room"]);
        var own = await bob.SendIdAsync(room, "before the freeze");

        await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{room}", new { frozen = true }));

        Assert.Equal("room_frozen", await CodeAsync(await bob.PostAsync($"rooms/{room}/messages", new { text = "x" }), HttpStatusCode.Forbidden));
        Assert.Equal("room_frozen", await CodeAsync(await bob.PatchAsync($"rooms/{room}/messages/{own}", new { text = "x" }), HttpStatusCode.Forbidden));
        Assert.Equal("room_frozen", await CodeAsync(await bob.PostAsync($"rooms/{room}/messages/{own}/reactions", new { reaction = "like" }), HttpStatusCode.Forbidden));
        await alice.SendAsync(room, "owner");
        await editor.SendAsync(room, "editor");
        await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{room}", new { frozen = false }));
        await bob.SendAsync(room, "after the thaw");
    }

    // Ownership transfer.

    [SkippableFact]
    public async Task TransferOwnership_ToMember_NewOwnerHoldsAllAndFormerMayLeave()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateGroupAsync(bob);
        var before = (await alice.GetJsonAsync($"rooms/{room}")).Prop("lastSeq").GetInt64();

        var answer = await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/owner", new { userId = bob.Id }));

        Assert.False(answer.Prop("membership").Prop("isOwner").GetBoolean());
        var newOwner = await bob.GetJsonAsync($"rooms/{room}/users/me");
        Assert.True(newOwner.Prop("isOwner").GetBoolean());
        Assert.Equal(AccessRules.AllPermissions.Order(), newOwner.Strings("permissions").Order());
        var events = (await alice.GetJsonAsync($"rooms/{room}/events?after={before}")).Items();
        Assert.Equal(["memberUpdated", "memberUpdated"], events.Select(e => e.Str("type")));
        Assert.Equal(new[] { alice.Id, bob.Id }.Order(), events.Select(e => e.Prop("payload").Str("userId")).Order());
        await HttpAssert.ProblemAsync(await bob.DeleteAsync($"rooms/{room}/users/me"), HttpStatusCode.Conflict);
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{room}/users/me"), HttpStatusCode.NoContent);
    }

    [SkippableFact]
    public async Task TransferOwnership_ByNonOwnerIs403_ToNonMemberIs400()
    {
        var (alice, bob, carol) = (await UserAsync("alice"), await UserAsync("bob"), await UserAsync("carol"));
        var room = await alice.CreateGroupAsync(bob);
        await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{room}/users/{bob.Id}", new { permissions = AccessRules.AllPermissions }));

        await HttpAssert.ProblemAsync(await bob.PostAsync($"rooms/{room}/owner", new { userId = bob.Id }), HttpStatusCode.Forbidden);
        await HttpAssert.ProblemAsync(await alice.PostAsync($"rooms/{room}/owner", new { userId = carol.Id }), HttpStatusCode.BadRequest, "userId");
    }

    // Invitations.

    [SkippableFact]
    public async Task Invite_CreateAndAccept_JoinsWithDefaultsAndTokenIsStoredOnlyAsItsHash()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateRoomIdAsync("channel");

        var invite = await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/invites", new { maxUses = 3 }), HttpStatusCode.Created);
        var token = invite.Str("token");
        var joined = await HttpAssert.JsonAsync(await bob.PostAsync($"invites/{token}/accept"));

        Assert.True(Convert.FromBase64String(token.Replace('-', '+').Replace('_', '/') + "=").Length >= 16, "A token carries at least 128 random bits.");
        Assert.Equal((room, 3, 0, alice.Id), (invite.Str("roomId"), invite.Prop("maxUses").GetInt32(), invite.Prop("uses").GetInt32(), invite.Str("createdBy")));
        Assert.Equal(room, joined.Str("id"));
        Assert.Equal(["can_add_users"], joined.Prop("membership").Strings("permissions"));
        Assert.Equal("memberAdded", (await alice.GetJsonAsync($"rooms/{room}/events?after=0")).Items()[^1].Str("type"));
        var listed = Assert.Single((await alice.GetJsonAsync($"rooms/{room}/invites")).Items());
        Assert.Equal(1, listed.Prop("uses").GetInt32());
        Assert.Equal(JsonValueKindNull, listed.Prop("token").ValueKind);

        using var scope = Api.Services.CreateScope();
        var stored = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Set<ChatRoomInvite<string>>().SingleAsync(i => i.Id == long.Parse(invite.Str("id"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(token)), stored.TokenHash);
    }

    [SkippableFact]
    public async Task Invite_UnknownRevokedExpiredOrUsedUp_Returns404()
    {
        var (alice, bob, carol) = (await UserAsync("alice"), await UserAsync("bob"), await UserAsync("carol"));
        var room = await alice.CreateGroupAsync();
        var once = (await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/invites", new { maxUses = 1 }), HttpStatusCode.Created)).Str("token");
        var revoked = (await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/invites", new { }), HttpStatusCode.Created)).Str("token");
        var revokedById = await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/invites", new { }), HttpStatusCode.Created);
        var expiring = (await HttpAssert.JsonAsync(
            await alice.PostAsync($"rooms/{room}/invites", new { expiresAt = Api.Clock.GetUtcNow().UtcDateTime.AddMinutes(20) }), HttpStatusCode.Created)).Str("token");

        await HttpAssert.JsonAsync(await bob.PostAsync($"invites/{once}/accept"));
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{room}/invites/{revoked}"), HttpStatusCode.NoContent);
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{room}/invites/{revokedById.Str("id")}"), HttpStatusCode.NoContent);
        Api.Clock.Advance(TimeSpan.FromMinutes(21));

        await HttpAssert.NotFoundAsync(await carol.PostAsync($"invites/{once}/accept"), "invite_not_found");
        await HttpAssert.NotFoundAsync(await carol.PostAsync($"invites/{revoked}/accept"), "invite_not_found");
        await HttpAssert.NotFoundAsync(await carol.PostAsync($"invites/{revokedById.Str("token")}/accept"), "invite_not_found");
        await HttpAssert.NotFoundAsync(await carol.PostAsync($"invites/{expiring}/accept"), "invite_not_found");
        await HttpAssert.NotFoundAsync(await carol.PostAsync($"invites/{once[..^1]}x/accept"), "invite_not_found");
        await HttpAssert.NotFoundAsync(await carol.GetAsync($"rooms/{room}"), "room_not_found");
    }

    [SkippableFact]
    public async Task Invite_AcceptedByBannedUser_Returns409Banned()
    {
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var room = await alice.CreateGroupAsync();
        var token = (await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/invites", new { }), HttpStatusCode.Created)).Str("token");
        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/bans", new { userId = bob.Id }), HttpStatusCode.Created);

        Assert.Equal("banned", await CodeAsync(await bob.PostAsync($"invites/{token}/accept"), HttpStatusCode.Conflict));
    }

    [SkippableFact]
    public async Task Invite_PrivateRoomIs403_MemberWithoutAddUsersIs403_BadMaxUsesIs400()
    {
        var (alice, bob, reader) = (await UserAsync("alice"), await UserAsync("bob"), await UserAsync("reader"));
        var pm = await alice.CreateRoomIdAsync("private_messages", members: bob);
        var channel = await alice.CreateRoomIdAsync("channel");
        await alice.AddMemberAsync(channel, reader, []);

        await HttpAssert.ProblemAsync(await alice.PostAsync($"rooms/{pm}/invites", new { }), HttpStatusCode.Forbidden);
        await HttpAssert.ProblemAsync(await reader.PostAsync($"rooms/{channel}/invites", new { }), HttpStatusCode.Forbidden);
        await HttpAssert.ProblemAsync(await reader.GetAsync($"rooms/{channel}/invites"), HttpStatusCode.Forbidden);
        await HttpAssert.ProblemAsync(await alice.PostAsync($"rooms/{channel}/invites", new { maxUses = 0 }), HttpStatusCode.BadRequest, "maxUses");
    }

    [SkippableFact]
    public async Task Invite_HundredRacingAcceptsOfTenUses_AdmitExactlyTen()
    {
        var alice = await UserAsync("alice");
        var room = await alice.CreateGroupAsync();
        var token = (await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{room}/invites", new { maxUses = 10 }), HttpStatusCode.Created)).Str("token");
        var users = await WritePath.BoundedAsync(Enumerable.Range(0, 100).ToList(), 8, _ => UserAsync("racer"));

        var outcomes = await Task.WhenAll(users.Select(u => Outcome.OfAsync("accept", u, x => x.PostAsync($"invites/{token}/accept"))));

        WritePath.NoServerError(outcomes);
        WritePath.AllAre(outcomes, "accept", 200, 404);
        Assert.Equal(10, outcomes.Count(o => o.Status == 200));
        Assert.Equal(11, (await alice.GetJsonAsync($"rooms/{room}")).Prop("memberCount").GetInt32());
        Assert.Equal(11, (await WritePath.AllMembersAsync(alice, room)).Count);
        Assert.Equal(10, Assert.Single((await alice.GetJsonAsync($"rooms/{room}/invites")).Items()).Prop("uses").GetInt32());
    }

    // Reports.

    [SkippableFact]
    public async Task Report_Reader_Returns202AndTheListenerGetsIt()
    {
        var (alice, eve) = (await UserAsync("alice"), await UserAsync("eve"));
        var room = await alice.CreateRoomIdAsync("group", isPublic: true);
        var message = await alice.SendIdAsync(room, "buy cheap watches");

        await HttpAssert.StatusAsync(await eve.PostAsync($"rooms/{room}/messages/{message}/reports", new { reason = "spam" }), HttpStatusCode.Accepted);

        var report = await Api.Reports.WaitForAsync(message);
        Assert.Equal((room, eve.Id, "spam", alice.Id, "buy cheap watches"), (report.RoomId, report.ReporterId, report.Reason, report.MessageUserId, report.MessageText));
    }

    [SkippableFact]
    public async Task Report_OutsiderOfPrivateRoomIs404_BadReasonIs400()
    {
        var (alice, eve) = (await UserAsync("alice"), await UserAsync("eve"));
        var room = await alice.CreateGroupAsync();
        var message = await alice.SendIdAsync(room);

        await HttpAssert.NotFoundAsync(await eve.PostAsync($"rooms/{room}/messages/{message}/reports", new { reason = "spam" }), "room_not_found");
        await HttpAssert.ProblemAsync(await alice.PostAsync($"rooms/{room}/messages/{message}/reports", new { reason = "" }), HttpStatusCode.BadRequest, "reason");
        await HttpAssert.ProblemAsync(await alice.PostAsync($"rooms/{room}/messages/{message}/reports", new { reason = new string('x', 1001) }), HttpStatusCode.BadRequest, "reason");
        await HttpAssert.NotFoundAsync(await alice.PostAsync($"rooms/{room}/messages/987654321/reports", new { reason = "spam" }), "message_not_found");
    }

    [SkippableFact]
    public async Task Report_ListenerHoldsThenFails_RequestIs202AtOnceAndTheReportArrivesOnRetry()
    {
        var alice = await UserAsync("alice");
        var room = await alice.CreateGroupAsync();
        var message = await alice.SendIdAsync(room, "held");
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Api.Reports.Hold = hold;
        Api.Reports.FailNext(1);

        // The listener is blocked: the request still answers.
        await HttpAssert.StatusAsync(await alice.PostAsync($"rooms/{room}/messages/{message}/reports", new { reason = "abuse" }), HttpStatusCode.Accepted);
        Api.Reports.Hold = null;
        hold.SetResult();

        // The first delivery fails; the retry waits on the chat's clock.
        var report = await Api.Reports.WaitForAsync(message, meanwhile: () => Api.Clock.Advance(TimeSpan.FromSeconds(1)));
        Assert.Equal("abuse", report.Reason);
        Assert.True(Api.Reports.Attempts >= 2);
    }

    [SkippableFact]
    public async Task Report_ListenerHeldOnOneReport_OtherReportsStillArrive()
    {
        var alice = await UserAsync("alice");
        var room = await alice.CreateGroupAsync();
        var (slow, fine) = (await alice.SendIdAsync(room, "slow one"), await alice.SendIdAsync(room, "fine one"));
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        (Api.Reports.HoldOnlyReason, Api.Reports.Hold) = ("held up", hold);
        try
        {
            await HttpAssert.StatusAsync(await alice.PostAsync($"rooms/{room}/messages/{slow}/reports", new { reason = "held up" }), HttpStatusCode.Accepted);
            await HttpAssert.StatusAsync(await alice.PostAsync($"rooms/{room}/messages/{fine}/reports", new { reason = "spam" }), HttpStatusCode.Accepted);

            // The second report arrives while the first is still in the listener (which may take up to its 30 s timeout).
            Assert.Equal("spam", (await Api.Reports.WaitForAsync(fine, seconds: 10)).Reason);
        }
        finally
        {
            (Api.Reports.HoldOnlyReason, Api.Reports.Hold) = (null, null);
            hold.SetResult();
        }

        Assert.Equal("held up", (await Api.Reports.WaitForAsync(slow)).Reason);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}

public sealed class SqliteModerationRouteTests(SqliteModerationApi api) : ModerationRouteTests(api), IClassFixture<SqliteModerationApi>;

public sealed class PostgresModerationRouteTests(PostgresModerationApi api) : ModerationRouteTests(api), IClassFixture<PostgresModerationApi>;
