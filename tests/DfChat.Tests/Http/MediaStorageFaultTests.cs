using System.Net;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary>
/// Uploads when the media folder cannot be written (full, read-only, gone): 503 problem details with
/// <c>Retry-After</c>, nothing recorded, and uploads work again once the folder is back, without a restart.
/// </summary>
public abstract class MediaStorageFaultTests(ChatApiFactory api) : HttpTestBase(api)
{
    [SkippableFact]
    public async Task Upload_MediaFolderUnusable_Returns503ThenRecovers()
    {
        // Arrange: a file where the media folder should be (root ignores permissions, so no chmod).
        var alice = await UserAsync();
        var root = Api.MediaRoot;
        var moved = root + ".away";
        if (Directory.Exists(root))
            Directory.Move(root, moved);
        await File.WriteAllTextAsync(root, "not a folder");
        HttpResponseMessage refused;
        try
        {
            // Act
            refused = await alice.UploadAsync(HttpFiles.Png(), "image/png", "cat.png");
        }
        finally
        {
            File.Delete(root);
            if (Directory.Exists(moved))
                Directory.Move(moved, root);
        }

        // Assert
        var problem = await HttpAssert.ProblemAsync(refused, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("unavailable", problem.Str("code"));
        Assert.Single(refused.Headers.GetValues("Retry-After"));
        var uploaded = await HttpAssert.JsonAsync(await alice.UploadAsync(HttpFiles.Png(), "image/png", "cat.png"), HttpStatusCode.Created);
        Assert.False(string.IsNullOrEmpty(uploaded.Str("id")));
    }
}

public sealed class SqliteMediaStorageFaultTests(SqliteChatApi api) : MediaStorageFaultTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresMediaStorageFaultTests(PostgresChatApi api) : MediaStorageFaultTests(api), IClassFixture<PostgresChatApi>;
