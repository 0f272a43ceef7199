using System.Diagnostics;

namespace DfChat.Bench;

/// <summary>
/// An exclusive lock on a file (<c>--lock FILE</c>), taken around each measurement and released right after
/// it, so that builds and tests on a shared machine that take the same lock (<c>flock FILE dotnet build</c>)
/// wait the few seconds of a measurement instead of running in the middle of it. The lock is taken by the
/// <c>flock</c> command itself, so the bench queues like every other user of the lock instead of polling
/// (a poller would lose every race to the waiters already queued). A lock held longer than a minute (a test
/// run that hangs) is not waited for: the measurement goes on, and says so.
/// </summary>
internal sealed class MachineLock : IDisposable
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);
    private readonly Process? _holder;

    private MachineLock(Process? holder) => _holder = holder;

    /// <summary>How many measurements went on without the lock because it was held too long.</summary>
    public static int Skipped { get; private set; }

    /// <summary>Waits for the lock; with no file, returns at once.</summary>
    public static async Task<MachineLock> AcquireAsync(string? path, CancellationToken cancellationToken)
    {
        if (path is null)
            return new MachineLock(null);

        // flock runs "echo; cat" once it holds the lock: the line says it holds it, and closing cat's input releases it.
        var start = new ProcessStartInfo("flock", ["-w", MaxWait.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), path, "sh", "-c", "echo locked; exec cat"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var holder = Process.Start(start) ?? throw new InvalidOperationException("Could not start flock.");
        try
        {
            if (await holder.StandardOutput.ReadLineAsync(cancellationToken) == "locked")
                return new MachineLock(holder);
            Skipped++;
            Console.WriteLine($"  (the lock {path} was held for more than {MaxWait.TotalSeconds:F0} s: measuring without it)");
            holder.Dispose();
            return new MachineLock(null);
        }
        catch
        {
            holder.Kill();
            holder.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_holder is null)
            return;
        _holder.StandardInput.Close();
        if (!_holder.WaitForExit(TimeSpan.FromSeconds(5)))
            _holder.Kill();
        _holder.Dispose();
    }
}
