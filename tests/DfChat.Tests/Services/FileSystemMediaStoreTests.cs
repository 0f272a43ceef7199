using DfChat.Storage;

namespace DfChat.Tests.Services;

/// <summary>
/// The file store under faults: a write that fails leaves no file, whole or half, behind. (Tests run as
/// root here, which no permission stops, so an unusable folder is one whose path runs through a file.)
/// </summary>
public sealed class FileSystemMediaStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dfchat-store-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private FileSystemMediaStore StoreAt(string root) => new(Microsoft.Extensions.Options.Options.Create(new FileSystemMediaStoreOptions { Root = root }));

    [Fact]
    public async Task SaveAsync_SourceFailsMidway_ThrowsAndLeavesNoFile()
    {
        var root = Path.Combine(_folder, "media");
        var store = StoreAt(root);

        await Assert.ThrowsAsync<IOException>(() => store.SaveAsync(new CutOffStream(new byte[10_000], after: 4_000), CancellationToken.None));

        Assert.Empty(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task SaveAsync_FolderUnusable_ThrowsIOExceptionAndLeavesNoFile()
    {
        var blocker = Path.Combine(_folder, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "a file where the media folder should be");
        var store = StoreAt(Path.Combine(blocker, "media"));

        await Assert.ThrowsAnyAsync<IOException>(() => store.SaveAsync(new MemoryStream(new byte[100]), CancellationToken.None));

        Assert.Equal([blocker], Directory.EnumerateFileSystemEntries(_folder));
    }

    [Fact]
    public async Task SaveAsync_Whole_ReadsBackTheSameBytes()
    {
        var store = StoreAt(Path.Combine(_folder, "media"));
        var bytes = Enumerable.Range(0, 5_000).Select(i => (byte)i).ToArray();

        var key = await store.SaveAsync(new MemoryStream(bytes), CancellationToken.None);

        await using var read = await store.OpenReadAsync(key, CancellationToken.None);
        using var copy = new MemoryStream();
        await read!.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }
}
