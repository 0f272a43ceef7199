using DfChat.Entities;
using DfChat.Models;
using DfChat.Rules;
using DfChat.Storage;
using DfChat.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DfChat.Services;

/// <summary>The rules of media: size and type limits on upload, and who may see a file.</summary>
internal sealed partial class MediaService<TUser, TKey>(
    ChatStore<TUser, TKey> store, RoomWrites<TUser, TKey> writes, IChatMediaStore mediaStore, TimeProvider clock, ILogger<MediaService<TUser, TKey>> logger) : IChatMediaService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    private const int MaxFileNameLength = 255;

    public async Task<ChatResult<MediaModel>> UploadAsync(string callerId, UploadMediaRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (!ClientText.IsAcceptable(request.FileName))
            return ChatError.Invalid("fileName", $"fileName {ClientText.Rule}.");
        if (!ClientText.IsAcceptable(request.ContentType))
            return ChatError.Invalid("contentType", $"contentType {ClientText.Rule}.");
        var options = store.Options.Media;
        if (MediaSignatures.MediaTypeOf(request.ContentType) is not { } contentType)
            return new ChatError(ChatErrorKind.UnsupportedType, "media_type_not_allowed", "The file's declared content type is not a content type such as image/png.");
        if (!MediaSignatures.IsAllowed(contentType, options.EffectiveAllowedContentTypes))
            return new ChatError(ChatErrorKind.UnsupportedType, "media_type_not_allowed", $"Files of type '{contentType}' are not allowed.");

        if (await UnattachedQuotaAsync(store, caller, 1, cancellationToken) is { } overQuota)
            return overQuota;

        var limited = new SizeLimitedStream(request.Content, options.MaxFileSize);
        string key;
        try
        {
            if (MediaSignatures.IsImage(contentType))
            {
                var header = await limited.PeekAsync(MediaSignatures.HeaderLength, cancellationToken);
                if (!MediaSignatures.MatchesImage(contentType, header.Span))
                    return new ChatError(ChatErrorKind.UnsupportedType, "media_signature_mismatch", $"The file is not a real {contentType} image.");
            }

            key = await mediaStore.SaveAsync(limited, cancellationToken);
        }
        catch (MediaTooLargeException)
        {
            return new ChatError(ChatErrorKind.TooLarge, "media_too_large", $"Files may be at most {options.MaxFileSize} bytes.");
        }
        catch (MediaCutOffException)
        {
            return ChatError.Invalid("file", "The upload ended before the whole file arrived.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The storage failed (disk full, folder read-only or gone): the store left no file behind, and
            // nothing was recorded. Not the client's fault, and worth a retry later.
            return ChatError.Unavailable;
        }

        if (limited.BytesRead == 0)
        {
            await mediaStore.DeleteAsync(key, CancellationToken.None);
            return ChatError.Invalid("file", "The file is empty.");
        }

        var fileName = CleanFileName(request.FileName);
        try
        {
            var uploaded = clock.GetUtcNow().UtcDateTime;
            var result = await writes.OutsideRoomsAsync(async db =>
            {
                // Checked again in the media lane, where a user's uploads commit one after another.
                if (await UnattachedQuotaAsync(db, caller, limited.BytesRead, CancellationToken.None) is { } over)
                    return over;
                var media = new ChatMedia<TKey>
                {
                    ContentType = contentType,
                    FileName = fileName,
                    Size = limited.BytesRead,
                    StorageKey = key,
                    UploadedBy = caller,
                    CreatedAt = ChatStore<TUser, TKey>.Truncate(uploaded),
                };
                db.Media.Add(media);
                await db.Db.SaveChangesAsync(CancellationToken.None);
                return ChatResult<MediaModel>.New(db.ToModel(media));
            }, cancellationToken);
            if (result.Error is { Kind: ChatErrorKind.Unavailable })
                await DeleteUnlessStoredAsync(key);
            else if (!result.Succeeded)
                await mediaStore.DeleteAsync(key, CancellationToken.None);
            return result;
        }
        catch
        {
            await mediaStore.DeleteAsync(key, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// After a 503 the upload's row may be stored all the same (a commit whose answer was lost): its file
    /// then stays, never a row without its file. The database is asked once more; when it still cannot
    /// tell, the file stays too, logged with its key: at worst a file without a row, which no route
    /// serves. A stored row is an unattached upload, which the sweep removes, file included, once expired.
    /// </summary>
    private async Task DeleteUnlessStoredAsync(string key)
    {
        bool stored;
        try
        {
            stored = await store.Media.AsNoTracking().AnyAsync(m => m.StorageKey == key, CancellationToken.None);
        }
        catch (Exception e) when (TransientFailures.IsUnavailable(e))
        {
            LogUploadOutcomeUnknown(logger, key, e);
            return;
        }

        if (!stored)
            await mediaStore.DeleteAsync(key, CancellationToken.None);
    }

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "An upload's commit had an unknown outcome and the database could not tell whether its row {StorageKey} was stored: its file is kept.")]
    private static partial void LogUploadOutcomeUnknown(ILogger logger, string storageKey, Exception exception);

    public async Task<ChatResult<MediaModel>> GetAsync(string callerId, string mediaId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await FindVisibleAsync(mediaId, caller, cancellationToken) is { } media
            ? ChatResult<MediaModel>.Ok(store.ToModel(media))
            : ChatError.MediaNotFound;
    }

    public async Task<ChatResult<MediaContent>> OpenAsync(string callerId, string mediaId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await FindVisibleAsync(mediaId, caller, cancellationToken) is not { } media)
            return ChatError.MediaNotFound;
        var content = await mediaStore.OpenReadAsync(media.StorageKey, cancellationToken);
        return content is null
            ? ChatError.MediaNotFound
            : ChatResult<MediaContent>.Ok(new MediaContent { Media = store.ToModel(media), Content = content });
    }

    /// <summary>
    /// The quota of unattached uploads (<see cref="Options.MediaOptions.MaxUnattachedUploads"/> and
    /// <see cref="Options.MediaOptions.MaxUnattachedBytes"/>): one more of <paramref name="adding"/> bytes is
    /// 429, to retry once the oldest of them has expired. Expired ones no longer count: the sweep removes them.
    /// </summary>
    private async Task<ChatError?> UnattachedQuotaAsync(ChatStore<TUser, TKey> db, TKey caller, long adding, CancellationToken cancellationToken)
    {
        var options = db.Options.Media;
        var now = clock.GetUtcNow().UtcDateTime;
        var fresh = now - options.UnattachedLifetime;
        var pending = await db.Unattached().AsNoTracking()
            .Where(m => m.UploadedBy!.Equals(caller) && m.CreatedAt > fresh)
            .Select(m => new { m.Size, m.CreatedAt })
            .ToListAsync(cancellationToken);
        if (pending.Count + 1 <= options.MaxUnattachedUploads && pending.Sum(m => m.Size) + adding <= options.MaxUnattachedBytes)
            return null;
        var retryAfter = pending.Count == 0 ? options.UnattachedLifetime : pending.Min(m => m.CreatedAt) + options.UnattachedLifetime - now;
        return new ChatError(
            ChatErrorKind.TooManyRequests,
            "unattached_quota",
            $"You hold too many uploads not yet sent (at most {options.MaxUnattachedUploads}, {options.MaxUnattachedBytes} bytes): send them, or wait until they expire.")
        {
            RetryAfter = retryAfter > TimeSpan.Zero ? retryAfter : TimeSpan.FromSeconds(1),
        };
    }

    /// <summary>Visible to its uploader, and to readers of a room where it is attached to a message or is the avatar.</summary>
    private async Task<ChatMedia<TKey>?> FindVisibleAsync(string mediaId, TKey caller, CancellationToken cancellationToken)
    {
        if (!EntityId.TryParse(mediaId, out var id))
            return null;
        var readableRooms = store.Rooms.Where(r => r.IsPublic || store.Members.Any(m => m.RoomId == r.Id && m.UserId!.Equals(caller))).Select(r => r.Id);
        return await store.Media.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id && (
            m.UploadedBy!.Equals(caller)
            || store.MessageMedia.Any(l => l.MediaId == m.Id && readableRooms.Contains(l.RoomId))
            || store.Rooms.Any(r => r.AvatarMediaId == m.Id && readableRooms.Contains(r.Id))), cancellationToken);
    }

    /// <summary>
    /// Keeps the client's name as metadata only (it never becomes a path): the last path segment,
    /// without control characters (it goes back out in a header), cut to 255 characters without
    /// splitting a surrogate pair.
    /// </summary>
    private static string CleanFileName(string? fileName)
    {
        var name = (fileName ?? "").Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..];
        name = new string(name.Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (name.Length > MaxFileNameLength)
            name = name[..(char.IsHighSurrogate(name[MaxFileNameLength - 1]) ? MaxFileNameLength - 1 : MaxFileNameLength)];
        return name.Length == 0 ? "file" : name;
    }
}

/// <summary>Thrown by <see cref="SizeLimitedStream"/> as soon as the limit is passed.</summary>
/// <summary>Reading the upload itself failed: the client cut it off, or sent less than it declared.</summary>
internal sealed class MediaCutOffException(Exception inner) : IOException("The upload ended before the whole file arrived.", inner);

internal sealed class MediaTooLargeException : IOException
{
    public MediaTooLargeException()
        : base("The upload is over the size limit.")
    {
    }

    public MediaTooLargeException(string message)
        : base(message)
    {
    }

    public MediaTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Reads an upload once, failing as soon as it passes the limit, so that an oversized body is never buffered whole.</summary>
internal sealed class SizeLimitedStream(Stream inner, long limit) : Stream
{
    private byte[] _peeked = [];
    private int _peekedOffset;

    public long BytesRead { get; private set; }

    /// <summary>Reads up to <paramref name="count"/> leading bytes without consuming them.</summary>
    public async Task<ReadOnlyMemory<byte>> PeekAsync(int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            var read = await ReadInnerAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
                break;
            filled += read;
        }

        _peeked = buffer[..filled];
        return _peeked;
    }

    /// <summary>Reads the upload; a failure there is the upload's, told apart from the storage's.</summary>
    private async ValueTask<int> ReadInnerAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (e is IOException && !cancellationToken.IsCancellationRequested)
        {
            throw new MediaCutOffException(e);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        if (_peekedOffset < _peeked.Length)
        {
            read = Math.Min(buffer.Length, _peeked.Length - _peekedOffset);
            _peeked.AsMemory(_peekedOffset, read).CopyTo(buffer);
            _peekedOffset += read;
        }
        else
        {
            read = await ReadInnerAsync(buffer, cancellationToken);
        }

        BytesRead += read;
        if (BytesRead > limit)
            throw new MediaTooLargeException();
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
