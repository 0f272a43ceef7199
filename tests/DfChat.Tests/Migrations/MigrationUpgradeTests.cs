using System.Data.Common;
using DfChat.Entities;
using DfChat.Models;
using DfChat.Services;
using DfChat.Tests.Http.Infrastructure;
using DfChat.Tests.Infrastructure;
using HostApp.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Migrations;

/// <summary>
/// The sample's migrations upgrade a database created at the previous migration (<c>Initial</c>) with
/// users, a room, members, messages and a reaction in it: the data survives, the room's new
/// <c>NormalizedName</c> and the messages' media and reaction columns are backfilled, and the new index exists.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes it through IAsyncLifetime.DisposeAsync.")]
public abstract class MigrationUpgradeTests(ServiceDatabase database) : DatabaseTestBase(database), IAsyncLifetime
{
    private const string RoomName = "Équipe Café TEAM Øresund";
    private const string NewIndex = "IX_ChatMessages_RoomId_CreatedAt";
    private static readonly DateTime T0 = new(2026, 1, 5, 9, 0, 0, DateTimeKind.Utc);

    private SqliteConnection? _sqlite;
    private ServiceProvider _services = null!;
    private Action<DbContextOptionsBuilder> _useDatabase = null!;

    public Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        if (Database.Provider == DatabaseProvider.Sqlite)
        {
            _sqlite = new SqliteConnection("DataSource=:memory:");
            _sqlite.Open();
            _useDatabase = o => o.UseSqlite(_sqlite);
            services.AddDbContext<AppDbContext, SqliteAppDbContext>(_useDatabase);
        }
        else
        {
            var connectionString = ((PostgresServiceDatabase)Database).ConnectionString;
            _useDatabase = o => o.UseNpgsql(connectionString);
            services.AddDbContext<AppDbContext, PostgresAppDbContext>(_useDatabase);
        }

        // As the sample wires it.
        services.AddDfChatCore<AppUser>().UseDbContext<AppDbContext>();
        _services = services.BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
            await _services.DisposeAsync();
        if (_sqlite is not null)
            await _sqlite.DisposeAsync();
    }

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = _services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private Task<T> InDbAsync<T>(Func<AppDbContext, Task<T>> work) =>
        InScopeAsync(sp => work(sp.GetRequiredService<AppDbContext>()));

    /// <summary>The schema of <c>Initial</c>: the current model without what the next migration adds.</summary>
    private sealed class InitialSchemaContext(DbContextOptions<InitialSchemaContext> options) : AppDbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder builder)
        {
            base.OnModelCreating(builder);
            builder.Entity<AppUser>().Ignore(u => u.DisplayName);
            builder.Entity<ChatRoom<string>>().Ignore(r => r.NormalizedName).Ignore(r => r.LastMessageNumber).Ignore(r => r.LastSeq).Ignore(r => r.LatestLastSeenAt)
                .Ignore(r => r.SlowModeSeconds).Ignore(r => r.Frozen);
            var messages = builder.Entity<ChatMessage<string>>().Metadata;
            foreach (var index in messages.GetIndexes().Where(i => i.Properties.Any(p => p.Name == nameof(ChatMessage<string>.ThreadId))).ToList())
                messages.RemoveIndex(index);
            messages.RemoveForeignKey(messages.GetForeignKeys().Single(f => f.Properties.Any(p => p.Name == nameof(ChatMessage<string>.ThreadId))));
            builder.Entity<ChatMessage<string>>().Ignore(m => m.Number).Ignore(m => m.HasMedia).Ignore(m => m.ReactionCount)
                .Ignore(m => m.ThreadId).Ignore(m => m.ThreadReplyCount).Ignore(m => m.ThreadLastReplyAt).Ignore(m => m.Mentions).Ignore(m => m.PinnedAt);
            var members = builder.Entity<ChatRoomUser<string>>();
            foreach (var index in members.Metadata.GetIndexes().Where(i => i.Properties.Any(p => p.Name == nameof(ChatRoomUser<string>.LastSeenAt))).ToList())
                members.Metadata.RemoveIndex(index);
            members.Ignore(m => m.ReadNumber).Ignore(m => m.ReadExclusions).Ignore(m => m.MentionCount).Ignore(m => m.LastPostedAt);
            builder.Ignore<ChatMessagePin<string>>();
            builder.Ignore<ChatMessageEdit>();
            members.Property<int>("UnreadCount");
            members.Property<DateTime>("RoomLastActivityAt").HasConversion(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
            builder.Ignore<ChatRoomEvent>();
            builder.Ignore<ChatRoomBan<string>>().Ignore<ChatUserBlock<string>>().Ignore<ChatRoomInvite<string>>().Ignore<ChatMessageReport<string>>();
        }
    }

    private sealed record Seeded(string AliceId, string BobId, long RoomId, long FirstMessageId, long SecondMessageId);

    /// <summary>Two users, a group with both as members, two messages (the second a reply) and a reaction.</summary>
    private async Task<Seeded> SeedAtInitialAsync()
    {
        var builder = new DbContextOptionsBuilder<InitialSchemaContext>();
        _useDatabase(builder);
        await using var db = new InitialSchemaContext(builder.Options);

        var alice = NewUser("alice@example.test");
        var bob = NewUser("bob@example.test");
        db.Users.AddRange(alice, bob);
        await db.SaveChangesAsync();

        var room = new ChatRoom<string>
        {
            Type = ChatRoomType.Group,
            Name = RoomName,
            Description = "Grüße",
            CreatedAt = T0,
            CreatedBy = alice.Id,
            LastActivityAt = T0.AddMinutes(2),
            MemberCount = 2,
        };
        db.Add(room);
        await db.SaveChangesAsync();

        var owner = new ChatRoomUser<string>
        {
            RoomId = room.Id,
            UserId = alice.Id,
            IsOwner = true,
            Permissions = ChatPermissions.All,
            LastSeenAt = T0.AddMinutes(1),
            CreatedBy = alice.Id,
            CreatedAt = T0,
        };
        var reader = new ChatRoomUser<string>
        {
            RoomId = room.Id,
            UserId = bob.Id,
            Muted = true,
            Permissions = ChatPermissions.CreateMessages | ChatPermissions.AddUsers | ChatPermissions.EditOwnMessages | ChatPermissions.DeleteOwnMessages,
            LastSeenAt = T0,
            CreatedBy = alice.Id,
            CreatedAt = T0,
        };
        db.AddRange(owner, reader);
        foreach (var member in new[] { owner, reader })
        {
            db.Entry(member).Property("UnreadCount").CurrentValue = 1;
            db.Entry(member).Property("RoomLastActivityAt").CurrentValue = T0.AddMinutes(2);
        }

        var first = new ChatMessage<string> { RoomId = room.Id, UserId = alice.Id, Text = "Привет, Bob", CreatedAt = T0.AddMinutes(1), ClientMessageId = "c-1" };
        db.Add(first);
        await db.SaveChangesAsync();

        var second = new ChatMessage<string> { RoomId = room.Id, UserId = bob.Id, Text = "Hi 👋", ReplyToId = first.Id, CreatedAt = T0.AddMinutes(2) };
        db.Add(second);
        await db.SaveChangesAsync();

        room.LastMessageId = second.Id;
        db.Add(new ChatMessageReaction<string> { RoomId = room.Id, MessageId = second.Id, UserId = alice.Id, Reaction = "like", CreatedAt = T0.AddMinutes(3) });
        await db.SaveChangesAsync();
        return new Seeded(alice.Id, bob.Id, room.Id, first.Id, second.Id);
    }

    private static AppUser NewUser(string email) => new()
    {
        UserName = email,
        NormalizedUserName = email.ToUpperInvariant(),
        Email = email,
        NormalizedEmail = email.ToUpperInvariant(),
        SecurityStamp = Guid.NewGuid().ToString(),
    };

    private Task<bool> IndexExistsAsync(string name) => ExistsAsync(
        Database.Provider == DatabaseProvider.Sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = @name"
            : "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = @name",
        name);

    private Task<bool> TableExistsAsync(string name) => ExistsAsync(
        Database.Provider == DatabaseProvider.Sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @name"
            : "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = @name",
        name);

    /// <summary>Whether PostgreSQL holds a valid index of that name in the schema.</summary>
    private Task<bool> ValidIndexExistsAsync(string name) => ExistsAsync(
        "SELECT COUNT(*) FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid WHERE i.indisvalid AND c.relnamespace = current_schema()::regnamespace AND c.relname = @name",
        name);

    private async Task<bool> ExistsAsync(string sql, string name)
    {
        return await InDbAsync(async db =>
        {
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            try
            {
                await using DbCommand command = connection.CreateCommand();
                command.CommandText = sql;
                var parameter = command.CreateParameter();
                parameter.ParameterName = "name";
                parameter.Value = name;
                command.Parameters.Add(parameter);
                return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0;
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        });
    }

    [SkippableFact]
    public async Task Migrate_FromInitialWithData_DataSurvivesAndSearchFindsRoom()
    {
        // Arrange: a database at Initial, with data.
        var initial = await InDbAsync(async db =>
        {
            var name = db.Database.GetMigrations().Single(m => m.EndsWith("_Initial", StringComparison.Ordinal));
            await db.GetService<IMigrator>().MigrateAsync(name);
            Assert.Equal([name], await db.Database.GetAppliedMigrationsAsync());
            return name;
        });
        Assert.False(await IndexExistsAsync(NewIndex), "The index should only come with the second migration.");
        var seeded = await SeedAtInitialAsync();

        // Act: upgrade to the newest migration, as the sample does at start.
        await InDbAsync(async db =>
        {
            await db.Database.MigrateAsync();
            return true;
        });

        // Assert: every migration applied, the data as it was.
        await InDbAsync(async db =>
        {
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            Assert.Contains(initial, await db.Database.GetAppliedMigrationsAsync());

            Assert.Equal(["alice@example.test", "bob@example.test"], await db.Users.OrderBy(u => u.UserName).Select(u => u.UserName).ToListAsync());
            // The sample's display names came later: users from before have none, and are shown by user name.
            Assert.All(await db.Users.Select(u => u.DisplayName).ToListAsync(), Assert.Null);

            var room = await db.Set<ChatRoom<string>>().SingleAsync();
            Assert.Equal(seeded.RoomId, room.Id);
            Assert.Equal(ChatRoomType.Group, room.Type);
            Assert.Equal(RoomName, room.Name);
            Assert.Equal("Grüße", room.Description);
            Assert.Equal(seeded.AliceId, room.CreatedBy);
            Assert.Equal(T0, room.CreatedAt);
            Assert.Equal(seeded.SecondMessageId, room.LastMessageId);
            Assert.Equal(2, room.MemberCount);

            // Moderation's columns: an old room is neither slowed nor frozen, an old member has never posted under slow mode.
            Assert.Equal((0, false), (room.SlowModeSeconds, room.Frozen));

            // Backfilled with lower(Name): ASCII letters fold on every provider.
            Assert.NotNull(room.NormalizedName);
            Assert.Contains("team", room.NormalizedName, StringComparison.Ordinal);
            Assert.DoesNotContain("TEAM", room.NormalizedName, StringComparison.Ordinal);

            var members = await db.Set<ChatRoomUser<string>>().OrderBy(m => m.Id).ToListAsync();
            Assert.Equal([seeded.AliceId, seeded.BobId], members.Select(m => m.UserId));
            Assert.True(members[0].IsOwner);
            Assert.Equal(ChatPermissions.All, members[0].Permissions);
            Assert.True(members[1].Muted);
            Assert.Equal(T0, members[1].LastSeenAt);
            Assert.All(members, m => Assert.Null(m.LastPostedAt));

            var messages = await db.Set<ChatMessage<string>>().OrderBy(m => m.Id).ToListAsync();
            Assert.Equal(["Привет, Bob", "Hi 👋"], messages.Select(m => m.Text));
            Assert.Equal([seeded.FirstMessageId, seeded.SecondMessageId], messages.Select(m => m.Id));
            Assert.Equal(seeded.FirstMessageId, messages[1].ReplyToId);
            Assert.Equal("c-1", messages[0].ClientMessageId);
            Assert.Equal(T0.AddMinutes(2), messages[1].CreatedAt);

            // Conversation columns: old messages are top-level, unpinned, mention nobody; no member is mentioned.
            Assert.All(messages, m => Assert.Equal((null, 0, null, null, null), (m.ThreadId, m.ThreadReplyCount, m.ThreadLastReplyAt, m.Mentions, m.PinnedAt)));
            Assert.All(members, m => Assert.Equal(0, m.MentionCount));

            // Backfilled: whether each old message has media, and how many reactions it has.
            Assert.Equal([(false, 0), (false, 1)], messages.Select(m => (m.HasMedia, m.ReactionCount)).Select(x => (x.HasMedia!.Value, x.ReactionCount!.Value)));

            var reaction = await db.Set<ChatMessageReaction<string>>().SingleAsync();
            Assert.Equal((seeded.SecondMessageId, seeded.AliceId, "like"), (reaction.MessageId, reaction.UserId, reaction.Reaction));
            return true;
        });
        Assert.True(await IndexExistsAsync(NewIndex), $"{NewIndex} is missing after the upgrade.");

        // Mention counts are recounted from the messages' own mentions since DropMessageMentionRows: its table is gone.
        Assert.False(await TableExistsAsync("ChatMessageMentions"), "ChatMessageMentions should be dropped by the upgrade.");

        // The services find the old room by a case-insensitive search and read its history.
        var found = await InScopeAsync(sp => sp.GetRequiredService<IChatRoomService>().ListMineAsync(seeded.BobId, null, "tEaM", new PageRequest(), CancellationToken.None));
        var listed = Assert.Single(found.Ok().Items);
        Assert.Equal(seeded.RoomId.ToString(System.Globalization.CultureInfo.InvariantCulture), listed.Id);
        Assert.Equal(RoomName, listed.Name);
        Assert.Equal("Hi 👋", listed.LastMessage?.Text);
        Assert.Equal(1, listed.Membership?.UnreadCount);
        Assert.Equal(1, (await InScopeAsync(sp => sp.GetRequiredService<IChatRoomService>().GetAsync(seeded.AliceId, listed.Id, CancellationToken.None))).Ok().Membership?.UnreadCount);

        var history = await InScopeAsync(sp => sp.GetRequiredService<IChatMessageService>().ListAsync(seeded.AliceId, listed.Id, new PageRequest(), CancellationToken.None));
        var items = history.Ok().Items;
        Assert.Equal(["Hi 👋", "Привет, Bob"], items.Select(m => m.Text));
        var like = Assert.Single(items[0].Reactions);
        Assert.Equal(("like", 1, true), (like.Reaction, like.Count, like.Me));

        // Messages stored before the search index existed are found: DfChat indexes them in batches at first use.
        var searched = await InScopeAsync(sp => sp.GetRequiredService<IChatSearchService>().SearchMessagesAsync(seeded.BobId, "привет", null, new PageRequest(), CancellationToken.None));
        Assert.Equal(["Привет, Bob"], searched.Ok().Items.Select(m => m.Text));

        // And keep writing: new rows get fresh ids after the old ones.
        var sent = await InScopeAsync(sp => sp.GetRequiredService<IChatMessageService>().SendAsync(seeded.BobId, listed.Id, new SendMessageRequest { Text = "after the upgrade" }, CancellationToken.None));
        Assert.True(long.Parse(sent.Created().Id, System.Globalization.CultureInfo.InvariantCulture) > seeded.SecondMessageId);
        var renamed = await InScopeAsync(sp => sp.GetRequiredService<IChatRoomService>().CreateAsync(seeded.AliceId, new CreateRoomRequest { Type = "group", Name = "Second TEAM" }, CancellationToken.None));
        renamed.Created();
        var both = await InScopeAsync(sp => sp.GetRequiredService<IChatRoomService>().ListMineAsync(seeded.AliceId, null, "team", new PageRequest(), CancellationToken.None));
        Assert.Equal(2, both.Ok().Items.Count);

        // New and edited messages are indexed in their own transaction (SQLite: by the chat's writes, the
        // insert trigger of MessageSearchIndex dropped by SearchRowsWrittenByChat; PostgreSQL: by the trigger).
        if (Database.Provider == DatabaseProvider.Sqlite)
        {
            var triggers = await InDbAsync(db => db.Database.SqlQueryRaw<string>("""SELECT name AS "Value" FROM sqlite_master WHERE type = 'trigger' AND name = 'ChatMessages_search_insert'""").ToListAsync());
            Assert.Empty(triggers);
            var sentIndexed = await InDbAsync(db => db.Database.SqlQuery<long>($"""SELECT COUNT(*) AS "Value" FROM "ChatMessageSearch_docsize" WHERE id = {long.Parse(sent.Created().Id, System.Globalization.CultureInfo.InvariantCulture)}""").SingleAsync());
            Assert.Equal(1, sentIndexed);
        }


        var edited = await InScopeAsync(sp => sp.GetRequiredService<IChatMessageService>().EditAsync(seeded.BobId, listed.Id, sent.Created().Id, "after the upgrade, edited", CancellationToken.None));
        edited.Ok();
        var afterEdit = await InScopeAsync(sp => sp.GetRequiredService<IChatSearchService>().SearchMessagesAsync(seeded.AliceId, "upgrade edit", listed.Id, new PageRequest(), CancellationToken.None));
        Assert.Equal(["after the upgrade, edited"], afterEdit.Ok().Items.Select(m => m.Text));

        // A mention is counted from the message's own ids; going back past DropMessageMentionRows rebuilds the rows
        // the older code counts from (the author's own mention left out, as it never counted), and up again drops them.
        var mentioning = await InScopeAsync(sp => sp.GetRequiredService<IChatMessageService>().SendAsync(
            seeded.AliceId, listed.Id, new SendMessageRequest { Text = "ping", Mentions = [seeded.BobId, seeded.AliceId] }, CancellationToken.None));
        var mentionId = long.Parse(mentioning.Created().Id, System.Globalization.CultureInfo.InvariantCulture);
        var bobsRoom = await InScopeAsync(sp => sp.GetRequiredService<IChatRoomService>().GetAsync(seeded.BobId, listed.Id, CancellationToken.None));
        Assert.Equal(1, bobsRoom.Ok().Membership?.MentionCount);
        await InDbAsync(async db =>
        {
            var previous = db.Database.GetMigrations().Single(m => m.EndsWith("_SearchRowsWrittenByChat", StringComparison.Ordinal));
            await db.GetService<IMigrator>().MigrateAsync(previous);
            return true;
        });
        var rows = await InDbAsync(db => db.Database.SqlQuery<string>($"""SELECT "UserId" AS "Value" FROM "ChatMessageMentions" WHERE "MessageId" = {mentionId}""").ToListAsync());
        Assert.Equal([seeded.BobId], rows);
        var postgres = Database.Provider == DatabaseProvider.Postgres;
        if (postgres)
            Assert.False(await ValidIndexExistsAsync("IX_ChatMessages_SearchBuckets"), "Down past SearchBuckets should drop its index.");
        await InDbAsync(async db =>
        {
            await db.Database.MigrateAsync();
            return true;
        });
        Assert.False(await TableExistsAsync("ChatMessageMentions"), "Up again should drop ChatMessageMentions.");
        if (postgres)
            Assert.True(await ValidIndexExistsAsync("IX_ChatMessages_SearchBuckets"), "Up again should build the bucketed search index.");
    }
}

public sealed class SqliteMigrationUpgradeTests(SqliteServiceDatabase database) : MigrationUpgradeTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresMigrationUpgradeTests(PostgresServiceDatabase database) : MigrationUpgradeTests(database), IClassFixture<PostgresServiceDatabase>;
