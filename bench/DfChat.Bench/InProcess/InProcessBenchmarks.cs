using System.Diagnostics;
using System.Globalization;
using DfChat.Entities;
using DfChat.Models;
using DfChat.Services;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Bench.InProcess;

/// <summary>
/// Measures, inside the process, what the design promises, as ratios against a baseline measured in the
/// same run (these machines are shared and noisy, so absolute times mean little):
///  1. listing a user's rooms costs the same whether each room holds 10 or 2,000 unread messages,
///     while counting unread rows at request time (the baseline) grows with them;
///  2. a page deep in a long history costs what the first page costs (keyset), while an offset page
///     (the baseline) grows with its depth;
///  3. concurrent sends keep SQLite's search index faster than a per-insert trigger did (<see cref="SearchRowsBenchmark"/>);
///  4. concurrent sends mentioning 5 members each cost about what plain ones cost (<see cref="MentionSendsBenchmark"/>).
/// </summary>
internal static class InProcessBenchmarks
{
    /// <summary>Runs the benchmarks on SQLite files in a temporary folder; <paramref name="small"/> shrinks them to a smoke test.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(bool small)
    {
        var folder = Directory.CreateTempSubdirectory("dfchat-bench-").FullName;
        var lines = new List<string>();
        try
        {
            Console.WriteLine("In-process benchmarks (SQLite file database, median of repeated runs)");
            var scale = small ? Scale.Smoke : Scale.Full;
            void Report(string line)
            {
                Console.WriteLine(line);
                lines.Add(line);
            }

            await RoomListBenchmark(folder, scale, Report);
            await MessagePageBenchmark(folder, scale, Report);
            await SearchRowsBenchmark.RunAsync(folder, small, Report);
            await MentionSendsBenchmark.RunAsync(folder, small, Report);
            return lines;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task RoomListBenchmark(string folder, Scale scale, Action<string> report)
    {
        int[] Unread = [10, scale.ManyUnread];
        const int rooms = 10;
        var results = new Dictionary<int, (double Stored, double Counting, double Page)>();
        foreach (var unread in Unread)
        {
            await using var bench = await BenchHost.CreateAsync(Path.Combine(folder, $"rooms-{unread}.db"));
            var (reader, writer) = (bench.NewUser("reader"), bench.NewUser("writer"));
            await bench.SeedRoomsAsync(reader, writer, rooms, unread);

            var stored = await Measure(scale, async () =>
            {
                await using var scope = bench.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
                var counts = await db.Set<ChatRoomUser<string>>().Where(m => m.UserId == reader)
                    .OrderByDescending(m => m.RoomId).Take(rooms)
                    .Select(m => (int)(db.Set<ChatRoom<string>>().First(r => r.Id == m.RoomId).LastMessageNumber - m.ReadNumber - m.ReadExclusions))
                    .ToListAsync();
                if (counts.Sum() != rooms * unread)
                    throw new InvalidOperationException("Wrong stored counts.");
            });
            var ours = await Measure(scale, async () =>
            {
                await using var scope = bench.Services.CreateAsyncScope();
                var page = await scope.ServiceProvider.GetRequiredService<IChatRoomService>().ListMineAsync(reader, null, null, new PageRequest(rooms), default);
                if (page.Value!.Items.Sum(r => r.Membership!.UnreadCount) != rooms * unread)
                    throw new InvalidOperationException("Wrong unread counts.");
            });
            var counting = await Measure(scale, async () =>
            {
                await using var scope = bench.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
                var counts = await db.Set<ChatRoomUser<string>>().Where(m => m.UserId == reader)
                    .OrderByDescending(m => m.RoomId).Take(rooms)
                    .Select(m => db.Set<ChatMessage<string>>().Count(x => x.RoomId == m.RoomId && x.CreatedAt > m.LastSeenAt && x.UserId != reader))
                    .ToListAsync();
                if (counts.Sum() != rooms * unread)
                    throw new InvalidOperationException("Wrong baseline counts.");
            });
            results[unread] = (stored, counting, ours);
            report($"  {rooms} rooms, {unread,5} unread each: unread as stored {stored,7:F2} ms | counted at request time {counting,7:F2} ms | whole room page {ours,7:F2} ms");
        }

        var (few, many) = (results[Unread[0]], results[Unread[1]]);
        report($"  -> {Unread[1]}/{Unread[0]} unread: stored x{many.Stored / few.Stored:F2}, counted x{many.Counting / few.Counting:F2}, whole room page x{many.Page / few.Page:F2} (flat is ~x1)");
        report($"  -> at {Unread[1]} unread, counting at request time costs x{many.Counting / many.Stored:F2} the stored counts");
    }

    private static async Task MessagePageBenchmark(string folder, Scale scale, Action<string> report)
    {
        var history = scale.History;
        const int pageSize = 50;
        await using var bench = await BenchHost.CreateAsync(Path.Combine(folder, "history.db"));
        var (reader, writer) = (bench.NewUser("reader"), bench.NewUser("writer"));
        var roomId = await bench.SeedRoomsAsync(reader, writer, 1, history);

        string? deepCursor = null;
        await using (var scope = bench.Services.CreateAsyncScope())
        {
            var messages = scope.ServiceProvider.GetRequiredService<IChatMessageService>();
            string? cursor = null;
            for (var page = 0; page < (history / 100) - 2; page++)
                cursor = (await messages.ListAsync(reader, roomId, new PageRequest(100, cursor), default)).Value!.NextCursor;
            deepCursor = cursor;
        }

        var first = await Measure(scale, () => ListAsync(bench, reader, roomId, pageSize, null));
        var deep = await Measure(scale, () => ListAsync(bench, reader, roomId, pageSize, deepCursor));
        var offsetFirst = await Measure(scale, () => OffsetAsync(bench, long.Parse(roomId, CultureInfo.InvariantCulture), 0, pageSize));
        var offsetDeep = await Measure(scale, () => OffsetAsync(bench, long.Parse(roomId, CultureInfo.InvariantCulture), history - 250, pageSize));
        report($"  page of {pageSize} in {history} messages: first {first:F2} ms, ~{history - 200} deep {deep:F2} ms (keyset)");
        report($"  offset baseline: first {offsetFirst:F2} ms, {history - 250} deep {offsetDeep:F2} ms");
        report($"  -> DfChat deep/first: x{deep / first:F2} (flat is ~x1); offset deep/first: x{offsetDeep / offsetFirst:F2}");
    }

    private static async Task ListAsync(BenchHost bench, string reader, string roomId, int limit, string? cursor)
    {
        await using var scope = bench.Services.CreateAsyncScope();
        var page = await scope.ServiceProvider.GetRequiredService<IChatMessageService>().ListAsync(reader, roomId, new PageRequest(limit, cursor), default);
        if (page.Value!.Items.Count != limit)
            throw new InvalidOperationException("Short page.");
    }

    private static async Task OffsetAsync(BenchHost bench, long roomId, int skip, int take)
    {
        await using var scope = bench.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
        var rows = await db.Set<ChatMessage<string>>().Where(m => m.RoomId == roomId).OrderByDescending(m => m.Id).Skip(skip).Take(take).AsNoTracking().ToListAsync();
        if (rows.Count != take)
            throw new InvalidOperationException("Short page.");
    }

    /// <summary>The median of repeated runs after a warm-up, in milliseconds; the first scenario also pays for JIT, hence a long warm-up.</summary>
    private static async Task<double> Measure(Scale scale, Func<Task> run)
    {
        for (var i = 0; i < scale.WarmUps; i++)
            await run();
        var times = new double[scale.Repeats];
        for (var i = 0; i < times.Length; i++)
        {
            var watch = Stopwatch.StartNew();
            await run();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return times[times.Length / 2];
    }

    /// <summary>How big the benchmarks are: the full size, or a smoke test that only proves they still run.</summary>
    private sealed record Scale(int ManyUnread, int History, int WarmUps, int Repeats)
    {
        public static Scale Full { get; } = new(ManyUnread: 2000, History: 10_000, WarmUps: 50, Repeats: 41);

        public static Scale Smoke { get; } = new(ManyUnread: 100, History: 1000, WarmUps: 3, Repeats: 5);
    }
}

/// <summary>A user of the benchmark host.</summary>
internal sealed class BenchUser
{
    public string Id { get; set; } = "";

    public string? UserName { get; set; }
}

internal sealed class BenchDbContext(DbContextOptions<BenchDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<BenchUser>();
        modelBuilder.UseDfChat<BenchUser>();
    }
}

/// <summary>The chat services over a SQLite file, seeded through the services themselves.</summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private BenchHost(ServiceProvider services) => Services = services;

    public ServiceProvider Services { get; }

    public static async Task<BenchHost> CreateAsync(string path)
    {
        // One connection with synchronous=OFF: seeding tens of thousands of sends through the services
        // would otherwise spend minutes on disk flushes; reads, which are measured, are unaffected.
        var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;";
            pragma.ExecuteNonQuery();
        }

        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(connection)
            .AddDbContext<BenchDbContext>(o => o.UseSqlite(connection));
        services.AddDfChatCore<BenchUser>().UseDbContext<BenchDbContext>();
        var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<BenchDbContext>().Database.EnsureCreatedAsync();
        return new BenchHost(provider);
    }

    public string NewUser(string name)
    {
        using var scope = Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
        var user = new BenchUser { Id = Guid.NewGuid().ToString(), UserName = name };
        db.Add(user);
        db.SaveChanges();
        return user.Id;
    }

    /// <summary>Creates <paramref name="rooms"/> groups of the two users, each with <paramref name="messages"/> messages by the writer.</summary>
    public async Task<string> SeedRoomsAsync(string reader, string writer, int rooms, int messages)
    {
        string roomId = "";
        for (var r = 0; r < rooms; r++)
        {
            await using var scope = Services.CreateAsyncScope();
            var room = await scope.ServiceProvider.GetRequiredService<IChatRoomService>()
                .CreateAsync(writer, new CreateRoomRequest { Type = "group", Name = $"room {r}", UserIds = [reader] }, default);
            roomId = room.Value!.Id;
            var send = scope.ServiceProvider.GetRequiredService<IChatMessageService>();
            for (var m = 0; m < messages; m++)
                await send.SendAsync(writer, roomId, new SendMessageRequest { Text = $"message {m}" }, default);
        }

        return roomId;
    }

    public async ValueTask DisposeAsync()
    {
        var connection = Services.GetRequiredService<SqliteConnection>();
        await Services.DisposeAsync();
        await connection.DisposeAsync();
    }
}
