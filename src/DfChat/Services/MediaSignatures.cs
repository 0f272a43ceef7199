namespace DfChat.Services;

/// <summary>Recognizes image files by their first bytes, so that a declared image type is the real one.</summary>
internal static class MediaSignatures
{
    /// <summary>How many leading bytes <see cref="MatchesImage"/> needs.</summary>
    public const int HeaderLength = 16;

    /// <summary>The longest type or subtype name (RFC 6838), so that a media type always fits its 255-character column.</summary>
    private const int MaxNameLength = 127;

    /// <summary>
    /// The media type of a declared content type, lower-cased and without parameters (<c>image/png</c>
    /// of <c>Image/PNG; q=1</c>), or null when it is not <c>type/subtype</c> of RFC 9110 token
    /// characters: nothing else is stored, so nothing else is ever written back as a header.
    /// </summary>
    public static string? MediaTypeOf(string? declared)
    {
        var value = (declared ?? "").Split(';')[0].Trim();
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash > MaxNameLength || value.Length - slash - 1 is < 1 or > MaxNameLength)
            return null;
        foreach (var c in value.AsSpan(0, slash))
        {
            if (!IsTokenChar(c))
                return null;
        }

        foreach (var c in value.AsSpan(slash + 1))
        {
            if (!IsTokenChar(c))
                return null;
        }

        return value.ToLowerInvariant();
    }

    /// <summary>The characters of an RFC 9110 token.</summary>
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    public static bool IsImage(string contentType) => contentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase);

    /// <summary>Types refused whatever the options say: a browser runs script inside them.</summary>
    public static bool IsScriptable(string contentType) =>
        contentType.Contains("svg", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("html", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("javascript", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("xml", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="header"/> starts a file of the image type <paramref name="contentType"/>; unknown image types never match.</summary>
    public static bool MatchesImage(string contentType, ReadOnlySpan<byte> header) => contentType.ToUpperInvariant() switch
    {
        "IMAGE/JPEG" or "IMAGE/JPG" or "IMAGE/PJPEG" => header.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]),
        "IMAGE/PNG" => header.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
        "IMAGE/GIF" => header.StartsWith("GIF87a"u8) || header.StartsWith("GIF89a"u8),
        "IMAGE/WEBP" => header.Length >= 12 && header.StartsWith("RIFF"u8) && header[8..12].SequenceEqual("WEBP"u8),
        "IMAGE/BMP" => header.StartsWith("BM"u8),
        "IMAGE/AVIF" => header.Length >= 12 && header[4..8].SequenceEqual("ftyp"u8)
            && (header[8..12].SequenceEqual("avif"u8) || header[8..12].SequenceEqual("avis"u8)),
        _ => false,
    };

    /// <summary>Whether the options allow <paramref name="contentType"/>, exactly or by a <c>type/*</c> family.</summary>
    public static bool IsAllowed(string contentType, IReadOnlyList<string> allowed)
    {
        if (IsScriptable(contentType))
            return false;
        foreach (var pattern in allowed)
        {
            if (pattern.EndsWith("/*", StringComparison.Ordinal)
                ? contentType.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase)
                : string.Equals(contentType, pattern, StringComparison.OrdinalIgnoreCase))
                return true;
        }

        return false;
    }
}
