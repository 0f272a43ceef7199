using Microsoft.EntityFrameworkCore;

namespace DfChat;

/// <summary>
/// Lets one chat write at a time into a SQLite database. SQLite allows a single writer; when writers
/// contend, its driver backs off with blocking sleeps of ~150 ms (PLATFORM-NOTES: p99 2–5 s at 32
/// writers), while queueing them in process keeps the same throughput at a p99 of ~33 ms.
/// Other providers pass straight through.
/// </summary>
internal sealed class ChatWriteGate : IDisposable
{
    private readonly SemaphoreSlim _sqliteWriter = new(1, 1);

    public async ValueTask<Releaser> EnterAsync(DbContext context, CancellationToken cancellationToken)
    {
        if (context.Database.ProviderName?.Contains("Sqlite", StringComparison.Ordinal) != true)
            return default;
        await _sqliteWriter.WaitAsync(cancellationToken);
        return new Releaser(_sqliteWriter);
    }

    public void Dispose() => _sqliteWriter.Dispose();

    internal readonly struct Releaser(SemaphoreSlim? semaphore) : IDisposable
    {
        public void Dispose() => semaphore?.Release();
    }
}
