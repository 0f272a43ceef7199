using System.ComponentModel;
using System.Globalization;

namespace DfChat.Services;

/// <summary>Converts the host's user keys to and from the strings of the contract.</summary>
internal static class UserKey<TKey>
    where TKey : IEquatable<TKey>
{
    private static readonly TypeConverter Converter = TypeDescriptor.GetConverter(typeof(TKey));

    public static bool TryParse(string? text, out TKey key)
    {
        key = default!;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 450 || !Rules.ClientText.IsAcceptable(text))
            return false;
        if (typeof(TKey) == typeof(string))
        {
            key = (TKey)(object)text;
            return true;
        }

        try
        {
            if (Converter.ConvertFromInvariantString(text) is TKey parsed)
            {
                key = parsed;
                return true;
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException || e.InnerException is FormatException or OverflowException)
        {
        }

        return false;
    }

    public static string Format(TKey key) => Convert.ToString(key, CultureInfo.InvariantCulture) ?? "";
}

/// <summary>Parses the contract's entity ids (long numbers written as strings).</summary>
internal static class EntityId
{
    public static bool TryParse(string? text, out long id) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;

    public static string Format(long id) => id.ToString(CultureInfo.InvariantCulture);
}
