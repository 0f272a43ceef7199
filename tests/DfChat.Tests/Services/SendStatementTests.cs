using System.Text.RegularExpressions;
using DfChat.Models;
using DfChat.Tests.Http.Infrastructure;
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
    /// The one statement with which a save on SQLite moves the mention counts of its memberships (SqliteMentionCounts);
    /// PostgreSQL receives them in the save's one command.
    /// </summary>
    private static bool IsMentionCountsStatement(string sql) =>
        Regex.IsMatch(sql, """^\s*UPDATE "ChatRoomUsers" SET "MentionCount" = "MentionCount" \+ d\.value\s+FROM json_each\(@\w+\) AS d\s+WHERE "ChatRoomUsers"\."Id" = CAST\(d\.key AS INTEGER\)\s*$""");

    private List<string> StatementsButMentionCounts() => Statements.Statements.Where(sql => !IsMentionCountsStatement(sql)).ToList();

    [SkippableFact]
    public async Task SendMessage_MentioningThreeMembers_NoStatementOfItsOwn()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob, Carol, Dave)).Created();
        (await Alice.SendAsync(room.Id, "first")).Created();
        await StartCountingAsync();
        (await Alice.SendAsync(room.Id, "plain")).Created();
        var plain = StatementsButMentionCounts();

        // Act
        await StartCountingAsync();
        var mentioning = (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "look", Mentions = [Bob.Id, Carol.Id, Dave.Id] })).Created();
        var withMentions = StatementsButMentionCounts();
        var countStatements = Statements.Statements.Count(IsMentionCountsStatement);

        // Assert: the same statements (no read of the mentioned members, no update of a count of its own), but on
        // SQLite one statement for the three counts; the counts moved all the same.
        Assert.True(plain.Count == withMentions.Count, $"plain send:\n{string.Join("\n---\n", plain)}\n\nwith mentions:\n{string.Join("\n---\n", withMentions)}");
        Assert.Equal(Database.Provider == DatabaseProvider.Sqlite ? 1 : 0, countStatements);
        Assert.Equal([Bob.Id, Carol.Id, Dave.Id], mentioning.Mentions);
        foreach (var member in new[] { Bob, Carol, Dave })
            Assert.Equal(1, (await member.GetRoomAsync(room.Id)).Ok().Membership!.MentionCount);
        Assert.Equal(0, (await Alice.GetRoomAsync(room.Id)).Ok().Membership!.MentionCount);
    }

    [SkippableFact]
    public async Task SendMessage_ConcurrentSendersMentioningEachOther_CountsExact()
    {
        // Arrange: in a batch, a mentioned member that also sends has its membership written with its send; one that
        // does not has only its count moved (on SQLite by the batch's one statement for counts).
        var room = (await Alice.CreateGroupAsync("Group", Bob, Carol)).Created();
        ChatCaller[] members = [Alice, Bob, Carol];

        // Act: each sends 10, mentioning the two others.
        var sends = Enumerable.Range(0, 30).Select(i => members[i % 3].SendAsync(room.Id, new SendMessageRequest
        {
            Text = $"m{i}",
            Mentions = members.Where((_, k) => k != i % 3).Select(m => m.Id).ToArray(),
        })).ToList();
        foreach (var sent in await Task.WhenAll(sends))
            sent.Created();

        // Assert: 20 each, and a read's recount from the messages agrees.
        foreach (var member in members)
            Assert.Equal(20, (await member.GetRoomAsync(room.Id)).Ok().Membership!.MentionCount);
        var messages = (await Alice.ListMessagesAsync(room.Id, new PageRequest(100))).Ok().Items;
        var first = messages[^1];
        var recounted = (await Bob.MarkReadAsync(room.Id, first.Id)).Ok().MentionCount;
        Assert.Equal(messages.Count(m => m.CreatedAt > first.CreatedAt && m.UserId != Bob.Id && m.Mentions.Contains(Bob.Id)), recounted);
    }

    [SkippableFact]
    public async Task SendMessage_ConcurrentSendsOfOneUploadMentioning_OneAttachesCountsExact()
    {
        // Arrange: sends of one batch attaching the same upload fail its save (the unique index) and run again one by
        // one; the mention counts that save had taken must be neither lost nor counted twice.
        var room = (await Alice.CreateGroupAsync("Group", Bob, Dave)).Created();
        var picture = (await Alice.UploadAsync(TestFiles.Png())).Created();

        // Act
        var sends = Enumerable.Range(0, 12).Select(i => i % 2 == 0
            ? Alice.SendAsync(room.Id, new SendMessageRequest { Text = $"a{i}", MediaIds = [picture.Id], Mentions = [Bob.Id] })
            : Dave.SendAsync(room.Id, new SendMessageRequest { Text = $"d{i}", Mentions = [Bob.Id] })).ToList();
        var results = await Task.WhenAll(sends);

        // Assert: one of Alice's sends attaches the picture, the others are refused; Bob counts each message stored.
        Assert.Equal(7, results.Count(r => r.Succeeded));
        Assert.Equal(7, (await Bob.GetRoomAsync(room.Id)).Ok().Membership!.MentionCount);
        var messages = (await Bob.ListMessagesAsync(room.Id, new PageRequest(100))).Ok().Items;
        Assert.Equal(7, messages.Count);
        Assert.Single(messages, m => m.Media.Count == 1);
    }

    [SkippableFact]
    public async Task SendMessage_ConcurrentRepeatsOfOneClientMessageIdMentioning_OneMessageCountedOnce()
    {
        // Arrange: repeats of one client message id in one batch fail its first save (the unique index) while that
        // save holds the mentioned member's count (on SQLite, for the statement after the save); run again one by
        // one, the repeats answer the first message.
        var room = (await Alice.CreateGroupAsync("Group", Bob, Dave)).Created();

        // Act
        var sends = Enumerable.Range(0, 8).Select(_ => Alice.SendAsync(room.Id, new SendMessageRequest
        {
            Text = "once",
            ClientMessageId = "c-1",
            Mentions = [Bob.Id],
        })).ToList();
        var results = await Task.WhenAll(sends);

        // Assert
        Assert.Single(results.Select(r => r.Ok().Id).Distinct());
        Assert.Single(results, r => r.Created);
        Assert.Equal(1, (await Bob.GetRoomAsync(room.Id)).Ok().Membership!.MentionCount);
        Assert.Equal(1, (await Bob.GetRoomAsync(room.Id)).Ok().Membership!.UnreadCount);
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
