using System.Net;
using System.Net.Http.Headers;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary>The media routes: streaming upload with size and type limits, metadata, and content with ranges and safe headers.</summary>
public abstract class MediaRouteTests(ChatApiFactory api) : HttpTestBase(api)
{
    private static readonly string[] MediaFields = ["contentType", "createdAt", "fileName", "id", "size", "url"];

    [SkippableFact]
    public async Task UploadMedia_Png_Returns201WithLocationAndFields()
    {
        var alice = await UserAsync();

        var response = await alice.UploadAsync(HttpFiles.Png(300), "image/png", "holiday.png");

        var media = await HttpAssert.JsonAsync(response, HttpStatusCode.Created);
        Assert.Equal($"/api/chat/media/{media.Str("id")}", response.Headers.Location?.OriginalString);
        Assert.Equal(MediaFields, media.Names());
        Assert.Equal("image/png", media.Str("contentType"));
        Assert.Equal("holiday.png", media.Str("fileName"));
        Assert.Equal(300, media.Prop("size").GetInt64());
        Assert.Equal($"/api/chat/media/{media.Str("id")}/content", media.Str("url"));
        HttpAssert.Timestamp(media.Prop("createdAt"));
    }

    [SkippableFact]
    public async Task UploadMedia_Url_DownloadsTheSameBytes()
    {
        var alice = await UserAsync();
        var bytes = HttpFiles.Pdf(5000);
        var media = await alice.UploadOkAsync(bytes, "application/pdf", "report.pdf");

        var content = await alice.Client.GetAsync(media.Str("url"));

        await HttpAssert.StatusAsync(content, HttpStatusCode.OK);
        Assert.Equal("application/pdf", content.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes, await content.Content.ReadAsByteArrayAsync());
    }

    [SkippableFact]
    public async Task UploadMedia_ExactlyTheLimit_Returns201()
    {
        var alice = await UserAsync();

        var response = await alice.UploadAsync(HttpFiles.Pdf((int)ChatApiFactory.MaxFileSize), "application/pdf", "max.pdf");

        Assert.Equal(ChatApiFactory.MaxFileSize, (await HttpAssert.JsonAsync(response, HttpStatusCode.Created)).Prop("size").GetInt64());
    }

    [SkippableFact]
    public async Task UploadMedia_OneByteOverTheLimit_Returns413()
    {
        var alice = await UserAsync();

        var response = await alice.UploadAsync(HttpFiles.Pdf((int)ChatApiFactory.MaxFileSize + 1), "application/pdf", "big.pdf");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [SkippableFact]
    public async Task UploadMedia_FarOverTheLimit_Returns413()
    {
        var alice = await UserAsync();

        var response = await alice.UploadAsync(HttpFiles.Png((int)ChatApiFactory.MaxFileSize * 4), "image/png", "huge.png");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [SkippableTheory]
    [InlineData("text/plain")]
    [InlineData("application/x-msdownload")]
    [InlineData("text/html")]
    [InlineData("application/octet-stream")]
    public async Task UploadMedia_TypeNotAllowed_Returns415(string contentType)
    {
        var alice = await UserAsync();

        var response = await alice.UploadAsync(HttpFiles.Text(), contentType, "file.txt");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [SkippableFact]
    public async Task UploadMedia_Svg_Returns415()
    {
        var alice = await UserAsync();

        var response = await alice.UploadAsync(HttpFiles.Svg(), "image/svg+xml", "logo.svg");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [SkippableTheory]
    [InlineData("image/png")]
    [InlineData("image/jpeg")]
    [InlineData("image/gif")]
    public async Task UploadMedia_DeclaredImageWithOtherBytes_Returns415(string contentType)
    {
        var alice = await UserAsync();

        var response = await alice.UploadAsync(HttpFiles.Pdf(), contentType, "fake.img");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [SkippableFact]
    public async Task UploadMedia_JpegWithPngBytes_Returns415()
    {
        var alice = await UserAsync();

        var response = await alice.UploadAsync(HttpFiles.Png(), "image/jpeg", "fake.jpg");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [SkippableFact]
    public async Task UploadMedia_NoPartNamedFile_Returns400File()
    {
        var alice = await UserAsync();

        var response = await alice.UploadAsync(HttpFiles.Png(), "image/png", "a.png", partName: "upload");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "file");
    }

    [SkippableFact]
    public async Task UploadMedia_EmptyFile_Returns400File()
    {
        var alice = await UserAsync();

        var response = await alice.UploadAsync([], "application/pdf", "empty.pdf");

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "file");
    }

    [SkippableFact]
    public async Task UploadMedia_TruncatedMultipart_Returns400()
    {
        var alice = await UserAsync();
        var body = new StringContent("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7 no end");
        body.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");

        var response = await alice.Client.PostAsync("media", body);

        await HttpAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "file");
    }

    [SkippableFact]
    public async Task UploadMedia_PathInFileName_KeepsOnlyTheLastSegment()
    {
        var alice = await UserAsync();

        var media = await alice.UploadOkAsync(HttpFiles.Pdf(), "application/pdf", "../../etc/passwd.pdf");

        Assert.Equal("passwd.pdf", media.Str("fileName"));
        Assert.Empty(Directory.EnumerateFiles(Api.MediaRoot, "passwd*", SearchOption.AllDirectories));
    }

    [SkippableFact]
    public async Task GetMedia_Uploader_Returns200()
    {
        var alice = await UserAsync();
        var uploaded = await alice.UploadOkAsync(HttpFiles.Png(), "image/png", "a.png");

        var media = await alice.GetJsonAsync($"media/{uploaded.Str("id")}");

        Assert.Equal(uploaded.ToString(), media.ToString());
    }

    [SkippableFact]
    public async Task GetMedia_OtherUserUnattached_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var mediaId = await alice.UploadPngAsync();

        await HttpAssert.ProblemAsync(await eve.GetAsync($"media/{mediaId}"), HttpStatusCode.NotFound);
        await HttpAssert.ProblemAsync(await eve.GetAsync($"media/{mediaId}/content"), HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task GetMedia_MemberOfRoomWhereAttached_Returns200()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var mediaId = await alice.UploadPngAsync();
        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages", new { mediaIds = new[] { mediaId } }), HttpStatusCode.Created);

        await HttpAssert.JsonAsync(await bob.GetAsync($"media/{mediaId}"));
        await HttpAssert.StatusAsync(await bob.GetAsync($"media/{mediaId}/content"), HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task GetMedia_OutsiderOfRoomWhereAttached_Returns404()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateGroupAsync();
        var mediaId = await alice.UploadPngAsync();
        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages", new { mediaIds = new[] { mediaId } }), HttpStatusCode.Created);

        await HttpAssert.ProblemAsync(await eve.GetAsync($"media/{mediaId}"), HttpStatusCode.NotFound);
        await HttpAssert.ProblemAsync(await eve.GetAsync($"media/{mediaId}/content"), HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task GetMedia_OutsiderOfPublicRoomWhereAttached_Returns200()
    {
        var alice = await UserAsync();
        var eve = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("channel", isPublic: true);
        var mediaId = await alice.UploadPngAsync();
        await HttpAssert.JsonAsync(await alice.PostAsync($"rooms/{roomId}/messages", new { mediaIds = new[] { mediaId } }), HttpStatusCode.Created);

        var media = await eve.GetJsonAsync($"media/{mediaId}");

        Assert.Equal(mediaId, media.Str("id"));
    }

    [SkippableFact]
    public async Task GetMedia_AvatarOfRoom_VisibleToMemberNotOutsider()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var eve = await UserAsync();
        var avatar = await alice.UploadPngAsync();
        await HttpAssert.JsonAsync(await alice.PostAsync("rooms", new { type = "group", name = "x", avatarMediaId = avatar, userIds = new[] { bob.Id } }), HttpStatusCode.Created);

        await HttpAssert.JsonAsync(await bob.GetAsync($"media/{avatar}"));
        await HttpAssert.ProblemAsync(await eve.GetAsync($"media/{avatar}"), HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task Upload_OverTheUnattachedQuota_Returns429WithRetryAfter()
    {
        using var host = Api.WithSettings(new Dictionary<string, string?> { ["DfChat:Media:MaxUnattachedUploads"] = "1" });
        var alice = await ChatApiFactory.CreateUserAsync(host);
        await alice.UploadOkAsync(HttpFiles.Png(), "image/png");

        var response = await alice.UploadAsync(HttpFiles.Png(), "image/png");

        var problem = await HttpAssert.ProblemAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Equal("unattached_quota", problem.Str("code"));
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
    }

    [SkippableFact]
    public async Task GetMedia_UnknownId_Returns404()
    {
        var alice = await UserAsync();

        var response = await alice.GetAsync("media/987654321");

        await HttpAssert.NotFoundAsync(response, "media_not_found");
    }

    [SkippableFact]
    public async Task GetMediaContent_Image_IsInlineWithNoSniff()
    {
        var alice = await UserAsync();
        var mediaId = await alice.UploadPngAsync();

        var response = await alice.GetAsync($"media/{mediaId}/content");

        await HttpAssert.StatusAsync(response, HttpStatusCode.OK);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
    }

    [SkippableFact]
    public async Task GetMediaContent_Pdf_IsAttachmentWithNoSniff()
    {
        var alice = await UserAsync();
        var media = await alice.UploadOkAsync(HttpFiles.Pdf(), "application/pdf", "report.pdf");

        var response = await alice.GetAsync($"media/{media.Str("id")}/content");

        await HttpAssert.StatusAsync(response, HttpStatusCode.OK);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("report.pdf", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
    }

    [SkippableFact]
    public async Task GetMediaContent_Range_Returns206WithContentRange()
    {
        var alice = await UserAsync();
        var bytes = HttpFiles.Pdf(1000);
        var mediaId = (await alice.UploadOkAsync(bytes, "application/pdf", "r.pdf")).Str("id");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"media/{mediaId}/content");
        request.Headers.Range = new RangeHeaderValue(100, 199);

        var response = await alice.Client.SendAsync(request);

        await HttpAssert.StatusAsync(response, HttpStatusCode.PartialContent);
        Assert.Equal("bytes 100-199/1000", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(bytes[100..200], await response.Content.ReadAsByteArrayAsync());
    }

    [SkippableFact]
    public async Task GetMediaContent_SuffixRange_ReturnsTheLastBytes()
    {
        var alice = await UserAsync();
        var bytes = HttpFiles.Pdf(1000);
        var mediaId = (await alice.UploadOkAsync(bytes, "application/pdf", "r.pdf")).Str("id");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"media/{mediaId}/content");
        request.Headers.Range = new RangeHeaderValue(null, 10);

        var response = await alice.Client.SendAsync(request);

        await HttpAssert.StatusAsync(response, HttpStatusCode.PartialContent);
        Assert.Equal(bytes[990..], await response.Content.ReadAsByteArrayAsync());
    }

    [SkippableFact]
    public async Task GetMediaContent_RangeBeyondTheEnd_Returns416()
    {
        var alice = await UserAsync();
        var mediaId = (await alice.UploadOkAsync(HttpFiles.Pdf(1000), "application/pdf", "r.pdf")).Str("id");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"media/{mediaId}/content");
        request.Headers.Range = new RangeHeaderValue(5000, 6000);

        var response = await alice.Client.SendAsync(request);

        await HttpAssert.StatusAsync(response, HttpStatusCode.RequestedRangeNotSatisfiable);
        Assert.Equal("bytes */1000", response.Content.Headers.ContentRange?.ToString());
    }

    [SkippableFact]
    public async Task GetMediaContent_AcceptRangesAdvertised()
    {
        var alice = await UserAsync();
        var mediaId = await alice.UploadPngAsync();

        var response = await alice.GetAsync($"media/{mediaId}/content");

        Assert.Contains("bytes", response.Headers.AcceptRanges);
    }
}

public sealed class SqliteMediaRouteTests(SqliteChatApi api) : MediaRouteTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresMediaRouteTests(PostgresChatApi api) : MediaRouteTests(api), IClassFixture<PostgresChatApi>;
