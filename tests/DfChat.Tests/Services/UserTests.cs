using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.Services;

public abstract class UserTests(ServiceDatabase database) : ServiceTestBase(database)
{
    [SkippableFact]
    public async Task GetMeAsync_Caller_IdAndUserNameAsDisplayName()
    {
        var me = (await Alice.GetMeAsync()).Ok();

        Assert.Equal(Alice.Id, me.Id);
        Assert.Equal("Alice", me.DisplayName);
    }

    [SkippableFact]
    public async Task GetMeAsync_UnknownCaller_NotAuthenticated()
    {
        (await Host.As("ghost").GetMeAsync()).Fails(ChatErrorKind.NotAuthenticated);
    }

    [SkippableFact]
    public async Task SearchAsync_Term_CaseInsensitiveSubstring()
    {
        // Arrange
        await Host.CreateUserAsync("Caroline");

        // Act
        var users = (await Alice.SearchUsersAsync("CARO")).Ok().Items;

        // Assert
        Assert.Equal(["Carol", "Caroline"], users.Select(u => u.DisplayName).Order());
    }

    [SkippableFact]
    public async Task SearchAsync_NonAsciiOtherCase_CaseInsensitive()
    {
        // Arrange
        var emile = await Host.CreateUserAsync("Émile");

        // Act
        var users = (await Alice.SearchUsersAsync("émile")).Ok().Items;

        // Assert
        Assert.Equal([emile.Id], users.Select(u => u.Id));
    }

    [SkippableFact]
    public async Task SearchAsync_NoMatch_Empty()
    {
        Assert.Empty((await Alice.SearchUsersAsync("zzz")).Ok().Items);
    }

    [SkippableFact]
    public async Task SearchAsync_Limit_TakesAtMostLimit()
    {
        Assert.Equal(2, (await Alice.SearchUsersAsync(null, 2)).Ok().Items.Count);
    }

    [SkippableTheory]
    [InlineData(0)]
    [InlineData(101)]
    public async Task SearchAsync_LimitOutOfRange_InvalidLimit(int limit)
    {
        (await Alice.SearchUsersAsync("a", limit)).Fails(ChatErrorKind.Invalid, "limit");
    }

    [SkippableFact]
    public async Task CreateRoomAsync_CallerNotAUser_Fails()
    {
        var result = await Host.As("ghost").CreateGroupAsync("Haunted");

        result.Fails(ChatErrorKind.NotAuthenticated);
    }
}

public sealed class SqliteUserTests(SqliteServiceDatabase database) : UserTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresUserTests(PostgresServiceDatabase database) : UserTests(database), IClassFixture<PostgresServiceDatabase>;
