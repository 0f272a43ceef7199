using System.Net;
using DfChat.AspNetCore.RealTime;
using DfChat.Events;
using DfChat.Tests.Http.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DfChat.Tests.RealTime;

/// <summary>
/// API.md §5 "Slow clients": a removed member receives nothing more of the room even if some event
/// addressed to it was lost. The node's bus here loses every <c>memberRemoved</c>, as a lost backplane
/// message or an overflowing queue would: the room's next event shows the skipped <c>seq</c>, and the
/// node asks the database who its members are before delivering it.
/// </summary>
public abstract class LostEventTests(LostEventTests.LosingChatApi api) : HttpTestBase(api)
{
    [SkippableFact]
    public async Task RemoveMember_MemberRemovedLostOnTheWay_RemovedMemberGetsNothingMoreOfTheRoom()
    {
        // Arrange
        var (alice, bob) = (await UserAsync("alice"), await UserAsync("bob"));
        var roomId = await alice.CreateGroupAsync(bob);
        var otherRoom = await alice.CreateGroupAsync(bob);
        await using var bobHub = await HubClient.ConnectAsync(Api, bob);
        await alice.SendAsync(roomId, "before the removal");
        await bobHub.UntilAsync(ChatEventNames.MessageCreated, roomId);

        // Act: bob is removed; the memberRemoved never reaches the node's delivery.
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}/users/{bob.Id}"), HttpStatusCode.NoContent);
        await alice.SendAsync(roomId, "after the removal");
        await HttpAssert.JsonAsync(await alice.PatchAsync($"rooms/{roomId}", new { name = "renamed after the removal" }));

        // Assert
        var seen = await bobHub.BeforeBeaconAsync(alice, otherRoom);
        var ofRoom = seen.Where(e => e.Payload.TryGetProperty("roomId", out var r) && r.GetString() == roomId).ToList();
        Assert.True(ofRoom.Count == 0, $"After being removed, bob got: {string.Join("; ", ofRoom.Select(e => $"{e.Name} {e.Payload}"))}");
    }

    /// <summary>The sample host whose bus drops every <c>memberRemoved</c> before this node's delivery sees it.</summary>
    public abstract class LosingChatApi(DatabaseProvider provider) : UnthrottledChatApi(provider)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
                services.Replace(ServiceDescriptor.Singleton<IChatEventBus>(sp => new LosingBus(sp.GetRequiredService<ChatEventQueue>()))));
        }
    }

    private sealed class LosingBus(ChatEventQueue queue) : IChatEventBus
    {
        public bool Publish(ChatBusEvent chatEvent)
        {
            if (chatEvent.Name != ChatEventNames.MemberRemoved)
                queue.Enqueue(chatEvent);
            return true;
        }
    }
}

public sealed class SqliteLosingChatApi() : LostEventTests.LosingChatApi(DatabaseProvider.Sqlite);

public sealed class PostgresLosingChatApi() : LostEventTests.LosingChatApi(DatabaseProvider.Postgres);

public sealed class SqliteLostEventTests(SqliteLosingChatApi api) : LostEventTests(api), IClassFixture<SqliteLosingChatApi>;

public sealed class PostgresLostEventTests(PostgresLosingChatApi api) : LostEventTests(api), IClassFixture<PostgresLosingChatApi>;
