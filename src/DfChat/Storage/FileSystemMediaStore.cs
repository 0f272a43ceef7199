using Microsoft.Extensions.Options;

namespace DfChat.Storage;

/// <summary>Options of the file-system media store.</summary>
public sealed class FileSystemMediaStoreOptions
{
    /// <summary>The folder that holds the files. Default <c>media</c> under the current directory.</summary>
    public string Root { get; set; } = "media";
}

/// <summary>
/// Stores each file under a generated name, written to a temporary file and renamed into place, so
/// that a reader never sees half a file and a client's file name never becomes a path.
/// </summary>
internal sealed class FileSystemMediaStore(IOptions<FileSystemMediaStoreOptions> options) : IChatMediaStore
{
    private string Root => Path.GetFullPath(options.Value.Root);

    public async Task<string> SaveAsync(Stream content, CancellationToken cancellationToken)
    {
        var key = Guid.NewGuid().ToString("N");
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken);
            }

            File.Move(temporary, path);
            return key;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        Stream? stream = File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true)
            : null;
        return Task.FromResult(stream);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    private string PathOf(string key)
    {
        if (key.Length != 32 || !key.All(char.IsAsciiHexDigitLower))
            throw new ArgumentException("Not a key of this store.", nameof(key));
        return Path.Combine(Root, key[..2], key);
    }
}
