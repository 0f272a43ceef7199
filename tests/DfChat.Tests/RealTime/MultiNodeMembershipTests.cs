using System.Net;
using DfChat.Events;
using DfChat.Tests.Http.Infrastructure;
using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.RealTime;

/// <summary>
/// API.md §5 "who receives what" across nodes (issue 9, "delivery by room"): a membership change made
/// on node A takes effect at once for the member's connection on node B — the events of the room from
/// the next one on after being added, and nothing more of it after being removed.
/// </summary>
public abstract class MultiNodeMembershipTests(DatabaseProvider provider) : NodeTestBase(provider)
{
    private static bool Is(HubEvent e, string name, string roomId) => e.Name == name && e.RoomId == roomId;

    /// <summary>
    /// Proves that nothing of <paramref name="roomId"/> came after its <c>memberRemoved</c>: a message in
    /// <paramref name="otherRoom"/>, sent after the last one of <paramref name="roomId"/>, must arrive first.
    /// </summary>
    private static async Task AssertNothingMoreOfAsync(HubEventRecorder recorder, NodeUser sender, string roomId, string otherRoom, string memberId)
    {
        var followUp = await sender.User.SendIdAsync(otherRoom, "follow-up");
        await recorder.WaitForAsync(e => Is(e, ChatEventNames.MessageCreated, otherRoom) && e.Payload.Str("id") == followUp, "the follow-up in the other room");
        var events = recorder.Events.ToList();
        var removedAt = events.FindIndex(e => Is(e, ChatEventNames.MemberRemoved, roomId) && e.Payload.Str("userId") == memberId);
        Assert.True(removedAt >= 0, "memberRemoved is gone from the record");
        var later = events.Skip(removedAt + 1).Where(e => e.RoomId == roomId).ToList();
        Assert.True(later.Count == 0, $"After its memberRemoved, the removed member got: {string.Join("; ", later)}");
    }

    [SkippableFact]
    [RequiresRedis]
    public async Task AddAndRemoveOnNodeA_TakeEffectAtOnceForClientOnNodeB()
    {
        // Arrange: bob is connected to node B only; alice works on node A.
        var redis = RequireRedis();
        await using var nodeA = await StartNodeAsync(redis);
        await using var nodeB = await StartNodeAsync(redis);
        var alice = await UserAsync(nodeA, "alice");
        var bob = await UserAsync(nodeB, "bob");
        var roomId = await alice.User.CreateGroupAsync();
        var otherRoom = await alice.User.CreateGroupAsync(bob.User);
        await using var bobHub = await HubClient.ConnectAsync(HubUrl(nodeB), bob.Token);
        var recorder = HubEventRecorder.Attach(bobHub);

        // Act + Assert: added on node A, bob gets memberAdded and then the very next message.
        await alice.User.AddMemberAsync(roomId, bob.User);
        await recorder.WaitForAsync(e => Is(e, ChatEventNames.MemberAdded, roomId) && e.Payload.Str("userId") == bob.Id, "memberAdded at bob on node B");
        var afterAdd = await alice.User.SendIdAsync(roomId, "right after the add");
        await recorder.WaitForAsync(e => Is(e, ChatEventNames.MessageCreated, roomId) && e.Payload.Str("id") == afterAdd, "the first message after the add");

        // Removed on node A: bob gets memberRemoved, then nothing more of the room.
        await HttpAssert.StatusAsync(await alice.User.DeleteAsync($"rooms/{roomId}/users/{bob.Id}"), HttpStatusCode.NoContent);
        await recorder.WaitForAsync(e => Is(e, ChatEventNames.MemberRemoved, roomId) && e.Payload.Str("userId") == bob.Id, "memberRemoved at bob on node B");
        await alice.User.SendAsync(roomId, "after the removal");
        await HttpAssert.JsonAsync(await alice.User.PatchAsync($"rooms/{roomId}", new { name = "renamed after the removal" }));
        await AssertNothingMoreOfAsync(recorder, alice, roomId, otherRoom, bob.Id);
    }

    [SkippableFact]
    [RequiresRedis]
    public async Task JoinAndLeaveOnNodeA_TakeEffectAtOnceForTheSameUsersClientOnNodeB()
    {
        // Arrange: bob calls the routes on node A and listens on node B.
        var redis = RequireRedis();
        await using var nodeA = await StartNodeAsync(redis);
        await using var nodeB = await StartNodeAsync(redis);
        var alice = await UserAsync(nodeB, "alice");
        var bobOnA = await UserAsync(nodeA, "bob");
        var bobOnB = await LoginAsync(nodeB, bobOnA.User.Email);
        var roomId = await alice.User.CreateRoomIdAsync("group", "public", true);
        var otherRoom = await alice.User.CreateGroupAsync(bobOnB.User);
        await using var bobHub = await HubClient.ConnectAsync(HubUrl(nodeB), bobOnB.Token);
        var recorder = HubEventRecorder.Attach(bobHub);

        // Act + Assert: bob joins on node A; its connection on node B gets the room's events at once.
        await HttpAssert.JsonAsync(await bobOnA.User.PostAsync($"rooms/{roomId}/join"));
        await recorder.WaitForAsync(e => Is(e, ChatEventNames.MemberAdded, roomId) && e.Payload.Str("userId") == bobOnA.Id, "memberAdded at bob on node B");
        var afterJoin = await alice.User.SendIdAsync(roomId, "right after the join");
        await recorder.WaitForAsync(e => Is(e, ChatEventNames.MessageCreated, roomId) && e.Payload.Str("id") == afterJoin, "the first message after the join");

        // bob leaves on node A: nothing more of the room on node B.
        await HttpAssert.StatusAsync(await bobOnA.User.DeleteAsync($"rooms/{roomId}/users/me"), HttpStatusCode.NoContent);
        await recorder.WaitForAsync(e => Is(e, ChatEventNames.MemberRemoved, roomId) && e.Payload.Str("userId") == bobOnA.Id, "memberRemoved at bob on node B");
        await alice.User.SendAsync(roomId, "after the leave");
        await AssertNothingMoreOfAsync(recorder, alice, roomId, otherRoom, bobOnA.Id);
    }
}

public sealed class SqliteMultiNodeMembershipTests() : MultiNodeMembershipTests(DatabaseProvider.Sqlite);

public sealed class PostgresMultiNodeMembershipTests() : MultiNodeMembershipTests(DatabaseProvider.Postgres);
