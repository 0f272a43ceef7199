using DfChat.AspNetCore.RealTime;
using DfChat.Events;
using DfChat.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace DfChat.Tests.RealTime;

/// <summary>The node's registry of local connections: membership events racing the load of a user's rooms, routing, watchers.</summary>
public sealed class ChatConnectionRegistryTests : IDisposable
{
    private readonly FakeMemberships _memberships = new();
    private readonly ServiceProvider _services;
    private readonly ChatConnectionRegistry _registry;

    public ChatConnectionRegistryTests()
    {
        _services = new ServiceCollection().AddScoped<IChatMembershipQueries>(_ => _memberships).BuildServiceProvider();
        _registry = new ChatConnectionRegistry(_services.GetRequiredService<IServiceScopeFactory>(), NullLogger<ChatConnectionRegistry>.Instance);
    }

    [Fact]
    public async Task AddConnection_MemberRemovedWhileLoading_LoadedRoomIsNotRestored()
    {
        var load = _memberships.Hold("bob");
        var connecting = _registry.AddConnectionAsync("bob", "c1", default);

        var removed = _registry.Route(Event(ChatEventNames.MemberRemoved, "7", "bob"));
        load.SetResult(["7"]);
        await connecting;

        Assert.Equal(["c1"], removed);
        Assert.Empty(_registry.Route(Event(ChatEventNames.MessageCreated, "7")));
    }

    [Fact]
    public async Task AddConnection_MemberAddedWhileLoading_RoomIsKeptOverAnOlderLoad()
    {
        var load = _memberships.Hold("bob");
        var connecting = _registry.AddConnectionAsync("bob", "c1", default);

        _registry.Route(Event(ChatEventNames.MemberAdded, "7", "bob"));
        load.SetResult([]);
        await connecting;

        Assert.Equal(["c1"], _registry.Route(Event(ChatEventNames.MessageCreated, "7")));
    }

    [Fact]
    public async Task Route_MemberRemoved_GoesToTheRemovedMemberAndThenNothingMore()
    {
        _memberships.Rooms["alice"] = ["7"];
        _memberships.Rooms["bob"] = ["7"];
        await _registry.AddConnectionAsync("alice", "a1", default);
        await _registry.AddConnectionAsync("bob", "b1", default);
        await _registry.AddConnectionAsync("bob", "b2", default);

        var removed = _registry.Route(Event(ChatEventNames.MemberRemoved, "7", "bob"));
        var after = _registry.Route(Event(ChatEventNames.MessageCreated, "7"));

        Assert.Equal(["a1", "b1", "b2"], removed.Order());
        Assert.Equal(["a1"], after);
    }

    [Fact]
    public async Task Route_RoomDeleted_GoesToFormerMembersAndForgetsTheRoom()
    {
        _memberships.Rooms["alice"] = ["7"];
        await _registry.AddConnectionAsync("alice", "a1", default);
        await _registry.AddConnectionAsync("visitor", "v1", default);
        _registry.Watch("v1", "7");

        var deleted = _registry.Route(Event(ChatEventNames.RoomDeleted, "7", "alice") with { RoomIsPublic = true });
        var after = _registry.Route(Event(ChatEventNames.MessageCreated, "7") with { RoomIsPublic = true });

        Assert.Equal(["a1", "v1"], deleted.Order());
        Assert.Empty(after);
    }

    [Fact]
    public async Task Route_Watchers_OnlyWhileTheRoomIsPublic_AndNotAfterTheirConnectionCloses()
    {
        await _registry.AddConnectionAsync("visitor", "v1", default);
        _registry.Watch("v1", "7");

        var whilePublic = _registry.Route(Event(ChatEventNames.MessageCreated, "7") with { RoomIsPublic = true });
        var whilePrivate = _registry.Route(Event(ChatEventNames.MessageCreated, "7"));
        _registry.RemoveConnection("v1");
        var afterClose = _registry.Route(Event(ChatEventNames.MessageCreated, "7") with { RoomIsPublic = true });

        Assert.Equal(["v1"], whilePublic);
        Assert.Empty(whilePrivate);
        Assert.Empty(afterClose);
    }

    [Fact]
    public async Task ReloadAll_AfterMissedEvents_RoomsAreThoseOfTheDatabase()
    {
        _memberships.Rooms["bob"] = ["7"];
        await _registry.AddConnectionAsync("bob", "b1", default);
        _memberships.Rooms["bob"] = ["8"];

        await _registry.ReloadAllAsync(default);

        Assert.Empty(_registry.Route(Event(ChatEventNames.MessageCreated, "7")));
        Assert.Equal(["b1"], _registry.Route(Event(ChatEventNames.MessageCreated, "8")));
    }

    [Fact]
    public async Task AddConnection_LoadFails_ConnectionFails_AndTheNextConnectionLoadsAgain()
    {
        var load = _memberships.Hold("bob");
        var failing = _registry.AddConnectionAsync("bob", "b1", default);
        load.SetException(new InvalidOperationException("database down"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        _registry.RemoveConnection("b1");

        _memberships.Rooms["bob"] = ["7"];
        await _registry.AddConnectionAsync("bob", "b2", default);

        Assert.Equal(["b2"], _registry.Route(Event(ChatEventNames.MessageCreated, "7")));
    }

    public void Dispose()
    {
        _registry.Dispose();
        _services.Dispose();
    }

    private static ChatBusEvent Event(string name, string roomId, params string[] userIds) =>
        new(name, roomId, 1, userIds, false, new { roomId });

    /// <summary>Memberships from a dictionary; a user's load can be held until the test releases it.</summary>
    private sealed class FakeMemberships : IChatMembershipQueries
    {
        private readonly Dictionary<string, TaskCompletionSource<IReadOnlyList<string>>> _held = [];

        public Dictionary<string, List<string>> Rooms { get; } = [];

        public TaskCompletionSource<IReadOnlyList<string>> Hold(string userId) =>
            _held[userId] = new TaskCompletionSource<IReadOnlyList<string>>(TaskCreationOptions.RunContinuationsAsynchronously);

        public string? CanonicalUserId(string userId) => userId;

        public Task<IReadOnlyList<string>> RoomIdsOfUserAsync(string userId, CancellationToken cancellationToken) =>
            _held.Remove(userId, out var held) ? held.Task : Task.FromResult<IReadOnlyList<string>>(Rooms.GetValueOrDefault(userId) ?? []);

        public Task<IReadOnlyDictionary<string, List<string>>> RoomIdsOfUsersAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, List<string>>>(Rooms.Where(r => userIds.Contains(r.Key)).ToDictionary(r => r.Key, r => r.Value.ToList()));
    }
}
