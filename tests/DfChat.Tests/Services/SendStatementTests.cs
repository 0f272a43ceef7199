using System.Text.RegularExpressions;
using DfChat.Models;
using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.Services;

/// <summary>
/// What a send costs in statements: mentions add none of their own (API.md §8). The members a send mentions are
/// read with its sender's membership, and their counts saved with the send's other rows, so that a busy room's
/// batch of sends pays for them once.
/// </summary>
public abstract class SendStatementTests(ServiceDatabase database) : StatementCountingTestBase(database)
{
    /// <summary>
    /// The statements so far but the rows a save writes (the memberships whose counts move), which PostgreSQL sends
    /// in the save's one command and SQLite a statement a row.
    /// </summary>
    private List<string> StatementsButSavedRows() =>
        Statements.Statements.Where(sql => !Regex.IsMatch(sql, """^\s*UPDATE "ChatRoomUsers" SET "MentionCount" = @\w+\s+WHERE "Id" = @\w+\s+RETURNING 1;\s*$""")).ToList();

    [SkippableFact]
    public async Task SendMessage_MentioningThreeMembers_NoStatementOfItsOwn()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob, Carol, Dave)).Created();
        (await Alice.SendAsync(room.Id, "first")).Created();
        await StartCountingAsync();
        (await Alice.SendAsync(room.Id, "plain")).Created();
        var plain = StatementsButSavedRows();

        // Act
        await StartCountingAsync();
        var mentioning = (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "look", Mentions = [Bob.Id, Carol.Id, Dave.Id] })).Created();
        var withMentions = StatementsButSavedRows();

        // Assert: the same statements (no read of the mentioned members, no update of their counts of its own); the
        // counts moved all the same.
        Assert.True(plain.Count == withMentions.Count, $"plain send:\n{string.Join("\n---\n", plain)}\n\nwith mentions:\n{string.Join("\n---\n", withMentions)}");
        Assert.Equal([Bob.Id, Carol.Id, Dave.Id], mentioning.Mentions);
        foreach (var member in new[] { Bob, Carol, Dave })
            Assert.Equal(1, (await member.GetRoomAsync(room.Id)).Ok().Membership!.MentionCount);
        Assert.Equal(0, (await Alice.GetRoomAsync(room.Id)).Ok().Membership!.MentionCount);
    }

    [SkippableFact]
    public async Task SendMessage_ConcurrentSendsMentioningMembersAndOneAnOutsider_OutsiderRefusedCountsExact()
    {
        // Arrange: Carol is no member; sends racing in the room's lane share one read of the members they mention.
        var room = (await Alice.CreateGroupAsync("Group", Bob, Dave)).Created();

        // Act
        var sends = Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? Alice : Dave).SendAsync(room.Id, new SendMessageRequest
        {
            Text = $"m{i}",
            Mentions = i == 7 ? [Bob.Id, Carol.Id] : [Bob.Id],
        })).ToList();
        var results = await Task.WhenAll(sends);

        // Assert
        Assert.Equal("mentions", Assert.Single(results, r => !r.Succeeded).Fails(ChatErrorKind.Invalid, "mentions").Field);
        Assert.Equal(19, (await Bob.GetRoomAsync(room.Id)).Ok().Membership!.MentionCount);
        Assert.Equal(0, (await Dave.GetRoomAsync(room.Id)).Ok().Membership!.MentionCount);
    }
}

public sealed class SqliteSendStatementTests(SqliteServiceDatabase database) : SendStatementTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresSendStatementTests(PostgresServiceDatabase database) : SendStatementTests(database), IClassFixture<PostgresServiceDatabase>;
