using DfChat.Models;
using DfChat.Options;
using DfChat.Services;
using DfChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Services;

/// <summary>
/// Uploads never sent: a per-user quota (<see cref="MediaOptions.MaxUnattachedUploads"/>,
/// <see cref="MediaOptions.MaxUnattachedBytes"/>) and the sweep that removes them after
/// <see cref="MediaOptions.UnattachedLifetime"/>, files included, on a fake clock.
/// </summary>
public abstract class UnattachedMediaTests(ServiceDatabase database) : ServiceTestBase(database)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    protected override void Configure(DfChatOptions options)
    {
        options.Media.MaxFileSize = 1000;
        options.Media.MaxUnattachedUploads = 3;
        options.Media.MaxUnattachedBytes = 1000;
        options.Media.UnattachedLifetime = Lifetime;
    }

    private async Task<int> SweepAsync()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IChatMediaSweep>().SweepAsync(CancellationToken.None);
    }

    [SkippableFact]
    public async Task UploadAsync_OneOverTheCount_TooManyRequestsUntilTheOldestExpires_NothingKept()
    {
        // Arrange
        for (var i = 0; i < 3; i++)
            (await Alice.UploadAsync(TestFiles.Png(10))).Created();

        // Act
        var refused = await Alice.UploadAsync(TestFiles.Png(10));

        // Assert
        var error = refused.Fails(ChatErrorKind.TooManyRequests);
        Assert.NotNull(error.RetryAfter);
        Assert.InRange(error.RetryAfter.Value, Lifetime - TimeSpan.FromMinutes(1), Lifetime);
        Assert.Equal(3, Host.MediaStore.Keys.Count);
    }

    [SkippableFact]
    public async Task UploadAsync_OverTheBytes_TooManyRequests_FileNotKept()
    {
        // Arrange
        (await Alice.UploadAsync(TestFiles.Png(600))).Created();

        // Act
        var refused = await Alice.UploadAsync(TestFiles.Png(401));

        // Assert
        refused.Fails(ChatErrorKind.TooManyRequests);
        Assert.Single(Host.MediaStore.Keys);
        (await Alice.UploadAsync(TestFiles.Png(400))).Created();
    }

    [SkippableFact]
    public async Task UploadAsync_QuotaIsPerUser()
    {
        // Arrange
        for (var i = 0; i < 3; i++)
            (await Alice.UploadAsync(TestFiles.Png(10))).Created();

        // Act
        var bobs = await Bob.UploadAsync(TestFiles.Png(10));

        // Assert
        bobs.Created();
    }

    [SkippableFact]
    public async Task UploadAsync_AfterSendingOne_FitsAgain()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        var sent = (await Alice.UploadAsync(TestFiles.Png(10))).Created();
        (await Alice.UploadAsync(TestFiles.Png(10))).Created();
        (await Alice.UploadAsync(TestFiles.Png(10))).Created();
        (await Alice.SendAsync(room.Id, new SendMessageRequest { MediaIds = [sent.Id] })).Created();

        // Act
        var again = await Alice.UploadAsync(TestFiles.Png(10));

        // Assert
        again.Created();
    }

    [SkippableFact]
    public async Task UploadAsync_ExpiredUploadsNoLongerCount()
    {
        // Arrange
        for (var i = 0; i < 3; i++)
            (await Alice.UploadAsync(TestFiles.Png(10))).Created();
        Host.Clock.Advance(Lifetime);

        // Act
        var fresh = await Alice.UploadAsync(TestFiles.Png(10));

        // Assert
        fresh.Created();
    }

    [SkippableFact]
    public async Task SendAsync_UploadPastItsLifetime_InvalidMediaIds()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        var media = (await Alice.UploadAsync(TestFiles.Png(10))).Created();
        Host.Clock.Advance(Lifetime);

        // Act
        var result = await Alice.SendAsync(room.Id, new SendMessageRequest { MediaIds = [media.Id] });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "mediaIds");
    }

    [SkippableFact]
    public async Task CreateRoomAsync_AvatarPastItsLifetime_InvalidAvatarMediaId()
    {
        // Arrange
        var media = (await Alice.UploadAsync(TestFiles.Png(10))).Created();
        Host.Clock.Advance(Lifetime);

        // Act
        var result = await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "n", AvatarMediaId = media.Id });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "avatarMediaId");
    }

    [SkippableFact]
    public async Task SweepAsync_ExpiredUnattached_RemovedWithItsFile()
    {
        // Arrange
        var media = (await Alice.UploadAsync(TestFiles.Png(10))).Created();
        Host.Clock.Advance(Lifetime + UnattachedMediaSweep<TestUser, string>.Grace + TimeSpan.FromSeconds(1));

        // Act
        var removed = await SweepAsync();

        // Assert
        Assert.Equal(1, removed);
        (await Alice.GetMediaAsync(media.Id)).Fails(ChatErrorKind.NotFound);
        Assert.Empty(Host.MediaStore.Keys);
    }

    [SkippableFact]
    public async Task SweepAsync_AttachedAvatarAndRecentUploads_Kept()
    {
        // Arrange: one sent in a message, one a room's avatar, both old; one uploaded recently.
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var sent = (await Alice.UploadAsync(TestFiles.Png(10))).Created();
        var message = (await Alice.SendAsync(room.Id, new SendMessageRequest { MediaIds = [sent.Id] })).Created();
        var avatar = (await Alice.UploadAsync(TestFiles.Png(10))).Created();
        var avatarRoom = (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "a", AvatarMediaId = avatar.Id, UserIds = [Bob.Id] })).Created();
        Host.Clock.Advance(Lifetime * 3);
        var recent = (await Alice.UploadAsync(TestFiles.Png(10))).Created();

        // Act
        var removed = await SweepAsync();

        // Assert
        Assert.Equal(0, removed);
        Assert.Equal(sent.Id, (await Bob.GetMessageAsync(room.Id, message.Id)).Ok().Media.Single().Id);
        Assert.Equal(avatar.Url, (await Bob.GetRoomAsync(avatarRoom.Id)).Ok().AvatarUrl);
        (await Alice.GetMediaAsync(recent.Id)).Ok();
        Assert.Equal(3, Host.MediaStore.Keys.Count);
    }

    [SkippableFact]
    public async Task SweepAsync_JustExpired_KeptForTheGraceThenRemoved()
    {
        // Arrange: sends refuse it from the lifetime on; the sweep waits the grace more.
        (await Alice.UploadAsync(TestFiles.Png(10))).Created();
        Host.Clock.Advance(Lifetime + TimeSpan.FromSeconds(1));

        // Act
        var early = await SweepAsync();
        Host.Clock.Advance(UnattachedMediaSweep<TestUser, string>.Grace);
        var later = await SweepAsync();

        // Assert
        Assert.Equal(0, early);
        Assert.Equal(1, later);
        Assert.Empty(Host.MediaStore.Keys);
    }

    [SkippableFact]
    public async Task SweepAsync_FormerAvatarReplacedLongAgo_Removed()
    {
        // Arrange: an avatar replaced by another is no longer used.
        var old = (await Alice.UploadAsync(TestFiles.Png(10))).Created();
        var room = (await Alice.CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = "a", AvatarMediaId = old.Id })).Created();
        var replacement = (await Alice.UploadAsync(TestFiles.Png(10))).Created();
        (await Alice.UpdateRoomAsync(room.Id, new UpdateRoomRequest { AvatarMediaId = replacement.Id })).Ok();
        Host.Clock.Advance(Lifetime * 2);

        // Act
        var removed = await SweepAsync();

        // Assert
        Assert.Equal(1, removed);
        (await Alice.GetMediaAsync(old.Id)).Fails(ChatErrorKind.NotFound);
        Assert.Equal(replacement.Url, (await Alice.GetRoomAsync(room.Id)).Ok().AvatarUrl);
    }
}

public sealed class SqliteUnattachedMediaTests(SqliteServiceDatabase database) : UnattachedMediaTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresUnattachedMediaTests(PostgresServiceDatabase database) : UnattachedMediaTests(database), IClassFixture<PostgresServiceDatabase>;
