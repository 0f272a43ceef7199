using System.Net.Mime;
using DfChat.Models;
using DfChat.Options;
using DfChat.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace DfChat.AspNetCore;

/// <summary>Routes of media: streaming upload, metadata, and content with range requests.</summary>
internal static class MediaEndpoints
{
    private const string Tag = "Media";

    /// <summary>Room for the multipart framing around the file itself.</summary>
    private const long MultipartOverhead = 64 * 1024;

    public static void Map(ChatRouteMapper map)
    {
        map.Post("/media", Upload, "DfChatUploadMedia", "Uploads a file (multipart/form-data, one part named 'file').", Tag)
            .WithMetadata(new DfChatRequestBody(typeof(IFormFile), "multipart/form-data"))
            .AddEndpointFilterFactory((_, next) => ChatRateLimiter.Filter(ChatRateLimitKind.Uploads, next))
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .DisableAntiforgery();
        map.Get("/media/{mediaId}", Get, "DfChatGetMedia", "A media the caller may see.", Tag);
        map.Get("/media/{mediaId}/content", GetContent, "DfChatGetMediaContent", "The bytes of a media, with range requests.", Tag);
    }

    private static async Task<Results<ChatCreated<MediaModel>, ProblemHttpResult>> Upload(
        HttpContext http, IChatMediaService media, CancellationToken cancellationToken)
    {
        var request = http.Request;
        var limit = http.RequestServices.GetRequiredService<IOptionsMonitor<DfChatOptions>>().CurrentValue.Media.MaxFileSize;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            bodyLimit.MaxRequestBodySize = limit + MultipartOverhead;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return ChatHttp.Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported_content_type", "Send multipart/form-data with one part named 'file'.");
        if (HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
            return ChatHttp.Invalid("file", "Send multipart/form-data with a boundary and one part named 'file'.");

        try
        {
            var reader = new MultipartReader(boundary, request.Body);
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.Name.Equals("file", StringComparison.OrdinalIgnoreCase))
                    continue;
                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                var result = await media.UploadAsync(ChatHttp.Caller(http), new UploadMediaRequest(fileName, section.ContentType, section.Body), cancellationToken);
                return ChatResults.Created(result, request, m => m.Id);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ChatHttp.Problem(StatusCodes.Status413PayloadTooLarge, "media_too_large", $"Files may be at most {limit} bytes.");
        }
        catch (Exception e) when (e is InvalidDataException or IOException and not MediaTooLargeException)
        {
            return ChatHttp.Invalid("file", "The multipart body is malformed.");
        }

        return ChatHttp.Invalid("file", "Send multipart/form-data with one part named 'file'.");
    }

    private static async Task<Results<ChatOk<MediaModel>, ProblemHttpResult>> Get(
        HttpContext http, IChatMediaService media, string mediaId, CancellationToken cancellationToken) =>
        ChatResults.Ok(await media.GetAsync(ChatHttp.Caller(http), mediaId, cancellationToken));

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> GetContent(
        HttpContext http, IChatMediaService media, string mediaId, CancellationToken cancellationToken)
    {
        var result = await media.OpenAsync(ChatHttp.Caller(http), mediaId, cancellationToken);
        if (!result.Succeeded)
            return ChatHttp.ToProblem(result.Error!);
        var (model, content) = (result.Value!.Media, result.Value.Content);
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";

        // Opened directly, an upload runs nothing in the app's origin: no script, no plugin, no form, no fetch.
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        headers.CacheControl = "private, max-age=3600";

        // Only images render inline; anything else downloads, so a browser never runs it in our origin.
        var disposition = new ContentDispositionHeaderValue(MediaSignatures.IsImage(model.ContentType) ? DispositionTypeNames.Inline : DispositionTypeNames.Attachment);
        disposition.SetHttpFileName(model.FileName);
        headers.ContentDisposition = disposition.ToString();
        // Stored types are checked on upload; a row from before that check must still make a valid header.
        var type = MediaSignatures.MediaTypeOf(model.ContentType) ?? "application/octet-stream";
        return TypedResults.Stream(content, type, enableRangeProcessing: true);
    }
}
