using DfChat.Models;
using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.Services;

public abstract class ReactionTests(ServiceDatabase database) : ServiceTestBase(database)
{
    private async Task<(RoomModel Room, MessageModel Message)> GroupWithMessageAsync()
    {
        var room = (await Alice.CreateGroupAsync("Group", Bob, Carol)).Created();
        var message = (await Alice.SendAsync(room.Id, "react to me")).Created();
        return (room, message);
    }

    [SkippableFact]
    public async Task AddAsync_Member_Created()
    {
        // Arrange
        var (room, message) = await GroupWithMessageAsync();

        // Act
        var reaction = (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();

        // Assert
        Assert.Equal("like", reaction.Reaction);
        Assert.Equal(Bob.Id, reaction.UserId);
        Assert.Equal(message.Id, reaction.MessageId);
        Assert.Equal(room.Id, reaction.RoomId);
        Assert.Equal(Host.Now, reaction.CreatedAt);
    }

    [SkippableFact]
    public async Task AddAsync_MemberWithoutAnyPermission_Created()
    {
        // Arrange
        var room = (await Alice.CreateChannelAsync("News")).Created();
        (await Alice.AddMemberAsync(room.Id, Bob.Id)).Created();
        var message = (await Alice.SendAsync(room.Id, "news")).Created();

        // Act
        var result = await Bob.ReactAsync(room.Id, message.Id, "like");

        // Assert
        result.Created();
    }

    [SkippableFact]
    public async Task AddAsync_SameValueAgain_ReturnsExistingNotCreated()
    {
        // Arrange
        var (room, message) = await GroupWithMessageAsync();
        var first = (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();

        // Act
        var again = (await Bob.ReactAsync(room.Id, message.Id, "like")).Existing();

        // Assert
        Assert.Equal(first.Id, again.Id);
        Assert.Single((await Bob.ListReactionsAsync(room.Id, message.Id)).Ok().Items);
    }

    [SkippableFact]
    public async Task AddAsync_DifferentValues_BothKept()
    {
        var (room, message) = await GroupWithMessageAsync();
        (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();

        (await Bob.ReactAsync(room.Id, message.Id, "dislike")).Created();

        Assert.Equal(2, (await Bob.ListReactionsAsync(room.Id, message.Id)).Ok().Items.Count);
    }

    [SkippableFact]
    public async Task AddAsync_ValueOutsideDefaultPolicy_InvalidReaction()
    {
        var (room, message) = await GroupWithMessageAsync();

        (await Bob.ReactAsync(room.Id, message.Id, "love")).Fails(ChatErrorKind.Invalid, "reaction");
    }

    [SkippableTheory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Like")]
    [InlineData("👍")]
    public async Task AddAsync_NotExactlyDefaultValue_InvalidReaction(string? value)
    {
        var (room, message) = await GroupWithMessageAsync();

        (await Bob.ReactAsync(room.Id, message.Id, value)).Fails(ChatErrorKind.Invalid, "reaction");
    }

    [SkippableFact]
    public async Task AddAsync_MessageOfAnotherRoom_NotFound()
    {
        var (_, message) = await GroupWithMessageAsync();
        var other = (await Bob.CreateGroupAsync("Other")).Created();

        (await Bob.ReactAsync(other.Id, message.Id, "like")).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task ListForMessageAsync_Reactions_MessageShowsCountsAndMe()
    {
        // Arrange
        var (room, message) = await GroupWithMessageAsync();
        (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();
        (await Carol.ReactAsync(room.Id, message.Id, "like")).Created();
        (await Carol.ReactAsync(room.Id, message.Id, "dislike")).Created();

        // Act
        var seenByBob = (await Bob.GetMessageAsync(room.Id, message.Id)).Ok();

        // Assert
        Assert.Collection(seenByBob.Reactions,
            like => Assert.Equal(("like", 2, true), (like.Reaction, like.Count, like.Me)),
            dislike => Assert.Equal(("dislike", 1, false), (dislike.Reaction, dislike.Count, dislike.Me)));
    }

    [SkippableFact]
    public async Task DeleteAsync_OwnReaction_Deleted()
    {
        // Arrange
        var (room, message) = await GroupWithMessageAsync();
        var reaction = (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();

        // Act
        (await Bob.DeleteReactionAsync(reaction.Id)).Ok();

        // Assert
        (await Bob.GetReactionAsync(reaction.Id)).Fails(ChatErrorKind.NotFound);
        Assert.Empty((await Bob.GetMessageAsync(room.Id, message.Id)).Ok().Reactions);
    }

    [SkippableFact]
    public async Task DeleteAsync_OthersReactionWithoutDeleteMessages_Forbidden()
    {
        // Arrange
        var (room, message) = await GroupWithMessageAsync();
        var reaction = (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();

        // Act
        var result = await Carol.DeleteReactionAsync(reaction.Id);

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
        (await Bob.GetReactionAsync(reaction.Id)).Ok();
    }

    [SkippableFact]
    public async Task DeleteAsync_OthersReactionWithDeleteMessages_Deleted()
    {
        var (room, message) = await GroupWithMessageAsync();
        var reaction = (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();

        (await Alice.DeleteReactionAsync(reaction.Id)).Ok();

        (await Bob.GetReactionAsync(reaction.Id)).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task DeleteAsync_OwnReactionAfterLeavingPublicRoom_Deleted()
    {
        // Arrange: the author may still remove its reaction from a room it can read.
        var room = (await Alice.CreateChannelAsync("Square", isPublic: true)).Created();
        var message = (await Alice.SendAsync(room.Id, "hi")).Created();
        (await Bob.JoinAsync(room.Id)).Ok();
        var reaction = (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();
        (await Bob.RemoveMemberAsync(room.Id, "me")).Ok();

        // Act
        var result = await Bob.DeleteReactionAsync(reaction.Id);

        // Assert
        result.Ok();
    }

    [SkippableFact]
    public async Task ListMineAsync_OwnReactions_NewestFirstOnly()
    {
        // Arrange
        var (room, message) = await GroupWithMessageAsync();
        var first = (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();
        (await Carol.ReactAsync(room.Id, message.Id, "like")).Created();
        var second = (await Bob.ReactAsync(room.Id, message.Id, "dislike")).Created();

        // Act
        var mine = (await Bob.ListMyReactionsAsync()).Ok();

        // Assert
        Assert.Equal([second.Id, first.Id], mine.Items.Select(r => r.Id));
    }

    [SkippableFact]
    public async Task ListForMessageAsync_Paged_CursorContinues()
    {
        // Arrange
        var (room, message) = await GroupWithMessageAsync();
        var a = (await Alice.ReactAsync(room.Id, message.Id, "like")).Created();
        var b = (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();
        var c = (await Carol.ReactAsync(room.Id, message.Id, "like")).Created();

        // Act
        var first = (await Bob.ListReactionsAsync(room.Id, message.Id, new PageRequest(2))).Ok();
        var second = (await Bob.ListReactionsAsync(room.Id, message.Id, new PageRequest(2, first.NextCursor))).Ok();

        // Assert
        Assert.Equal([a.Id, b.Id], first.Items.Select(r => r.Id));
        Assert.Equal([c.Id], second.Items.Select(r => r.Id));
        Assert.Null(second.NextCursor);
    }
}

public sealed class SqliteReactionTests(SqliteServiceDatabase database) : ReactionTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresReactionTests(PostgresServiceDatabase database) : ReactionTests(database), IClassFixture<PostgresServiceDatabase>;
