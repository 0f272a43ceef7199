namespace DfChat.Bench;

/// <summary>
/// An exclusive lock on a file (<c>--lock FILE</c>), taken around each load run and released right after it,
/// so that builds and tests on a shared machine that take the same lock (<c>flock FILE dotnet build</c>)
/// wait the few seconds of a measurement instead of running in the middle of it. .NET takes
/// <c>flock(LOCK_EX)</c> for <see cref="FileShare.None"/> on Unix, which is what the <c>flock</c> command takes.
/// </summary>
internal sealed class MachineLock : IDisposable
{
    private readonly FileStream? _file;

    private MachineLock(FileStream? file) => _file = file;

    /// <summary>Waits for the lock; with no file, returns at once.</summary>
    public static async Task<MachineLock> AcquireAsync(string? path, CancellationToken cancellationToken)
    {
        if (path is null)
            return new MachineLock(null);
        while (true)
        {
            try
            {
                return new MachineLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException)
            {
                await Task.Delay(250, cancellationToken);
            }
        }
    }

    public void Dispose() => _file?.Dispose();
}
