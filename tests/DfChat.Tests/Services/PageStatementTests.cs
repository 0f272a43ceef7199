using System.Text.RegularExpressions;
using DfChat.Entities;
using DfChat.Models;
using DfChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Tests.Services;

/// <summary>
/// What reading a page of messages costs in statements, whatever its size: one, the page with its authors'
/// names, which also checks that the caller may read the room; media and reactions only when the page has
/// some (as the message rows say, kept up to date by sends and reactions); the room on its own only to tell an
/// outsider's 404 from an empty page or an invalid request.
/// </summary>
public abstract class PageStatementTests(ServiceDatabase database) : StatementCountingTestBase(database)
{
    private async Task<RoomModel> GroupWithMessagesAsync(int count)
    {
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        for (var i = 0; i < count; i++)
            (await (i % 2 == 0 ? Alice : Bob).SendAsync(room.Id, $"m{i}")).Created();
        return room;
    }

    [SkippableFact]
    public async Task ListMessages_PageWithoutMediaOrReactions_OneStatementWhateverItsSize()
    {
        // Arrange
        var room = await GroupWithMessagesAsync(60);

        // Act
        await StartCountingAsync();
        var page = (await Bob.ListMessagesAsync(room.Id, new PageRequest(50))).Ok();

        // Assert
        Assert.Equal(50, page.Items.Count);
        Assert.True(Statements.Count == 1, Statements.Describe());
        Assert.All(page.Items, m => Assert.Equal(m.Text is ['m', .. var n] && int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) % 2 == 0 ? "Alice" : "Bob", m.User!.DisplayName));
    }

    [SkippableFact]
    public async Task ListMessages_Pages_OrderedAsOnlyTheRoomsIndexServes()
    {
        // Arrange
        var room = await GroupWithMessagesAsync(3);

        // Act
        await StartCountingAsync();
        var oldest = (await Bob.ListMessagesAsync(room.Id, new PageRequest(50))).Ok().Items[^1];
        var newest = Statements.Statements;
        Statements.Clear();
        (await Bob.ListMessagesAfterAsync(room.Id, oldest.Id)).Ok();
        var after = Statements.Statements;

        // Assert: ordered by ThreadId (null in every row) before the id, an order the primary key cannot give,
        // PostgreSQL takes (RoomId, ThreadId, Id) for a big room gone quiet instead of walking the primary key
        // backwards over every newer message of the other rooms (234 ms against 0.1 ms, docs/BENCHMARKS.md).
        Assert.Contains(newest, sql => Regex.IsMatch(sql, """ORDER BY [^;]*"ThreadId" DESC, [^;]*"Id" DESC"""));
        Assert.Contains(after, sql => Regex.IsMatch(sql, """ORDER BY [^;]*"ThreadId", [^;]*"Id"(?! DESC)"""));
    }

    [SkippableFact]
    public async Task ListMessages_PageWithMediaAndReactions_OneStatementEachMore()
    {
        // Arrange
        var room = await GroupWithMessagesAsync(20);
        var picture = (await Alice.UploadAsync(TestFiles.Png())).Ok();
        var withPicture = (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "look", MediaIds = [picture.Id] })).Created();
        var later = (await Bob.SendAsync(room.Id, "nice")).Created();
        (await Alice.ReactAsync(room.Id, later.Id, "like")).Created();

        // Act
        await StartCountingAsync();
        var page = (await Bob.ListMessagesAsync(room.Id, new PageRequest(10))).Ok();

        // Assert
        Assert.True(Statements.Count == 3, Statements.Describe());
        var pictured = Assert.Single(page.Items, m => m.Media.Count > 0);
        Assert.Equal(withPicture.Id, pictured.Id);
        Assert.Equal(picture.Id, Assert.Single(pictured.Media).Id);
        var reacted = Assert.Single(page.Items, m => m.Reactions.Count > 0);
        Assert.Equal(later.Id, reacted.Id);
        Assert.Equal(("like", 1, false), (reacted.Reactions[0].Reaction, reacted.Reactions[0].Count, reacted.Reactions[0].Me));
    }

    [SkippableFact]
    public async Task ListMessagesAfter_CatchUpPage_SameStatementsAsTheNewestPage()
    {
        // Arrange
        var room = await GroupWithMessagesAsync(30);
        var oldest = (await Bob.ListMessagesAfterAsync(room.Id, (await Bob.ListMessagesAsync(room.Id, new PageRequest(30))).Ok().Items[^1].Id, new PageRequest(10))).Ok();

        // Act
        await StartCountingAsync();
        var next = (await Bob.ListMessagesAfterAsync(room.Id, "ignored", new PageRequest(10, oldest.NextCursor))).Ok();

        // Assert
        Assert.Equal(["m11", "m12", "m13"], next.Items.Take(3).Select(m => m.Text));
        Assert.True(Statements.Count == 1, Statements.Describe());
    }

    [SkippableFact]
    public async Task ListMessages_EmptyPage_ReadsTheRoomToTellItFromAnOutsider()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Quiet", Bob)).Created();

        // Act
        await StartCountingAsync();
        var page = (await Bob.ListMessagesAsync(room.Id)).Ok();

        // Assert
        Assert.Empty(page.Items);
        Assert.Null(page.NextCursor);
        Assert.True(Statements.Count == 2, Statements.Describe());
    }

    [SkippableFact]
    public async Task ListMessages_OneStatementChecksAccess_OutsidersAndRemovedMembersSeeNothing()
    {
        // Arrange
        var room = await GroupWithMessagesAsync(3);
        var open = (await Alice.CreateChannelAsync("Town square", isPublic: true)).Created();
        var welcome = (await Alice.SendAsync(open.Id, "welcome")).Created();

        // Act
        var outsider = await Carol.ListMessagesAsync(room.Id);
        var outsiderAfter = await Carol.ListMessagesAfterAsync(room.Id, (await Alice.ListMessagesAsync(room.Id)).Ok().Items[^1].Id);
        var publicPage = (await Carol.ListMessagesAsync(open.Id)).Ok();
        var publicAfter = (await Carol.ListMessagesAfterAsync(open.Id, welcome.Id)).Ok();
        (await Alice.RemoveMemberAsync(room.Id, Bob.Id)).Ok();
        var removed = await Bob.ListMessagesAsync(room.Id);

        // Assert
        outsider.Fails(ChatErrorKind.NotFound);
        Assert.Equal("room_not_found", outsiderAfter.Fails(ChatErrorKind.NotFound).Code);
        Assert.Equal(welcome.Id, Assert.Single(publicPage.Items).Id);
        Assert.Empty(publicAfter.Items);
        removed.Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task ListMessages_InvalidRequests_OutsidersGet404AndMembers400()
    {
        // Arrange
        var room = await GroupWithMessagesAsync(3);

        // Act and assert: an outsider learns nothing, not even that the request is wrong.
        Assert.Equal("room_not_found", (await Carol.ListMessagesAsync(room.Id, new PageRequest(0))).Fails(ChatErrorKind.NotFound).Code);
        Assert.Equal("room_not_found", (await Carol.ListMessagesAsync(room.Id, new PageRequest(10, "not-a-cursor"))).Fails(ChatErrorKind.NotFound).Code);
        Assert.Equal("room_not_found", (await Carol.ListMessagesAfterAsync(room.Id, "999999999")).Fails(ChatErrorKind.NotFound).Code);
        (await Bob.ListMessagesAsync(room.Id, new PageRequest(0))).Fails(ChatErrorKind.Invalid, "limit");
        (await Bob.ListMessagesAsync(room.Id, new PageRequest(10, "not-a-cursor"))).Fails(ChatErrorKind.Invalid, "cursor");
        Assert.Equal("message_not_found", (await Bob.ListMessagesAfterAsync(room.Id, "999999999")).Fails(ChatErrorKind.NotFound).Code);
    }

    [SkippableFact]
    public async Task ListMessages_MediaAndReactionsOfOtherRoomsInTheIdRange_NotShown()
    {
        // Arrange: two rooms whose messages interleave, the other room's with a picture and a reaction.
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var other = (await Alice.CreateGroupAsync("Other", Carol)).Created();
        var ours = new List<MessageModel>();
        for (var i = 0; i < 3; i++)
        {
            ours.Add((await Alice.SendAsync(room.Id, $"ours {i}")).Created());
            var picture = (await Alice.UploadAsync(TestFiles.Png())).Ok();
            var theirs = (await Alice.SendAsync(other.Id, new SendMessageRequest { Text = $"theirs {i}", MediaIds = [picture.Id] })).Created();
            (await Carol.ReactAsync(other.Id, theirs.Id, "like")).Created();
        }

        (await Bob.ReactAsync(room.Id, ours[1].Id, "like")).Created();

        // Act
        var page = (await Bob.ListMessagesAsync(room.Id)).Ok();
        var caughtUp = (await Bob.ListMessagesAfterAsync(room.Id, ours[0].Id)).Ok();

        // Assert
        Assert.Equal(["ours 2", "ours 1", "ours 0"], page.Items.Select(m => m.Text));
        Assert.All(page.Items, m => Assert.Empty(m.Media));
        Assert.Equal([0, 1, 0], page.Items.Select(m => m.Reactions.Sum(r => r.Count)));
        Assert.True(page.Items[1].Reactions[0].Me);
        Assert.Equal(["ours 1", "ours 2"], caughtUp.Items.Select(m => m.Text));
        Assert.All(caughtUp.Items, m => Assert.Empty(m.Media));
        Assert.Equal([1, 0], caughtUp.Items.Select(m => m.Reactions.Sum(r => r.Count)));
    }

    [SkippableFact]
    public async Task ListMessages_PageWithPins_OneStatementMoreAndOnlyThisRoomsPins()
    {
        // Arrange: two rooms whose messages interleave, each of the other room's pinned, one of ours.
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var other = (await Alice.CreateGroupAsync("Other", Carol)).Created();
        var ours = new List<MessageModel>();
        for (var i = 0; i < 3; i++)
        {
            ours.Add((await Alice.SendAsync(room.Id, $"ours {i}")).Created());
            var theirs = (await Alice.SendAsync(other.Id, $"theirs {i}")).Created();
            (await Alice.PinAsync(other.Id, theirs.Id)).Ok();
        }

        var pinned = (await Alice.PinAsync(room.Id, ours[1].Id)).Ok();

        // Act: twice, the second time from the statement compiled by the first.
        await StartCountingAsync();
        var page = (await Bob.ListMessagesAsync(room.Id)).Ok();
        var statements = Statements.Describe();
        var count = Statements.Count;
        var again = (await Bob.ListMessagesAsync(room.Id, new PageRequest(2))).Ok();

        // Assert
        Assert.True(count == 2, statements);
        Assert.Equal(["ours 2", "ours 1", "ours 0"], page.Items.Select(m => m.Text));
        Assert.Equal([null, Alice.Id, null], page.Items.Select(m => m.PinnedBy));
        Assert.Equal([null, pinned.PinnedAt, null], page.Items.Select(m => m.PinnedAt));
        Assert.NotNull(pinned.PinnedAt);
        Assert.Equal([null, Alice.Id], again.Items.Select(m => m.PinnedBy));
    }

    [SkippableFact]
    public async Task ListMessages_ReactionsAddedAndRemoved_ReadOnlyWhileSomeRemain()
    {
        // Arrange: two reactions to one message, then one removed, then the other.
        var room = await GroupWithMessagesAsync(5);
        var target = (await Bob.ListMessagesAsync(room.Id)).Ok().Items[2];
        var like = (await Alice.ReactAsync(room.Id, target.Id, "like")).Created();
        var dislike = (await Bob.ReactAsync(room.Id, target.Id, "dislike")).Created();
        (await Alice.ReactAsync(room.Id, target.Id, "like")).Existing();
        (await Alice.DeleteReactionAsync(like.Id)).Ok();

        // Act
        await StartCountingAsync();
        var one = (await Bob.ListMessagesAsync(room.Id)).Ok();
        var withOne = Statements.Count;
        (await Bob.DeleteReactionAsync(dislike.Id)).Ok();
        await StartCountingAsync();
        var none = (await Bob.ListMessagesAsync(room.Id)).Ok();

        // Assert: the page reads reactions while one remains, and not once none does.
        var reacted = Assert.Single(one.Items, m => m.Reactions.Count > 0);
        Assert.Equal((target.Id, "dislike", 1, true), (reacted.Id, reacted.Reactions[0].Reaction, reacted.Reactions[0].Count, reacted.Reactions[0].Me));
        Assert.Equal(2, withOne);
        Assert.All(none.Items, m => Assert.Empty(m.Reactions));
        Assert.True(Statements.Count == 1, Statements.Describe());
        Assert.Equal(0, await Host.QueryAsync(db => db.Set<ChatMessage<string>>().Where(m => m.Id == long.Parse(target.Id, System.Globalization.CultureInfo.InvariantCulture)).Select(m => m.ReactionCount).SingleAsync()));
    }

    [SkippableFact]
    public async Task ListMessages_MessagesStoredBeforeTheHintColumns_StillShowTheirMediaAndReactions()
    {
        // Arrange: a picture and a reaction, then the columns emptied as on a database upgraded without backfill.
        var room = await GroupWithMessagesAsync(3);
        var picture = (await Alice.UploadAsync(TestFiles.Png())).Ok();
        var pictured = (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "look", MediaIds = [picture.Id] })).Created();
        (await Bob.ReactAsync(room.Id, pictured.Id, "like")).Created();
        await Host.DbAsync(db => db.Set<ChatMessage<string>>().ExecuteUpdateAsync(s => s.SetProperty(m => m.HasMedia, (bool?)null).SetProperty(m => m.ReactionCount, (int?)null)));

        // Act
        var page = (await Bob.ListMessagesAsync(room.Id)).Ok();
        var single = (await Bob.GetMessageAsync(room.Id, pictured.Id)).Ok();
        (await Alice.ReactAsync(room.Id, pictured.Id, "dislike")).Created();
        var afterReaction = (await Bob.ListMessagesAsync(room.Id)).Ok();

        // Assert
        foreach (var message in new[] { page.Items[0], single, afterReaction.Items[0] })
        {
            Assert.Equal(pictured.Id, message.Id);
            Assert.Equal(picture.Id, Assert.Single(message.Media).Id);
        }

        Assert.Equal(["like"], page.Items[0].Reactions.Select(r => r.Reaction));
        Assert.Equal(["like"], single.Reactions.Select(r => r.Reaction));
        Assert.Equal(["like", "dislike"], afterReaction.Items[0].Reactions.Select(r => r.Reaction));
    }

    [SkippableFact]
    public async Task GetMessage_WithoutMediaOrReactions_ReadsNeither()
    {
        // Arrange
        var room = await GroupWithMessagesAsync(2);
        var plain = (await Alice.SendAsync(room.Id, "plain")).Created();
        var reacted = (await Alice.SendAsync(room.Id, "reacted")).Created();
        (await Bob.ReactAsync(room.Id, reacted.Id, "like")).Created();

        // Act
        await StartCountingAsync();
        (await Bob.GetMessageAsync(room.Id, plain.Id)).Ok();
        var withoutAny = Statements.Count;
        await StartCountingAsync();
        var withReaction = (await Bob.GetMessageAsync(room.Id, reacted.Id)).Ok();

        // Assert: one statement more for the message that has reactions, none for media.
        Assert.True(Statements.Count == withoutAny + 1, Statements.Describe());
        Assert.Equal(["like"], withReaction.Reactions.Select(r => r.Reaction));
    }
}

public sealed class SqlitePageStatementTests(SqliteServiceDatabase database) : PageStatementTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresPageStatementTests(PostgresServiceDatabase database) : PageStatementTests(database), IClassFixture<PostgresServiceDatabase>;
