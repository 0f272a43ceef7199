using DfChat.EntityFrameworkCore;
using DfChat.Models;
using DfChat.Services;
using DfChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Services;

/// <summary>Message search (API.md §8) on each provider's full-text index.</summary>
public abstract class SearchTests(ServiceDatabase database) : ServiceTestBase(database)
{
    protected async Task<string[]> TextsFoundAsync(ChatCaller caller, string q, string? roomId = null) =>
        (await caller.SearchMessagesAsync(q, roomId)).Ok().Items.Select(m => m.Text!).ToArray();

    /// <summary>A first search creates the index (as at a host's start), so that what follows goes through its triggers.</summary>
    /// <summary>Every page of <paramref name="caller"/>'s search for "match", <paramref name="pageSize"/> at a time: the texts found, and how many each page held.</summary>
    protected static async Task<(List<string> Texts, List<int> Pages)> PagesOfMatchAsync(ChatCaller caller, string? roomId, int pageSize)
    {
        var (texts, pages) = (new List<string>(), new List<int>());
        string? cursor = null;
        do
        {
            var page = (await caller.SearchMessagesAsync("match", roomId, new PageRequest(pageSize, cursor))).Ok();
            pages.Add(page.Items.Count);
            texts.AddRange(page.Items.Select(m => m.Text!));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return (texts, pages);
    }

    protected async Task<RoomModel> GroupWithIndexAsync(string name, params ChatCaller[] others)
    {
        var room = (await Alice.CreateGroupAsync(name, others)).Created();
        (await Alice.SearchMessagesAsync("anything")).Ok();
        return room;
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_WordInCallersRooms_FoundNewestFirst()
    {
        var room = await GroupWithIndexAsync("Group", Bob);
        await Alice.SendAsync(room.Id, "the first report");
        await Bob.SendAsync(room.Id, "nothing here");
        await Bob.SendAsync(room.Id, "second report, from Bob");

        var found = (await Alice.SearchMessagesAsync("report")).Ok();

        Assert.Equal(["second report, from Bob", "the first report"], found.Items.Select(m => m.Text));
        Assert.Equal(room.Id, found.Items[0].RoomId);
        Assert.Equal(Bob.Id, found.Items[0].User!.Id);
        Assert.Null(found.NextCursor);
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_RoomsOfOthersEvenPublic_NotFound()
    {
        var mine = await GroupWithIndexAsync("Mine");
        var bobs = (await Bob.CreateGroupAsync("Bob's")).Created();
        var open = (await Bob.CreateChannelAsync("Open", isPublic: true)).Created();
        await Alice.SendAsync(mine.Id, "budget mine");
        await Bob.SendAsync(bobs.Id, "budget private");
        await Bob.SendAsync(open.Id, "budget public");

        Assert.Equal(["budget mine"], await TextsFoundAsync(Alice, "budget"));
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_RoomIdOfPublicRoomNotJoined_Found()
    {
        await GroupWithIndexAsync("Mine");
        var open = (await Bob.CreateChannelAsync("Open", isPublic: true)).Created();
        await Bob.SendAsync(open.Id, "budget public");

        Assert.Equal(["budget public"], await TextsFoundAsync(Alice, "budget", open.Id));
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_RoomIdOfRoomCallerMayNotRead_NotFound()
    {
        await GroupWithIndexAsync("Mine");
        var bobs = (await Bob.CreateGroupAsync("Bob's")).Created();
        await Bob.SendAsync(bobs.Id, "budget private");

        (await Alice.SearchMessagesAsync("budget", bobs.Id)).Fails(ChatErrorKind.NotFound);
        (await Alice.SearchMessagesAsync("", bobs.Id)).Fails(ChatErrorKind.NotFound);
        (await Alice.SearchMessagesAsync("budget", "999999")).Fails(ChatErrorKind.NotFound);
        (await Alice.SearchMessagesAsync("budget", "not-an-id")).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_RoomId_OnlyThatRoom()
    {
        var one = await GroupWithIndexAsync("One");
        var two = (await Alice.CreateGroupAsync("Two")).Created();
        await Alice.SendAsync(one.Id, "budget one");
        await Alice.SendAsync(two.Id, "budget two");

        Assert.Equal(["budget one"], await TextsFoundAsync(Alice, "budget", one.Id));
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_CaseAndDiacritics_Ignored()
    {
        var room = await GroupWithIndexAsync("Group");
        await Alice.SendAsync(room.Id, "Un CAFÉ crème à Zürich");

        Assert.Single(await TextsFoundAsync(Alice, "cafe CREME zurich"));
        Assert.Single(await TextsFoundAsync(Alice, "Café"));
        Assert.Single(await TextsFoundAsync(Alice, "ZÜRICH"));
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_LastWordAsPrefix_FoundOthersWholeWordsOnly()
    {
        var room = await GroupWithIndexAsync("Group");
        await Alice.SendAsync(room.Id, "Café latte");

        Assert.Single(await TextsFoundAsync(Alice, "caf"));
        Assert.Single(await TextsFoundAsync(Alice, "latte caf"));
        Assert.Empty(await TextsFoundAsync(Alice, "caf latte"));
        Assert.Empty(await TextsFoundAsync(Alice, "cafes"));
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_EveryWord_Required()
    {
        var room = await GroupWithIndexAsync("Group");
        await Alice.SendAsync(room.Id, "red apple");
        await Alice.SendAsync(room.Id, "green apple");

        Assert.Equal(["green apple"], await TextsFoundAsync(Alice, "apple green"));
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_EditedMessage_FoundByNewTextOnly()
    {
        var room = await GroupWithIndexAsync("Group");
        var message = (await Alice.SendAsync(room.Id, "old wording")).Created();

        (await Alice.EditMessageAsync(room.Id, message.Id, "new phrasing")).Ok();

        Assert.Empty(await TextsFoundAsync(Alice, "wording"));
        Assert.Equal(["new phrasing"], await TextsFoundAsync(Alice, "phrasing"));
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_DeletedMessage_NotFound()
    {
        var room = await GroupWithIndexAsync("Group");
        var message = (await Alice.SendAsync(room.Id, "secret plan")).Created();
        await Alice.SendAsync(room.Id, "public plan");

        (await Alice.DeleteMessageAsync(room.Id, message.Id)).Ok();

        Assert.Equal(["public plan"], await TextsFoundAsync(Alice, "plan"));
        Assert.Equal(0, await IndexedCountAsync(message.Id));
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_MessagesOfDeletedRoom_GoneFromIndex()
    {
        var room = await GroupWithIndexAsync("Group");
        var message = (await Alice.SendAsync(room.Id, "secret plan")).Created();
        Assert.Equal(1, await IndexedCountAsync(message.Id));

        (await Alice.DeleteRoomAsync(room.Id)).Ok();

        Assert.Empty(await TextsFoundAsync(Alice, "plan"));
        Assert.Equal(0, await IndexedCountAsync(message.Id));
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_ManyMatchesInUnreadableRooms_PagesFullAndComplete()
    {
        // Arrange: Bob's matches outnumber Alice's, interleaved with them.
        var mine = await GroupWithIndexAsync("Mine");
        var bobs = (await Bob.CreateGroupAsync("Bob's")).Created();
        var expected = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            await Bob.SendAsync(bobs.Id, $"match hidden {i}a");
            await Bob.SendAsync(bobs.Id, $"match hidden {i}b");
            await Alice.SendAsync(mine.Id, $"match visible {i}");
            expected.Insert(0, $"match visible {i}");
        }

        // Act: pages of 3.
        var (seen, pages) = await PagesOfMatchAsync(Alice, null, 3);

        // Assert
        Assert.Equal(expected, seen);
        Assert.Equal([3, 3, 1], pages);
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_RoomIdWithMatchesInOtherReadableRooms_PagesFullAndComplete()
    {
        // Arrange: the other room's matches, readable too, interleaved with the room's and newer than its last.
        var mine = await GroupWithIndexAsync("Mine");
        var other = (await Alice.CreateGroupAsync("Other")).Created();
        var expected = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            await Alice.SendAsync(other.Id, $"match elsewhere {i}a");
            await Alice.SendAsync(mine.Id, $"match here {i}");
            await Alice.SendAsync(other.Id, $"match elsewhere {i}b");
            expected.Insert(0, $"match here {i}");
        }

        // Act: pages of 3 in the room.
        var (seen, pages) = await PagesOfMatchAsync(Alice, mine.Id, 3);

        // Assert
        Assert.Equal(expected, seen);
        Assert.Equal([3, 3, 1], pages);
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_LastWordPrefixOfSeveralWords_EachFoundNewestFirst()
    {
        var room = await GroupWithIndexAsync("Group");
        await Alice.SendAsync(room.Id, "the alphabet");
        await Alice.SendAsync(room.Id, "alpha release");
        await Alice.SendAsync(room.Id, "an alp");
        await Alice.SendAsync(room.Id, "alpine ALPHANUMERIC");
        await Alice.SendAsync(room.Id, "nothing alike");

        Assert.Equal(["alpine ALPHANUMERIC", "alpha release", "the alphabet"], await TextsFoundAsync(Alice, "alph"));
        Assert.Equal(["alpine ALPHANUMERIC", "an alp", "alpha release", "the alphabet"], await TextsFoundAsync(Alice, "alp", room.Id));
        Assert.Equal(["alpha release"], await TextsFoundAsync(Alice, "release alph"));
        Assert.Empty(await TextsFoundAsync(Alice, "alphaz"));
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_LastWordPrefixOfVeryManyWords_AllFound()
    {
        // Arrange: more words with the prefix than a search lists one by one (it then asks the index for the prefix).
        var room = await GroupWithIndexAsync("Group");
        for (var i = 0; i < 3; i++)
            await Alice.SendAsync(room.Id, string.Join(' ', Enumerable.Range(0, 40).Select(n => $"zq{i}x{n}")));

        // Act
        var found = await TextsFoundAsync(Alice, "zq");

        // Assert
        Assert.Equal(3, found.Length);
        Assert.Single(await TextsFoundAsync(Alice, "zq1x3"));
        Assert.Equal(3, (await TextsFoundAsync(Alice, "zq", room.Id)).Length);
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_CursorOfAnotherSearch_Invalid()
    {
        var room = await GroupWithIndexAsync("Group");
        await Alice.SendAsync(room.Id, "match one");
        await Alice.SendAsync(room.Id, "match two");
        var cursor = (await Alice.SearchMessagesAsync("match", page: new PageRequest(1))).Ok().NextCursor;

        (await Alice.SearchMessagesAsync("other", page: new PageRequest(1, cursor))).Fails(ChatErrorKind.Invalid, "cursor");
    }

    [SkippableTheory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("a\0b")]
    public async Task SearchMessagesAsync_UnacceptableQ_InvalidQ(string? q)
    {
        await GroupWithIndexAsync("Group");

        (await Alice.SearchMessagesAsync(q)).Fails(ChatErrorKind.Invalid, "q");
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_UnpairedSurrogate_InvalidQ()
    {
        await GroupWithIndexAsync("Group");

        (await Alice.SearchMessagesAsync("x" + '\uD800' + "y")).Fails(ChatErrorKind.Invalid, "q");
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_QLength_OneToTwoHundred()
    {
        var room = await GroupWithIndexAsync("Group");
        await Alice.SendAsync(room.Id, "x");

        Assert.Single(await TextsFoundAsync(Alice, "x"));
        (await Alice.SearchMessagesAsync(new string('a', 200))).Ok();
        (await Alice.SearchMessagesAsync(new string('a', 201))).Fails(ChatErrorKind.Invalid, "q");
    }

    [SkippableTheory]
    [InlineData("\"plan")]
    [InlineData("plan OR secret*")]
    [InlineData("NEAR(plan secret)")]
    [InlineData("plan & !secret | x:*")]
    [InlineData("'plan' \\ ''")]
    [InlineData("Text: plan")]
    [InlineData("-plan ^secret {x}")]
    public async Task SearchMessagesAsync_QueryOperators_TakenAsWords(string q)
    {
        var room = await GroupWithIndexAsync("Group");
        await Alice.SendAsync(room.Id, "the plan");

        var found = await Alice.SearchMessagesAsync(q);

        found.Ok();
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_NoWordInQ_EmptyPage()
    {
        var room = await GroupWithIndexAsync("Group");
        await Alice.SendAsync(room.Id, "a ... b");

        Assert.Empty(await TextsFoundAsync(Alice, " ... !"));
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_MessagesSentBeforeTheIndex_BackfilledInBatches()
    {
        // Arrange: no search yet, so the index does not exist while these are sent (a database of an
        // earlier version); batches of two.
        Host.Services.GetRequiredService<ChatSearchIndex>().BatchSize = 2;
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        for (var i = 0; i < 5; i++)
            await Alice.SendAsync(room.Id, $"older {i}");

        // Act
        var found = await TextsFoundAsync(Alice, "older");

        // Assert
        Assert.Equal(["older 4", "older 3", "older 2", "older 1", "older 0"], found);
    }

    [SkippableFact]
    public async Task SendAsync_ManySendersAtOnce_EachMessageIndexedOnce()
    {
        // Arrange: concurrent sends share write batches, whose saves index their messages together.
        var room = await GroupWithIndexAsync("Busy", Bob);

        // Act
        var sent = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? Alice : Bob).SendAsync(room.Id, $"crowded {i}")));

        // Assert
        var ids = sent.Select(r => r.Created().Id).ToArray();
        var found = (await Alice.SearchMessagesAsync("crowded", page: new PageRequest(50, null))).Ok();
        Assert.Equal(ids.OrderByDescending(long.Parse), found.Items.Select(m => m.Id));
        foreach (var id in ids)
            Assert.Equal(1, await IndexedCountAsync(id));
    }

    protected Task<int> IndexedCountAsync(string messageId) =>
        Host.QueryAsync(async db =>
        {
            var id = long.Parse(messageId, System.Globalization.CultureInfo.InvariantCulture);
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = Host.Provider == Http.Infrastructure.DatabaseProvider.Sqlite
                    ? $"SELECT COUNT(*) FROM \"{ChatSearchIndex.SqliteTable}_docsize\" WHERE id = {id}"
                    : $"SELECT COUNT(*) FROM \"ChatMessages\" WHERE \"Id\" = {id} AND \"{ChatSearchIndex.PostgresColumn}\" IS NOT NULL";
                return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        });
}

/// <summary>The search tests on SQLite, and what only SQLite has: its FTS5 rows written by the chat's writes (PostgreSQL keeps its trigger).</summary>
public sealed class SqliteSearchTests(SqliteServiceDatabase database) : SearchTests(database), IClassFixture<SqliteServiceDatabase>
{
    [SkippableFact]
    public async Task SendAsync_SqliteStillHoldingTheOldInsertTrigger_IndexedOnce()
    {
        // Arrange: a database that kept the trigger which indexed each insert before the chat's writes did.
        var room = await GroupWithIndexAsync("Old");
        await Host.QueryAsync(db => db.Database.ExecuteSqlRawAsync(ChatSearchIndex.ObsoleteSqliteInsertTriggerSql));

        // Act
        var sent = (await Alice.SendAsync(room.Id, "legacy trigger")).Created();

        // Assert
        Assert.Equal(1, await IndexedCountAsync(sent.Id));
        Assert.Equal(["legacy trigger"], await TextsFoundAsync(Alice, "legacy"));
    }

    [SkippableFact]
    public async Task EnsureAsync_Sqlite_IndexesInsertsWithoutTrigger()
    {
        // Act: the first search creates the index.
        await GroupWithIndexAsync("Fresh");

        // Assert: a trigger into FTS5 would flush its terms at every insert's statement savepoint (SqliteSearchRows).
        var triggers = await Host.QueryAsync(db => db.Database
            .SqlQueryRaw<string>("""SELECT name AS "Value" FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ChatMessages' ORDER BY name""")
            .ToListAsync());
        Assert.Equal(["ChatMessages_search_delete", "ChatMessages_search_update"], triggers);
    }
}

/// <summary>The search tests on PostgreSQL, and its search across rooms in two parts: the newest messages in order, then the index.</summary>
public sealed class PostgresSearchTests(PostgresServiceDatabase database) : SearchTests(database), IClassFixture<PostgresServiceDatabase>
{
    [SkippableTheory]
    [InlineData(32)]
    [InlineData(3)]
    public async Task SearchMessagesAsync_MatchesInManyBuckets_PagesInOrderFullAndComplete(int buckets)
    {
        // Arrange: matches in the same bucket (4,096 ids), in the next one and further apart, in the room, in another
        // readable room and in an unreadable one, with buckets that hold none of the room's messages; a window of 2
        // messages, and 32 buckets (every older match from the bucketed index) or 3 (the rest from the plain index).
        int[] bucketsBeforeMine = [0, 1, 3, 1, 0, 2, 1, 0];
        var mine = await GroupWithIndexAsync("Mine");
        var other = (await Alice.CreateGroupAsync("Other")).Created();
        var bobs = (await Bob.CreateGroupAsync("Bob's")).Created();
        var (inRoom, everywhere) = (new List<string>(), new List<string>());
        for (var i = 0; i < 8; i++)
        {
            await SkipBucketsAsync(bucketsBeforeMine[i]);
            await Alice.SendAsync(mine.Id, $"match café {i}");
            await Alice.SendAsync(mine.Id, $"other {i}");
            inRoom.Insert(0, $"match café {i}");
            everywhere.Insert(0, $"match café {i}");
            await SkipBucketsAsync(i % 2);
            await Alice.SendAsync(other.Id, $"match elsewhere {i}");
            await Bob.SendAsync(bobs.Id, $"match hidden {i}");
            everywhere.Insert(0, $"match elsewhere {i}");
        }

        var index = Host.Services.GetRequiredService<ChatSearchIndex>();
        index.PostgresWindow = 2;
        index.PostgresBuckets = buckets;

        // Act and assert: pages of 3 and of 1, across rooms and in the room; a prefix and a folded word too.
        foreach (var size in new[] { 3, 1 })
        {
            Assert.Equal(everywhere, (await PagesOfMatchAsync(Alice, null, size)).Texts);
            Assert.Equal(inRoom, (await PagesOfMatchAsync(Alice, mine.Id, size)).Texts);
        }

        Assert.Equal(inRoom, await TextsFoundAsync(Alice, "CAFE MAT", mine.Id));
        Assert.Equal(inRoom, await TextsFoundAsync(Alice, "match caf"));
    }

    [SkippableTheory]
    [InlineData("off")]
    [InlineData("on")]
    public async Task SearchMessagesAsync_ConnectionsOwnJitSetting_PutBackAfterTheSearch(string setting)
    {
        // Arrange: a room to search, and a scope whose connection the host set itself.
        var room = await GroupWithIndexAsync("Jit");
        await Alice.SendAsync(room.Id, "match jit");
        await using var scope = Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlAsync($"SELECT set_config('jit', {setting}, false)");

        // Act
        var found = await scope.ServiceProvider.GetRequiredService<IChatSearchService>()
            .SearchMessagesAsync(Alice.Id, "match", room.Id, new PageRequest(), CancellationToken.None);

        // Assert
        Assert.Equal(["match jit"], found.Ok().Items.Select(m => m.Text));
        Assert.Equal([setting], await db.Database.SqlQueryRaw<string>("""SELECT current_setting('jit') AS "Value" """).ToListAsync());
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_InsideTheHostsTransaction_ItsOwnSettingsStayAndItGoesOn()
    {
        // Arrange: the host searches inside a transaction of its own, with settings of its own for it.
        var room = await GroupWithIndexAsync("Tx");
        await Alice.SendAsync(room.Id, "match tx");
        await using var scope = Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlRawAsync("SET LOCAL jit = on; SET LOCAL plan_cache_mode = force_custom_plan");

        // Act
        var found = await scope.ServiceProvider.GetRequiredService<IChatSearchService>()
            .SearchMessagesAsync(Alice.Id, "match", room.Id, new PageRequest(), CancellationToken.None);

        // Assert: the page, the host's settings as it set them, and its transaction still usable.
        Assert.Equal(["match tx"], found.Ok().Items.Select(m => m.Text));
        Assert.Equal(["on|force_custom_plan"], await db.Database.SqlQueryRaw<string>(
            """SELECT current_setting('jit') || '|' || current_setting('plan_cache_mode') AS "Value" """).ToListAsync());
        await transaction.CommitAsync();
    }

    /// <summary>Moves the messages' id sequence on by <paramref name="count"/> buckets of the bucketed index.</summary>
    private async Task SkipBucketsAsync(int count)
    {
        if (count > 0)
            await Host.QueryAsync(db => db.Database.ExecuteSqlAsync(
            $"""SELECT setval(pg_get_serial_sequence('"ChatMessages"', 'Id'), nextval(pg_get_serial_sequence('"ChatMessages"', 'Id')) + {(long)count * ChatSearchIndex.PostgresBucketSize})"""));
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EnsureAsync_BucketedIndexDroppedOrInvalid_BuiltAgainAndUsed(bool invalid)
    {
        // Arrange: a database whose schema predates the bucketed index, or whose concurrent build of it failed
        // (PostgreSQL leaves such an index behind, marked invalid, and IF NOT EXISTS would keep it).
        var room = await GroupWithIndexAsync("Old");
        await Alice.SendAsync(room.Id, "match before");
        await Host.QueryAsync(db => db.Database.ExecuteSqlRawAsync(invalid
            ? $"""UPDATE pg_index SET indisvalid = false WHERE indexrelid = '"{ChatSearchIndex.PostgresBucketIndex}"'::regclass"""
            : $"""DROP INDEX "{ChatSearchIndex.PostgresBucketIndex}" """));

        // Act: a new index service, as at the next start.
        var index = new ChatSearchIndex(Microsoft.Extensions.Logging.Abstractions.NullLogger<ChatSearchIndex>.Instance);
        await Host.DbAsync(db => index.EnsureAsync(db, CancellationToken.None));

        // Assert
        var valid = await Host.QueryAsync(db => db.Database.SqlQueryRaw<bool>(
            $"""SELECT i.indisvalid AS "Value" FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid WHERE c.relname = '{ChatSearchIndex.PostgresBucketIndex}'""").ToListAsync());
        Assert.Equal([true], valid);
        Assert.Equal(["match before"], await TextsFoundAsync(Alice, "match", room.Id));
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_MatchesOlderThanTheWindow_PagesFullAndComplete()
    {
        // Arrange: a window of 2 messages, so that most matches come from the index, past unreadable rooms' matches.
        var mine = await GroupWithIndexAsync("Mine");
        var bobs = (await Bob.CreateGroupAsync("Bob's")).Created();
        var expected = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            await Bob.SendAsync(bobs.Id, $"match hidden {i}");
            await Alice.SendAsync(mine.Id, $"match visible {i}");
            await Alice.SendAsync(mine.Id, $"other {i}");
            expected.Insert(0, $"match visible {i}");
        }

        Host.Services.GetRequiredService<ChatSearchIndex>().PostgresWindow = 2;

        // Act: pages of 3.
        var (seen, _) = await PagesOfMatchAsync(Alice, null, 3);

        // Assert
        Assert.Equal(expected, seen);
    }

    [SkippableFact]
    public async Task SearchMessagesAsync_RoomIdWithMatchesOlderThanTheWindow_PagesFullAndComplete()
    {
        // Arrange: a window of 2 messages, so that most of the room's matches come from the index, past the newer
        // matches of another readable room and of an unreadable one; a room Bob cannot read stays 404.
        var mine = await GroupWithIndexAsync("Mine");
        var other = (await Alice.CreateGroupAsync("Other")).Created();
        var bobs = (await Bob.CreateGroupAsync("Bob's")).Created();
        var expected = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            await Alice.SendAsync(mine.Id, $"match here {i}");
            await Alice.SendAsync(mine.Id, $"other {i}");
            await Alice.SendAsync(other.Id, $"match elsewhere {i}");
            await Bob.SendAsync(bobs.Id, $"match hidden {i}");
            expected.Insert(0, $"match here {i}");
        }

        Host.Services.GetRequiredService<ChatSearchIndex>().PostgresWindow = 2;

        // Act: pages of 3 in the room.
        var (seen, _) = await PagesOfMatchAsync(Alice, mine.Id, 3);

        // Assert
        Assert.Equal(expected, seen);
        Assert.Equal("room_not_found", (await Bob.SearchMessagesAsync("match", mine.Id)).Fails(ChatErrorKind.NotFound).Code);
    }
}
