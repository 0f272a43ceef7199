using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.Services;

/// <summary>
/// Membership changes racing on one room: every join, add and leave of different users counts, and a
/// member removed twice at once is removed once. (The races of one request repeated — same join, same
/// member added, same reaction, same client message id, same private pair — are in
/// Http/ConcurrencyTests.) SQLite serializes writers in process; PostgreSQL runs them side by side.
/// </summary>
public abstract class MemberCountRaceTests(ServiceDatabase database) : ServiceTestBase(database)
{
    private const int Parallel = 8;

    private async Task<ChatCaller[]> UsersAsync()
    {
        var users = new ChatCaller[Parallel];
        for (var i = 0; i < Parallel; i++)
            users[i] = await Host.CreateUserAsync($"User{i}");
        return users;
    }

    private async Task AssertMemberCountAsync(string roomId, int expected)
    {
        Assert.Equal(expected, (await Alice.ListMembersAsync(roomId)).Ok().Items.Count);
        Assert.Equal(expected, (await Alice.GetRoomAsync(roomId)).Ok().MemberCount);
    }

    [SkippableFact]
    public async Task JoinAsync_DifferentUsersInParallel_EveryJoinCounted()
    {
        var users = await UsersAsync();
        var room = (await Alice.CreateChannelAsync("Open", isPublic: true)).Created();

        var results = await Task.WhenAll(users.Select(u => u.JoinAsync(room.Id)));

        Assert.All(results, r => r.Ok());
        await AssertMemberCountAsync(room.Id, Parallel + 1);
    }

    [SkippableFact]
    public async Task AddMemberAsync_DifferentUsersInParallel_EveryAddCounted()
    {
        var users = await UsersAsync();
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        var results = await Task.WhenAll(users.Select(u => Alice.AddMemberWithDefaultsAsync(room.Id, u.Id)));

        Assert.All(results, r => r.Created());
        await AssertMemberCountAsync(room.Id, Parallel + 1);
    }

    [SkippableFact]
    public async Task RemoveMemberAsync_DifferentUsersLeavingInParallel_EveryLeaveCounted()
    {
        var users = await UsersAsync();
        var room = (await Alice.CreateGroupAsync("Group", users)).Created();
        Assert.Equal(Parallel + 1, room.MemberCount);

        var results = await Task.WhenAll(users.Select(u => u.RemoveMemberAsync(room.Id, u.Id)));

        Assert.All(results, r => r.Ok());
        await AssertMemberCountAsync(room.Id, 1);
    }

    [SkippableFact]
    public async Task RemoveMemberAsync_SameMemberInParallel_OneRemovedRestNotFound()
    {
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        var results = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ => Alice.RemoveMemberAsync(room.Id, Bob.Id)));

        Assert.Single(results, r => r.Succeeded);
        Assert.All(results.Where(r => !r.Succeeded), r => r.Fails(ChatErrorKind.NotFound));
        await AssertMemberCountAsync(room.Id, 1);
    }
}

public sealed class SqliteMemberCountRaceTests(SqliteServiceDatabase database) : MemberCountRaceTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresMemberCountRaceTests(PostgresServiceDatabase database) : MemberCountRaceTests(database), IClassFixture<PostgresServiceDatabase>;
