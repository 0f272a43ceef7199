using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace DfChat.Services;

/// <summary>
/// Opaque keyset positions. A cursor names the list it belongs to, so one forged or taken from
/// another list is refused; and since every query still filters by the caller's rights, a forged
/// position can only move within data the caller may read anyway.
/// </summary>
internal readonly record struct Cursor(long Ticks, long Id)
{
    private const string Version = "c1";

    public static string Encode(string scope, long ticks, long id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{Version}|{scope}|{ticks}|{id}")));

    public static bool TryDecode(string? text, string scope, out Cursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length > 512)
            return false;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(bytes).Split('|');
        if (parts.Length != 4 || parts[0] != Version || parts[1] != scope
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || ticks > DateTime.MaxValue.Ticks)
            return false;
        cursor = new Cursor(ticks, id);
        return true;
    }

    public DateTime Time => new(Ticks, DateTimeKind.Utc);
}
