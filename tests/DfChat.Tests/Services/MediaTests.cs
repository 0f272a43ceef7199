using DfChat.Entities;
using DfChat.Options;
using DfChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Tests.Services;

public abstract class MediaTests(ServiceDatabase database) : ServiceTestBase(database)
{
    protected override void Configure(DfChatOptions options) => options.Media.MaxFileSize = 1024;

    [SkippableFact]
    public async Task UploadAsync_Png_CreatedWithMetadata()
    {
        // Act
        var media = (await Alice.UploadAsync(TestFiles.Png(100), "image/png", "cat.png")).Created();

        // Assert
        Assert.Equal("image/png", media.ContentType);
        Assert.Equal("cat.png", media.FileName);
        Assert.Equal(100, media.Size);
        Assert.Contains($"media/{media.Id}/content", media.Url, StringComparison.Ordinal);
        Assert.Single(Host.MediaStore.Keys);
    }

    [SkippableFact]
    public async Task UploadAsync_BodyCutOffMidway_InvalidFileAndNothingKept()
    {
        // Act: the client's connection drops after 100 bytes.
        var result = await Alice.UploadAsync(new CutOffStream(TestFiles.Png(500), after: 100), "image/png", "cat.png");

        // Assert
        result.Fails(ChatErrorKind.Invalid, "file");
        Assert.Empty(Host.MediaStore.Keys);
        Assert.Equal(0, await Host.QueryAsync(db => db.Set<ChatMedia<string>>().CountAsync()));
    }

    [SkippableTheory]
    [InlineData("disk full")]
    [InlineData("folder read-only")]
    public async Task UploadAsync_StorageFails_UnavailableAndNothingKept(string fault)
    {
        // Arrange
        Host.MediaStore.SaveFailure = fault == "disk full"
            ? new IOException("No space left on device")
            : new UnauthorizedAccessException("Access to the path is denied.");

        // Act
        var result = await Alice.UploadAsync(TestFiles.Png(100));

        // Assert: 503 (worth a retry), nothing recorded; and once the storage is back, uploads work again.
        result.Fails(ChatErrorKind.Unavailable);
        Assert.Equal(0, await Host.QueryAsync(db => db.Set<ChatMedia<string>>().CountAsync()));
        Host.MediaStore.SaveFailure = null;
        (await Alice.UploadAsync(TestFiles.Png(100))).Created();
    }

    [SkippableFact]
    public async Task UploadAsync_ExactlyMaxSize_Accepted()
    {
        (await Alice.UploadAsync(TestFiles.Png(1024))).Created();
    }

    [SkippableFact]
    public async Task UploadAsync_OverMaxSize_TooLargeAndNothingKept()
    {
        (await Alice.UploadAsync(TestFiles.Png(1025))).Fails(ChatErrorKind.TooLarge);

        Assert.Empty(Host.MediaStore.Keys);
    }

    [SkippableTheory]
    [InlineData("image/svg+xml")]
    [InlineData("text/html")]
    [InlineData("application/x-msdownload")]
    public async Task UploadAsync_TypeNotAllowed_UnsupportedType(string contentType)
    {
        (await Alice.UploadAsync(TestFiles.Png(), contentType, "x")).Fails(ChatErrorKind.UnsupportedType);
    }

    [SkippableFact]
    public async Task UploadAsync_ImageTypeNotMatchingSignature_UnsupportedType()
    {
        (await Alice.UploadAsync(TestFiles.Pdf(), "image/png", "fake.png")).Fails(ChatErrorKind.UnsupportedType);

        Assert.Empty(Host.MediaStore.Keys);
    }

    [SkippableFact]
    public async Task UploadAsync_PathInFileName_KeptAsMetadataOnly()
    {
        var media = (await Alice.UploadAsync(TestFiles.Png(), "image/png", "../../etc/passwd.png")).Created();

        Assert.Equal("passwd.png", media.FileName);
    }

    [SkippableFact]
    public async Task OpenAsync_Uploader_GetsBytes()
    {
        // Arrange
        var bytes = TestFiles.Png(200);
        var media = (await Alice.UploadAsync(bytes)).Created();

        // Act
        var content = (await Alice.OpenMediaAsync(media.Id)).Ok();

        // Assert
        await using var stream = content.Content;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }
}

public sealed class SqliteMediaTests(SqliteServiceDatabase database) : MediaTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresMediaTests(PostgresServiceDatabase database) : MediaTests(database), IClassFixture<PostgresServiceDatabase>;

/// <summary>An upload whose client goes away: <paramref name="after"/> bytes, then the connection's failure.</summary>
internal sealed class CutOffStream(byte[] content, int after) : Stream
{
    private readonly MemoryStream _inner = new(content);

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_inner.Position >= after)
            throw new IOException("The request was aborted: the client disconnected.");
        return _inner.Read(buffer, offset, (int)Math.Min(count, after - _inner.Position));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer, offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var array = new byte[buffer.Length];
        var read = Read(array, 0, array.Length);
        array.AsSpan(0, read).CopyTo(buffer.Span);
        return ValueTask.FromResult(read);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _inner.Dispose();
        base.Dispose(disposing);
    }
}
