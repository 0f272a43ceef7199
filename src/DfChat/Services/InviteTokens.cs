using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace DfChat.Services;

/// <summary>
/// Invitation tokens: 256 random bits from the system's cryptographic generator, written base64url (43
/// characters), stored only as their SHA-256 hash and compared in constant time.
/// </summary>
internal static class InviteTokens
{
    private const int TokenBytes = 32;

    /// <summary>Longer text is no token of ours: refused before it is hashed.</summary>
    public const int MaxLength = 64;

    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Whether <paramref name="token"/> hashes to <paramref name="storedHash"/>, in time that does not depend on where they differ.</summary>
    public static bool Matches(byte[] storedHash, string token) =>
        CryptographicOperations.FixedTimeEquals(storedHash, Hash(token));

    /// <summary>Whether the text may be a token at all (so that a 64 KB path segment is not hashed).</summary>
    public static bool IsPlausible(string? token) => token is { Length: > 0 and <= MaxLength };
}
