using System.Collections.Concurrent;
using System.Security.Claims;
using DfChat.Entities;
using DfChat.Services;
using DfChat.Tests.Http.Infrastructure;
using DfChat.Writes;
using HostApp.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DfChat.Tests.Http;

/// <summary>
/// Issue 21, "writes run in their own context": concurrent writes commit together (group commit), yet
/// host code that runs during a write sees that write's request. The host here does what real hosts do:
/// a save-changes interceptor stamps each new message with the user and tenant of the current request
/// (<c>IHttpContextAccessor</c>), and its DbContext "chooses its tenant" the first time it is used, as a
/// context that picks the tenant's database or query filter would; the tenant comes from a header and
/// is the host's write partition (<see cref="IChatWritePartition"/>).
/// </summary>
public abstract class WriteContextTests(TenantHostChatApi api) : HttpTestBase(api)
{
    private const int SendersPerTenant = 16;
    private const int MessagesPerSender = 4;

    [SkippableFact]
    public async Task SendMessage_TwoTenantsOfSixteenConcurrentSenders_EveryRowStampedWithItsOwnRequestAndTenant()
    {
        // Arrange: per tenant, a group of 16 senders whose every request names the tenant.
        var tenants = new[] { "tenant-a", "tenant-b" };
        var senders = new List<(ChatUser User, string Tenant, string RoomId)>();
        foreach (var tenant in tenants)
        {
            var users = await WritePath.BoundedAsync(Enumerable.Range(0, SendersPerTenant + 1).ToList(), 8, i => UserAsync($"{tenant}-{i}"));
            foreach (var user in users)
                user.Client.DefaultRequestHeaders.Add(TenantHostChatApi.TenantHeader, tenant);
            var roomId = await users[0].CreateGroupAsync(users[1..]);
            senders.AddRange(users[1..].Select(u => (u, tenant, roomId)));
        }

        var stamps = ((TenantHostChatApi)Api).Stamps;
        stamps.Clear();
        var outcomes = new ConcurrentQueue<Outcome>();

        // Act: all 32 senders at once, so that batches hold several requests' writes.
        await Task.WhenAll(senders.Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < MessagesPerSender; i++)
            {
                var text = $"{s.Tenant}|{s.User.Id}|{i}";
                outcomes.Enqueue(await Outcome.OfAsync("send", s.User, u => u.PostAsync($"rooms/{s.RoomId}/messages", new { text })));
            }
        })));

        // Assert: each row saved once, in its sender's request, by a context of its sender's tenant.
        WritePath.AllAre(outcomes, "send", 201);
        var saved = stamps.Where(s => s.Text.Contains('|', StringComparison.Ordinal)).ToList();
        Assert.Equal(senders.Count * MessagesPerSender, saved.Count);
        Assert.All(saved, stamp =>
        {
            var parts = stamp.Text.Split('|');
            Assert.True(parts[1] == stamp.RequestUser, $"'{stamp.Text}' was saved in the request of user {stamp.RequestUser}");
            Assert.True(parts[0] == stamp.RequestTenant, $"'{stamp.Text}' was saved in a request of {stamp.RequestTenant}");
            Assert.True(parts[0] == stamp.ContextTenant, $"'{stamp.Text}' was saved by a DbContext of {stamp.ContextTenant}");
        });
        foreach (var (user, _, roomId) in senders.DistinctBy(s => s.RoomId))
            Assert.Equal(SendersPerTenant * MessagesPerSender, (await WritePath.AllMessagesAsync(user, roomId)).Count);
    }

    [SkippableFact]
    public async Task AddMember_HostUserFilterReadsTheRequest_FilterAskedInTheAddingRequest()
    {
        // Arrange: a user filter that lets a caller find only users of the tenant its request names
        // (by the e-mail prefix), and two tenants' users.
        var owner = await UserAsync("tenant-a-owner");
        var sameTenant = await UserAsync("tenant-a-peer");
        var otherTenant = await UserAsync("tenant-b-peer");
        owner.Client.DefaultRequestHeaders.Add(TenantHostChatApi.TenantHeader, "tenant-a");
        var roomId = await owner.CreateGroupAsync();

        // Act
        using var added = await owner.PostAsync($"rooms/{roomId}/users", new { userId = sameTenant.Id });
        using var refused = await owner.PostAsync($"rooms/{roomId}/users", new { userId = otherTenant.Id });

        // Assert
        await HttpAssert.StatusAsync(added, System.Net.HttpStatusCode.Created);
        await HttpAssert.ProblemAsync(refused, System.Net.HttpStatusCode.BadRequest, "userId");
    }
}

/// <summary>
/// The sample host plus what multi-tenant hosts add: the tenant of each request (header
/// <see cref="TenantHeader"/>) as the chat's write partition and as the user filter's scope, and an
/// interceptor that records, for each message saved, the request and tenant it was saved in.
/// </summary>
public abstract class TenantHostChatApi(DatabaseProvider provider) : UnthrottledChatApi(provider)
{
    public const string TenantHeader = "X-Tenant";

    /// <summary>What the interceptor saw for every message saved.</summary>
    public ConcurrentQueue<Stamp> Stamps { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddHttpContextAccessor();
            services.AddSingleton(sp => new StampingInterceptor(sp.GetRequiredService<IHttpContextAccessor>(), Stamps));
            services.ConfigureDbContext<SqliteAppDbContext>((sp, o) => o.AddInterceptors(sp.GetRequiredService<StampingInterceptor>()));
            services.ConfigureDbContext<PostgresAppDbContext>((sp, o) => o.AddInterceptors(sp.GetRequiredService<StampingInterceptor>()));
            services.Replace(ServiceDescriptor.Scoped<IChatWritePartition, HeaderTenantPartition>());
            services.Replace(ServiceDescriptor.Scoped<IChatUserFilter<AppUser>, HeaderTenantUserFilter>());
        });
    }

    private static string? TenantOf(HttpContext? http) =>
        http?.Request.Headers[TenantHeader] is { Count: > 0 } tenant ? tenant.ToString() : null;

    /// <summary>One message as the interceptor saw it saved.</summary>
    public sealed record Stamp(string Text, string? RequestUser, string? RequestTenant, string? ContextTenant);

    private sealed class HeaderTenantPartition(IHttpContextAccessor http) : IChatWritePartition
    {
        public string? Current => TenantOf(http.HttpContext);
    }

    /// <summary>Users whose e-mail starts with the request's tenant (the test names users so).</summary>
    private sealed class HeaderTenantUserFilter(IHttpContextAccessor http) : IChatUserFilter<AppUser>
    {
        public ValueTask<System.Linq.Expressions.Expression<Func<AppUser, bool>>?> FindableByAsync(string callerId, CancellationToken cancellationToken)
        {
            var tenant = TenantOf(http.HttpContext);
            return ValueTask.FromResult<System.Linq.Expressions.Expression<Func<AppUser, bool>>?>(
                tenant is null ? null : u => u.Email != null && u.Email.StartsWith(tenant));
        }
    }

    private sealed class StampingInterceptor(IHttpContextAccessor http, ConcurrentQueue<Stamp> stamps) : SaveChangesInterceptor
    {
        /// <summary>The tenant each DbContext lease chose when first used, as a context that picks the tenant's database does.</summary>
        private readonly ConcurrentDictionary<DbContextId, string?> _contextTenants = new();

        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            Stamp(eventData.Context!);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Stamp(eventData.Context!);
            return ValueTask.FromResult(result);
        }

        private void Stamp(DbContext context)
        {
            var request = http.HttpContext;
            var requestTenant = TenantOf(request);
            var contextTenant = _contextTenants.GetOrAdd(context.ContextId, requestTenant);
            var user = request?.User.FindFirstValue(ClaimTypes.NameIdentifier);
            foreach (var entry in context.ChangeTracker.Entries<ChatMessage<string>>().Where(e => e.State == EntityState.Added))
                stamps.Enqueue(new Stamp(entry.Entity.Text ?? "", user, requestTenant, contextTenant));
        }
    }
}

public sealed class SqliteTenantHostChatApi() : TenantHostChatApi(DatabaseProvider.Sqlite);

public sealed class PostgresTenantHostChatApi() : TenantHostChatApi(DatabaseProvider.Postgres);

public sealed class SqliteWriteContextTests(SqliteTenantHostChatApi api) : WriteContextTests(api), IClassFixture<SqliteTenantHostChatApi>;

public sealed class PostgresWriteContextTests(PostgresTenantHostChatApi api) : WriteContextTests(api), IClassFixture<PostgresTenantHostChatApi>;
