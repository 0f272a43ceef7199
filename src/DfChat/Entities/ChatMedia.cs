namespace DfChat.Entities;

/// <summary>A stored file: a picture, audio, video or document.</summary>
/// <typeparam name="TUserKey">The key type of the host's user entity.</typeparam>
public class ChatMedia<TUserKey>
    where TUserKey : IEquatable<TUserKey>
{
    /// <summary>The media's id.</summary>
    public long Id { get; set; }

    /// <summary>The content type, checked against the file's signature for images.</summary>
    public string ContentType { get; set; } = "";

    /// <summary>The client's file name: metadata only, never a path.</summary>
    public string FileName { get; set; } = "";

    /// <summary>The size in bytes.</summary>
    public long Size { get; set; }

    /// <summary>Where the media store keeps the bytes; generated, never derived from the file name.</summary>
    public string StorageKey { get; set; } = "";

    /// <summary>The uploader; null once the uploader was erased and the upload is kept (attached to an anonymized message).</summary>
    public TUserKey? UploadedBy { get; set; }

    /// <summary>When it was uploaded (UTC).</summary>
    public DateTime CreatedAt { get; set; }
}
