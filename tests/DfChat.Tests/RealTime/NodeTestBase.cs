using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DfChat.Tests.Http.Infrastructure;
using Npgsql;

namespace DfChat.Tests.RealTime;

/// <summary>A user of a sample-host process: its client (at <c>/api/chat/</c> of that node) and its bearer token for the hub.</summary>
public sealed record NodeUser(ChatUser User, string Token)
{
    public string Id => User.Id;
}

/// <summary>
/// Base of tests that run the sample host as separate processes (<see cref="HostProcess"/>) over one
/// database of <see cref="Provider"/>: a SQLite file in a temp folder, or a PostgreSQL database created
/// for the test and dropped afterwards. Rate limits are off; Redis is used when a test asks for it.
/// </summary>
public abstract class NodeTestBase : IAsyncLifetime
{
    public const string RedisVariable = "DFCHAT_TEST_REDIS";

    private string? _postgresDatabase;

    protected NodeTestBase(DatabaseProvider provider)
    {
        Provider = provider;
        Skip.If(provider == DatabaseProvider.Postgres && ChatApiFactory.PostgresServer is null, ChatApiFactory.PostgresSkipReason);
    }

    protected DatabaseProvider Provider { get; }

    protected string Folder { get; } = Path.Combine(Path.GetTempPath(), "dfchat-nodes-" + Guid.NewGuid().ToString("N"));

    private string ConnectionString { get; set; } = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        if (Provider == DatabaseProvider.Sqlite)
        {
            ConnectionString = $"Data Source={Path.Combine(Folder, "shared.db")}";
            return;
        }

        if (ChatApiFactory.PostgresServer is not { } server)
            return;
        _postgresDatabase = "dfchat_nodes_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_postgresDatabase}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = _postgresDatabase }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_postgresDatabase is not null && ChatApiFactory.PostgresServer is { } server)
        {
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A host still closing its database file; the OS cleans temp folders.
        }
    }

    /// <summary>The Redis of <see cref="RedisVariable"/>; skips the test when there is none.</summary>
    protected static string RequireRedis()
    {
        var redis = Environment.GetEnvironmentVariable(RedisVariable);
        Skip.If(string.IsNullOrEmpty(redis), $"Redis not available: set {RedisVariable} (.ci/run starts a redis-server and does)");
        return redis;
    }

    /// <summary>Starts a node of the sample host on this test's database, with the Redis backplane when <paramref name="redis"/> is given.</summary>
    protected Task<HostProcess> StartNodeAsync(string? redis = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string>
        {
            ["Database__Provider"] = Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres",
            ["ConnectionStrings__Chat"] = ConnectionString,
            ["ConnectionStrings__Redis"] = redis ?? "",
            ["Media__Root"] = Path.Combine(Folder, "media"),
            ["DfChat__RateLimits__Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            all[key] = value;
        return HostProcess.StartSampleAsync(all, Folder);
    }

    protected static Uri HubUrl(HostProcess node) => new(node.BaseAddress, "/api/chat/hub");

    /// <summary>Registers a new user on <paramref name="node"/> and logs it in there.</summary>
    protected static async Task<NodeUser> UserAsync(HostProcess node, string name)
    {
        var email = $"{name}-{Guid.NewGuid():N}@test.example";
        using (var auth = new HttpClient { BaseAddress = node.BaseAddress })
        {
            var register = await auth.PostAsJsonAsync("/auth/register", new { email, password = ChatApiFactory.Password });
            Assert.True(register.IsSuccessStatusCode, $"register: {(int)register.StatusCode} {await register.Content.ReadAsStringAsync()}");
        }

        return await LoginAsync(node, email);
    }

    /// <summary>Logs an existing user in on <paramref name="node"/> (a node started later, or another one).</summary>
    protected static async Task<NodeUser> LoginAsync(HostProcess node, string email)
    {
        string token;
        using (var auth = new HttpClient { BaseAddress = node.BaseAddress })
        {
            var login = await auth.PostAsJsonAsync("/auth/login", new { email, password = ChatApiFactory.Password });
            Assert.True(login.IsSuccessStatusCode, $"login: {(int)login.StatusCode} {await login.Content.ReadAsStringAsync()}");
            token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        }

        var http = new HttpClient { BaseAddress = new Uri(node.BaseAddress, "/api/chat/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await http.GetFromJsonAsync<JsonElement>("users/me");
        return new NodeUser(new ChatUser(me.GetProperty("id").GetString()!, email, http), token);
    }
}
