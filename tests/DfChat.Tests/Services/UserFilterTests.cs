using System.Linq.Expressions;
using DfChat.Models;
using DfChat.Services;
using DfChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Services;

/// <summary>
/// The host's hook on the user directory (<see cref="IChatUserFilter{TUser}"/>): a multi-tenant host lets
/// users find, and add to rooms, only the users of their own tenant.
/// </summary>
public abstract class UserFilterTests(ServiceDatabase database) : DatabaseTestBase(database), IAsyncLifetime
{
    private ChatTestHost<TestUser, TestDbContext> _host = null!;
    private ChatCaller _alice = null!;
    private ChatCaller _bob = null!;
    private ChatCaller _carol = null!;

    public async Task InitializeAsync()
    {
        _host = ChatTestHost.Create(Database, services: s => s.AddScoped<IChatUserFilter<TestUser>, SameTenant>());
        _alice = await _host.CreateUserAsync("acme-alice");
        _bob = await _host.CreateUserAsync("acme-bob");
        _carol = await _host.CreateUserAsync("globex-carol");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [SkippableFact]
    public async Task SearchUsersAsync_WithFilter_ListsOnlyTheCallersTenant()
    {
        // Act
        var found = (await _alice.SearchUsersAsync(null)).Ok().Items.Select(u => u.Id).Order().ToArray();

        // Assert
        Assert.Equal(new[] { _alice.Id, _bob.Id }.Order(), found);
    }

    [SkippableFact]
    public async Task SearchUsersAsync_WithFilter_SearchOutsideTheTenantFindsNothing()
    {
        // Act
        var found = (await _alice.SearchUsersAsync("carol")).Ok().Items;

        // Assert
        Assert.Empty(found);
        Assert.Equal(_carol.Id, Assert.Single((await _carol.SearchUsersAsync("carol")).Ok().Items).Id);
    }

    [SkippableFact]
    public async Task CreateRoomAsync_UserOfAnotherTenant_InvalidUserIds()
    {
        // Act
        var result = await _alice.CreateGroupAsync("Team", _carol);

        // Assert
        result.Fails(ChatErrorKind.Invalid, "userIds");
        (await _alice.CreateGroupAsync("Team", _bob)).Created();
    }

    [SkippableFact]
    public async Task CreatePrivateRoomAsync_UserOfAnotherTenant_InvalidUserIds()
    {
        (await _carol.CreateRoomAsync(new CreateRoomRequest { Type = "private_messages", UserIds = [_alice.Id] })).Fails(ChatErrorKind.Invalid, "userIds");
    }

    [SkippableFact]
    public async Task AddMemberAsync_UserOfAnotherTenant_InvalidUserId()
    {
        // Arrange
        var room = (await _alice.CreateGroupAsync("Team")).Created();

        // Act
        var result = await _alice.AddMemberAsync(room.Id, _carol.Id);

        // Assert
        result.Fails(ChatErrorKind.Invalid, "userId");
        (await _alice.AddMemberAsync(room.Id, _bob.Id)).Created();
    }

    [Fact]
    public void UseUserFilter_ReplacesTheDefault()
    {
        var services = new ServiceCollection();

        services.AddDfChatCore<TestUser>().UseUserFilter<SameTenant>();

        var registered = Assert.Single(services, d => d.ServiceType == typeof(IChatUserFilter<TestUser>));
        Assert.Equal(typeof(SameTenant), registered.ImplementationType);
        Assert.Equal(ServiceLifetime.Scoped, registered.Lifetime);
    }

    /// <summary>A tenant is the part of the user name before the first '-'.</summary>
    private sealed class SameTenant(TestDbContext db) : IChatUserFilter<TestUser>
    {
        public async ValueTask<Expression<Func<TestUser, bool>>?> FindableByAsync(string callerId, CancellationToken cancellationToken)
        {
            var name = await db.Users.Where(u => u.Id == callerId).Select(u => u.UserName).SingleAsync(cancellationToken) ?? "";
            var tenant = name[..(name.IndexOf('-', StringComparison.Ordinal) + 1)];
            return u => u.UserName != null && u.UserName.StartsWith(tenant);
        }
    }
}

public sealed class SqliteUserFilterTests(SqliteServiceDatabase database) : UserFilterTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresUserFilterTests(PostgresServiceDatabase database) : UserFilterTests(database), IClassFixture<PostgresServiceDatabase>;
