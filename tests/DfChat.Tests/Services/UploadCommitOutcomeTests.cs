using System.Data.Common;
using DfChat.Options;
using DfChat.Services;
using DfChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Services;

/// <summary>
/// An upload whose commit answered with a lost connection (a 503, its outcome unknown) keeps its file
/// when its row was stored after all, and removes it when it was not: never a row without its file.
/// </summary>
public abstract class UploadCommitOutcomeTests(ServiceDatabase database) : ServiceTestBase(database)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    private readonly CommitFault _fault = new();

    protected override void Configure(DfChatOptions options) => options.Media.UnattachedLifetime = Lifetime;

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureDbContext<TestDbContext>(o => o.AddInterceptors(_fault));

    [SkippableFact]
    public async Task UploadAsync_CommitStoredButItsAnswerLost_503AndTheStoredRowKeepsItsFile()
    {
        // Arrange: the commit goes through, then the connection "drops" before its answer.
        _fault.FailNext(afterCommit: true);

        // Act
        var upload = await Alice.UploadAsync(TestFiles.Png(10));

        // Assert: 503, yet the row is stored and its file is there; the sweep takes both once it expires.
        upload.Fails(ChatErrorKind.Unavailable);
        var stored = await StoredKeysAsync();
        Assert.Single(stored);
        Assert.Equal(stored, Host.MediaStore.Keys);
        Host.Clock.Advance(Lifetime + UnattachedMediaSweep<TestUser, string>.Grace + TimeSpan.FromMinutes(1));
        await using (var scope = Host.Services.CreateAsyncScope())
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<IChatMediaSweep>().SweepAsync(CancellationToken.None));
        Assert.Empty(Host.MediaStore.Keys);
    }

    [SkippableFact]
    public async Task UploadAsync_CommitNeverSent_503AndNoFileLeft()
    {
        // Arrange: the connection "drops" before the commit is sent, so the transaction rolls back.
        _fault.FailNext(afterCommit: false);

        // Act
        var upload = await Alice.UploadAsync(TestFiles.Png(10));

        // Assert
        upload.Fails(ChatErrorKind.Unavailable);
        Assert.Empty(await StoredKeysAsync());
        Assert.Empty(Host.MediaStore.Keys);
    }

    private async Task<List<string>> StoredKeysAsync()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TestDbContext>().Set<DfChat.Entities.ChatMedia<string>>().Select(m => m.StorageKey).ToListAsync();
    }

    /// <summary>Fails the next commit as a lost connection would, before it is sent or after it went through.</summary>
    private sealed class CommitFault : DbTransactionInterceptor
    {
        private int _armed;
        private bool _afterCommit;

        public void FailNext(bool afterCommit)
        {
            _afterCommit = afterCommit;
            Volatile.Write(ref _armed, 1);
        }

        public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) =>
            !_afterCommit && Interlocked.Exchange(ref _armed, 0) == 1
                ? throw new TimeoutException("The connection dropped before the commit was sent.")
                : ValueTask.FromResult(result);

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
            _afterCommit && Interlocked.Exchange(ref _armed, 0) == 1
                ? throw new TimeoutException("The connection dropped after the commit, before its answer.")
                : Task.CompletedTask;
    }
}

public sealed class SqliteUploadCommitOutcomeTests(SqliteServiceDatabase database) : UploadCommitOutcomeTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresUploadCommitOutcomeTests(PostgresServiceDatabase database) : UploadCommitOutcomeTests(database), IClassFixture<PostgresServiceDatabase>;
