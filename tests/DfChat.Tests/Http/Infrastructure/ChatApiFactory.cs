using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DfChat.Tests.Http.Infrastructure;

/// <summary>
/// <c>samples/HostApp</c> on a test server, configured only through settings: a fresh database of
/// <see cref="Provider"/> (a SQLite file in a temp folder, or a PostgreSQL database created for this
/// factory and dropped afterwards), media in a temp folder, environment "Testing", a small upload limit.
/// One factory serves a whole test class; tests create their own users and rooms.
/// </summary>
public abstract class ChatApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string PostgresVariable = "DFCHAT_TEST_POSTGRES";
    public const string PostgresSkipReason = "PostgreSQL not available: set DFCHAT_TEST_POSTGRES (.ci/run does)";

    /// <summary>The upload limit of every test host: small, so that 413 tests stay fast.</summary>
    public const long MaxFileSize = 64 * 1024;

    public const string Password = "Passw0rd!";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dfchat-http-" + Guid.NewGuid().ToString("N"));
    private string? _postgresDatabase;

    protected ChatApiFactory(DatabaseProvider provider) => Provider = provider;

    public DatabaseProvider Provider { get; }

    /// <summary>The administrative connection string of the PostgreSQL server, or null when none is configured.</summary>
    public static string? PostgresServer =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : null;

    public bool IsAvailable => Provider == DatabaseProvider.Sqlite || PostgresServer is not null;

    /// <summary>The chat database of this factory.</summary>
    public string ConnectionString { get; private set; } = "";

    public string MediaRoot => Path.Combine(_folder, "media");

    /// <summary>Extra settings of a derived factory, such as reaction options.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    /// <summary>Skips the calling test when its provider is not available; PostgreSQL tests never pass silently.</summary>
    public void SkipIfUnavailable() => Skip.If(!IsAvailable, PostgresSkipReason);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        if (Provider == DatabaseProvider.Sqlite)
        {
            ConnectionString = $"Data Source={Path.Combine(_folder, "x.db")}";
            return;
        }

        if (PostgresServer is not { } server)
            return;
        _postgresDatabase = "dfchat_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_postgresDatabase}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = _postgresDatabase, Pooling = true }.ConnectionString;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (Provider == DatabaseProvider.Sqlite)
            SqliteConnection.ClearAllPools();
        if (_postgresDatabase is not null && PostgresServer is { } server)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
            _postgresDatabase = null;
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finishing request: the temp folder is cleaned by the OS.
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres");
        builder.UseSetting("ConnectionStrings:Chat", ConnectionString);
        builder.UseSetting("Media:Root", MediaRoot);
        builder.UseSetting("DfChat:Media:MaxFileSize", MaxFileSize.ToString(CultureInfo.InvariantCulture));

        // Tests send faster than people do: the limits stay on (their filter runs in every test) but out
        // of reach; RateLimitTests sets low ones, and UnthrottledChatApi turns them off.
        builder.UseSetting("DfChat:RateLimits:MessagesPerMinute", "100000");
        builder.UseSetting("DfChat:RateLimits:UploadsPerMinute", "100000");
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);

        // Password hashing is not under test: one iteration keeps registering hundreds of users fast.
        builder.ConfigureTestServices(services => services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1));
    }

    /// <summary>A client without credentials, based at the chat's mount point.</summary>
    public HttpClient CreateAnonymousClient()
    {
        var client = CreateClient();
        client.BaseAddress = new Uri(client.BaseAddress!, "/api/chat/");
        return client;
    }

    /// <summary>Registers and logs in a new user through <c>/auth</c>, and returns a client that sends its bearer token.</summary>
    public Task<ChatUser> CreateUserAsync(string name = "user") => CreateUserAsync(this, name);

    /// <summary>Registers and logs in a new user on <paramref name="host"/>.</summary>
    public static async Task<ChatUser> CreateUserAsync(WebApplicationFactory<Program> host, string name = "user")
    {
        var email = $"{name}-{Guid.NewGuid():N}@test.example".ToLowerInvariant();
        string? token;
        using (var auth = host.CreateClient())
        {
            var register = await auth.PostAsJsonAsync("/auth/register", new { email, password = Password });
            Assert.True(register.IsSuccessStatusCode, $"register: {(int)register.StatusCode} {await register.Content.ReadAsStringAsync()}");
            var login = await auth.PostAsJsonAsync("/auth/login", new { email, password = Password });
            Assert.True(login.IsSuccessStatusCode, $"login: {(int)login.StatusCode} {await login.Content.ReadAsStringAsync()}");
            token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        }

        var client = host.CreateClient();
        client.BaseAddress = new Uri(client.BaseAddress!, "/api/chat/");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await client.GetFromJsonAsync<JsonElement>("users/me");
        return new ChatUser(me.GetProperty("id").GetString()!, email, client);
    }

    /// <summary>A second host over the same database and media with extra settings (disposed with this factory).</summary>
    public WebApplicationFactory<Program> WithSettings(IReadOnlyDictionary<string, string?> settings) =>
        WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings)
                builder.UseSetting(key, value);
        });
}

public sealed class SqliteChatApi() : ChatApiFactory(DatabaseProvider.Sqlite);

public sealed class PostgresChatApi() : ChatApiFactory(DatabaseProvider.Postgres);
