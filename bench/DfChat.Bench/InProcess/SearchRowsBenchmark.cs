using System.Diagnostics;
using DfChat.EntityFrameworkCore;
using DfChat.Models;
using DfChat.Services;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Bench.InProcess;

/// <summary>
/// The cost of keeping SQLite's search index on the send path: rounds of concurrent sends through the chat's
/// services (so that the write queue batches them, as under load) on two databases that differ only in how
/// a new message reaches the FTS5 table: written by the batch after its save (DfChat now), or by the
/// per-insert trigger of the first search migration (recreated on the baseline database). The rounds
/// alternate between the two, so that both meet the machine in the same moods.
/// </summary>
internal static class SearchRowsBenchmark
{
    public static async Task RunAsync(string folder, bool small, Action<string> report)
    {
        var (senders, rounds) = small ? (4, 5) : (32, 200);
        await using var withRows = await SendHost.CreateAsync(Path.Combine(folder, "search-rows.db"), senders, oldTrigger: false);
        await using var withTrigger = await SendHost.CreateAsync(Path.Combine(folder, "search-trigger.db"), senders, oldTrigger: true);

        var times = new Dictionary<SendHost, List<double>> { [withRows] = [], [withTrigger] = [] };
        for (var round = 0; round < rounds + 5; round++)
        {
            foreach (var host in new[] { withRows, withTrigger })
            {
                var elapsed = await host.SendRoundAsync(round);
                if (round >= 5)
                    times[host].Add(elapsed);
            }
        }

        double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        var (rows, trigger) = (Median(times[withRows]), Median(times[withTrigger]));
        report($"  {senders} concurrent sends, median of {rounds} rounds: search rows written by the batch {rows:F2} ms, " +
            $"by a per-insert trigger (baseline) {trigger:F2} ms: {trigger / rows:F2}x the throughput of the baseline");
        await withRows.AssertIndexedAsync();
        await withTrigger.AssertIndexedAsync();
    }

    /// <summary>The chat's services over a SQLite file, a connection per scope (as a host has), with one group of <c>senders</c> users.</summary>
    internal sealed class SendHost : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly string[] _users;
        private readonly string _roomId;

        private SendHost(ServiceProvider services, string[] users, string roomId) => (_services, _users, _roomId) = (services, users, roomId);

        public static async Task<SendHost> CreateAsync(string path, int senders, bool oldTrigger)
        {
            var services = new ServiceCollection()
                .AddLogging()
                .AddDbContext<BenchDbContext>(o => o.UseSqlite($"Data Source={path}"));
            services.AddDfChatCore<BenchUser>().UseDbContext<BenchDbContext>();
            var provider = services.BuildServiceProvider();
            await using var scope = provider.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            await db.Database.EnsureCreatedAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            var users = Enumerable.Range(0, senders).Select(i => new BenchUser { Id = Guid.NewGuid().ToString(), UserName = $"sender {i}" }).ToArray();
            db.AddRange(users);
            await db.SaveChangesAsync();
            var ids = users.Select(u => u.Id).ToArray();
            var room = await scope.ServiceProvider.GetRequiredService<IChatRoomService>()
                .CreateAsync(ids[0], new CreateRoomRequest { Type = "group", Name = "search rows", UserIds = ids[1..] }, default);

            // The index as a host's first start makes it; then, on the baseline, the trigger it used to have.
            await scope.ServiceProvider.GetRequiredService<ChatSearchIndex>().EnsureAsync(db, default);
            if (oldTrigger)
            {
                await db.Database.ExecuteSqlRawAsync(ChatSearchIndex.ObsoleteSqliteInsertTriggerSql);
            }

            return new SendHost(provider, ids, room.Value!.Id);
        }

        /// <summary>Every user sends one message at once, mentioning the <paramref name="mentions"/> users after it; the milliseconds until all are stored.</summary>
        public async Task<double> SendRoundAsync(int round, int mentions = 0)
        {
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(_users.Select((user, i) => SendAsync(round, i, mentions)));
            return watch.Elapsed.TotalMilliseconds;
        }

        /// <summary>As <see cref="SendRoundAsync"/>, but each user's send after the previous one is stored (one sender at a time).</summary>
        public async Task<double> SendOneByOneAsync(int round, int mentions = 0)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < _users.Length; i++)
                await SendAsync(round, i, mentions);
            return watch.Elapsed.TotalMilliseconds;
        }

        private async Task SendAsync(int round, int i, int mentions)
        {
            await using var scope = _services.CreateAsyncScope();
            var sent = await scope.ServiceProvider.GetRequiredService<IChatMessageService>()
                .SendAsync(_users[i], _roomId, new SendMessageRequest
                {
                    Text = $"round {round} from sender {i}: a message of an ordinary length about the project",
                    Mentions = mentions == 0 ? null : Enumerable.Range(1, mentions).Select(k => _users[(i + k) % _users.Length]).ToArray(),
                }, default);
            if (!sent.Succeeded)
                throw new InvalidOperationException($"A send failed: {sent.Error?.Code}");
        }

        /// <summary>Fails the run unless every message is in the index once (the benchmark measures a working index).</summary>
        public async Task AssertIndexedAsync()
        {
            await using var scope = _services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            var messages = await db.Database.SqlQueryRaw<long>("""SELECT COUNT(*) AS "Value" FROM "ChatMessages" WHERE "Text" IS NOT NULL""").SingleAsync();
            const string countIndexed = $"""SELECT COUNT(*) AS "Value" FROM "{ChatSearchIndex.SqliteTable}_docsize" """;
            var indexed = await db.Database.SqlQueryRaw<long>(countIndexed).SingleAsync();
            if (messages != indexed)
                throw new InvalidOperationException($"{indexed} search rows for {messages} messages.");
        }

        public async ValueTask DisposeAsync()
        {
            await _services.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }
    }
}
