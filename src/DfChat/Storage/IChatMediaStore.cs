namespace DfChat.Storage;

/// <summary>Where the bytes of uploaded media live.</summary>
/// <remarks>The default stores files under a folder; a host may register its own (object storage, say) before <c>AddDfChat</c>.</remarks>
public interface IChatMediaStore
{
    /// <summary>Stores <paramref name="content"/> under a new key and returns the key.</summary>
    /// <remarks>Nothing is left behind when reading <paramref name="content"/> throws.</remarks>
    /// <param name="content">The bytes.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task<string> SaveAsync(Stream content, CancellationToken cancellationToken);

    /// <summary>Opens stored bytes for reading, or returns null when they are gone.</summary>
    /// <param name="key">A key returned by <see cref="SaveAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes stored bytes; a missing key is not an error.</summary>
    /// <param name="key">A key returned by <see cref="SaveAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    Task DeleteAsync(string key, CancellationToken cancellationToken);
}
