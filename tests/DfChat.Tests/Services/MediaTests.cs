using DfChat.Options;
using DfChat.Tests.Infrastructure;

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
